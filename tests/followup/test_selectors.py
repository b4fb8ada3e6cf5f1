"""The roll-up through the röda tråd, its trend, and the comparisons built into an outcome."""

import datetime
from decimal import Decimal

from styr.followup.selectors import (
    fulfilment,
    fulfilment_trend,
    indicator_comparison,
    overall_judgements,
)
from styr.followup.services import (
    CorrectiveActionInput,
    assessment_submit,
    measurement_report,
    periods_generate,
)
from styr.governance.models import FocusArea
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal, Indicator

ACTION = [CorrectiveActionInput("Åtgärd", "Chef", datetime.date(2026, 12, 1))]


def assess(preset, period, assessments: dict[str, str]) -> None:
    for code, key in assessments.items():
        assessment_submit(
            goal=preset.get(Goal, code),
            period=period,
            value=preset.scale(key),
            analysis="Analys.",
            motivation="Bedömt av enheten.",
            corrective_actions=ACTION,
        )


STORY = {
    "ROS-1": "uppfyllt",
    "ROS-2": "delvis",
    "SOD-HT-1": "ej_uppfyllt",
    "SOD-NM-1": "uppfyllt",
    "SOD-NM-2": "delvis",
    "HAL-NM-1": "ej_uppfyllt",
    "UTN-NM-1": "uppfyllt",
    "VO-1": "delvis",
}


def counts(result) -> dict[str, int]:
    return {c.value.key: c.count for c in result.counts}


def test_the_whole_municipality_counts_every_assessed_goal(
    stockholm, django_assert_max_num_queries
):
    t2 = stockholm.period("t2")
    assess(stockholm, t2, STORY)
    with django_assert_max_num_queries(5):
        result = fulfilment(period=t2)
    assert counts(result) == {"uppfyllt": 3, "delvis": 3, "ej_uppfyllt": 2}
    assert result.assessed == 8
    assert result.goals == Goal.objects.filter(municipality=stockholm.municipality).count()
    assert result.unassessed == result.goals - 8
    # Worst first: the goals assessed ej uppfyllt, then delvis.
    assert [a.goal.code for a in result.pulling_down[:2]] == ["HAL-NM-1", "SOD-HT-1"]
    assert result.met_share == Decimal(3) / 8


def test_a_nämnds_subtree_counts_only_its_own_goals(stockholm):
    t2 = stockholm.period("t2")
    assess(stockholm, t2, STORY)
    södermalm = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD")
    result = fulfilment(period=t2, unit=södermalm)
    assert counts(result) == {"uppfyllt": 2, "delvis": 2, "ej_uppfyllt": 1}


def test_a_goal_and_everything_below_it(stockholm):
    t2 = stockholm.period("t2")
    assess(stockholm, t2, STORY)
    result = fulfilment(period=t2, goal=stockholm.get(Goal, "SOD-NM-2"))
    # SOD-NM-2 itself, ROS-2 and SOD-HT-1 below it.
    assert counts(result) == {"uppfyllt": 0, "delvis": 2, "ej_uppfyllt": 1}
    assert result.goals == 3


def test_a_focus_area(stockholm):
    t2 = stockholm.period("t2")
    assess(stockholm, t2, {"OM-1.1": "delvis", "OM-2.1": "uppfyllt"})
    health = FocusArea.objects.get(municipality=stockholm.municipality, key="sdg3")
    result = fulfilment(period=t2, focus_area=health)
    assert counts(result)["delvis"] == 1 and counts(result)["uppfyllt"] == 0


def test_the_trend_over_periods_and_years(stockholm):
    periods_generate(municipality=stockholm.municipality, year=2025)
    assess(stockholm, stockholm.period("t1"), {"IM-1": "delvis"})
    assess(stockholm, stockholm.period("t2"), {"IM-1": "uppfyllt", "IM-2": "delvis"})
    trend = fulfilment_trend(municipality=stockholm.municipality, years=[2025, 2026])
    assert [(p.period.year, p.period.definition.key) for p in trend][:4] == [
        (2025, "t1"),
        (2025, "t2"),
        (2025, "vb"),
        (2026, "t1"),
    ]
    assert trend[3].counts == {"delvis": 1}
    assert trend[4].counts == {"uppfyllt": 1, "delvis": 1}


def test_comparison_with_last_year_target_baseline_and_gender(stockholm):
    periods_generate(municipality=stockholm.municipality, year=2025)
    indicator = stockholm.get(Indicator, "SOD-I1")  # årsmål 82, nollbas 78
    last_t2 = next(
        p
        for p in periods_generate(municipality=stockholm.municipality, year=2025)
        if p.definition.key == "t2"
    )
    measurement_report(indicator=indicator, period=last_t2, values={"T": 75})
    measurement_report(
        indicator=indicator, period=stockholm.period("t2"), values={"T": 80, "K": 83, "M": 76}
    )
    comparison = indicator_comparison(indicator=indicator, period=stockholm.period("t2"))
    assert comparison.change.absolute == 5
    assert comparison.change.relative == Decimal("6.7")
    assert comparison.against_target == -2
    assert comparison.against_baseline == 2
    assert comparison.gender_gap == 7


def test_lommas_god_ekonomisk_hushallning_needs_both_levels_mainly_met(preset_factory):
    lomma = preset_factory("lomma")
    delar = lomma.period("delar")
    financial = {f"FM-{i}": "uppfyllt" for i in (1, 2, 3)}
    assess(lomma, delar, {**financial, "RM-1": "uppfyllt", "RM-2": "uppfyllt", "RM-3": "delvis"})
    [judgement] = overall_judgements(period=delar)
    assert judgement.name == "God ekonomisk hushållning"
    financial_part, directed_part = judgement.parts
    assert (financial_part.met, financial_part.goals, financial_part.reached) == (3, 3, True)
    assert (directed_part.met, directed_part.share) == (2, Decimal("0.67"))
    assert not judgement.reached  # 2 of 3 riktade mål is less than three quarters
    assess(lomma, delar, {"RM-3": "uppfyllt"})
    [judgement] = overall_judgements(period=delar)
    assert judgement.reached and judgement.complete


def test_a_model_without_overall_judgements_has_none(stockholm):
    assert overall_judgements(period=stockholm.period("t1")) == []
