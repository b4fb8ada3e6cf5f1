"""The pages a person uses: what they show, what a report does, and that their number of
database queries does not grow with the size of the municipality."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.followup.models import Assessment, Measurement
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator

XSS = "<script>alert(1)</script>"


@pytest.fixture
def chef(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("chef", first_name="Karin", last_name="Chef")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND"),
        role=Role.REPORTER,
    )
    client.force_login(user)
    return user


def rosenlund(stockholm):
    return OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")


def followup_url(stockholm, key="t2"):
    return f"/uppfoljning/{rosenlund(stockholm).pk}/{stockholm.period(key).pk}/"


def test_my_assignment_lists_what_to_report(stockholm, chef, client):
    text = client.get("/").content.decode()
    assert "Mitt uppdrag" in text and "Att rapportera" in text
    assert "Rosenlunds vård- och omsorgsboende" in text


def test_the_golden_thread_runs_from_kf_to_the_units_activity(stockholm, chef, client):
    text = client.get("/roda-traden/").content.decode()
    for words in (
        "En stad som håller samman",
        "Förbättrad uppföljningsdialog med de anhöriga",
        "Vi åtar oss att månadsvis presentera våra resultat för de anhöriga",
        "Presentera månadens resultat på anhörigträffen",
    ):
        assert words in text
    assert "Hemtjänsten i Hägersten-Älvsjö ger trygghet" not in text  # another nämnd


def test_reporting_an_outcome_row_by_row(stockholm, chef, client):
    indicator = stockholm.get(Indicator, "ROS-I2")
    url = followup_url(stockholm) + f"indikator/{indicator.pk}/"
    saved = client.post(
        url,
        {"T": "85,5", "K": "88", "M": "80", "forecast": "90", "comment": XSS},
        HTTP_HX_REQUEST="true",
    )
    text = saved.content.decode()
    assert saved.status_code == 200 and "Sparat" in text and text.lstrip().startswith("<tr")
    assert Measurement.objects.get(indicator=indicator, gender="T").value == 85.5
    assert XSS not in text and "&lt;script&gt;" in text
    refused = client.post(url, {"T": "mycket"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "Skriv ett tal" in refused.content.decode()
    assert Measurement.objects.get(indicator=indicator, gender="T").value == 85.5


def test_assessing_a_goal_shows_the_suggestion_and_keeps_the_choice(stockholm, chef, client):
    goal = stockholm.get(Goal, "ROS-2")
    page = client.get(followup_url(stockholm)).content.decode()
    assert "Föreslagen bedömning" in page
    scale = {v.key: v.pk for v in goal.level.model.assessment_values.all()}
    url = followup_url(stockholm) + f"mal/{goal.pk}/"
    refused = client.post(url, {"value": scale["delvis"], "analysis": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and "Skriv en analys" in refused.content.decode()
    saved = client.post(
        url,
        {
            "value": scale["delvis"],
            "analysis": "Planerna följs upp men inte alla.",
            "action_what": "Gå igenom planerna",
            "action_who": "Kontaktpersonerna",
            "action_due": "2026-10-31",
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200, saved.content.decode()
    assessment = Assessment.objects.get(goal=goal)
    assert assessment.value.key == "delvis"
    assert assessment.corrective_actions.get().due_on == datetime.date(2026, 10, 31)
    goal_page = client.get(f"/mal/{goal.pk}/").content.decode()
    assert "Planerna följs upp men inte alla." in goal_page and "Gå igenom planerna" in goal_page


def test_a_reader_sees_the_report_but_cannot_change_it(stockholm, django_user_model, client):
    reader = django_user_model.objects.create_user("läsare")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=reader,
        unit=rosenlund(stockholm),
        role=Role.READER,
    )
    client.force_login(reader)
    page = client.get(followup_url(stockholm)).content.decode()
    assert "du kan läsa men inte ändra" in page and "Spara bedömningen" not in page
    indicator = stockholm.get(Indicator, "ROS-I2")
    response = client.post(followup_url(stockholm) + f"indikator/{indicator.pk}/", {"T": "1"})
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_the_overview_counts_the_assessments(stockholm, chef, client):
    goal = stockholm.get(Goal, "ROS-1")
    scale = {v.key: v.pk for v in goal.level.model.assessment_values.all()}
    client.post(
        followup_url(stockholm) + f"mal/{goal.pk}/",
        {"value": scale["uppfyllt"], "analysis": "Klart.", "motivation": "Bedömt."},
    )
    text = client.get(f"/oversikt/?period={stockholm.period('t2').pk}").content.decode()
    assert "1 av" in text and "mål bedömda" in text and "Årshjulet" in text


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_plan(stockholm, chef, client):
    goal = stockholm.get(Goal, "ROS-1")
    urls = ["/roda-traden/", followup_url(stockholm), f"/mal/{goal.pk}/", "/oversikt/"]
    before = {url: queries(client, url) for url in urls}
    unit = rosenlund(stockholm)
    for i in range(25):
        extra = Goal.objects.create(
            municipality=stockholm.municipality,
            code=f"EXTRA-{i}",
            level=goal.level,
            unit=unit,
            title=f"Extra {i}",
            texts=goal.texts,
            valid_from=goal.valid_from,
            valid_to=goal.valid_to,
        )
        extra.parents.add(
            goal.parents.first(), through_defaults={"municipality": unit.municipality}
        )
    after = {url: queries(client, url) for url in urls}
    assert after == before


def test_the_overview_drills_down_and_shows_the_trend(stockholm, django_user_model, client):
    from styr.followup.demo import demo_followup

    demo_followup(municipality=stockholm.municipality, year=2026, today=datetime.date(2026, 11, 27))
    boss = django_user_model.objects.create_user("kf")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=boss,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="KF"),
        role=Role.READER,
    )
    client.force_login(boss)
    text = client.get("/oversikt/").content.decode()
    assert "Per enhet under" in text and "Södermalms stadsdelsnämnd" in text
    assert "Över perioder och år" in text and "Tertialrapport 1 2025" in text
    södermalm = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD")
    drilled = client.get(f"/oversikt/?enhet={södermalm.pk}").content.decode()
    assert "Södermalms stadsdelsförvaltning" in drilled
    assert (
        "Hägersten-Älvsjö stadsdelsnämnd"
        not in drilled.split("Per enhet under")[1].split("</table>")[0]
    )
