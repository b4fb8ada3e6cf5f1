"""A report on its way in the web interface: the chef hands it in from the follow-up screen,
the approver above finds it on Mitt uppdrag and approves or returns it, the controller records
the adoption — each step by its role, with its comment kept."""

import pytest

from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.workflow.models import Submission


def person(stockholm, django_user_model, username, code, role):
    user = django_user_model.objects.create_user(username)
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code=code),
        role=role,
    )
    return user


@pytest.fixture
def people(stockholm, django_user_model):
    return {
        "chef": person(stockholm, django_user_model, "chef", "SOD-ROSENLUND", Role.REPORTER),
        "approver": person(stockholm, django_user_model, "godk", "SDF-SOD", Role.APPROVER),
        "reader": person(stockholm, django_user_model, "las", "SOD-ROSENLUND", Role.READER),
        "controller": person(stockholm, django_user_model, "ctrl", "KF", Role.ADMINISTRATOR),
    }


def hand_in_url(stockholm):
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")
    return f"/uppfoljning/{unit.pk}/{stockholm.period('t2').pk}/lamna-in/"


def test_the_report_goes_from_the_chef_to_adoption(stockholm, people, client):
    client.force_login(people["chef"])
    followup = hand_in_url(stockholm).replace("lamna-in/", "")
    assert "Lämna in för godkännande" in client.get(followup).content.decode()
    response = client.post(hand_in_url(stockholm), {"comment": "Allt är rapporterat."}, follow=True)
    text = response.content.decode()
    assert "Inlämnad för godkännande." in text and "Allt är rapporterat." in text
    report = Submission.objects.get(kind="report", period=stockholm.period("t2"))
    assert report.state == "submitted"
    # The chef has no approve button, and may not approve by hand either.
    assert "Godkänn" not in text
    assert client.post(f"/inlamningar/{report.pk}/approve/").status_code == 403

    client.force_login(people["approver"])
    home = client.get("/").content.decode()
    assert f"/inlamningar/{report.pk}/" in home
    client.post(f"/inlamningar/{report.pk}/approve/", {"comment": "Bra."})
    report.refresh_from_db()
    assert report.state == "approved"

    client.force_login(people["controller"])
    page = client.post(
        f"/inlamningar/{report.pk}/adopt/",
        {"adopted_on": "2026-10-20", "reference": "KF 2026-10-20 § 7"},
        follow=True,
    ).content.decode()
    report.refresh_from_db()
    assert report.state == "adopted" and report.adopted_reference == "KF 2026-10-20 § 7"
    assert "fastställd 20 oktober 2026 (KF 2026-10-20 § 7)" in page
    assert [s.to_state for s in report.steps.order_by("pk")] == ["submitted", "approved", "adopted"]


def test_returning_needs_a_comment_and_changes_nothing_without_one(stockholm, people, client):
    client.force_login(people["chef"])
    client.post(hand_in_url(stockholm))
    report = Submission.objects.get(kind="report", period=stockholm.period("t2"))
    client.force_login(people["approver"])
    text = client.post(f"/inlamningar/{report.pk}/return/", {"comment": " "}, follow=True)
    assert "Skriv vad som ska kompletteras." in text.content.decode()
    report.refresh_from_db()
    assert report.state == "submitted"
    client.post(f"/inlamningar/{report.pk}/return/", {"comment": "Analysen saknas för mål 2."})
    report.refresh_from_db()
    assert report.state == "draft"


def test_handing_in_twice_says_so_and_changes_nothing(stockholm, people, client):
    client.force_login(people["chef"])
    client.post(hand_in_url(stockholm))
    response = client.post(hand_in_url(stockholm), follow=True)
    assert response.status_code == 200
    assert "det steget går inte nu" in response.content.decode()
    assert Submission.objects.get(kind="report").steps.count() == 1


def test_a_reader_can_follow_the_way_but_not_take_a_step(stockholm, people, client):
    client.force_login(people["chef"])
    client.post(hand_in_url(stockholm))
    report = Submission.objects.get(kind="report")
    client.force_login(people["reader"])
    page = client.get(f"/inlamningar/{report.pk}/").content.decode()
    assert "Inskickad" in page or "inskickad" in page
    assert "Lämna in för godkännande" not in page and "Godkänn" not in page
    assert client.post(hand_in_url(stockholm)).status_code == 403
    assert client.post(f"/inlamningar/{report.pk}/approve/").status_code == 403
    assert client.post(f"/inlamningar/{report.pk}/nonsense/").status_code == 403


def test_an_adoption_without_a_date_is_refused(stockholm, people, client):
    client.force_login(people["chef"])
    client.post(hand_in_url(stockholm))
    report = Submission.objects.get(kind="report")
    client.force_login(people["approver"])
    client.post(f"/inlamningar/{report.pk}/approve/")
    client.force_login(people["controller"])
    page = client.post(
        f"/inlamningar/{report.pk}/adopt/",
        {"adopted_on": "igår", "reference": "KF § 1"},
        follow=True,
    ).content.decode()
    assert "Skriv mötesdatumet som ÅÅÅÅ-MM-DD." in page
    report.refresh_from_db()
    assert report.state == "approved"
