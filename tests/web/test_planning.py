"""Planning in the browser's pages: a planner creates a goal at a level the model allows, linked
into the röda tråd, and revises it; the model's rules are explained in Swedish."""

import pytest

from styr.governance.models import GoalLevel
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal


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
