"""The one permission policy. A role granted on a unit covers the unit and everything below it.

`can(user, action, obj)` answers "may this user do this to this object"; `units_visible_to` and
`visible_to` answer "which objects may this user see" from the same grants, so a list never shows
what a detail page would refuse. Services, views, the API and the admin all ask here.

- läsare (reader): view
- rapportör (reporter): view, report follow-up
- planerare (planner): view, draft goals, indicators, targets and activities
- godkännare (approver): view, approve the plans and reports of the units below the grant's unit
- administratör (administrator): all of it, and the municipality's settings, users and styrmodell
- a superuser may do everything everywhere.

Everyone with a role in a municipality also sees the units above their own, so the röda tråd from
the vision down to their unit is never cut off.
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styr.organisation.models import PATH_SEPARATOR, OrgUnit, Role, RoleGrant


class Action(TextChoices):
    VIEW = "view", gettext_lazy("view")
    REPORT = "report", gettext_lazy("report follow-up")
    PLAN = "plan", gettext_lazy("plan")
    APPROVE = "approve", gettext_lazy("approve")
    ADMINISTER = "administer", gettext_lazy("administer")


ROLE_ACTIONS = {
    Role.READER: {Action.VIEW},
    Role.REPORTER: {Action.VIEW, Action.REPORT},
    Role.PLANNER: {Action.VIEW, Action.PLAN},
    Role.APPROVER: {Action.VIEW, Action.APPROVE},
    Role.ADMINISTRATOR: set(Action),
}


def role_grants(user) -> list[RoleGrant]:
    """The user's grants, each with its unit and municipality (without the logo), ordered by the
    unit's path and the role: one query per request for the policy, the menu, the theme and the
    pages alike.

    Kept on the user object, which Django builds afresh for every request (`request.user`), so it
    lives as long as the request. Code that changes the grants of a user object and then asks
    about that same object again calls `forget_grants` first."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_styr_role_grants", None)
    if cached is None:
        cached = list(
            RoleGrant.objects.filter(user=user)
            .select_related("unit", "municipality")
            .defer("municipality__logo")
            .order_by("unit__path", "role")
        )
        user._styr_role_grants = cached
    return cached


def forget_grants(user) -> None:
    """Drop what `role_grants` keeps on the user object, so the next question reads the grants."""
    for attribute in ("_styr_role_grants", "_styr_grants"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def _grants(user) -> list[tuple[int, str, str]]:
    """(municipality, unit path, role) for each of the grants of an active user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_styr_grants", None)
    if cached is None:
        cached = [(g.municipality_id, g.unit.path, g.role) for g in role_grants(user)]
        user._styr_grants = cached
    return cached


def unit_of(obj) -> OrgUnit | None:
    """The unit an object belongs to, for the policy. None for municipality-wide objects."""
    if isinstance(obj, OrgUnit):
        return obj
    for attribute in ("unit", "assignee"):
        if hasattr(obj, f"{attribute}_id"):
            return getattr(obj, attribute)
    for owner in ("indicator", "activity", "assignment", "goal", "assessment"):
        if hasattr(obj, f"{owner}_id"):
            return unit_of(getattr(obj, owner))
    return None


def _allows(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS[Role(role)]


def can(user, action: str, obj) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    municipality_id = obj.municipality_id
    grants = [g for g in _grants(user) if g[0] == municipality_id]
    unit = unit_of(obj)
    if unit is None:
        # Municipality-wide (a reporting period, the styrmodell): anyone in it may view; its
        # state and settings belong to the administrator of the whole organisation.
        if action == Action.VIEW:
            return bool(grants)
        return any(
            _allows(role, action) and path.count(PATH_SEPARATOR) == 1 for _m, path, role in grants
        )
    for _m, path, role in grants:
        if not _allows(role, action):
            continue
        if action == Action.APPROVE:
            # A godkännare approves what the units below have done, not their own.
            if unit.path.startswith(path) and unit.path != path:
                return True
        elif unit.path.startswith(path):
            return True
    if action == Action.VIEW:
        # The units above one's own: the röda tråd upwards.
        return any(path.startswith(unit.path) for _m, path, _role in grants)
    return False


def require(user, action: str, obj) -> None:
    """Refuse with a Swedish message unless the user may do this. None is the system itself
    (commands, the demo, imports run by an operator)."""
    if user is None:
        return
    if not can(user, action, obj):
        raise PermissionDenied(
            _("You may not %(action)s here: %(object)s.")
            % {"action": Action(action).label, "object": obj}
        )


def may_somewhere(user, action: str) -> bool:
    """Whether any unit at all lets the user do `action`: without this, `can` is False for every
    object of every municipality (apart from viewing), so a page need not read them to ask."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(_allows(role, action) for _m, _path, role in _grants(user))


def units_where(user, action: str, queryset: QuerySet[OrgUnit] | None = None) -> QuerySet[OrgUnit]:
    """The units of `queryset` on which the user may do `action`, by the same rules as `can`, as
    a query rather than unit by unit: the subtrees of the grants whose role allows it (for
    approval, strictly below the grant's unit; for viewing, also the units above)."""
    queryset = OrgUnit.objects.all() if queryset is None else queryset
    if action == Action.VIEW:
        return units_visible_to(user, queryset)
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    conditions = []
    for municipality_id, path, role in _grants(user):
        if not _allows(role, action):
            continue
        condition = Q(municipality_id=municipality_id, path__startswith=path)
        if action == Action.APPROVE:
            condition &= ~Q(path=path)
        conditions.append(condition)
    if not conditions:
        return queryset.none()
    return queryset.filter(reduce(or_, conditions))


def units_visible_to(user, queryset: QuerySet[OrgUnit] | None = None) -> QuerySet[OrgUnit]:
    queryset = OrgUnit.objects.all() if queryset is None else queryset
    return visible_to(user, queryset, unit_field=None)


def visible_to(user, queryset: QuerySet, unit_field: str | None = "unit") -> QuerySet:
    """The rows of `queryset` the user may see: in the subtree of a grant, or above it."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    grants = _grants(user)
    if not grants:
        return queryset.none()
    prefix = f"{unit_field}__" if unit_field else ""
    conditions = []
    for municipality_id, path, _role in grants:
        parts = path.split(PATH_SEPARATOR)[:-1]
        above = [PATH_SEPARATOR.join(parts[:i]) + PATH_SEPARATOR for i in range(1, len(parts))]
        conditions.append(
            Q(**{f"{prefix}municipality_id": municipality_id})
            & (Q(**{f"{prefix}path__startswith": path}) | Q(**{f"{prefix}path__in": above}))
        )
    return queryset.filter(reduce(or_, conditions))


def users_who_can(action: str, unit: OrgUnit) -> QuerySet:
    """The active users whose grants let them do `action` on `unit` (superusers aside): the
    grants on the unit or above it — for approval, strictly above it."""
    from django.contrib.auth import get_user_model

    parts = unit.path.split(PATH_SEPARATOR)[:-1]
    paths = [PATH_SEPARATOR.join(parts[:i]) + PATH_SEPARATOR for i in range(1, len(parts) + 1)]
    if action == Action.APPROVE:
        paths = paths[:-1]
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    granted = RoleGrant.objects.filter(
        municipality_id=unit.municipality_id, unit__path__in=paths, role__in=roles
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=granted, is_active=True)


def units_administered_by(user) -> QuerySet[OrgUnit]:
    """The units the user may administer: the subtrees of their administratör grants."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return OrgUnit.objects.all()
    grants = [(m, path) for m, path, role in _grants(user) if role == Role.ADMINISTRATOR]
    if not grants:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        reduce(or_, (Q(municipality_id=m, path__startswith=path) for m, path in grants))
    )


def administered_depth(user) -> int | None:
    """The depth of the shallowest unit the user administers (0: a whole municipality, which makes
    a controller), or None: from the request's grants, a query only for a superuser."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return units_administered_by(user).order_by("depth").values_list("depth", flat=True).first()
    depths = [
        g.unit.depth
        for g in (role_grants(user) if user.is_active else [])
        if _allows(g.role, Action.ADMINISTER)
    ]
    return min(depths, default=None)
