"""Assessing a goal through the API: the follow-up screen's service, its rules, its history and
its check that no one else changed the assessment meanwhile."""

from styr.followup.models import Assessment
from styr.organisation.models import Role
from styr.planning.models import Goal

URL = "/api/v1/assessments"


def body(stockholm, **changes):
    data = {
        "goal": stockholm.get(Goal, "SOD-NM-1").pk,
        "period": stockholm.period("t1").pk,
        "value": "uppfyllt",
        "analysis": "Fler anhöriga svarar och de är nöjdare.",
    }
    return {**data, **changes}


def post(client, data, headers):
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def test_a_reporter_assesses_a_goal_with_history_and_version(client, stockholm, reporter, bearer):
    headers = bearer(reporter)
    response = post(client, body(stockholm), headers)
    assert response.status_code == 200, response.json()
    assert response.json()["value"] == "uppfyllt" and response.json()["version"] == 1
    assessment = Assessment.objects.get()
    assert assessment.assessed_by == reporter and assessment.history.count() == 1

    changed = body(stockholm, analysis="Ny analys.", version=1)
    assert post(client, changed, headers).json()["version"] == 2
    stale = post(client, body(stockholm, analysis="Gammal vy.", version=1), headers)
    assert stale.status_code == 409
    assert stale.json()["detail"]
    assert Assessment.objects.get().analysis == "Ny analys."


def test_the_services_rules_answer_400_in_swedish(client, stockholm, reporter, bearer):
    response = post(client, body(stockholm, analysis=" "), bearer(reporter))
    assert response.status_code == 400
    assert "Skriv en analys" in response.json()["detail"]
    assert "analysis" in response.json()["errors"]
    unknown = post(client, body(stockholm, value="toppen"), bearer(reporter))
    assert unknown.status_code == 400 and "toppen" in unknown.json()["detail"]
    assert not Assessment.objects.exists()


def test_only_those_who_report_for_the_goal_may_assess_it(client, stockholm, person, bearer):
    reader = person(Role.READER, "SDN-SOD", username="lasare")
    assert post(client, body(stockholm), bearer(reader)).status_code == 403
    elsewhere = person(Role.REPORTER, "SDN-HAL", username="annan")
    assert post(client, body(stockholm), bearer(elsewhere)).status_code == 404
    reporter = person(Role.REPORTER, "SDN-SOD", username="rapportor")
    assert post(client, body(stockholm), bearer(reporter, scope="read")).status_code == 403
    assert not Assessment.objects.exists()
