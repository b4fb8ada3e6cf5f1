from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from styr.access.policy import units_visible_to
from styr.web.selectors import user_municipality_ids

from .models import Municipality, OrgUnit
from .schemas import MunicipalityOut, UnitOut

router = Router(tags=["organisation"])

MAX_LIMIT = 1000


def visible_unit(user, unit_id: int) -> OrgUnit:
    """The unit, if the caller may see it; 404 alike for missing and hidden."""
    unit = units_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No unit %(id)s that you may see.") % {"id": unit_id})
    return unit


@router.get("/municipalities", response=list[MunicipalityOut], summary="Kommuner")
@paginate(LimitOffsetPagination, max_limit=MAX_LIMIT)
def municipalities(request):
    """The municipalities where the caller has a role."""
    return Municipality.objects.filter(pk__in=user_municipality_ids(request.user)).order_by("pk")


@router.get("/units", response=list[UnitOut], summary="Organisationsenheter")
@paginate(LimitOffsetPagination, max_limit=MAX_LIMIT)
def units(request, unit: int | None = None):
    """The units the caller may see, in tree order; `unit` limits to that unit's subtree."""
    queryset = (
        units_visible_to(request.user).select_related("type").order_by("municipality_id", "path")
    )
    if unit is not None:
        queryset = queryset.in_subtree(visible_unit(request.user, unit))
    return queryset
