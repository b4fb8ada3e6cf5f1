"""`styr check-model`: every preset passes; a broken file is refused with Swedish messages that
name the file, the line and the field."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from styr.governance.services import PRESETS, resolve_model_file
from styr.governance.styrmodell.checker import check_text
from tests.conftest import EXAMPLE_FILE, ROOT


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def problems_for(text: str) -> list:
    result = check_text("kommun.yaml", text)
    assert not result.ok, "the broken file was accepted"
    return result.problems


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_passes_the_check(preset):
    path = resolve_model_file(preset)
    result = check_text(str(path), path.read_text(encoding="utf-8"))
    assert result.problems == []


def test_the_documented_example_passes(example_text):
    assert check_text("exempel.yaml", example_text).ok


def test_syntax_error_names_its_line(example_text):
    broken = example_text.replace("  name: Ale kommun", "  name: Ale kommun\n    oops: [")
    [problem] = problems_for(broken)
    assert problem.line == line_of(broken, "    oops")
    assert "YAML" in problem.message
    assert "indrag" in problem.message  # the Swedish hint about indentation


def test_unknown_field_is_named_with_its_line(example_text):
    broken = example_text.replace("    validity: mandate_period", "    validty: mandate_period")
    [problem] = problems_for(broken)
    assert problem.field == "goal_levels[0].validty"
    assert problem.line == line_of(broken, "validty")
    assert "okänt fält" in problem.message.lower()


def test_missing_required_field_is_named(example_text):
    broken = example_text.replace("    plural: Nämndmål\n", "")
    [problem] = problems_for(broken)
    assert problem.field == "goal_levels[1].plural"
    assert problem.line == line_of(broken, "  - key: namndmal")
    assert "saknas" in problem.message


def test_parent_level_that_does_not_exist(example_text):
    broken = example_text.replace("parents: [kf_mal]", "parents: [kf_maal]")
    problem = problems_for(broken)[0]
    assert problem.field == "goal_levels[1].parents[0]"
    assert problem.line == line_of(broken, "parents: [kf_maal]")
    assert "kf_maal" in problem.message
    assert "finns inte" in problem.message


def test_every_problem_is_listed_not_only_the_first(example_text):
    broken = example_text.replace("parents: [kf_mal]", "parents: [x]").replace(
        "    unit: SKOLA-1\n    title", "    unit: SKOLA-9\n    title"
    )
    fields = {p.field for p in problems_for(broken)}
    assert {"goal_levels[1].parents[0]", "goals[2].unit"} <= fields


def test_unquoted_code_that_yaml_reads_as_a_number(example_text):
    broken = example_text.replace('code: "1440"', "code: 0126")
    [problem] = problems_for(broken)
    assert problem.field == "municipality.code"
    assert "citattecken" in problem.message


def test_a_key_written_twice(example_text):
    broken = example_text.replace("  name: Ale kommun\n", "  name: Ale kommun\n  name: Ale\n")
    [problem] = problems_for(broken)
    assert problem.line == line_of(broken, "  name: Ale\n")


def test_goal_owned_by_a_unit_type_the_level_does_not_allow(example_text):
    broken = example_text.replace(
        "    level: enhetsmal\n    unit: SKOLA-1", "    level: enhetsmal\n    unit: BUN"
    )
    [problem] = problems_for(broken)
    assert problem.field == "goals[2].unit"


def test_goal_linked_to_a_goal_at_a_level_not_allowed(example_text):
    broken = example_text.replace("    parents: [BUN-1]\n", "    parents: [KF-1]\n", 1)
    [problem] = problems_for(broken)
    assert problem.field == "goals[2].parents[0]"


def test_unit_under_a_parent_of_the_wrong_type(example_text):
    broken = example_text.replace("                type: enhet", "                type: namnd")
    fields = {p.field for p in problems_for(broken)}
    assert "organisation[0].children[0].children[0].children[0].type" in fields


def test_deadlines_must_rise_up_the_organisation(example_text):
    broken = example_text.replace(
        "deadlines: {enhet: 10, forvaltning: 15, namnd: 25}",
        "deadlines: {enhet: 30, forvaltning: 15, namnd: 25}",
    )
    [problem] = problems_for(broken)
    assert problem.field == "periods[0].deadlines.enhet"


def test_increase_without_baseline_where_the_level_requires_one(example_text):
    broken = example_text.replace("      - {year: 2025, kind: baseline, value: 84.0}\n", "")
    [problem] = problems_for(broken)
    assert problem.field == "indicators[0].targets[0]"
    assert "nollbasvärde" in problem.message


def test_too_many_indicators_for_the_level(example_text):
    extra = "".join(
        f"  - code: X-{n}\n    name: Mått {n}\n    unit: BUN\n    goals: [BUN-1]\n"
        for n in range(3)
    )
    broken = example_text.replace("activities:\n", extra + "\nactivities:\n")
    [problem] = problems_for(broken)
    assert problem.field == "goals[1]"
    assert "3" in problem.message


def test_activity_ending_before_it_starts(example_text):
    broken = example_text.replace("end: 2026-06-30", "end: 2025-06-30")
    [problem] = problems_for(broken)
    assert problem.field == "activities[0].end"


def test_check_model_command_fails_and_lists_problems(tmp_path, example_text, capsys):
    bad = tmp_path / "kommun.yaml"
    bad.write_text(example_text.replace("parents: [kf_mal]", "parents: [nope]"), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("check_model", str(bad))
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    assert f"{bad}:{line_of(bad.read_text(), 'parents: [nope]')}: goal_levels[1].parents[0]:" in err


def test_styr_console_script_exits_non_zero_on_a_broken_file(tmp_path):
    bad = tmp_path / "trasig.yaml"
    bad.write_text("format: 1\nmunicipality: [\n", encoding="utf-8")
    styr = ROOT / ".venv" / "bin" / "styr"
    command = [str(styr)] if styr.exists() else [sys.executable, "-m", "styr.cli"]
    done = subprocess.run(
        [*command, "check-model", str(bad)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode != 0
    assert f"{bad}:" in done.stderr
    good = subprocess.run(
        [*command, "check-model", str(EXAMPLE_FILE)], capture_output=True, text=True, cwd=ROOT
    )
    assert good.returncode == 0, good.stderr


def test_a_target_value_with_too_many_decimals_is_refused(example_text):
    broken = example_text.replace("kind: baseline, value: 84.0", "kind: baseline, value: 84.12345")
    [problem] = problems_for(broken)
    assert problem.field == "indicators[0].targets[0].value"
    assert "högst 4 decimaler" in problem.message


def test_an_overall_judgement_must_name_existing_levels(example_text):
    broken = example_text.replace(
        "    tolerance_percent: 2\n",
        "    tolerance_percent: 2\n  overall:\n    - key: geh\n"
        "      name: God ekonomisk hushållning\n"
        "      all_of:\n        - {levels: [finansiellt], min_share: 0.75}\n",
    )
    [problem] = problems_for(broken)
    assert problem.field == "assessment.overall[0].all_of[0].levels[0]"
    assert "finansiellt" in problem.message
