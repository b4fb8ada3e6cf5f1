from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router
from ninja.pagination import LimitOffsetPagination, paginate

from styr.access.policy import units_visible_to
from styr.web.selectors import user_municipality_ids

from .models import Municipality, OrgUnit
from .schemas import ErrorOut, MunicipalityOut, ObjectId, UnitOut

router = Router(tags=["organisation"])

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    """`limit` and `offset`; an offset no list reaches is refused (422), not sent to the DB."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def errors(*codes: int) -> dict:
    """The error answers an endpoint declares beside its 200, all as `ErrorOut` (JSON with a
    Swedish `detail`): 401 no valid sign-in or key, 422 a request not as described, and those
    given. Callers add them with `response={200: ..., **errors(404)}`."""
    return dict.fromkeys(sorted({401, 422, *codes}), ErrorOut)


def visible_unit(user, unit_id: int) -> OrgUnit:
    """The unit, if the caller may see it; 404 alike for missing and hidden."""
    unit = units_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No unit %(id)s that you may see.") % {"id": unit_id})
    return unit


@router.get(
    "/municipalities", response={200: list[MunicipalityOut], **errors()}, summary="Kommuner"
)
@paginate(Pagination, max_limit=MAX_LIMIT)
def municipalities(request):
    """The municipalities where the caller has a role."""
    return Municipality.objects.filter(pk__in=user_municipality_ids(request.user)).order_by("pk")


@router.get("/units", response={200: list[UnitOut], **errors(404)}, summary="Organisationsenheter")
@paginate(Pagination, max_limit=MAX_LIMIT)
def units(request, unit: ObjectId | None = None):
    """The units the caller may see, in tree order; `unit` limits to that unit's subtree."""
    queryset = (
        units_visible_to(request.user).select_related("type").order_by("municipality_id", "path")
    )
    if unit is not None:
        queryset = queryset.in_subtree(visible_unit(request.user, unit))
    return queryset
