from django.db.models import Prefetch
from ninja import Router
from ninja.pagination import paginate

from styr.access.policy import visible_to
from styr.governance.models import FocusArea
from styr.organisation.api import MAX_LIMIT, Pagination, errors, visible_unit
from styr.organisation.schemas import ObjectId, Text, Year

from .models import Goal, Indicator
from .schemas import GoalOut, IndicatorOut

router = Router(tags=["planning"])


@router.get("/goals", response={200: list[GoalOut], **errors(404)}, summary="Mål")
@paginate(Pagination, max_limit=MAX_LIMIT)
def goals(
    request,
    unit: ObjectId | None = None,
    year: Year | None = None,
    level: Text | None = None,
    focus_area: Text | None = None,
):
    """The goals the caller may see. `unit`: that unit's subtree; `year`: in force that year
    (not drafts); `level` and `focus_area`: by the key the styrmodell gives them."""
    queryset = visible_to(request.user, Goal.objects.all())
    if unit is not None:
        queryset = queryset.in_subtree(visible_unit(request.user, unit))
    if year is not None:
        queryset = queryset.in_force(year)
    if level:
        queryset = queryset.filter(level__key=level)
    if focus_area:
        queryset = queryset.filter(focus_areas__key=focus_area).distinct()
    return (
        queryset.select_related("level", "unit")
        .prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.only("pk", "key")), "parent_links"
        )
        .order_by("municipality_id", "unit__path", "code")
    )


@router.get("/indicators", response={200: list[IndicatorOut], **errors(404)}, summary="Indikatorer")
@paginate(Pagination, max_limit=MAX_LIMIT)
def indicators(request, unit: ObjectId | None = None, focus_area: Text | None = None):
    """The indicators the caller may see. `unit`: that unit's subtree."""
    queryset = visible_to(request.user, Indicator.objects.all())
    if unit is not None:
        subtree = visible_unit(request.user, unit)
        queryset = queryset.filter(
            municipality_id=subtree.municipality_id, unit__path__startswith=subtree.path
        )
    if focus_area:
        queryset = queryset.filter(focus_area__key=focus_area)
    return (
        queryset.select_related("unit", "focus_area")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.only("pk")))
        .order_by("municipality_id", "unit__path", "code")
    )
