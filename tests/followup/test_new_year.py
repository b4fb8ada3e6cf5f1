"""`styr new-year`: yearly goals copied as drafts, mandate goals carry over, finished activities
stay behind, and running it twice creates nothing twice."""

from django.core.management import call_command

from styr.followup.models import ReportingPeriod
from styr.followup.services import activity_report, year_prepare
from styr.planning.models import Activity, Goal


def test_a_new_year_copies_yearly_goals_as_drafts_linked_to_their_predecessor(stockholm):
    activity_report(
        activity=stockholm.get(Activity, "SOD-A1"),
        period=stockholm.period("vb"),
        status=stockholm.status("genomford"),
    )
    summary = year_prepare(municipality=stockholm.municipality, year=2027)
    assert summary.periods == 3
    copy = stockholm.get(Goal, "SOD-NM-1-2027")
    assert copy.status == Goal.Status.DRAFT
    assert copy.predecessor.code == "SOD-NM-1"
    assert copy.texts == stockholm.get(Goal, "SOD-NM-1").texts
    # The röda tråd follows: its parent is the copy of last year's KF goal.
    assert [p.code for p in copy.parents.all()] == ["VO-1-2027"]
    # The child unit goal points at the new nämndmål.
    assert [p.code for p in stockholm.get(Goal, "ROS-1-2027").parents.all()] == ["SOD-NM-1-2027"]
    # Indicators keep their history: the same indicator, now on both years' goals.
    assert set(copy.indicators.values_list("code", flat=True)) == {"SOD-I1", "SOD-I2"}
    # Goals of several years are not copied; the four-year övergripande mål stay in force.
    assert not Goal.objects.filter(code__startswith="OM-1.1-").exists()
    # A finished activity stays behind; an unfinished one is carried over.
    assert not Activity.objects.filter(code="SOD-A1-2027").exists()
    carried = stockholm.get(Activity, "SOD-A2-2027")
    assert carried.start.year == 2027
    assert [g.code for g in carried.goals.all()] == ["SOD-NM-1-2027"]


def test_running_it_twice_creates_nothing_twice(stockholm, capsys):
    call_command("new_year", municipality="0180", year=2027)
    counts = (Goal.objects.count(), Activity.objects.count(), ReportingPeriod.objects.count())
    call_command("new_year", municipality="0180", year=2027)
    assert "0 nya perioder, 0 mål kopierade" in capsys.readouterr().out.splitlines()[-1]
    assert counts == (
        Goal.objects.count(),
        Activity.objects.count(),
        ReportingPeriod.objects.count(),
    )
