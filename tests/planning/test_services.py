"""The planning services for indicators with their targets and for activities: the model's rules,
said in Swedish, and nothing changed when they are broken."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from styr.core.versioning import ConflictError
from styr.governance.services import governance_model_load
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Activity, Goal, Indicator, IndicatorGoal, Target
from styr.planning.services import (
    activity_create,
    activity_update,
    indicator_create,
    indicator_update,
)
from styr.workflow.services import submission_for, submission_submit


@pytest.fixture
def example(example_text, db):
    municipality = governance_model_load(name="exempel.yaml", text=example_text).municipality

    class Example:
        def get(self, model, code):
            return model.objects.get(municipality=municipality, code=code)

        def unit(self, code):
            return self.get(OrgUnit, code)

    found = Example()
    found.municipality = municipality
    return found


@pytest.fixture
def person(example, django_user_model):
    def make(name, unit_code, role):
        user = django_user_model.objects.create_user(name)
        RoleGrant.objects.create(
            municipality=example.municipality, user=user, unit=example.unit(unit_code), role=role
        )
        return user

    return make


@pytest.fixture
def planner(person):
    return person("planerare", "BUN", Role.PLANNER)


def messages_of(raised) -> str:
    return " ".join(raised.value.messages)


def annual(year, value=None, change=""):
    return {"kind": "annual", "year": year, "value": value, "change": change}


def baseline(year, value):
    return {"kind": "baseline", "year": year, "value": value}


def test_a_planner_creates_an_indicator_with_targets_and_the_next_free_code(example, planner):
    goal = example.get(Goal, "BUN-1")
    indicator = indicator_create(
        goal=goal,
        name="Elever som läser minst en bok i månaden, andel",
        measure="%",
        gender_split=True,
        targets=[baseline(2025, Decimal("61.5")), annual(2026, change="increase")],
        acting_user=planner,
    )
    assert indicator.code == "BUN-I2"  # BUN-I1 is taken: the unit's next free number
    assert indicator.unit == goal.unit
    assert list(indicator.goals.all()) == [goal]
    assert {(t.kind, t.year, t.value, t.change) for t in indicator.targets.all()} == {
        ("baseline", 2025, Decimal("61.5"), ""),
        ("annual", 2026, None, "increase"),
    }
    assert indicator.history.get().history_user == planner
    assert Target.history.filter(indicator_id=indicator.pk).first().history_user == planner


def test_increase_without_a_baseline_is_refused_where_the_level_asks_for_one(example, planner):
    goal = example.get(Goal, "BUN-1")  # nämndmål: öka/minska needs a nollbasvärde
    with pytest.raises(ValidationError) as raised:
        indicator_create(
            goal=goal,
            name="Nöjda vårdnadshavare",
            targets=[annual(2026, change="increase")],
            acting_user=planner,
        )
    assert "bara säger öka eller minska ett nollbasvärde" in messages_of(raised)
    assert not Indicator.objects.filter(name="Nöjda vårdnadshavare").exists()
    # A target with a value needs no baseline.
    indicator_create(
        goal=goal, name="Nöjda vårdnadshavare", targets=[annual(2026, 80)], acting_user=planner
    )


def test_a_goal_has_no_more_indicators_than_its_level_allows(example, planner):
    goal = example.get(Goal, "BUN-1")  # at most 3, and it has one
    for name in ("Andra", "Tredje"):
        indicator_create(goal=goal, name=name, acting_user=planner)
    with pytest.raises(ValidationError) as raised:
        indicator_create(goal=goal, name="Fjärde", acting_user=planner)
    assert "högst 3 indikatorer" in messages_of(raised)
    assert IndicatorGoal.objects.filter(goal=goal).count() == 3
    assert not Indicator.objects.filter(name="Fjärde").exists()


def test_milestones_where_the_level_asks_for_them(example, planner):
    goal = example.get(Goal, "BUN-1")
    goal.level.indicators_need_milestones = True
    goal.level.save()
    with pytest.raises(ValidationError) as raised:
        indicator_create(goal=goal, name="Utan etappmål", acting_user=planner)
    assert "behöver minst ett etappmål" in messages_of(raised)
    indicator_create(
        goal=goal,
        name="Med etappmål",
        targets=[{"kind": "milestone", "year": 2027, "value": 90}],
        acting_user=planner,
    )
    # A key figure is followed, not bound to targets, so it needs no milestone.
    indicator_create(goal=goal, name="Nyckeltal", kind="information", acting_user=planner)


@pytest.mark.parametrize(
    "targets, message",
    [
        ([annual(2026, 80, "increase")], "antingen ett värde eller öka/minska"),
        ([annual(2026)], "ange ett värde eller säg öka eller minska"),
        ([{"kind": "baseline", "year": 2025, "change": "decrease"}], "nollbasvärde är ett värde"),
        ([annual(2026, 80), annual(2026, 85)], "Årsmål 2026 finns två gånger"),
        ([annual(1980, 80)], "år mellan 1990 och 2100"),
    ],
)
def test_each_target_is_a_value_or_a_change_once_a_year(example, planner, targets, message):
    with pytest.raises(ValidationError) as raised:
        indicator_create(
            goal=example.get(Goal, "SKOLA-1-1"),
            name="Elever med stöd i tid",
            targets=targets,
            acting_user=planner,
        )
    assert message in messages_of(raised)
    assert not Indicator.objects.filter(name="Elever med stöd i tid").exists()


def test_a_key_figure_has_no_targets(example, planner):
    with pytest.raises(ValidationError) as raised:
        indicator_create(
            goal=example.get(Goal, "SKOLA-1-1"),
            name="Antal elever",
            kind="information",
            targets=[annual(2026, 400)],
            acting_user=planner,
        )
    assert "Ett nyckeltal följs men har inga mål" in messages_of(raised)


def test_codes_are_unique_and_kolada_needs_its_id(example, planner):
    goal = example.get(Goal, "SKOLA-1-1")
    with pytest.raises(ValidationError) as raised:
        indicator_create(
            goal=goal, name="Dubblett", code="BUN-I1", source="kolada", acting_user=planner
        )
    errors = raised.value.message_dict
    assert "Koden BUN-I1 används redan" in errors["code"][0]
    assert "behöver ett Kolada-id" in errors["kolada_kpi"][0]
    made = indicator_create(
        goal=goal,
        name="Från Kolada",
        code="SKOLA-KOLADA-1",
        source="kolada",
        kolada_kpi="N15428",
        acting_user=planner,
    )
    assert made.code == "SKOLA-KOLADA-1"


def test_an_indicator_contributes_upwards_never_in_a_circle(example, planner):
    school_goal = example.get(Goal, "SKOLA-1-1")
    board_indicator = example.get(Indicator, "BUN-I1")
    school = indicator_create(
        goal=school_goal, name="Skolans", contributes_to=board_indicator, acting_user=planner
    )
    assert school.contributes_to == board_indicator
    # The nämnd's indicator cannot feed the school's, which is below it.
    with pytest.raises(ValidationError) as raised:
        indicator_update(
            indicator=board_indicator,
            name=board_indicator.name,
            source="kolada",
            kolada_kpi="N15428",
            contributes_to=school,
            targets=[baseline(2025, 84), annual(2026, change="increase")],
            acting_user=planner,
        )
    assert "egen enhet eller en enhet ovanför" in raised.value.message_dict["contributes_to"][0]
    second = indicator_create(
        goal=school_goal, name="Skolans andra", contributes_to=school, acting_user=planner
    )
    with pytest.raises(ValidationError) as raised:
        indicator_update(
            indicator=school, name=school.name, contributes_to=second, acting_user=planner
        )
    assert "inte bidra till sig själv" in " ".join(raised.value.message_dict["contributes_to"])


def test_an_update_replaces_the_targets_and_keeps_their_history(example, planner):
    indicator = example.get(Indicator, "BUN-I1")
    version = indicator.version
    indicator_update(
        indicator=indicator,
        name="Behöriga till yrkesprogram, andel",
        measure="%",
        direction="increase",
        gender_split=True,
        source="kolada",
        kolada_kpi="N15428",
        targets=[baseline(2025, 84), annual(2026, 88), annual(2027, 90)],
        seen_version=version,
        acting_user=planner,
    )
    indicator.refresh_from_db()
    assert indicator.name == "Behöriga till yrkesprogram, andel"
    assert {(t.year, t.value, t.change) for t in indicator.targets.filter(kind="annual")} == {
        (2026, Decimal("88"), ""),
        (2027, Decimal("90"), ""),
    }
    changed = Target.history.filter(indicator_id=indicator.pk, year=2026).order_by("history_date")
    assert [r.history_type for r in changed] == ["+", "~"]
    assert changed.last().history_user == planner
    # Removing the 2027 target keeps a record of it.
    indicator_update(
        indicator=indicator,
        name=indicator.name,
        source="kolada",
        kolada_kpi="N15428",
        targets=[baseline(2025, 84), annual(2026, 88)],
        seen_version=indicator.version,
        acting_user=planner,
    )
    assert not indicator.targets.filter(year=2027).exists()
    assert Target.history.filter(indicator_id=indicator.pk, year=2027, history_type="-").exists()


def test_an_outdated_indicator_form_is_refused(example, planner, person):
    other = person("kollega", "BUN", Role.PLANNER)
    indicator = example.get(Indicator, "BUN-I1")
    seen = indicator.version
    kept = {"source": "kolada", "kolada_kpi": "N15428"}
    targets = [baseline(2025, 84), annual(2026, change="increase")]
    indicator_update(
        indicator=indicator,
        name="Kollegans namn",
        targets=targets,
        seen_version=seen,
        acting_user=other,
        **kept,
    )
    stale = Indicator.objects.get(pk=indicator.pk)
    with pytest.raises(ConflictError) as raised:
        indicator_update(
            indicator=stale,
            name="Mitt namn",
            targets=targets,
            seen_version=seen,
            acting_user=planner,
            **kept,
        )
    assert "kollega sparade detta efter att du öppnade det" in messages_of(raised)
    assert Indicator.objects.get(pk=indicator.pk).name == "Kollegans namn"


def test_readers_reporters_and_others_may_not_plan_indicators(example, person):
    goal = example.get(Goal, "BUN-1")
    for name, code, role in (
        ("läsare", "BUN", Role.READER),
        ("rapportör", "BUN", Role.REPORTER),
        ("skolans", "SKOLA-1", Role.PLANNER),  # below the nämnd, not over its goal
    ):
        with pytest.raises(PermissionDenied):
            indicator_create(goal=goal, name="Nej", acting_user=person(name, code, role))
    assert not Indicator.objects.filter(name="Nej").exists()


def test_a_submitted_plan_is_not_changed(example, planner):
    school = example.unit("SKOLA-1")
    submission_submit(submission=submission_for(unit=school, year=2026), acting_user=planner)
    goal = example.get(Goal, "SKOLA-1-1")
    with pytest.raises(ValidationError) as raised:
        indicator_create(goal=goal, name="För sent", acting_user=planner)
    assert "Planen för Nödingeskolan för 2026 är inskickad" in messages_of(raised)
    activity = example.get(Activity, "A-1")
    with pytest.raises(ValidationError):
        activity_update(
            activity=activity,
            title="Ändrad",
            responsible=activity.responsible,
            start=activity.start,
            end=activity.end,
            acting_user=planner,
        )
    assert Activity.objects.get(pk=activity.pk).title != "Ändrad"
    # Next year's plan is still open.
    activity_create(
        goal=goal,
        title="Nästa år",
        responsible="Rektor",
        start=datetime.date(2027, 1, 10),
        end=datetime.date(2027, 5, 31),
        acting_user=planner,
    )


def test_a_planner_creates_and_revises_an_activity(example, planner, person):
    goal = example.get(Goal, "BUN-1")
    school = example.unit("SKOLA-1")
    activity = activity_create(
        goal=goal,
        unit=school,
        title="Läsfrämjande insatser i alla klasser",
        responsible="Rektor",
        origin="Barn- och utbildningsnämnden",
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 11, 30),
        acting_user=planner,
    )
    assert activity.code == "SKOLA-1-A1" and activity.unit == school
    assert list(activity.goals.all()) == [goal]
    assert activity.history.get().history_user == planner
    with pytest.raises(ValidationError) as raised:
        activity_update(
            activity=activity,
            title="Läsfrämjande insatser",
            responsible=" ",
            start=datetime.date(2026, 2, 1),
            end=datetime.date(2026, 1, 1),
            seen_version=activity.version,
            acting_user=planner,
        )
    errors = raised.value.message_dict
    assert "Slutdatumet kan inte vara före startdatumet" in errors["end"][0]
    assert "Ange vem som är ansvarig" in errors["responsible"][0]
    activity = Activity.objects.get(pk=activity.pk)
    seen = activity.version
    activity_update(
        activity=activity,
        title="Läsfrämjande insatser",
        responsible="Biträdande rektor",
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 12, 15),
        seen_version=seen,
        acting_user=planner,
    )
    with pytest.raises(ConflictError):
        activity_update(
            activity=Activity.objects.get(pk=activity.pk),
            title="Gammal",
            responsible="Rektor",
            start=datetime.date(2026, 2, 1),
            end=datetime.date(2026, 11, 30),
            seen_version=seen,
            acting_user=person("kollega", "BUN", Role.PLANNER),
        )
    assert Activity.objects.get(pk=activity.pk).responsible == "Biträdande rektor"


def test_an_activity_is_owned_below_its_goal_and_has_a_unique_code(example, planner):
    goal = example.get(Goal, "SKOLA-1-1")
    dates = {"start": datetime.date(2026, 3, 1), "end": datetime.date(2026, 4, 1)}
    with pytest.raises(ValidationError) as raised:
        activity_create(
            goal=goal,
            unit=example.unit("BUN"),
            title="Ovanför",
            responsible="Chef",
            acting_user=planner,
            **dates,
        )
    assert "målets enhet eller en enhet under den" in raised.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as raised:
        activity_create(
            goal=goal,
            code="A-1",
            title="Dubblett",
            responsible="Chef",
            acting_user=planner,
            **dates,
        )
    assert "Koden A-1 används redan" in raised.value.message_dict["code"][0]
