"""The demo's people: in each demo municipality a chef who reports and plans for a unit, a
politician who reads at the unit's nämnd, and a controller who administers the whole
municipality — so that a first-time visitor can try Styr as each of them."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.text import slugify
from django.utils.translation import gettext as _

from styr.accounts.services import role_grant
from styr.organisation.models import PATH_SEPARATOR, Municipality, OrgUnit, Role


@dataclass
class DemoPerson:
    username: str
    description: str


def _person(username: str, first_name: str, last_name: str, password: str):
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.set_password(password)
    user.save()
    return user


def demo_people_create(*, municipality: Municipality, password: str) -> list[DemoPerson]:
    """Idempotent: running the demo again keeps the same people and roles."""
    units = OrgUnit.objects.filter(municipality=municipality).select_related("type")
    root = units.get(depth=0)
    # The chef's unit: among the deepest units that own indicators, the one with the most.
    unit = (
        units.annotate(owned=Count("indicators"))
        .filter(owned__gt=0)
        .order_by("-depth", "-owned", "path")
        .first()
    ) or root
    codes = unit.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    board = (
        units.filter(code__in=codes, type__is_political=True, depth__gt=0).order_by("depth").first()
        or root
    )
    prefix = slugify(municipality.name.split()[0])
    chef = _person(f"{prefix}-chef", "Karin", "Chef", password)
    role_grant(user=chef, unit=unit, role=Role.REPORTER)
    role_grant(user=chef, unit=unit, role=Role.PLANNER)
    politician = _person(f"{prefix}-politiker", "Per", "Politiker", password)
    role_grant(user=politician, unit=board, role=Role.READER)
    controller = _person(f"{prefix}-controller", "Cecilia", "Controller", password)
    role_grant(user=controller, unit=root, role=Role.ADMINISTRATOR)
    return [
        DemoPerson(chef.username, _("reports and plans for %(unit)s") % {"unit": unit.name}),
        DemoPerson(politician.username, _("reads at %(unit)s") % {"unit": board.name}),
        DemoPerson(controller.username, _("administers %(unit)s") % {"unit": municipality.name}),
    ]
