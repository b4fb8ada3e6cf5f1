"""What the busiest pages read — the follow-up screen, Mitt uppdrag and the overview: the same
data as before, in a fixed, small number of queries, as plain rows where the page needs no more."""

import datetime

import pytest

from styr.followup.lint import plan_lint
from styr.followup.models import ActivityReport, Assessment, Forecast, Measurement, ReportingPeriod
from styr.followup.rule import assessment_suggest, assessment_suggest_many
from styr.followup.selectors import (
    assessment_counts_per_unit,
    fulfilment,
    fulfilment_by_unit_below,
)
from styr.governance.models import FocusArea
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal
from styr.web import selectors

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def followed_up(stockholm):
    from styr.followup.demo import demo_followup

    demo_followup(municipality=stockholm.municipality, year=2026, today=TODAY)
    return stockholm


def unit(preset, code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("type").get(municipality=preset.municipality, code=code)


def period(preset, key: str) -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("definition__model").get(pk=preset.period(key).pk)


def test_the_follow_up_rows_are_read_once_per_kind_with_what_the_screen_shows(
    followed_up, django_assert_num_queries
):
    rosenlund, t2 = unit(followed_up, "SOD-ROSENLUND"), period(followed_up, "t2")
    # Indicators, outcomes, forecasts, activities with their statuses, goals, assessments and
    # their åtgärder.
    with django_assert_num_queries(7):
        rows = selectors.followup_rows(unit=rosenlund, period=t2)
    assert rows["indicators"] and rows["activities"] and rows["goals"]
    for row in rows["indicators"]:
        stored = Measurement.objects.filter(period=t2, indicator=row.indicator)
        assert {g: (f.value, f.version) for g, f in row.values.items()} == {
            m.gender: (m.value, m.version) for m in stored
        }
        forecast = Forecast.objects.filter(period=t2, indicator=row.indicator).first()
        if forecast is None:
            assert row.forecast is None
        else:
            assert (row.forecast.value, row.forecast.version, row.forecast.comment) == (
                forecast.value,
                forecast.version,
                forecast.comment,
            )
        single = selectors.followup_indicator_row(indicator=row.indicator, period=t2)
        assert (single.values, single.forecast) == (row.values, row.forecast)
    for activity, entry in rows["activities"]:
        report = ActivityReport.objects.filter(period=t2, activity=activity).first()
        if report is None:
            assert entry is None
        else:
            assert (entry.status_id, entry.comment) == (report.status_id, report.comment)
        assert selectors.followup_activity_item(activity=activity, period=t2) == (activity, entry)
    assessed = {a.goal_id: a for a in Assessment.objects.filter(period=t2)}
    for goal, assessment in rows["goals"]:
        expected = assessed.get(goal.pk)
        assert assessment == expected
        if assessment is not None:
            assert (assessment.value_id, assessment.version, assessment.analysis) == (
                expected.value_id,
                expected.version,
                expected.analysis,
            )
            # The form shows the first åtgärd, read with the assessments.
            assert list(assessment.corrective_actions.all()) == list(
                expected.corrective_actions.all()
            )


def test_the_suggestions_for_a_screen_are_read_in_a_fixed_number_of_queries(
    followed_up, django_assert_max_num_queries
):
    t2 = period(followed_up, "t2")
    goals = list(Goal.objects.filter(municipality=followed_up.municipality).in_force(2026))
    # The scale, the indicators, their targets, outcomes and forecasts, the activities with their
    # statuses, the child goals with their assessments.
    with django_assert_max_num_queries(7):
        many = assessment_suggest_many(goals=goals, period=t2)
    for goal in goals[:40]:
        one = assessment_suggest(goal=goal, period=t2)
        assert (one.value, one.share, one.reasons) == (
            many[goal.pk].value,
            many[goal.pk].share,
            many[goal.pk].reasons,
        )
    assert assessment_suggest_many(goals=[], period=t2) == {}


def test_lint_finds_the_same_with_the_goals_and_assessments_mitt_uppdrag_has_read(followed_up):
    municipality = followed_up.municipality
    units = list(OrgUnit.objects.filter(municipality=municipality).select_related("type"))
    periods = list(
        ReportingPeriod.objects.filter(
            municipality=municipality, year=2026, state=ReportingPeriod.State.OPEN
        ).select_related("definition")
    )
    assessed = set(
        Assessment.objects.filter(period__in=periods).values_list("goal_id", "period_id")
    )
    in_force = list(
        Goal.objects.filter(municipality=municipality)
        .in_force(2026)
        .values_list("pk", "code", "title", "unit_id", "level_id")
    )
    after_deadlines = datetime.date(2026, 12, 31)
    for chosen in (units, [u for u in units if u.code.startswith("SOD")]):
        ids = {u.pk for u in chosen}
        alone = plan_lint(
            municipality=municipality,
            year=2026,
            today=after_deadlines,
            units=chosen,
            periods=periods,
        )
        given = plan_lint(
            municipality=municipality,
            year=2026,
            today=after_deadlines,
            units=chosen,
            periods=periods,
            assessed=assessed,
            goals=[row for row in in_force if row[3] in ids],
        )
        assert alone and given == alone


def test_my_assignment_reads_the_assessments_once_for_the_duties_and_the_lint(
    followed_up, django_user_model, django_assert_max_num_queries
):
    from styr.organisation.models import Role, RoleGrant

    user = django_user_model.objects.create_user("chef")
    RoleGrant.objects.create(
        municipality=followed_up.municipality,
        user=user,
        unit=unit(followed_up, "SOD-ROSENLUND"),
        role=Role.REPORTER,
    )
    work = selectors.my_work(user=user, today=TODAY)
    assert work.duties or work.findings
    # The person's units, the open periods, the goals, their assessments (for the duties and
    # the lint alike), the hand-ins, and the lint's own reads.
    with django_assert_max_num_queries(12):
        selectors.my_work(user=user, today=TODAY)


@pytest.mark.parametrize("scope", ["municipality", "namnd", "focus_area"])
def test_the_roll_up_and_its_drill_down_add_up_the_same_counts(followed_up, scope):
    t2 = period(followed_up, "t2")
    chosen = {"unit": None, "focus_area": None}
    if scope == "namnd":
        chosen["unit"] = unit(followed_up, "SDN-SOD")
    if scope == "focus_area":
        chosen["focus_area"] = FocusArea.objects.filter(
            municipality=followed_up.municipality
        ).first()
    counts = assessment_counts_per_unit(period=t2, **chosen)
    assert counts
    shared = fulfilment(period=t2, counts=counts, **chosen)
    alone = fulfilment(period=t2, **chosen)
    assert (shared.goals, shared.assessed, shared.counts, shared.pulling_down) == (
        alone.goals,
        alone.assessed,
        alone.counts,
        alone.pulling_down,
    )
    assert fulfilment_by_unit_below(period=t2, counts=counts, **chosen) == fulfilment_by_unit_below(
        period=t2, **chosen
    )
