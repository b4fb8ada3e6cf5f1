"""Open data: what the public view (insyn) shows, as flat tables in JSON and CSV.

The format is documented in docs/open-data.md and versioned by FORMAT_VERSION: a field is never
renamed, retyped or removed without a new major version; new fields may be added at the end.

What is public is decided in `styr.web.public`, never here: the adopted plans
(`public.adopted_plans`), the decided periods (`public.decided_periods`), the rows of a follow-up
as they stood at the decision (`public.decided_moments`, `public._as_decided_in`) and the words of
the assessment scale with the åtgärder of each assessment (`public._decided_assessments`). Every
dataset runs a fixed number of queries, whatever the size of the municipality.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from styr.core.spreadsheet import csv_text
from styr.followup.models import ActivityReport, Assessment, Forecast, Measurement
from styr.governance.models import ActivityStatus
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import (
    Activity,
    Goal,
    GoalFocusArea,
    GoalLink,
    Indicator,
    IndicatorGoal,
    Target,
)

from . import public

FORMAT_VERSION = "1.1"

# Lists inside one CSV cell are joined by this; JSON has them as arrays.
LIST_SEPARATOR = "|"


class SwedishExcel(csv.Dialect):
    """Semicolon, CRLF and quotes where needed: what Excel with Swedish settings opens as columns.
    Decimals are written with a comma (see `csv_value`), the file starts with a UTF-8 BOM."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


csv.register_dialect("styr-open-data", SwedishExcel)


@dataclass(frozen=True)
class Dataset:
    key: str
    fields: tuple[str, ...]
    rows: Callable[[Municipality], list[dict]]


# --- Helpers -----------------------------------------------------------------------------------


def _period(period) -> dict:
    return {
        "period_key": period.definition.key,
        "period_year": period.year,
        "period_month": period.month,
        "period_name": period.name,
        "period_decided_on": period.decided_on,
        "period_decision_reference": period.decision_reference,
    }


PERIOD_FIELDS = (
    "period_key",
    "period_year",
    "period_month",
    "period_name",
    "period_decided_on",
    "period_decision_reference",
)


def _in_force(goal: Goal, year: int) -> bool:
    """As `GoalQuerySet.in_force`: holds at some time during the year (drafts are left out by the
    query)."""
    return goal.valid_from <= datetime.date(year, 12, 31) and (
        goal.valid_to is None or goal.valid_to >= datetime.date(year, 1, 1)
    )


def _units(municipality: Municipality) -> dict[int, OrgUnit]:
    return {
        u.pk: u
        for u in OrgUnit.objects.filter(municipality=municipality)
        .select_related("type", "parent")
        .order_by("path")
    }


def _decided(municipality: Municipality):
    periods = {p.pk: p for p in public.decided_periods(municipality=municipality)}
    return periods, public.decided_moments(periods.values())


def _period_order(period) -> tuple:
    return (period.year, period.month, period.definition.order)


# --- Datasets ----------------------------------------------------------------------------------


def units_rows(municipality: Municipality) -> list[dict]:
    return [
        {
            "unit_code": u.code,
            "unit_name": u.name,
            "unit_type": u.type.name,
            "parent_code": u.parent.code if u.parent else "",
            "depth": u.depth,
            "valid_from": u.valid_from,
            "valid_to": u.valid_to,
        }
        for u in _units(municipality).values()
    ]


def _plan_goals(municipality: Municipality):
    """Each adopted plan with the unit's goals in force that year, as `public.public_plan` reads
    them, for all plans at once: (plan, goals) pairs."""
    plans = public.adopted_plans(municipality=municipality)
    goals = list(
        Goal.objects.filter(municipality=municipality, unit_id__in={p.unit_id for p in plans})
        .exclude(status=Goal.Status.DRAFT)
        .select_related("level")
        .order_by("level__order", "code")
    )
    by_unit: dict[int, list[Goal]] = {}
    for goal in goals:
        by_unit.setdefault(goal.unit_id, []).append(goal)
    pairs = [
        (plan, [g for g in by_unit.get(plan.unit_id, []) if _in_force(g, plan.year)])
        for plan in plans
    ]
    return pairs, goals


def _plan(plan) -> dict:
    return {
        "plan_year": plan.year,
        "unit_code": plan.unit.code,
        "unit_name": plan.unit.name,
        "plan_adopted_on": plan.adopted_on,
        "plan_reference": plan.adopted_reference,
    }


PLAN_FIELDS = ("plan_year", "unit_code", "unit_name", "plan_adopted_on", "plan_reference")


def goals_rows(municipality: Municipality) -> list[dict]:
    pairs, goals = _plan_goals(municipality)
    ids = [g.pk for g in goals]
    parents: dict[int, list[str]] = {}
    for link in (
        GoalLink.objects.filter(goal_id__in=ids)
        .exclude(parent__status=Goal.Status.DRAFT)
        .select_related("parent__level")
        .order_by("parent__level__order", "parent__code")
    ):
        parents.setdefault(link.goal_id, []).append(link.parent.code)
    areas: dict[int, list[str]] = {}
    for link in (
        GoalFocusArea.objects.filter(goal_id__in=ids)
        .select_related("focus_area")
        .order_by("focus_area__order", "focus_area__name")
    ):
        areas.setdefault(link.goal_id, []).append(link.focus_area.name)
    return [
        {
            **_plan(plan),
            "goal_code": goal.code,
            "goal_title": goal.title,
            "level_key": goal.level.key,
            "level_name": goal.level.name,
            "texts": dict(public.goal_texts(goal)),
            "focus_areas": areas.get(goal.pk, []),
            "parent_goal_codes": parents.get(goal.pk, []),
        }
        for plan, plan_goals in pairs
        for goal in plan_goals
    ]


def targets_rows(municipality: Municipality) -> list[dict]:
    """Each plan goal's indicators with the plan year's targets and the latest baseline before it,
    as the public plan shows them; an indicator without targets gets one row with empty target
    fields."""
    pairs, goals = _plan_goals(municipality)
    links: dict[int, list[Indicator]] = {}
    for link in (
        IndicatorGoal.objects.filter(goal_id__in=[g.pk for g in goals])
        .select_related("indicator")
        .order_by("indicator__code")
    ):
        links.setdefault(link.goal_id, []).append(link.indicator)
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(
        indicator_id__in={i.pk for items in links.values() for i in items}
    ).order_by("year", "kind"):
        targets.setdefault(target.indicator_id, []).append(target)
    rows = []
    for plan, plan_goals in pairs:
        for goal in plan_goals:
            for indicator in links.get(goal.pk, []):
                own = [t for t in targets.get(indicator.pk, []) if t.year <= plan.year]
                baselines = [t for t in own if t.kind == Target.Kind.BASELINE]
                shown = [
                    t for t in own if t.year == plan.year and t.kind != Target.Kind.BASELINE
                ] + baselines[-1:]
                base = {
                    **_plan(plan),
                    "goal_code": goal.code,
                    "indicator_code": indicator.code,
                    "indicator_name": indicator.name,
                    "measure": indicator.measure,
                    "direction": indicator.direction,
                }
                empty = {
                    "target_kind": "",
                    "target_year": None,
                    "target_value": None,
                    "target_change": "",
                }
                for target in shown or [None]:
                    rows.append(
                        {
                            **base,
                            **(
                                {
                                    "target_kind": target.kind,
                                    "target_year": target.year,
                                    "target_value": target.value,
                                    "target_change": target.change,
                                }
                                if target
                                else empty
                            ),
                        }
                    )
    return rows


def outcomes_rows(municipality: Municipality) -> list[dict]:
    """Every outcome of the decided periods as it stood at the decision."""
    periods, moments = _decided(municipality)
    rows = public._as_decided_in(Measurement, moments)
    units = _units(municipality)
    indicators = {
        i.pk: i for i in Indicator.objects.filter(pk__in={m.indicator_id for m in rows} or [0])
    }
    gender_order = {"T": 0, "K": 1, "M": 2}
    rows.sort(
        key=lambda m: (
            _period_order(periods[m.period_id]),
            units[m.unit_id].path,
            indicators[m.indicator_id].code,
            gender_order.get(m.gender, 3),
        )
    )
    return [
        {
            **_indicator_fields(m, periods, units, indicators),
            "gender": m.gender,
            "value": m.value,
            "source": "Kolada" if m.source == Measurement.Source.KOLADA else "",
        }
        for m in rows
    ]


def _indicator_fields(row, periods, units, indicators) -> dict:
    """The period, unit and indicator of an outcome or forecast row."""
    indicator = indicators[row.indicator_id]
    return {
        **_period(periods[row.period_id]),
        "unit_code": units[row.unit_id].code,
        "unit_name": units[row.unit_id].name,
        "indicator_code": indicator.code,
        "indicator_name": indicator.name,
        "measure": indicator.measure,
    }


def forecasts_rows(municipality: Municipality) -> list[dict]:
    """Every forecast for the year of the decided periods as it stood at the decision, with its
    comment, as the public follow-up shows them (a forecast may be a comment without a value)."""
    periods, moments = _decided(municipality)
    rows = public._as_decided_in(Forecast, moments)
    units = _units(municipality)
    indicators = {
        i.pk: i for i in Indicator.objects.filter(pk__in={f.indicator_id for f in rows} or [0])
    }
    rows.sort(
        key=lambda f: (
            _period_order(periods[f.period_id]),
            units[f.unit_id].path,
            indicators[f.indicator_id].code,
        )
    )
    return [
        {
            **_indicator_fields(f, periods, units, indicators),
            "value": f.value,
            "comment": f.comment,
        }
        for f in rows
    ]


def _decided_assessment_items(municipality: Municipality) -> list:
    """(goal, `public.DecidedAssessment`) of every goal assessed in the decided periods, as
    decided and in the order of the periods and the organisation; drafts of goals left out."""
    periods, moments = _decided(municipality)
    rows = public._as_decided_in(Assessment, moments)
    goals = {
        g.pk: g
        for g in Goal.objects.filter(pk__in={a.goal_id for a in rows} or [0])
        .exclude(status=Goal.Status.DRAFT)
        .select_related("level", "unit")
    }
    rows = [a for a in rows if a.goal_id in goals]
    decided = public._decided_assessments(rows, periods, moments)
    items = [(goals[goal_id], item) for goal_id, found in decided.items() for item in found]
    items.sort(
        key=lambda pair: (
            _period_order(pair[1].period),
            pair[0].unit.path,
            pair[0].level.order,
            pair[0].code,
        )
    )
    return items


def assessments_rows(municipality: Municipality) -> list[dict]:
    """Every goal's assessment in the decided periods as decided, with the scale's words."""
    return [
        {
            **_period(item.period),
            "unit_code": goal.unit.code,
            "unit_name": goal.unit.name,
            "goal_code": goal.code,
            "goal_title": goal.title,
            "level_name": goal.level.name,
            "assessment_key": item.value.key,
            "assessment_label": item.label,
            "assessment_is_met": item.value.is_met,
            "analysis": item.analysis,
        }
        for goal, item in _decided_assessment_items(municipality)
    ]


def actions_rows(municipality: Municipality) -> list[dict]:
    """Every åtgärd of the decided assessments as decided: what will be done and by when, as the
    public follow-up shows it; who is responsible stays inside Styr."""
    return [
        {
            **_period(item.period),
            "unit_code": goal.unit.code,
            "unit_name": goal.unit.name,
            "goal_code": goal.code,
            "goal_title": goal.title,
            "assessment_key": item.value.key,
            "description": action.description,
            "due_on": action.due_on,
        }
        for goal, item in _decided_assessment_items(municipality)
        for action in item.actions
    ]


def activities_rows(municipality: Municipality) -> list[dict]:
    """Every activity's status in the decided periods as decided."""
    periods, moments = _decided(municipality)
    reports = public._as_decided_in(ActivityReport, moments)
    activities = {
        a.pk: a
        for a in Activity.objects.filter(
            pk__in={r.activity_id for r in reports} or [0]
        ).select_related("unit")
    }
    statuses = {
        s.pk: s for s in ActivityStatus.objects.filter(pk__in={r.status_id for r in reports} or [0])
    }
    reports = [r for r in reports if r.activity_id in activities]
    reports.sort(
        key=lambda r: (
            _period_order(periods[r.period_id]),
            activities[r.activity_id].unit.path,
            activities[r.activity_id].end,
            activities[r.activity_id].code,
        )
    )
    return [
        {
            **_period(periods[r.period_id]),
            "unit_code": activities[r.activity_id].unit.code,
            "unit_name": activities[r.activity_id].unit.name,
            "activity_code": activities[r.activity_id].code,
            "activity_title": activities[r.activity_id].title,
            "activity_start": activities[r.activity_id].start,
            "activity_end": activities[r.activity_id].end,
            "status_key": statuses[r.status_id].key,
            "status_label": statuses[r.status_id].label,
            "status_is_done": statuses[r.status_id].is_done,
            "comment": r.comment,
        }
        for r in reports
    ]


DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "units",
            (
                "unit_code",
                "unit_name",
                "unit_type",
                "parent_code",
                "depth",
                "valid_from",
                "valid_to",
            ),
            units_rows,
        ),
        Dataset(
            "goals",
            (
                *PLAN_FIELDS,
                "goal_code",
                "goal_title",
                "level_key",
                "level_name",
                "texts",
                "focus_areas",
                "parent_goal_codes",
            ),
            goals_rows,
        ),
        Dataset(
            "targets",
            (
                *PLAN_FIELDS,
                "goal_code",
                "indicator_code",
                "indicator_name",
                "measure",
                "direction",
                "target_kind",
                "target_year",
                "target_value",
                "target_change",
            ),
            targets_rows,
        ),
        Dataset(
            "outcomes",
            (
                *PERIOD_FIELDS,
                "unit_code",
                "unit_name",
                "indicator_code",
                "indicator_name",
                "measure",
                "gender",
                "value",
                "source",
            ),
            outcomes_rows,
        ),
        Dataset(
            "assessments",
            (
                *PERIOD_FIELDS,
                "unit_code",
                "unit_name",
                "goal_code",
                "goal_title",
                "level_name",
                "assessment_key",
                "assessment_label",
                "assessment_is_met",
                "analysis",
            ),
            assessments_rows,
        ),
        Dataset(
            "activities",
            (
                *PERIOD_FIELDS,
                "unit_code",
                "unit_name",
                "activity_code",
                "activity_title",
                "activity_start",
                "activity_end",
                "status_key",
                "status_label",
                "status_is_done",
                "comment",
            ),
            activities_rows,
        ),
        Dataset(
            "forecasts",
            (
                *PERIOD_FIELDS,
                "unit_code",
                "unit_name",
                "indicator_code",
                "indicator_name",
                "measure",
                "value",
                "comment",
            ),
            forecasts_rows,
        ),
        Dataset(
            "actions",
            (
                *PERIOD_FIELDS,
                "unit_code",
                "unit_name",
                "goal_code",
                "goal_title",
                "assessment_key",
                "description",
                "due_on",
            ),
            actions_rows,
        ),
    )
}


# --- Serialisation -----------------------------------------------------------------------------


def attribution(municipality: Municipality, rows: Iterable[dict] = ()) -> str:
    sources = [municipality.name]
    if any(row.get("source") == "Kolada" for row in rows):
        sources.append("Kolada")
    return "Källa: " + ", ".join(sources)


def json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def as_json(dataset: Dataset, municipality: Municipality, rows: list[dict]) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "dataset": dataset.key,
        "municipality": {"code": municipality.code, "name": municipality.name},
        "attribution": attribution(municipality, rows),
        "generated_at": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        "fields": list(dataset.fields),
        "rows": [{f: json_value(row[f]) for f in dataset.fields} for row in rows],
    }


def csv_value(value) -> str:
    """A cell by the type of its column: numbers with a decimal comma, dates in ISO form, truth
    values as ja/nej, and text guarded by `styr.core.spreadsheet.csv_text`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    # What is left is text, written by people: never a formula in a spreadsheet program.
    if isinstance(value, dict):
        return csv_text("\n".join(f"{label}: {text}" for label, text in value.items()))
    if isinstance(value, list):
        return csv_text(LIST_SEPARATOR.join(value))
    return csv_text(str(value))


def csv_lines(dataset: Dataset, rows: list[dict]) -> Iterator[str]:
    """The CSV text line by line, the first with the UTF-8 byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="styr-open-data")

    def line(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(dataset.fields)
    for row in rows:
        yield line([csv_value(row[f]) for f in dataset.fields])


def filename(dataset: Dataset, municipality: Municipality, fmt: str) -> str:
    return f"styr-{municipality.code}-{dataset.key}-v{FORMAT_VERSION.split('.')[0]}.{fmt}"
