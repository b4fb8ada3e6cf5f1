"""The demo tells a true story: last year in full, this year up to its latest period."""

import datetime

from styr.followup.demo import demo_followup
from styr.followup.lint import plan_lint
from styr.followup.models import Assessment, Measurement, ReportingPeriod
from styr.followup.selectors import fulfilment, indicator_comparison
from styr.planning.models import Goal, Indicator

TODAY = datetime.date(2026, 11, 27)


def test_the_demo_follows_up_last_year_in_full_and_this_year_so_far(stockholm):
    summary = demo_followup(municipality=stockholm.municipality, year=2026, today=TODAY)
    assert summary.periods == 5  # T1, T2, VB 2025; T1, T2 2026
    periods = {
        (p.year, p.definition.key): p
        for p in ReportingPeriod.objects.filter(municipality=stockholm.municipality)
    }
    assert all(periods[(2025, k)].state == "decided" for k in ("t1", "t2", "vb"))
    assert periods[(2026, "t1")].state == "decided"
    assert periods[(2026, "t2")].state == "open"
    assert periods[(2026, "vb")].state == "open"

    t2 = periods[(2026, "t2")]
    result = fulfilment(period=t2)
    assert result.unassessed == 0
    by_value = {c.value.key: c.count for c in result.counts}
    assert by_value["uppfyllt"] and by_value["delvis"]
    # Every goal not fully met has an analysis and at least one åtgärd.
    not_met = Assessment.objects.filter(period=t2, value__is_met=False)
    assert not_met.exists()
    assert all(a.analysis and a.corrective_actions.exists() for a in not_met)
    # Last year's goals are the predecessors of this year's.
    assert stockholm.get(Goal, "SOD-NM-1").predecessor.code == "SOD-NM-1-2025"
    # An outcome can be compared with the same period last year.
    comparison = indicator_comparison(indicator=stockholm.get(Indicator, "SOD-I1"), period=t2)
    assert comparison.change is not None and comparison.gender_gap is not None
    # Nothing is reported after today, and no deadline is missed.
    assert not Measurement.objects.filter(period=periods[(2026, "vb")]).exists()
    found = plan_lint(municipality=stockholm.municipality, year=2026, today=TODAY)
    assert not [f for f in found if f.kind == "missed_deadline"]


def test_a_second_demo_leaves_the_story_as_it_was(stockholm):
    demo_followup(municipality=stockholm.municipality, year=2026, today=TODAY)
    before = sorted(Assessment.objects.values_list("pk", "updated_at"))
    assert demo_followup(municipality=stockholm.municipality, year=2026, today=TODAY).periods == 0
    assert sorted(Assessment.objects.values_list("pk", "updated_at")) == before
