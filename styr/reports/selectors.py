"""Reads for documents: everything a report says, in a fixed number of queries however many goals,
indicators and activities it covers."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from styr.followup.models import (
    ActivityReport,
    Assessment,
    CorrectiveAction,
    Forecast,
    Gender,
    Measurement,
    ReportingPeriod,
)
from styr.followup.selectors import followup_as_of, period_decided_at
from styr.governance.models import ActivityStatus, AssessmentValue
from styr.kolada.selectors import kpi_comparisons
from styr.organisation.models import OrgUnit
from styr.planning.models import ActivityGoal, Goal, GoalFocusArea, IndicatorGoal, Target
from styr.workflow.models import Submission

from .followup_parts import decision_text, economy_part, internal_control_part, overall_part
from .layout import report_layout, report_texts
from .structure import (
    ActivityLine,
    AssessmentBlock,
    CorrectiveActionLine,
    GoalBlock,
    GoalLine,
    GoalsPart,
    IndicatorRow,
    IndicatorTable,
    KoladaLine,
    LabelledText,
    MunicipalityInfo,
    Report,
    Section,
    SeriesPoint,
    Summary,
    SummaryCount,
    SummaryPart,
    TextPart,
    UnitGroup,
    UnitRollup,
    UnitsPart,
    UnitText,
)
from .texts import report_texts_read


def report_build(
    *,
    unit: OrgUnit,
    year: int,
    period: ReportingPeriod | None = None,
    consolidated: bool = False,
) -> Report:
    """The plan (no period) or a period's report for a unit, or for its whole subtree.

    For a decided period the outcomes, forecasts, assessments with their åtgärder and the
    activities' statuses are those recorded when it was decided (`followup_as_of` and the same
    history for the rest); the plan's goals, texts, indicators and targets are today's. The
    chart's earlier periods show their current values, and so do the economy, internal control
    and overall judgement parts (followup_parts.py).
    """
    municipality = unit.municipality
    municipality_id = municipality.pk
    layout = report_layout(
        municipality_id=municipality_id,
        unit_type=unit.type.key,
        period=period,
        top_unit=unit.parent_id is None,
    )
    goals_qs = Goal.objects.filter(municipality_id=municipality_id).in_force(year)
    goals_qs = goals_qs.in_subtree(unit) if consolidated else goals_qs.filter(unit=unit)
    every_goal = list(
        goals_qs.select_related("level", "unit").order_by("unit__path", "level__order", "code")
    )
    # A consolidated report shows the goals of the units down to the layout's depth in full, and
    # those further down as a table per unit: a nämnd's report stays readable.
    goals = [g for g in every_goal if g.unit.depth - unit.depth <= layout.detail_depth]
    deep_goals = [g for g in every_goal if g.unit.depth - unit.depth > layout.detail_depth]
    goal_ids = [g.pk for g in goals]

    focus_of: dict[int, object] = {}
    for link in (
        GoalFocusArea.objects.filter(goal_id__in=goal_ids)
        .select_related("focus_area")
        .order_by("focus_area__order", "focus_area__name")
    ):
        focus_of.setdefault(link.goal_id, link.focus_area)

    indicators_of: dict[int, list] = {}
    indicators = {}
    for link in (
        IndicatorGoal.objects.filter(goal_id__in=goal_ids)
        .select_related("indicator")
        .order_by("indicator__code")
    ):
        indicators_of.setdefault(link.goal_id, []).append(link.indicator)
        indicators[link.indicator_id] = link.indicator

    # Indicators linked to Kolada: their latest year up to the report's, all in one query.
    kolada = kpi_comparisons(
        indicators=list(indicators.values()), municipality=municipality, last=1, until=year
    )

    targets: dict[int, Decimal | None] = {}
    for indicator_id, value in Target.objects.filter(
        municipality_id=municipality_id,
        indicator_id__in=list(indicators),
        kind=Target.Kind.ANNUAL,
        year=year,
    ).values_list("indicator_id", "value"):
        targets[indicator_id] = value

    # The year's periods up to the report's (the chart's points) and the same period last year.
    periods = list(
        ReportingPeriod.objects.filter(municipality_id=municipality_id, year__in=[year, year - 1])
        .select_related("definition")
        .order_by("year", "month", "definition__order")
    )
    if period is not None:
        period = next(p for p in periods if p.pk == period.pk)
        so_far = [p for p in periods if p.year == year and p.month <= period.month]
        last_year = next(
            (
                p
                for p in periods
                if p.year == year - 1
                and p.definition_id == period.definition_id
                and p.month == period.month
            ),
            None,
        )
    else:
        so_far, last_year = [], None
    read_periods = [*so_far, *([last_year] if last_year else [])]

    values: dict[tuple[int, int], dict[str, Decimal]] = {}
    for indicator_id, period_id, gender, value in Measurement.objects.filter(
        municipality_id=municipality_id,
        indicator_id__in=list(indicators),
        period__in=read_periods,
    ).values_list("indicator_id", "period_id", "gender", "value"):
        values.setdefault((indicator_id, period_id), {})[gender] = value

    as_decided = False
    decided_at = None
    forecasts: dict[int, Decimal | None] = {}
    assessments: dict[int, object] = {}
    if period is not None:
        decided_at = period_decided_at(period=period) if period.is_decided else None
        if decided_at is not None:
            as_decided = True
            snapshot = followup_as_of(period=period, when=decided_at, unit=unit)
            now = {}
            for m in snapshot.measurements:
                if m.indicator_id in indicators:
                    now.setdefault(m.indicator_id, {})[m.gender] = m.value
            for indicator_id in indicators:
                values[(indicator_id, period.pk)] = now.get(indicator_id, {})
            forecasts = {
                f.indicator_id: f.value for f in snapshot.forecasts if f.indicator_id in indicators
            }
            assessments = {a.goal_id: a for a in snapshot.assessments}
        else:
            every_id = [g.pk for g in every_goal]
            forecasts = dict(
                Forecast.objects.filter(
                    municipality_id=municipality_id,
                    period=period,
                    indicator_id__in=list(indicators),
                ).values_list("indicator_id", "value")
            )
            assessments = {
                a.goal_id: a
                for a in Assessment.objects.filter(
                    municipality_id=municipality_id, period=period, goal_id__in=every_id
                ).only("pk", "goal_id", "value_id", "analysis", "motivation", "next_year")
            }
    scale = {
        v.pk: v
        for v in AssessmentValue.objects.filter(municipality_id=municipality_id).order_by("order")
    }
    actions: dict[int, list[CorrectiveActionLine]] = {}
    if assessments and layout.shows("corrective_actions"):
        # As they stood when the period was decided, like the assessments they belong to.
        source = (
            CorrectiveAction.history.as_of(decided_at) if as_decided else CorrectiveAction.objects
        )
        for action in source.filter(
            municipality_id=municipality_id,
            assessment_id__in=[assessments[g].pk for g in goal_ids if g in assessments],
        ).order_by("due_on", "pk"):
            actions.setdefault(action.assessment_id, []).append(
                CorrectiveActionLine(action.description, action.responsible, action.due_on)
            )

    activities_of: dict[int, list] = {}
    activity_ids = set()
    for link in (
        ActivityGoal.objects.filter(goal_id__in=goal_ids)
        .select_related("activity")
        .order_by("activity__end", "activity__code")
    ):
        activity = link.activity
        if activity.start <= datetime.date(year, 12, 31) and activity.end >= datetime.date(
            year, 1, 1
        ):
            activities_of.setdefault(link.goal_id, []).append(activity)
            activity_ids.add(activity.pk)
    statuses, status_labels = {}, {}
    if period is not None and activity_ids:
        source = ActivityReport.history.as_of(decided_at) if as_decided else ActivityReport.objects
        statuses = {
            r.activity_id: r
            for r in source.filter(
                municipality_id=municipality_id, period_id=period.pk, activity_id__in=activity_ids
            )
        }
        status_labels = dict(
            ActivityStatus.objects.filter(municipality_id=municipality_id).values_list(
                "pk", "label"
            )
        )

    def indicator_table(indicator) -> IndicatorTable:
        now = values.get((indicator.pk, period.pk), {}) if period else {}
        before = values.get((indicator.pk, last_year.pk), {}) if last_year else {}
        genders = [Gender.TOTAL, Gender.WOMEN, Gender.MEN] if indicator.gender_split else []
        genders = genders or [Gender.TOTAL]
        rows = [
            IndicatorRow(
                label=_("Total") if g == Gender.TOTAL else Gender(g).label.capitalize(),
                outcome=now.get(g),
                target=targets.get(indicator.pk) if g == Gender.TOTAL else None,
                forecast=forecasts.get(indicator.pk) if g == Gender.TOTAL else None,
                last_year=before.get(g),
            )
            for g in genders
        ]
        series = []
        for p in so_far:
            point = values.get((indicator.pk, p.pk), {})
            if point:
                series.append(
                    SeriesPoint(
                        p.definition.name,
                        point.get(Gender.TOTAL),
                        point.get(Gender.WOMEN),
                        point.get(Gender.MEN),
                    )
                )
        return IndicatorTable(
            code=indicator.code,
            name=indicator.name,
            measure=indicator.measure,
            gender_split=indicator.gender_split,
            rows=rows,
            target=targets.get(indicator.pk),
            series=series,
            kolada=kolada_line(kolada.get(indicator.pk)),
        )

    tables = {}

    def goal_block(goal: Goal) -> GoalBlock:
        texts = []
        if layout.shows("texts"):
            labels = goal.level.text_field_labels()
            texts = [LabelledText(_("Description"), goal.description)] if goal.description else []
            texts += [
                LabelledText(label, goal.texts[key])
                for key, label in labels.items()
                if goal.texts.get(key)
            ]
        block = None
        assessment = assessments.get(goal.pk) if layout.shows("assessment") else None
        if assessment is not None and assessment.value_id in scale:
            value = scale[assessment.value_id]
            block = AssessmentBlock(
                label=assessment_label(value, period),
                colour=value.colour,
                analysis=assessment.analysis,
                motivation=assessment.motivation,
                next_year=assessment.next_year,
                corrective_actions=actions.get(assessment.pk, []),
            )
        shown = indicators_of.get(goal.pk, []) if layout.shows("indicators") else []
        for indicator in shown:
            if indicator.pk not in tables:
                tables[indicator.pk] = indicator_table(indicator)
        return GoalBlock(
            level=goal.level.name,
            code=goal.code,
            title=goal.title,
            unit=goal.unit.name,
            texts=texts,
            assessment=block,
            indicators=[tables[i.pk] for i in shown],
            activities=[
                ActivityLine(
                    code=a.code,
                    title=a.title,
                    responsible=a.responsible,
                    end=a.end,
                    status=status_labels.get(statuses[a.pk].status_id, "")
                    if a.pk in statuses
                    else "",
                    comment=statuses[a.pk].comment if a.pk in statuses else "",
                )
                for a in (activities_of.get(goal.pk, []) if layout.shows("activities") else [])
            ],
        )

    # Sections: one per focus area (a goal under its first), the rest together; one section when
    # the model has no focus areas for these goals.
    by_area: dict[object, list[Goal]] = {}
    for goal in goals:
        by_area.setdefault(focus_of.get(goal.pk), []).append(goal)
    areas = sorted((a for a in by_area if a is not None), key=lambda a: (a.order, a.name))
    sections = []
    for number, area in enumerate([*areas, None] if None in by_area else areas, start=1):
        title = area.name if area is not None else _("Other goals") if areas else _("Goals")
        groups: list[UnitGroup] = []
        for goal in by_area[area]:
            if not groups or groups[-1].unit != goal.unit.name:
                groups.append(UnitGroup(goal.unit.name, []))
            groups[-1].goals.append(goal_block(goal))
        if not consolidated:
            groups = [UnitGroup(unit.name, [g for group in groups for g in group.goals])]
        sections.append(
            Section(
                title=title,
                description=area.description if area is not None else "",
                groups=groups,
                anchor=f"avsnitt-{number}",
            )
        )

    def counts_of(assessed: list) -> list[SummaryCount]:
        counted: dict[int, int] = {}
        for assessment in assessed:
            counted[assessment.value_id] = counted.get(assessment.value_id, 0) + 1
        return [
            SummaryCount(assessment_label(v, period), v.colour, counted.get(v.pk, 0))
            for v in scale.values()
        ]

    # The free texts of the report's unit and, consolidated, of the units shown in full; as they
    # stood when the period was decided, like the rest.
    text_units = [unit] if not consolidated else []
    if consolidated:
        seen = {}
        for goal in goals:
            seen.setdefault(goal.unit_id, goal.unit)
        text_units = [unit, *(u for pk, u in seen.items() if pk != unit.pk)]
    texts = report_texts_read(
        unit_ids=[u.pk for u in text_units],
        year=year,
        period=period,
        as_of=decided_at if as_decided else None,
    )
    text_headings = report_texts(municipality_id)

    parts = []
    for number, part in enumerate(layout.parts, start=1):
        anchor = f"del-{number}"
        if part.part == "summary" and period is not None:
            assessed = [a for a in assessments.values() if a.value_id in scale]
            parts.append(
                SummaryPart(
                    heading=part.heading or _("Goal fulfilment"),
                    intro=part.intro,
                    summary=Summary(
                        counts=counts_of(assessed), assessed=len(assessed), total=len(every_goal)
                    ),
                )
            )
        elif part.part == "text" and part.key in text_headings:
            written = [
                UnitText(u.name if consolidated else "", texts[(u.pk, part.key)])
                for u in text_units
                if texts.get((u.pk, part.key), "").strip()
            ]
            parts.append(
                TextPart(
                    heading=part.heading or text_headings[part.key].heading,
                    intro=part.intro,
                    texts=written,
                    anchor=anchor,
                )
            )
        elif part.part == "goals":
            parts.append(GoalsPart(part.heading, part.intro, sections, anchor=anchor))
        elif part.part == "units" and deep_goals:
            by_unit: dict[int, list[Goal]] = {}
            for goal in deep_goals:
                by_unit.setdefault(goal.unit_id, []).append(goal)
            rollups = []
            for unit_goals in by_unit.values():
                lines = []
                for goal in unit_goals:
                    assessment = assessments.get(goal.pk)
                    value = scale.get(assessment.value_id) if assessment is not None else None
                    lines.append(
                        GoalLine(
                            goal.code,
                            goal.title,
                            goal.level.name,
                            assessment_label(value, period) if value is not None else "",
                            value.colour if value is not None else "",
                        )
                    )
                assessed = [assessments[g.pk] for g in unit_goals if g.pk in assessments]
                rollups.append(
                    UnitRollup(
                        unit_goals[0].unit.name,
                        lines,
                        counts_of(assessed) if period is not None else [],
                    )
                )
            default = _("The units' goals") if period is None else _("The units' assessments")
            parts.append(
                UnitsPart(
                    heading=part.heading or default,
                    intro=part.intro,
                    units=rollups,
                    scale=counts_of([]) if period is not None else [],
                    anchor=anchor,
                )
            )

        elif part.part == "economy" and period is not None:
            parts.append(
                economy_part(
                    part,
                    unit=unit,
                    year=year,
                    period=period,
                    consolidated=consolidated,
                    anchor=anchor,
                )
            )
        elif part.part == "internal_control" and period is not None:
            parts.append(
                internal_control_part(
                    part,
                    unit=unit,
                    year=year,
                    period=period,
                    consolidated=consolidated,
                    anchor=anchor,
                )
            )
        elif part.part == "overall" and period is not None:
            parts.append(overall_part(part, period=period, anchor=anchor))

    generated = timezone.localtime()
    title = layout.title
    if period is None:
        version = _("Working version, %(when)s") % {"when": date_format(generated, "j F Y H:i")}
        adopted = Submission.objects.filter(
            municipality_id=municipality_id,
            unit=unit,
            kind=Submission.Kind.PLAN,
            year=year,
            state=Submission.State.ADOPTED,
        ).first()
        if adopted is not None:
            version = decision_text(
                _("Adopted on %(date)s"), adopted.adopted_on, adopted.adopted_reference
            )
    else:
        if period.is_decided:
            version = decision_text(
                _("As decided on %(date)s"), period.decided_on, period.decision_reference
            )
        else:
            version = _("Working version, %(when)s") % {"when": date_format(generated, "j F Y H:i")}
    return Report(
        title=title,
        unit=unit.name,
        year=year,
        period=period.name if period is not None else None,
        consolidated=consolidated,
        generated=generated,
        version=version,
        municipality=MunicipalityInfo(
            municipality.name, municipality.colour, bytes(municipality.logo), municipality.logo_type
        ),
        parts=parts,
        intro=layout.intro,
        as_decided=as_decided,
        goal_parts=layout.goal_parts,
    )


def kolada_line(comparison) -> KoladaLine | None:
    latest = comparison.latest if comparison is not None else None
    if latest is None:
        return None
    return KoladaLine(
        year=latest.year,
        own=latest.own,
        group_mean=latest.group_mean,
        riket=latest.riket,
        rank=latest.rank_text,
        colour=latest.colour_hex,
        colour_text=latest.colour_text,
        source=comparison.attribution,
    )


def assessment_label(value: AssessmentValue, period: ReportingPeriod) -> str:
    """The scale's words; in a prognosis (a tertial) its prognosis words, "uppfylls delvis"."""
    if not period.is_final and value.prognosis_label:
        return value.prognosis_label
    return value.label
