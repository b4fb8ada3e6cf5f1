"""`styr load-model`: presets load, loading is idempotent, a revised file updates in place and a
bad file changes nothing."""

import pytest
from django.core.management import CommandError, call_command

from styr.governance.models import FocusArea, GoalLevel, GovernanceModel, PeriodDefinition
from styr.governance.services import (
    PRESETS,
    ModelFileError,
    governance_model_load,
    governance_model_load_file,
)
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import Activity, Goal, Indicator, Target

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Municipality,
    GovernanceModel,
    GoalLevel,
    FocusArea,
    PeriodDefinition,
    OrgUnit,
    Goal,
    Indicator,
    Target,
    Activity,
]


def snapshot() -> dict:
    return {m.__name__: sorted(m.objects.values_list("pk", "updated_at")) for m in ALL_MODELS}


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_loads_with_its_organisation_and_goals(preset):
    summary = governance_model_load_file(name_or_path=preset)
    municipality = summary.municipality
    assert GoalLevel.objects.filter(municipality=municipality).count() >= 3
    units = OrgUnit.objects.filter(municipality=municipality)
    assert units.count() >= 20
    assert units.filter(type__is_political=True).count() >= 3
    goals = Goal.objects.filter(municipality=municipality)
    assert goals.count() >= 15
    # The röda tråd: every goal at a level that must have a parent has one.
    orphans = goals.filter(level__parent_required=True, parents__isnull=True)
    assert not orphans.exists()
    assert Indicator.objects.filter(municipality=municipality).count() >= 15
    assert Activity.objects.filter(municipality=municipality).count() >= 10


def test_municipality_codes_are_koladas():
    for preset in PRESETS:
        governance_model_load_file(name_or_path=preset)
    codes = dict(Municipality.objects.values_list("code", "name"))
    assert set(codes) == {"0180", "0126", "1465", "1262"}


def test_loading_the_same_file_twice_changes_nothing(example_text):
    first = governance_model_load(name="exempel.yaml", text=example_text)
    assert first.changed
    before = snapshot()
    second = governance_model_load(name="exempel.yaml", text=example_text)
    assert not second.changed
    assert snapshot() == before


def test_a_revised_file_updates_in_place_and_keeps_what_it_no_longer_lists(example_text):
    governance_model_load(name="exempel.yaml", text=example_text)
    goal = Goal.objects.get(code="BUN-1")
    school_goal = Goal.objects.get(code="SKOLA-1-1")
    revised = example_text.replace(
        "title: Fler elever är behöriga till gymnasieskolan",
        "title: Fler elever ska vara behöriga till gymnasieskolan",
    )
    # Drop the unit goal from the file: it must stay, with its activity link, untouched.
    start = revised.index("  - code: SKOLA-1-1")
    revised = revised[:start] + revised[revised.index("\nindicators:") + 1 :]
    revised = revised.replace("    goals: [SKOLA-1-1]\n", "")
    summary = governance_model_load(name="exempel.yaml", text=revised)
    goal.refresh_from_db()
    assert goal.title == "Fler elever ska vara behöriga till gymnasieskolan"
    assert Goal.objects.filter(pk=school_goal.pk).exists()
    assert any("SKOLA-1-1" in line for line in summary.kept)


def test_a_revised_target_is_updated_not_duplicated(example_text):
    governance_model_load(name="exempel.yaml", text=example_text)
    revised = example_text.replace("kind: baseline, value: 84.0", "kind: baseline, value: 85.5")
    governance_model_load(name="exempel.yaml", text=revised)
    baseline = Target.objects.get(indicator__code="BUN-I1", kind="baseline")
    assert float(baseline.value) == 85.5
    assert Target.objects.filter(indicator__code="BUN-I1").count() == 2


ORGANISATION_BEFORE = """organisation:
  - code: KF
    name: Kommunfullmäktige
    type: kf
    children:
      - code: BUN
        name: Barn- och utbildningsnämnden
        type: namnd
        children:
          - code: SEKT-UTB
            name: Sektor utbildning
            type: forvaltning
            children:
              - code: SKOLA-1
                name: Nödingeskolan
                type: enhet
      - code: KS
        name: Kommunstyrelsen
        type: namnd
"""

ORGANISATION_AFTER = """organisation:
  - code: KF
    name: Kommunfullmäktige
    type: kf
    children:
      - code: BUN
        name: Barn- och utbildningsnämnden
        type: namnd
      - code: KS
        name: Kommunstyrelsen
        type: namnd
        children:
          - code: SEKT-UTB
            name: Sektor utbildning
            type: forvaltning
            children:
              - code: SKOLA-1
                name: Nödingeskolan
                type: enhet
"""


def with_organisation(text: str, organisation: str) -> str:
    start, end = text.index("organisation:"), text.index("\ngoals:")
    return text[:start] + organisation + text[end:]


def test_moving_a_unit_in_the_file_moves_its_subtree(example_text):
    governance_model_load(
        name="exempel.yaml", text=with_organisation(example_text, ORGANISATION_BEFORE)
    )
    school = OrgUnit.objects.get(code="SKOLA-1")
    assert school.path == "KF/BUN/SEKT-UTB/SKOLA-1/"
    governance_model_load(
        name="exempel.yaml", text=with_organisation(example_text, ORGANISATION_AFTER)
    )
    school.refresh_from_db()
    assert school.path == "KF/KS/SEKT-UTB/SKOLA-1/"
    assert school.depth == 3
    ks = OrgUnit.objects.get(code="KS")
    assert set(OrgUnit.objects.in_subtree(ks).values_list("code", flat=True)) == {
        "KS",
        "SEKT-UTB",
        "SKOLA-1",
    }


def test_a_level_still_in_use_cannot_be_removed(example_text):
    governance_model_load(name="exempel.yaml", text=example_text)
    before = snapshot()
    # The file drops the level and its goal; the goal stays in the database and still uses it.
    text = example_text
    text = text[: text.index("  - key: enhetsmal")] + text[text.index("focus_areas:") :]
    text = text[: text.index("  - code: SKOLA-1-1")] + text[text.index("\nindicators:") + 1 :]
    text = text.replace("    goals: [SKOLA-1-1]\n", "")
    with pytest.raises(ModelFileError) as raised:
        governance_model_load(name="exempel.yaml", text=text)
    assert "enhetsmal" in str(raised.value)
    assert snapshot() == before


def test_a_broken_file_changes_nothing(example_text):
    broken = example_text.replace("parents: [kf_mal]", "parents: [nope]")
    with pytest.raises(ModelFileError):
        governance_model_load(name="exempel.yaml", text=broken)
    assert not Municipality.objects.exists()


def test_load_model_command_reports_and_refuses(tmp_path, example_text, capsys):
    good = tmp_path / "ale.yaml"
    good.write_text(example_text, encoding="utf-8")
    call_command("load_model", str(good))
    call_command("load_model", str(good))
    out = capsys.readouterr().out
    assert "Ale kommun" in out
    bad = tmp_path / "trasig.yaml"
    bad.write_text(example_text.replace("type: enhet\n", "type: okand\n"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_model", str(bad))
    assert "trasig.yaml" in capsys.readouterr().err


def test_missing_file_is_a_clear_error():
    with pytest.raises(ModelFileError) as raised:
        governance_model_load_file(name_or_path="finns-inte.yaml")
    assert "stockholm" in str(raised.value)


def test_goal_validity_follows_the_level(example_text):
    governance_model_load(name="exempel.yaml", text=example_text)
    kf_goal = Goal.objects.get(code="KF-1")  # mandate period 2023–2026
    assert (kf_goal.valid_from.isoformat(), kf_goal.valid_to.isoformat()) == (
        "2023-01-01",
        "2026-12-31",
    )
    yearly = Goal.objects.get(code="BUN-1")
    assert (yearly.valid_from.year, yearly.valid_to.year) == (2026, 2026)


def test_agenda2030_is_a_builtin_set(example_text):
    governance_model_load(name="exempel.yaml", text=example_text)
    agenda = FocusArea.objects.filter(group="Agenda 2030")
    assert agenda.count() == 17
    assert Goal.objects.get(code="KF-1").focus_areas.filter(key="sdg4").exists()


def test_demo_command_loads_everything_and_prints_credentials(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert Municipality.objects.count() == 4
    assert "admin" in out and "styr-demo" in out


def test_target_values_with_decimals_load_exactly(example_text):
    text = example_text.replace("kind: baseline, value: 84.0", "kind: baseline, value: 6.3")
    governance_model_load(name="exempel.yaml", text=text)
    assert str(Target.objects.get(kind="baseline").value.normalize()) == "6.3"
    assert not governance_model_load(name="exempel.yaml", text=text).changed
