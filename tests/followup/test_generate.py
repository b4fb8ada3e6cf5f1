"""`styr generate` and `styr bench`: a generated municipality has the shape of a real one, and the
benchmark reports every case."""

import pytest
from django.core.management import CommandError, call_command

from styr.followup.lint import ERROR, plan_lint
from styr.followup.models import Assessment, Measurement
from styr.followup.selectors import fulfilment
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import Goal

pytestmark = pytest.mark.django_db


def test_a_generated_municipality_has_a_whole_röda_tråd_and_a_year_of_follow_up(capsys):
    call_command("generate", scale="tiny", seed=7, code="9001")
    assert "9001" in capsys.readouterr().out
    municipality = Municipality.objects.get(code="9001")
    units = OrgUnit.objects.filter(municipality=municipality)
    assert units.filter(type__key="enhet").count() == 2 * 2 * 2
    # Every goal below KF's top level has a parent, and the lint finds no errors.
    found = plan_lint(municipality=municipality, year=2026)
    assert not [f for f in found if f.severity == ERROR and f.kind != "missed_deadline"]
    goals = Goal.objects.filter(municipality=municipality).count()
    assert Assessment.objects.filter(municipality=municipality).count() == 3 * goals
    assert Measurement.objects.filter(municipality=municipality, gender="K").exists()
    period = Assessment.objects.filter(municipality=municipality).latest("period__month").period
    assert fulfilment(period=period).assessed == goals


def test_the_same_seed_gives_the_same_municipality():
    call_command("generate", scale="tiny", seed=3, code="9001")
    call_command("generate", scale="tiny", seed=3, code="9002")
    values = [
        list(
            Measurement.objects.filter(municipality__code=code)
            .order_by("indicator__code", "period__month", "gender")
            .values_list("value", flat=True)
        )
        for code in ("9001", "9002")
    ]
    assert values[0] == values[1]


def test_a_code_in_use_is_refused():
    call_command("generate", scale="tiny", seed=1, code="9001")
    with pytest.raises(CommandError) as error:
        call_command("generate", scale="tiny", seed=1, code="9001")
    assert "9001 finns redan" in str(error.value)


def test_the_benchmark_reports_every_case(capsys):
    call_command("generate", scale="tiny", seed=1, code="9001")
    capsys.readouterr()
    call_command("bench", municipality="9001", repeat=1)
    out = capsys.readouterr().out
    for case in ("hela kommunen", "en nämnds", "golv", "lint"):
        assert case in out.lower()
    assert "Sammanställning ÷ golv" in out
