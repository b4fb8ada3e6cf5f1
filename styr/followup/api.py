from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from styr.access.policy import units_visible_to, visible_to
from styr.api_tokens.auth import WRITE
from styr.core.versioning import UNCHECKED
from styr.governance.models import AssessmentValue
from styr.organisation.api import MAX_LIMIT, Pagination, errors, visible_unit
from styr.organisation.schemas import ErrorOut, ObjectId, Year
from styr.planning.models import Goal, Indicator
from styr.web.selectors import user_municipality_ids

from .models import Assessment, Gender, Measurement, ReportingPeriod
from .schemas import (
    AssessmentIn,
    AssessmentOut,
    OutcomeIn,
    OutcomeOut,
    OutcomesSummaryOut,
    PeriodOut,
    RowErrorsOut,
)
from .services import (
    CorrectiveActionInput,
    OutcomeInput,
    OutcomesInvalid,
    assessment_submit,
    outcomes_check,
    outcomes_report_many,
)

router = Router(tags=["followup"])

BULK_MAX = 5000


def _periods(user):
    return ReportingPeriod.objects.filter(municipality_id__in=user_municipality_ids(user))


@router.get("/periods", response={200: list[PeriodOut], **errors()}, summary="Uppföljningsperioder")
@paginate(Pagination, max_limit=MAX_LIMIT)
def periods(request, year: Year | None = None):
    """The reporting periods of the caller's municipalities; `year` limits to one year."""
    queryset = _periods(request.user).select_related("definition")
    if year is not None:
        queryset = queryset.filter(year=year)
    return queryset.order_by("municipality_id", "year", "month", "definition__order", "pk")


@router.get("/outcomes", response={200: list[OutcomeOut], **errors(404)}, summary="Utfall")
@paginate(Pagination, max_limit=MAX_LIMIT)
def outcomes(
    request,
    period: ObjectId | None = None,
    unit: ObjectId | None = None,
    indicator: ObjectId | None = None,
):
    """The outcomes (utfall) the caller may see, per indicator, unit, period and gender."""
    queryset = visible_to(request.user, Measurement.objects.all())
    if period is not None:
        queryset = queryset.filter(period_id=period)
    if unit is not None:
        subtree = visible_unit(request.user, unit)
        queryset = queryset.filter(
            municipality_id=subtree.municipality_id, unit__path__startswith=subtree.path
        )
    if indicator is not None:
        queryset = queryset.filter(indicator_id=indicator)
    return queryset.select_related("indicator", "unit").order_by(
        "period_id", "unit__path", "indicator__code", "gender", "pk"
    )


@router.get(
    "/assessments",
    response={200: list[AssessmentOut], **errors(404)},
    summary="Målbedömningar",
)
@paginate(Pagination, max_limit=MAX_LIMIT)
def assessments(request, period: ObjectId | None = None, unit: ObjectId | None = None):
    """The goal assessments the caller may see; `unit` limits to goals in its subtree."""
    queryset = visible_to(request.user, Assessment.objects.all(), unit_field="goal__unit")
    if period is not None:
        queryset = queryset.filter(period_id=period)
    if unit is not None:
        subtree = visible_unit(request.user, unit)
        queryset = queryset.filter(
            municipality_id=subtree.municipality_id, goal__unit__path__startswith=subtree.path
        )
    return queryset.select_related("goal", "value", "suggested_value").order_by(
        "period_id", "goal__unit__path", "goal__code", "pk"
    )


@router.post(
    "/assessments",
    auth=WRITE,
    response={200: AssessmentOut, **errors(400, 403, 404, 409)},
    summary="Bedöm ett mål",
)
def assessment_write(request, payload: AssessmentIn):
    """Assess a goal at a period, as in the follow-up screen: the same rules (analysis, a
    motivation when differing from the suggestion, åtgärder when not met) and the same history.
    Give `version` to be told (409) if someone else changed the assessment meanwhile."""
    user = request.user
    goal = visible_to(user, Goal.objects.select_related("unit")).filter(pk=payload.goal).first()
    if goal is None:
        raise Http404(_("No goal %(id)s that you may see.") % {"id": payload.goal})
    period = _periods(user).filter(pk=payload.period).select_related("definition").first()
    if period is None:
        raise Http404(_("No reporting period %(id)s that you may see.") % {"id": payload.period})
    value = AssessmentValue.objects.filter(
        municipality_id=goal.municipality_id, key=payload.value
    ).first()
    if value is None:
        raise ValidationError(
            {"value": _("No assessment value has the key %(key)s.") % {"key": payload.value}}
        )
    assessment = assessment_submit(
        goal=goal,
        period=period,
        value=value,
        analysis=payload.analysis,
        motivation=payload.motivation,
        next_year=payload.next_year,
        corrective_actions=[
            CorrectiveActionInput(a.description, a.responsible, a.due_on)
            for a in payload.corrective_actions
        ],
        acting_user=user,
        seen_version=payload.version if "version" in payload.model_fields_set else UNCHECKED,
    )
    return Assessment.objects.select_related("goal", "value", "suggested_value").get(
        pk=assessment.pk
    )


# --- Many outcomes at once -----------------------------------------------------------------------


@dataclass
class _Item:
    outcome: OutcomeInput
    rows: dict[str, int] = field(default_factory=dict)  # gender → index in the request
    first_row: int = 0
    total_row: int | None = None


class _Rollback(Exception):
    pass


def _split(refs) -> tuple[set[int], set[str]]:
    refs = list(refs)
    ids = {r for r in refs if isinstance(r, int)}
    return ids, {r for r in refs if isinstance(r, str)}


def _by_ref(rows, municipality_ids) -> dict:
    found = {}
    for row in rows:
        found[row.pk] = row
        for municipality_id in municipality_ids:
            if row.municipality_id == municipality_id:
                found[(municipality_id, row.code)] = row
    return found


def _lookup(found: dict, ref, municipality_id: int):
    key = ref if isinstance(ref, int) else (municipality_id, ref)
    row = found.get(key)
    return row if row is not None and row.municipality_id == municipality_id else None


@router.post(
    "/outcomes/bulk",
    auth=WRITE,
    # 422: the rows that cannot be reported (RowErrorsOut), or a body not as described.
    response={200: OutcomesSummaryOut, **errors(400, 403), 422: RowErrorsOut | ErrorOut},
    summary="Rapportera många utfall",
)
def outcomes_bulk(request, rows: list[OutcomeIn]):
    """Report many outcomes at once, each by (indicator, unit, period, gender): all or nothing.

    Reporting the same values again changes nothing. Every row that cannot be reported is named
    in `errors`, and then nothing has been saved. The rules are those of the web interface: the
    caller must be allowed to report for the unit, and the period must be open."""
    user = request.user
    problems: list[tuple[int, str | None, str]] = []
    if len(rows) > BULK_MAX:
        return Status(
            422,
            {
                "detail": _("Send at most %(max)s outcomes in one request.") % {"max": BULK_MAX},
                "errors": [],
            },
        )
    periods = {
        p.pk: p
        for p in _periods(user).filter(pk__in={r.period for r in rows}).select_related("definition")
    }
    municipality_ids = {p.municipality_id for p in periods.values()}
    indicator_ids, indicator_codes = _split(r.indicator for r in rows)
    indicators = _by_ref(
        visible_to(
            user,
            Indicator.objects.filter(municipality_id__in=municipality_ids).filter(
                Q(pk__in=indicator_ids) | Q(code__in=indicator_codes)
            ),
        ).select_related("unit"),
        municipality_ids,
    )
    unit_ids, unit_codes = _split(r.unit for r in rows)
    units = _by_ref(
        units_visible_to(user).filter(
            Q(pk__in=unit_ids) | Q(code__in=unit_codes), municipality_id__in=municipality_ids
        ),
        municipality_ids,
    )
    genders = {g.value for g in Gender}
    items: dict[tuple[int, int], _Item] = {}
    seen: dict[tuple[int, int, str], int] = {}
    for index, row in enumerate(rows):
        row_problems = []
        period = periods.get(row.period)
        if period is None:
            problems.append(
                (
                    index,
                    "period",
                    _("No reporting period %(id)s that you may see.") % {"id": row.period},
                )
            )
            continue
        indicator = _lookup(indicators, row.indicator, period.municipality_id)
        unit = _lookup(units, row.unit, period.municipality_id)
        if unit is None:
            row_problems.append(
                ("unit", _("No unit %(ref)s that you may see.") % {"ref": row.unit})
            )
        if indicator is None:
            row_problems.append(
                (
                    "indicator",
                    _("No indicator %(ref)s that you may see.") % {"ref": row.indicator},
                )
            )
        elif unit is not None and indicator.unit_id != unit.pk:
            row_problems.append(
                (
                    "indicator",
                    _("%(indicator)s belongs to %(owner)s (%(code)s), not to %(unit)s.")
                    % {
                        "indicator": indicator.code,
                        "owner": indicator.unit.name,
                        "code": indicator.unit.code,
                        "unit": unit.code,
                    },
                )
            )
        gender = row.gender.strip().upper()
        if gender not in genders:
            row_problems.append(("gender", _("Write T (total), K (women) or M (men).")))
        elif indicator is not None and not indicator.gender_split and gender != Gender.TOTAL:
            row_problems.append(
                (
                    "gender",
                    _("%(code)s is not split by gender; give only T (total).")
                    % {"code": indicator.code},
                )
            )
        if gender != Gender.TOTAL and (row.forecast is not None or row.comment is not None):
            row_problems.append(
                (
                    "forecast" if row.forecast is not None else "comment",
                    _(
                        "The forecast and the comment are given once per indicator, on the row "
                        "with gender T."
                    ),
                )
            )
        if row_problems:
            problems += [(index, f, m) for f, m in row_problems]
            continue
        key = (period.pk, indicator.pk, gender)
        if key in seen:
            problems.append(
                (
                    index,
                    "indicator",
                    _("The same unit, indicator and gender are already on row %(row)s.")
                    % {"row": seen[key] + 1},
                )
            )
            continue
        seen[key] = index
        item = items.get((period.pk, indicator.pk))
        if item is None:
            item = items[(period.pk, indicator.pk)] = _Item(
                OutcomeInput(indicator, {}), first_row=index
            )
        item.rows[gender] = index
        item.outcome.values[gender] = row.value
        if gender == Gender.TOTAL:
            item.total_row = index
            item.outcome.forecast = row.forecast
            item.outcome.comment = row.comment

    by_period: dict[int, list[_Item]] = {}
    for (period_id, _indicator_id), item in items.items():
        by_period.setdefault(period_id, []).append(item)
    totals = {"created": 0, "changed": 0, "unchanged": 0}
    try:
        with transaction.atomic():
            for period_id, group in by_period.items():
                outcome_inputs = [i.outcome for i in group]
                try:
                    if problems:
                        found = outcomes_check(
                            period=periods[period_id], outcomes=outcome_inputs, acting_user=user
                        )
                    else:
                        summary = outcomes_report_many(
                            period=periods[period_id],
                            outcomes=outcome_inputs,
                            acting_user=user,
                            source=Measurement.Source.IMPORT,
                        )
                        totals["created"] += summary.created
                        totals["changed"] += summary.changed
                        totals["unchanged"] += summary.unchanged
                        found = []
                except OutcomesInvalid as error:
                    found = error.problems
                except ValidationError as error:
                    # The period itself takes no reports: closed, decided, not following up.
                    message = " ".join(error.messages)
                    problems += [
                        (index, "period", message) for i in group for index in i.rows.values()
                    ]
                    continue
                for problem in found:
                    item = group[problem.index]
                    if problem.field in genders:
                        index = item.rows.get(problem.field, item.first_row)
                        problems.append((index, "value", problem.message))
                    elif problem.field == "forecast":
                        index = item.total_row or item.first_row
                        problems.append((index, "forecast", problem.message))
                    else:
                        # About the indicator as a whole: every row of it is refused.
                        problems += [(i, None, problem.message) for i in sorted(item.rows.values())]
            if problems:
                raise _Rollback
    except _Rollback:
        pass
    if problems:
        problems.sort(key=lambda p: p[0])
        rows_with_errors = len({p[0] for p in problems})
        return Status(
            422,
            {
                "detail": _(
                    "Nothing was saved: %(count)s of the outcomes cannot be reported. %(first)s"
                )
                % {"count": rows_with_errors, "first": _row_message(*problems[0])},
                "errors": [
                    {"row": index + 1, "field": name, "detail": _row_message(index, name, message)}
                    for index, name, message in problems
                ],
            },
        )
    return Status(200, totals)


def _row_message(index: int, _field, message: str) -> str:
    return _("Row %(row)s: %(message)s") % {"row": index + 1, "message": message}
