"""`styr lint`: each kind of defect in a deliberately flawed plan is found, grouped by unit."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from styr.followup.lint import ERROR, WARNING, plan_lint
from styr.governance.models import GoalLevel
from styr.planning.models import Activity, Goal, Target

AFTER_T1_DEADLINES = datetime.date(2026, 7, 1)


def flaw_the_plan(stockholm) -> None:
    m = stockholm.municipality
    namndmal = GoalLevel.objects.get(municipality=m, key="namndmal")
    namndmal.max_indicators = 1
    namndmal.indicators_need_milestones = True
    namndmal.save()
    orphan = Goal.objects.get(municipality=m, code="SOD-NM-3")
    orphan.parent_links.all().delete()
    Target.objects.filter(indicator__code="SOD-I4", kind="annual").delete()
    Target.objects.filter(indicator__code="SOD-I2", kind="baseline").delete()
    Activity.objects.filter(municipality=m, code="SOD-A1").update(responsible="")
    Activity.objects.get(municipality=m, code="SOD-A2").goals.clear()


def kinds(findings, severity=None) -> set[tuple[str, str]]:
    return {(f.kind, f.subject) for f in findings if severity in (None, f.severity)}


def test_every_kind_of_defect_is_found(stockholm):
    flaw_the_plan(stockholm)
    found = plan_lint(municipality=stockholm.municipality, year=2026, today=AFTER_T1_DEADLINES)
    errors = kinds(found, ERROR)
    assert ("missing_parent", "SOD-NM-3") in errors
    assert ("too_many_indicators", "SOD-NM-1") in errors
    assert ("change_without_baseline", "SOD-I2") in errors
    assert ("no_milestones", "SOD-I1") in errors
    assert ("activity_without_responsible", "SOD-A1") in errors
    warnings = kinds(found, WARNING)
    assert ("not_broken_down", "ALN-NM-1") in warnings
    assert ("no_indicators", "SOD-FSK-1") in warnings
    assert ("no_target", "SOD-I4") in warnings
    assert ("no_gender_split", "KF-I2") in warnings
    assert ("activity_without_goal", "SOD-A2") in warnings
    missed = [f for f in found if f.kind == "missed_deadline"]
    assert {f.unit.code for f in missed} >= {"SOD-ROSENLUND", "SDN-SOD"}
    assert "Tertialrapport 1 2026" in missed[0].message
    # Grouped by unit, in the order of the tree.
    paths = [f.unit.path for f in found]
    assert paths == sorted(paths)


def test_the_presets_as_shipped_have_no_errors(preset_factory):
    for name in ("stockholm", "huddinge", "svenljunga", "lomma"):
        preset = preset_factory(name)
        found = plan_lint(
            municipality=preset.municipality, year=2026, today=datetime.date(2026, 1, 1)
        )
        assert [f for f in found if f.severity == ERROR] == [], name


def test_nothing_is_missed_before_the_deadline(stockholm):
    found = plan_lint(
        municipality=stockholm.municipality, year=2026, today=datetime.date(2026, 5, 2)
    )
    assert not [f for f in found if f.kind == "missed_deadline"]


def test_the_command_exits_with_an_error_code_on_errors(stockholm, capsys):
    call_command("lint", municipality="0180", year=2026)
    assert "0 fel" in capsys.readouterr().out
    flaw_the_plan(stockholm)
    with pytest.raises(CommandError) as error:
        call_command("lint", municipality="0180", year=2026)
    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert "Södermalms stadsdelsnämnd (SDN-SOD)" in out
    assert "FEL" in out


def test_an_unknown_municipality_is_named(db):
    with pytest.raises(CommandError) as error:
        call_command("lint", municipality="9999", year=2026)
    assert "9999" in str(error.value)
