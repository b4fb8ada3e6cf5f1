"""Planning in the browser's pages: a planner creates a goal at a level the model allows, linked
into the röda tråd, and revises it; adds indicators with their targets and activities to a goal;
the model's rules are explained in Swedish."""

from decimal import Decimal

import pytest

from styr.governance.models import GoalLevel
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Activity, Goal, Indicator


@pytest.fixture
def planner(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("planerare")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ALD"),
        role=Role.PLANNER,
    )
    client.force_login(user)
    return user


def new_goal_url(stockholm, unit_code="SOD-ROSENLUND", level_key="atagande"):
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code=unit_code)
    level = GoalLevel.objects.get(municipality=stockholm.municipality, key=level_key)
    return f"/planering/nytt-mal/?enhet={unit.pk}&niva={level.pk}&ar=2026"


def test_the_level_choice_follows_the_model(stockholm, planner, client):
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")
    page = client.get(f"/planering/nytt-mal/?enhet={unit.pk}").content.decode()
    assert "Enhetsmål/åtagande" in page and "Nämndmål" not in page
    form = client.get(new_goal_url(stockholm)).content.decode()
    # Parents are offered only at the level the model allows (nämndmål), and the level's texts.
    assert "Förbättrad uppföljningsdialog med de anhöriga" in form
    assert "En stad som håller samman" not in form
    assert "Förväntat resultat" in form and "Resursanvändning" in form


def test_a_planner_creates_a_goal_in_the_röda_tråd(stockholm, planner, client):
    parent = stockholm.get(Goal, "SOD-NM-1")
    refused = client.post(new_goal_url(stockholm), {"title": "Anhörigcaféer varje månad"})
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "måste kopplas till ett mål ovanför" in text and "Förväntat resultat krävs" in text
    created = client.post(
        new_goal_url(stockholm),
        {
            "title": "Anhörigcaféer varje månad",
            "parents": [parent.pk],
            "text_forvantat_resultat": "Tolv caféer under året.",
            "text_arbetssatt": "Enheten bjuder in varje månad.",
        },
    )
    goal = Goal.objects.get(title="Anhörigcaféer varje månad")
    assert created.status_code == 302 and created["Location"] == f"/mal/{goal.pk}/"
    assert [p.code for p in goal.parents.all()] == ["SOD-NM-1"]
    assert goal.code.startswith("SOD-ROSENLUND-") and goal.valid_from.year == 2026
    assert goal.history.first().history_user == planner


def test_a_planner_revises_a_goal_and_cannot_plan_outside(stockholm, planner, client):
    goal = stockholm.get(Goal, "ROS-1")
    url = f"/planering/mal/{goal.pk}/"
    page = client.get(url).content.decode()
    assert "Vi åtar oss att månadsvis presentera" in page
    data = {
        "title": "Vi presenterar våra resultat för de anhöriga varje månad",
        "parents": [p.pk for p in goal.parents.all()],
        "version": goal.version,
        **{f"text_{k}": v for k, v in goal.texts.items()},
    }
    assert client.post(url, data).status_code == 302
    goal.refresh_from_db()
    assert goal.title.startswith("Vi presenterar")
    # The same form again, with the version it was opened at: someone else's save is not lost.
    stale = client.post(url, {**data, "title": "Gammal titel"})
    assert (
        stale.status_code == 400
        and "sparade detta efter att du öppnade det" in stale.content.decode()
    )
    outside = stockholm.get(Goal, "HAL-HT-1")
    assert client.get(f"/planering/mal/{outside.pk}/").status_code == 404


# --- Indicators with targets, and activities, on a goal ------------------------------------------


def target_rows(*rows) -> dict:
    """The targets formset as the browser posts it: one dict a row, two empty rows after."""
    rows = [*rows, {}, {}]
    data = {
        "mal-TOTAL_FORMS": len(rows),
        "mal-INITIAL_FORMS": len(rows),
        "mal-MIN_NUM_FORMS": 0,
        "mal-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data[f"mal-{i}-kind"] = row.get("kind", "annual")
        for name in ("year", "value", "change", "comment"):
            data[f"mal-{i}-{name}"] = row.get(name, "")
    return data


INDICATOR = {
    "unit": "",
    "code": "",
    "name": "Anhöriga som deltagit i en anhörigträff, andel",
    "description": "",
    "measure": "%",
    "direction": "increase",
    "kind": "indicator",
    "frequency": "tertial",
    "gender_split": "on",
    "source": "manual",
    "kolada_kpi": "",
    "contributes_to": "",
}


def test_a_planner_adds_an_indicator_with_targets_to_a_goal(stockholm, planner, client):
    goal = stockholm.get(Goal, "ROS-1")
    goal_page = client.get(f"/mal/{goal.pk}/").content.decode()
    url = f"/planering/mal/{goal.pk}/ny-indikator/"
    assert url in goal_page and "Ny indikator" in goal_page and "Ny aktivitet" in goal_page
    form = client.get(url).content.decode()
    # The level's rule is said before anyone breaks it, and there is a row for the goal's year.
    assert "behöver ett mål som bara säger öka eller minska ett nollbasvärde" in form
    assert 'value="2026"' in form and "Rosenlunds vård- och omsorgsboende" in form
    data = {**INDICATOR, "unit": goal.unit_id}
    refused = client.post(
        url,
        {**data, "name": "", **target_rows({"year": 2026, "change": "increase"})},
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "Detta fält måste fyllas i" in text  # the name
    assert Indicator.objects.filter(unit=goal.unit).count() == 2
    refused = client.post(url, {**data, **target_rows({"year": 2026, "change": "increase"})})
    assert refused.status_code == 400
    assert "behöver ett mål som bara säger öka eller minska ett nollbasvärde" in (
        refused.content.decode()
    )
    assert not Indicator.objects.filter(name=INDICATOR["name"]).exists()
    created = client.post(
        url,
        {
            **data,
            **target_rows(
                {"kind": "baseline", "year": 2025, "value": "42,5"},
                {"year": 2026, "change": "increase", "comment": "Fler än i fjol"},
            ),
        },
    )
    assert created.status_code == 302 and created["Location"] == f"/mal/{goal.pk}/"
    indicator = Indicator.objects.get(name=INDICATOR["name"])
    assert indicator.code == "SOD-ROSENLUND-I1" and indicator.gender_split
    assert list(indicator.goals.all()) == [goal]
    assert {(t.kind, t.year, t.value, t.change) for t in indicator.targets.all()} == {
        ("baseline", 2025, Decimal("42.5"), ""),
        ("annual", 2026, None, "increase"),
    }
    assert indicator.history.get().history_user == planner
    assert indicator.name in client.get(f"/mal/{goal.pk}/").content.decode()


def test_a_planner_edits_an_indicator_and_its_targets(stockholm, planner, client):
    goal = stockholm.get(Goal, "ROS-1")
    indicator = stockholm.get(Indicator, "ROS-I1")
    url = f"/planering/indikator/{indicator.pk}/?mal={goal.pk}"
    assert (
        f"/planering/indikator/{indicator.pk}/?mal={goal.pk}"
        in client.get(f"/mal/{goal.pk}/").content.decode()
    )
    page = client.get(url).content.decode()
    assert 'value="12"' in page and "ROS-I1" in page
    data = {
        **INDICATOR,
        "name": "Månader med resultat för de anhöriga",
        "measure": "antal",
        "frequency": "month",
        "gender_split": "",
        "contributes_to": indicator.contributes_to_id,
        "version": indicator.version,
        **target_rows({"year": 2026, "value": "11"}, {"year": 2027, "value": "12"}),
    }
    saved = client.post(url, data)
    assert saved.status_code == 302 and saved["Location"] == f"/mal/{goal.pk}/"
    indicator.refresh_from_db()
    assert indicator.name == "Månader med resultat för de anhöriga"
    assert indicator.contributes_to.code == "SOD-I2"
    assert sorted((t.year, t.value) for t in indicator.targets.all()) == [
        (2026, Decimal("11")),
        (2027, Decimal("12")),
    ]
    assert indicator.history.first().history_user == planner
    # The same form again, opened before that save: refused, and the saved values stay.
    stale = client.post(url, {**data, "name": "Gammalt namn"})
    assert stale.status_code == 400
    assert "sparade detta efter att du öppnade det" in stale.content.decode()
    # The page keeps the version the form was opened at, so trying again is refused too.
    assert f'name="version" value="{data["version"]}"' in stale.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).name.startswith("Månader med")
    # A bad row is marked next to it, in Swedish, and nothing changes.
    bad = client.post(
        url,
        {**data, "version": indicator.version, **target_rows({"year": "", "value": "abc"})},
    )
    assert bad.status_code == 400 and "Fyll i ett tal" in bad.content.decode()
    assert indicator.targets.count() == 2


@pytest.mark.parametrize("role", [Role.READER, Role.REPORTER])
def test_readers_and_reporters_do_not_plan(stockholm, client, django_user_model, role):
    user = django_user_model.objects.create_user(f"som-{role}")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ALD"),
        role=role,
    )
    client.force_login(user)
    goal = stockholm.get(Goal, "ROS-1")
    indicator = stockholm.get(Indicator, "ROS-I1")
    activity = stockholm.get(Activity, "ROS-A1")
    page = client.get(f"/mal/{goal.pk}/").content.decode()
    assert "Ny indikator" not in page and "/planering/aktivitet/" not in page
    for url in (
        f"/planering/mal/{goal.pk}/ny-indikator/",
        f"/planering/indikator/{indicator.pk}/",
        f"/planering/mal/{goal.pk}/ny-aktivitet/",
        f"/planering/aktivitet/{activity.pk}/",
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Nej", "title": "Nej"}).status_code == 403
    assert Indicator.objects.get(pk=indicator.pk).version == indicator.version
    assert Activity.objects.get(pk=activity.pk).version == activity.version


def test_a_planner_adds_and_revises_an_activity(stockholm, planner, client):
    goal = stockholm.get(Goal, "ROS-1")
    url = f"/planering/mal/{goal.pk}/ny-aktivitet/"
    data = {
        "unit": goal.unit_id,
        "code": "",
        "title": "Anhörigträff med tema varannan månad",
        "description": "",
        "responsible": "Enhetschef",
        "origin": "Stadsdelsnämnden",
        "start": "2026-09-01",
        "end": "2026-03-01",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Slutdatumet kan inte vara före startdatumet" in refused.content.decode()
    assert not Activity.objects.filter(title=data["title"]).exists()
    created = client.post(url, {**data, "end": "2026-12-15"})
    assert created.status_code == 302 and created["Location"] == f"/mal/{goal.pk}/"
    activity = Activity.objects.get(title=data["title"])
    assert activity.code == "SOD-ROSENLUND-A1" and list(activity.goals.all()) == [goal]
    assert activity.history.get().history_user == planner
    edit = f"/planering/aktivitet/{activity.pk}/?mal={goal.pk}"
    assert edit in client.get(f"/mal/{goal.pk}/").content.decode()
    assert 'value="2026-09-01"' in client.get(edit).content.decode()
    revised = {**data, "end": "2026-12-15", "responsible": "Samordnare", "version": 1}
    assert client.post(edit, revised).status_code == 302
    activity.refresh_from_db()
    assert activity.responsible == "Samordnare" and activity.history.count() == 2
    stale = client.post(edit, {**revised, "responsible": "Någon annan"})
    assert stale.status_code == 400
    assert "sparade detta efter att du öppnade det" in stale.content.decode()
    assert Activity.objects.get(pk=activity.pk).responsible == "Samordnare"
    outside = stockholm.get(Activity, "HAL-A1")
    assert client.get(f"/planering/aktivitet/{outside.pk}/").status_code == 404
