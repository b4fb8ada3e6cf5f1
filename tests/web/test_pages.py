"""The pages a person uses: what they show, what a report does, and that their number of
database queries does not grow with the size of the municipality."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.followup.models import Assessment, Measurement, ReportingPeriod
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Activity, Goal, Indicator, Target
from styr.web.selectors import my_work
from styr.workflow.models import Submission

XSS = "<script>alert(1)</script>"


def rosenlund(stockholm):
    return OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")


def followup_url(stockholm, key="t2"):
    return f"/uppfoljning/{rosenlund(stockholm).pk}/{stockholm.period(key).pk}/"


def test_my_assignment_lists_what_to_report(stockholm, chef, client):
    text = client.get("/").content.decode()
    assert "Mitt uppdrag" in text and "Att rapportera" in text
    assert "Rosenlunds vård- och omsorgsboende" in text


# Svenljunga in mid-April: the monthly reports of February to April and the Delårsrapport
# (through April) are due within a month; the May report is not yet.
MID_APRIL = datetime.date(2026, 4, 15)


class _MidApril(datetime.date):
    @classmethod
    def today(cls):
        return MID_APRIL


@pytest.fixture
def svenljunga_chef(preset_factory, django_user_model, client, monkeypatch):
    from types import SimpleNamespace

    from styr.web.views import pages

    svenljunga = preset_factory("svenljunga")
    user = django_user_model.objects.create_user("svenljunga-chef")
    RoleGrant.objects.create(
        municipality=svenljunga.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=svenljunga.municipality, code="GR-SEX"),
        role=Role.REPORTER,
    )
    client.force_login(user)
    monkeypatch.setattr(pages, "datetime", SimpleNamespace(date=_MidApril))
    return svenljunga, user


def test_my_assignment_lists_the_monthly_report_of_economy_and_personnel(svenljunga_chef, client):
    svenljunga, user = svenljunga_chef
    school = OrgUnit.objects.get(municipality=svenljunga.municipality, code="GR-SEX")
    Submission.objects.create(
        municipality=svenljunga.municipality,
        unit=school,
        kind=Submission.Kind.REPORT,
        year=2026,
        period=svenljunga.period("manad", 3),
        state=Submission.State.SUBMITTED,
    )
    duties = {
        (d.unit.code, d.period.definition.key, d.period.month): d
        for d in my_work(user=user, today=MID_APRIL).duties
    }
    assert set(duties) == {
        ("GR-SEX", "manad", 2),
        ("GR-SEX", "manad", 3),
        ("GR-SEX", "manad", 4),
        ("GR-SEX", "delarsrapport", 4),
    }
    assert duties[("GR-SEX", "manad", 3)].state == "submitted"
    april = duties[("GR-SEX", "manad", 4)]
    assert april.deadline == datetime.date(2026, 5, 4)  # enhet: 4 days after the month
    assert (april.asks, april.missing_goals, april.state) == (
        "Ekonomi och personalnyckeltal",
        0,
        "draft",
    )
    # The goal period is listed as before: the goals without an assessment, no words.
    interim = duties[("GR-SEX", "delarsrapport", 4)]
    assert interim.deadline == datetime.date(2026, 5, 7)
    assert interim.missing_goals == Goal.objects.filter(unit=school).count() > 0
    assert (interim.asks, interim.on_economy_page) == ("", False)

    text = client.get("/").content.decode()
    period = svenljunga.period("manad", 4)
    # Personnel key figures are reported on the follow-up screen.
    assert f'href="/uppfoljning/{school.pk}/{period.pk}/">{period.name}</a><br>' in text
    assert "Ekonomi och personalnyckeltal" in text and "4 maj 2026" in text
    assert f"/uppfoljning/{school.pk}/{svenljunga.period('delarsrapport').pk}/" in text

    # A monthly report of the budget alone is reported on the economy page.
    definition = period.definition
    definition.follows_up = ["budget"]
    definition.save()
    text = client.get("/").content.decode()
    assert f'href="/ekonomi/{school.pk}/2026/?manad=4">{period.name}</a><br>Ekonomi<' in text


def test_my_assignment_leaves_out_a_period_without_a_deadline_for_the_unit_type(
    preset_factory, django_user_model
):
    svenljunga = preset_factory("svenljunga")
    user = django_user_model.objects.create_user("kf")
    RoleGrant.objects.create(
        municipality=svenljunga.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=svenljunga.municipality, code="KF"),
        role=Role.REPORTER,
    )
    duties = my_work(user=user, today=MID_APRIL).duties
    # The monthly report has no deadline for fullmäktige, the Delårsrapport has.
    of_kf = {d.period.definition.key for d in duties if d.unit.code == "KF"}
    assert of_kf == {"delarsrapport"}
    assert {d.unit.code for d in duties if d.period.definition.key == "manad"} >= {"KS", "GR-SEX"}


def test_the_periods_without_goals_cost_my_assignment_one_query(svenljunga_chef):
    _svenljunga, user = svenljunga_chef
    monthly = ReportingPeriod.objects.filter(definition__key="manad")

    def count(duties: int) -> int:
        person = type(user).objects.get(pk=user.pk)  # the grants afresh, as in a new request
        with CaptureQueriesContext(connection) as captured:
            assert len(my_work(user=person, today=MID_APRIL).duties) == duties
        return len(captured)

    # With a goal period due and without one.
    with_monthly = count(4)
    monthly.update(state=ReportingPeriod.State.CLOSED)
    assert count(1) == with_monthly - 1
    monthly.update(state=ReportingPeriod.State.OPEN)
    ReportingPeriod.objects.exclude(definition__key="manad").update(
        state=ReportingPeriod.State.CLOSED
    )
    with_monthly = count(3)
    monthly.update(state=ReportingPeriod.State.CLOSED)
    assert count(0) == with_monthly - 1


# A node's branch is read when it is opened: its <details> carries the branch's address.
NODE = re.compile(r'hx-get="(?P<url>[^"]+)"[^>]*>\s*<summary>(?P<summary>.*?)</summary>', re.S)


def open_node(client, text: str, title: str) -> str:
    """What the browser reads when a person opens the node with this title."""
    for node in NODE.finditer(text):
        if title in node["summary"]:
            response = client.get(html.unescape(node["url"]), HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            return response.content.decode()
    raise AssertionError(f"No node to open: {title}")


def test_the_golden_thread_runs_from_kf_to_the_units_activity(stockholm, chef, client):
    page = client.get("/roda-traden/").content.decode()
    assert "En stad som håller samman" in page
    assert "Äldre i Stockholms stad ges förutsättningar" in page
    # The levels further down are read when opened, not sent with the page.
    assert "Förbättrad uppföljningsdialog med de anhöriga" not in page
    area = open_node(client, page, "Äldre i Stockholms stad ges förutsättningar")
    quality = open_node(client, area, "Kvaliteten inom stadens omsorgsverksamheter ska öka")
    assert "Förbättrad uppföljningsdialog med de anhöriga" in quality
    assert "Hemtjänsten i Hägersten-Älvsjö ger trygghet" not in quality  # another nämnd
    committee = open_node(client, quality, "Förbättrad uppföljningsdialog med de anhöriga")
    pledge = open_node(client, committee, "Vi åtar oss att månadsvis presentera våra resultat")
    assert "Presentera månadens resultat på anhörigträffen" in pledge
    assert "Inte bedömt" in committee  # each node carries its latest assessment
    # Without JavaScript each node's link leads to the goal page, which lists what is below.
    goal = stockholm.get(Goal, "SOD-NM-1")
    assert f'href="/mal/{goal.pk}/"' in quality
    assert "Vi åtar oss att månadsvis presentera" in client.get(f"/mal/{goal.pk}/").content.decode()


def test_the_golden_thread_filters_keep_the_chain_down_to_the_matches(stockholm, chef, client):
    from styr.governance.models import FocusArea

    climate = FocusArea.objects.get(municipality=stockholm.municipality, key="sdg13")
    page = client.get(f"/roda-traden/?omrade={climate.pk}").content.decode()
    assert "En klimatsmart stad" in page and "Stockholm minskar sina utsläpp" in page
    assert "En stad som håller samman" not in page
    unit = rosenlund(stockholm)
    page = client.get(f"/roda-traden/?enhet={unit.pk}").content.decode()
    area = open_node(client, page, "Äldre i Stockholms stad ges förutsättningar")
    assert "Stockholmare som behöver stöd får det i rätt tid" not in page  # nothing of Rosenlund
    quality = open_node(client, area, "Kvaliteten inom stadens omsorgsverksamheter ska öka")
    committee = open_node(client, quality, "Förbättrad uppföljningsdialog med de anhöriga")
    assert "Vi åtar oss att månadsvis presentera våra resultat" in committee
    assert "Inga mål att visa" in client.get("/roda-traden/?ar=2001").content.decode()


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
    assert "1 av" in text and "mål bedömda" in text and "årshjulet" in text


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(stockholm, n: int, tag: str) -> None:
    """More of everything a main page reads: units below Rosenlund, goals at Rosenlund and below
    it on the röda tråd with assessments and activities, and indicators with outcomes on ROS-1."""
    m = stockholm.municipality
    unit = rosenlund(stockholm)
    goal = stockholm.get(Goal, "ROS-1")
    parent = goal.parents.get()
    through = {"municipality": m}
    for i in range(n):
        below = OrgUnit.objects.create(
            municipality=m, code=f"{tag}-U{i}", name=f"Enhet {tag}{i}", type=unit.type, parent=unit
        )
        for owner in (unit, below):
            extra = Goal.objects.create(
                municipality=m,
                code=f"{tag}-{owner.pk}-{i}",
                level=goal.level,
                unit=owner,
                title=f"Extra {tag}{i}",
                texts=goal.texts,
                valid_from=goal.valid_from,
                valid_to=goal.valid_to,
            )
            extra.parents.add(parent, through_defaults=through)
            Assessment.objects.create(
                municipality=m,
                goal=extra,
                period=stockholm.period("t2"),
                value=stockholm.scale("delvis"),
            )
            activity = Activity.objects.create(
                municipality=m,
                code=f"{tag}-A{owner.pk}-{i}",
                title=f"Aktivitet {tag}{i}",
                unit=owner,
                responsible="Enhetschefen",
                start=datetime.date(2026, 1, 1),
                end=datetime.date(2026, 12, 31),
            )
            activity.goals.add(extra, through_defaults=through)
        indicator = Indicator.objects.create(
            municipality=m, code=f"{tag}-I{i}", name=f"Mått {tag}{i}", unit=unit, gender_split=True
        )
        indicator.goals.add(goal, through_defaults=through)
        Target.objects.create(
            municipality=m, indicator=indicator, kind=Target.Kind.ANNUAL, year=2026, value=85
        )
        for key in ("t1", "t2"):
            for gender, value in (("T", 80), ("K", 82), ("M", 78)):
                Measurement.objects.create(
                    municipality=m,
                    indicator=indicator,
                    unit=unit,
                    period=stockholm.period(key),
                    gender=gender,
                    value=value,
                )


def main_page(stockholm, name: str) -> str:
    unit = rosenlund(stockholm)
    branch = f"/roda-traden/gren/{stockholm.get(Goal, 'SOD-NM-1').pk}/"
    return {
        "my assignment": "/",
        "golden thread": "/roda-traden/",
        "golden thread by unit": f"/roda-traden/?enhet={unit.pk}",
        "branch": branch,
        "branch by unit": f"{branch}?enhet={unit.pk}",
        "goal": f"/mal/{stockholm.get(Goal, 'ROS-1').pk}/",
        "unit": f"/enheter/{unit.pk}/",
        "follow-up": followup_url(stockholm),
        "overview": "/oversikt/",
        "overview of the unit": f"/oversikt/?enhet={unit.pk}",
    }[name]


@pytest.mark.parametrize(
    "name",
    [
        "my assignment",
        "golden thread",
        "golden thread by unit",
        "branch",
        "branch by unit",
        "goal",
        "unit",
        "follow-up",
        "overview",
        "overview of the unit",
    ],
)
def test_the_number_of_queries_of_a_main_page_does_not_grow_with_the_plan(
    stockholm, chef, client, name
):
    grow(stockholm, 1, "S")
    url = main_page(stockholm, name)
    small = queries(client, url)
    grow(stockholm, 12, "B")
    assert queries(client, url) == small


@pytest.mark.parametrize("name", ["my assignment", "golden thread", "branch", "overview"])
def test_the_number_of_queries_does_not_grow_for_a_controller_at_kf(
    stockholm, django_user_model, client, name
):
    controller = django_user_model.objects.create_user("controller")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=controller,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="KF"),
        role=Role.ADMINISTRATOR,
    )
    client.force_login(controller)
    grow(stockholm, 1, "S")
    url = main_page(stockholm, name)
    small = queries(client, url)
    grow(stockholm, 12, "B")
    assert queries(client, url) == small


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


def saved_row(client, url, data) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Sparat" in response.content.decode()
    return response.content.decode(), len(captured)


def test_an_htmx_save_draws_its_row_alone_whatever_the_size_of_the_screen(stockholm, chef, client):
    """On the deadline day a save costs the row, not the whole follow-up screen again."""
    indicator = stockholm.get(Indicator, "ROS-I2")
    goal = stockholm.get(Goal, "ROS-2")
    scale = {v.key: v.pk for v in goal.level.model.assessment_values.all()}
    row_url = followup_url(stockholm) + f"indikator/{indicator.pk}/"
    goal_url = followup_url(stockholm) + f"mal/{goal.pk}/"
    assessment = {
        "value": scale["delvis"],
        "analysis": "Delvis.",
        "motivation": "Bedömt.",
        "action_what": "Gå igenom planerna",
        "action_who": "Kontaktpersonerna",
        "action_due": "2026-10-31",
    }
    grow(stockholm, 1, "S")
    saved_row(client, goal_url, assessment)  # measured below as a change, like the row
    row, row_queries = saved_row(client, row_url, {"T": "85,5", "forecast": "90"})
    version = str(Assessment.objects.get(goal=goal).version)
    form, goal_queries = saved_row(client, goal_url, {**assessment, "version": version})
    reasons = Assessment.objects.get(goal=goal).suggestion_reasons
    grow(stockholm, 12, "B")
    version = str(Assessment.objects.get(goal=goal).version)
    assert saved_row(client, row_url, {"T": "86", "version_T": "1"})[1] == row_queries
    assert saved_row(client, goal_url, {**assessment, "version": version})[1] == goal_queries
    # The row as the screen draws it, with its new versions; the goal with the suggestion the
    # save stored.
    assert row.count("<tr") == 1 and 'value="85,5"' in row and 'name="version_T"' in row
    assert form.count("<article") == 1 and "Föreslagen bedömning" in form and reasons
    for reason in reasons:
        assert html.escape(reason) in form


def test_the_overview_ignores_a_unit_or_area_that_is_not_a_number(stockholm, chef, client):
    for query in ("enhet=abc", "omrade=abc", "enhet=12abc&omrade=-1"):
        response = client.get(f"/oversikt/?{query}")
        assert response.status_code == 200, query
        assert "<title>Översikt" in response.content.decode()
