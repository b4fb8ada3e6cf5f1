"""The two saves of the deadline day (an indicator's outcomes, a goal's assessment) draw their row
from what the save has just written, not by reading it back: the row must be the one the screen
draws from the database, and the saves must stay within their queries."""

import datetime
import re

from styr.followup.models import Assessment, CorrectiveAction, Forecast, Measurement
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal, Indicator

CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
SAVED = re.compile(r'<p class="saved" role="status">[^<]*</p>')
VERSION = re.compile(r'name="(version[^"]*)"(?: form="[^"]*")? value="([^"]*)"')


def screen(stockholm) -> str:
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")
    return f"/uppfoljning/{unit.pk}/{stockholm.period('t2').pk}/"


def part(text: str, pattern: str) -> str:
    """One row of a page or a response, without what differs from one drawing to the next."""
    found = re.search(pattern, text, re.S)
    assert found, pattern
    return SAVED.sub("", CSRF.sub("", found.group(0)))


def as_the_screen_draws_it(client, stockholm, pattern: str) -> str:
    return part(client.get(screen(stockholm)).content.decode(), pattern)


def versions(text: str) -> dict[str, str]:
    return dict(VERSION.findall(text))


def test_an_outcome_save_draws_the_stored_row_within_its_queries(
    stockholm, chef, client, django_assert_max_num_queries
):
    indicator = stockholm.get(Indicator, "ROS-I2")
    url = screen(stockholm) + f"indikator/{indicator.pk}/"
    row = rf'<tr id="row-{indicator.pk}">.*?</tr>'
    # New rows: the outcome per gender and the forecast with its comment.
    with django_assert_max_num_queries(18):
        first = client.post(
            url,
            {"T": "85,5", "K": "88", "M": "80", "forecast": "90", "comment": "Bra."},
            HTTP_HX_REQUEST="true",
        )
    text = first.content.decode()
    assert first.status_code == 200 and "Sparat" in text
    assert part(text, row) == as_the_screen_draws_it(client, stockholm, row)
    assert versions(text) == {
        "version_T": "1",
        "version_K": "1",
        "version_M": "1",
        "version_forecast": "1",
    }
    # Changed, unchanged and cleared rows, with the versions the person saw.
    with django_assert_max_num_queries(16):
        second = client.post(
            url,
            {"T": "86", "K": "88", "M": "", "forecast": "", "comment": "", **versions(text)},
            HTTP_HX_REQUEST="true",
        )
    text = second.content.decode()
    assert second.status_code == 200, text
    assert part(text, row) == as_the_screen_draws_it(client, stockholm, row)
    assert versions(text) == {
        "version_T": "2",
        "version_K": "1",
        "version_M": "",
        "version_forecast": "",
    }
    assert not Forecast.objects.filter(indicator=indicator).exists()
    assert set(Measurement.objects.filter(indicator=indicator).values_list("gender")) == {
        ("T",),
        ("K",),
    }


def test_an_outcome_save_of_the_same_values_costs_ten_queries(
    stockholm, chef, client, django_assert_max_num_queries
):
    """Session, user, grants, the indicator with its unit, the period with its definition, and in
    the transaction (begin, commit) whether the report is handed in, the outcomes and the
    forecast: nothing read twice, nothing read back."""
    indicator = stockholm.get(Indicator, "ROS-I2")
    url = screen(stockholm) + f"indikator/{indicator.pk}/"
    values = {"T": "85,5", "K": "88", "M": "80", "forecast": "90", "comment": "Bra."}
    text = client.post(url, values, HTTP_HX_REQUEST="true").content.decode()
    with django_assert_max_num_queries(10):
        again = client.post(url, {**values, **versions(text)}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and versions(again.content.decode()) == versions(text)


def test_a_refused_outcome_save_draws_the_row_as_stored(stockholm, chef, client):
    indicator = stockholm.get(Indicator, "ROS-I2")
    url = screen(stockholm) + f"indikator/{indicator.pk}/"
    row = rf'<tr id="row-{indicator.pk}">.*?</tr>'
    text = client.post(url, {"T": "85,5", "K": "88", "M": "80"}, HTTP_HX_REQUEST="true")
    seen = versions(text.content.decode())
    client.post(url, {"T": "70", **seen}, HTTP_HX_REQUEST="true")  # someone else's save
    refused = client.post(url, {"T": "60", **seen}, HTTP_HX_REQUEST="true")
    body = refused.content.decode()
    assert refused.status_code == 422
    assert "sparade detta efter att du öppnade det" in body, body[:800]
    assert 'value="70"' in part(body, row)
    assert Measurement.objects.get(indicator=indicator, gender="T").value == 70


def goal_post(stockholm, goal, **extra):
    scale = {v.key: v.pk for v in goal.level.model.assessment_values.all()}
    return {
        "value": scale["delvis"],
        "analysis": "Planerna följs upp men inte alla.",
        "motivation": "Bedömningen bygger på utfallen.",
        "action_what": "Gå igenom planerna",
        "action_who": "Kontaktpersonerna",
        "action_due": "2026-10-31",
        **extra,
    }


def test_an_assessment_save_draws_the_stored_form_within_its_queries(
    stockholm, chef, client, django_assert_max_num_queries
):
    goal = stockholm.get(Goal, "ROS-2")
    url = screen(stockholm) + f"mal/{goal.pk}/"
    form = rf'<article class="ds-card" id="goal-{goal.pk}">.*?</article>'
    data = goal_post(stockholm, goal)
    first = client.post(url, {**data, "version": ""}, HTTP_HX_REQUEST="true")
    text = first.content.decode()
    assert first.status_code == 200 and "Sparat" in text, text
    assert part(text, form) == as_the_screen_draws_it(client, stockholm, form)
    # The save the load test repeats: the same assessment again, its åtgärd replaced.
    # With the assessment rule's own reads (24 once the rule reads activities in one query).
    with django_assert_max_num_queries(26):
        second = client.post(url, {**data, **versions(text)}, HTTP_HX_REQUEST="true")
    text = second.content.decode()
    assert second.status_code == 200, text
    assert part(text, form) == as_the_screen_draws_it(client, stockholm, form)
    assessment = Assessment.objects.get(goal=goal)
    assert versions(text) == {"version": str(assessment.version)} == {"version": "2"}
    action = CorrectiveAction.objects.get(assessment=assessment)
    assert action.due_on == datetime.date(2026, 10, 31)
    # Each save keeps its history: the assessment twice, the åtgärd created, removed, created.
    assert assessment.history.count() == 2
    assert list(
        CorrectiveAction.history.filter(assessment_id=assessment.pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", flat=True)
    ) == ["+", "-", "+"]


def test_a_refused_assessment_save_draws_the_stored_form(stockholm, chef, client):
    goal = stockholm.get(Goal, "ROS-2")
    url = screen(stockholm) + f"mal/{goal.pk}/"
    data = goal_post(stockholm, goal)
    saved = client.post(url, {**data, "version": ""}, HTTP_HX_REQUEST="true")
    seen = versions(saved.content.decode())
    client.post(url, {**data, "analysis": "Någon annans.", **seen}, HTTP_HX_REQUEST="true")
    refused = client.post(url, {**data, "analysis": "Min.", **seen}, HTTP_HX_REQUEST="true")
    body = refused.content.decode()
    assert refused.status_code == 422
    assert "Någon annans." in body and ">Min.<" not in body
    assert versions(body) == {"version": "2"}
    unknown = client.post(url, {**data, "value": "x", **seen}, HTTP_HX_REQUEST="true")
    assert unknown.status_code == 422 and "Välj en bedömning" in unknown.content.decode()
