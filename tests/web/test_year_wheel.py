"""Årshjulet and the overview's trend chart: what a controller reads when planning the year."""

import datetime
import json
import re

import pytest

from styr.followup.services import period_decide
from styr.organisation.models import OrgUnit, Role, RoleGrant


@pytest.fixture
def reader(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("lasare")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND"),
        role=Role.READER,
    )
    client.force_login(user)
    return user


def month_section(text: str, month: str) -> str:
    """The part of the page that is one month's card."""
    cards = text.split('<li class="month')[1:]
    return next(card for card in cards if f">{month}" in card)


def test_the_year_wheel_puts_each_deadline_in_its_month(stockholm, reader, client):
    text = client.get("/arshjul/?ar=2026").content.decode()
    assert "Årshjul 2026" in text
    # Tertial 1 covers January–April; an enhet reports 8 days after, a nämnd 25 days after.
    april = month_section(text, "April")
    assert "Tertialrapport 1 2026: perioden slutar" in april
    may = month_section(text, "Maj")
    assert "8 maj" in may and "Sista dag för enheter att rapportera Tertialrapport 1 2026" in may
    assert "25 maj" in may and "nämnder" in may
    # The final report's deadlines run into the next year; they are shown under December.
    assert "Verksamhetsberättelse 2026" in month_section(text, "December")
    assert "Inget denna månad." in month_section(text, "Februari")


def test_the_year_wheel_shows_a_recorded_decision(stockholm, reader, client):
    period_decide(
        period=stockholm.period("t1"), decided_on=datetime.date(2026, 6, 10), reference="KF §12"
    )
    june = month_section(client.get("/arshjul/?ar=2026").content.decode(), "Juni")
    assert "10 juni" in june and "Tertialrapport 1 2026 beslutad av Kommunstyrelsen" in june


def test_an_unknown_year_falls_back_to_this_year(stockholm, reader, client):
    response = client.get("/arshjul/?ar=<script>")
    assert response.status_code == 200
    assert f"Årshjul {datetime.date.today().year}" in response.content.decode()


def test_the_overview_carries_its_trend_as_chart_data_and_as_a_table(stockholm, reader, client):
    from styr.followup.services import CorrectiveActionInput, assessment_submit
    from styr.governance.models import AssessmentValue
    from styr.planning.models import Goal

    value = AssessmentValue.objects.get(municipality=stockholm.municipality, key="delvis")
    assessment_submit(
        goal=stockholm.get(Goal, "ROS-1"),
        period=stockholm.period("t2"),
        value=value,
        analysis="Analys.",
        motivation="Motivering.",
        corrective_actions=[
            CorrectiveActionInput("Fler träffar", "Enhetschefen", datetime.date(2026, 10, 1))
        ],
    )
    text = client.get("/oversikt/").content.decode()
    data = json.loads(re.search(r'id="trend-chart"[^>]*>(.*?)</script>', text, re.S).group(1))
    assert data["type"] == "stacked"
    series = {s["label"]: s for s in data["series"]}
    assert "Tertialrapport 2 2026" in data["periods"]
    assert series["Delvis uppfyllt"]["colour"] == value.colour
    assert sum(series["Delvis uppfyllt"]["data"]) >= 1
    assert "Över perioder och år" in text
