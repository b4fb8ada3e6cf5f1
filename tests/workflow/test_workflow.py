"""The workflow end to end: utkast → inskickad → godkänd → fastställd, with return for revision,
notifications in Styr and by mail, reminders before deadlines, and locking."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from styr.followup.services import measurement_report
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator
from styr.workflow.models import Notification, Submission, WorkflowStep
from styr.workflow.services import (
    reminders_send,
    submission_adopt,
    submission_approve,
    submission_for,
    submission_return,
    submission_submit,
)


@pytest.fixture
def people(stockholm, django_user_model):
    def person(name, unit_code, role):
        user = django_user_model.objects.create_user(name, email=f"{name}@stockholm.se")
        RoleGrant.objects.create(
            municipality=stockholm.municipality,
            user=user,
            unit=OrgUnit.objects.get(municipality=stockholm.municipality, code=unit_code),
            role=role,
        )
        return user

    return {
        "chef": person("chef", "SOD-ROSENLUND", Role.REPORTER),
        "avdelningschef": person("avdelningschef", "SOD-ALD", Role.APPROVER),
        "sekreterare": person("sekreterare", "SDN-SOD", Role.ADMINISTRATOR),
        "granne": person("granne", "HAL-HEMTJANST", Role.REPORTER),
    }


def rosenlund(stockholm) -> OrgUnit:
    return OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")


def test_a_report_goes_the_whole_way_and_is_then_locked(
    stockholm, people, django_capture_on_commit_callbacks
):
    t1 = stockholm.period("t1")
    indicator = stockholm.get(Indicator, "ROS-I1")
    measurement_report(indicator=indicator, period=t1, values={"T": 4}, acting_user=people["chef"])
    report = submission_for(unit=rosenlund(stockholm), period=t1)
    assert report.state == "draft"

    with django_capture_on_commit_callbacks(execute=True):  # mail goes out once it is saved
        submission_submit(submission=report, acting_user=people["chef"], comment="Klart för T1.")
    assert report.state == "submitted"
    # Those who may approve above it (the avdelningschef, and the nämnd's administratör) are
    # told, in Styr and by mail; the neighbour is not.
    note = Notification.objects.get(user=people["avdelningschef"])
    assert "inskickad för ditt godkännande" in note.text
    assert sorted(m.to[0] for m in mail.outbox) == [
        "avdelningschef@stockholm.se",
        "sekreterare@stockholm.se",
    ]
    assert not Notification.objects.filter(user=people["granne"]).exists()

    # Submitted means out of the unit's hands.
    with pytest.raises(ValidationError) as error:
        measurement_report(
            indicator=indicator, period=t1, values={"T": 5}, acting_user=people["chef"]
        )
    assert "är inskickad och kan inte ändras" in " ".join(error.value.messages)

    # Returned with a comment, revised, submitted again.
    with pytest.raises(ValidationError):
        submission_return(submission=report, acting_user=people["avdelningschef"], comment=" ")
    submission_return(
        submission=report, acting_user=people["avdelningschef"], comment="Kommentera utfallet."
    )
    assert "Kommentera utfallet." in Notification.objects.filter(user=people["chef"]).first().text
    measurement_report(indicator=indicator, period=t1, values={"T": 5}, acting_user=people["chef"])
    submission_submit(submission=report, acting_user=people["chef"])

    submission_approve(submission=report, acting_user=people["avdelningschef"], comment="Bra.")
    submission_adopt(
        submission=report,
        adopted_on=datetime.date(2026, 6, 10),
        reference="SDN 2026-06-10 § 54",
        acting_user=people["sekreterare"],
    )
    report.refresh_from_db()
    assert (report.state, report.adopted_reference) == ("adopted", "SDN 2026-06-10 § 54")
    steps = list(
        WorkflowStep.objects.filter(submission=report).values_list(
            "to_state", "user__username", "comment"
        )
    )
    assert steps == [
        ("submitted", "chef", "Klart för T1."),
        ("draft", "avdelningschef", "Kommentera utfallet."),
        ("submitted", "chef", ""),
        ("approved", "avdelningschef", "Bra."),
        ("adopted", "sekreterare", ""),
    ]
    with pytest.raises(ValidationError) as error:
        measurement_report(
            indicator=indicator, period=t1, values={"T": 6}, acting_user=people["chef"]
        )
    assert "är fastställd" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        submission_return(
            submission=report, acting_user=people["avdelningschef"], comment="Ändra igen."
        )
    # The history keeps every state.
    states = list(report.history.order_by("history_date").values_list("state", flat=True))
    assert states[-1] == "adopted" and "submitted" in states


def test_each_step_belongs_to_its_role(stockholm, people):
    report = submission_for(unit=rosenlund(stockholm), period=stockholm.period("t1"))
    with pytest.raises(PermissionDenied):
        submission_submit(submission=report, acting_user=people["granne"])
    submission_submit(submission=report, acting_user=people["chef"])
    with pytest.raises(PermissionDenied):  # a reporter does not approve their own report
        submission_approve(submission=report, acting_user=people["chef"])
    submission_approve(submission=report, acting_user=people["avdelningschef"])
    with pytest.raises(PermissionDenied):  # adopting belongs to the administrator
        submission_adopt(
            submission=report,
            adopted_on=datetime.date(2026, 6, 1),
            reference="§ 1",
            acting_user=people["avdelningschef"],
        )
    assert Submission.objects.get(pk=report.pk).state == "approved"


def test_a_plan_is_approved_the_same_way(stockholm, people):
    plan = submission_for(unit=rosenlund(stockholm), year=2027)
    planner = people["chef"]
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=planner,
        unit=rosenlund(stockholm),
        role=Role.PLANNER,
    )
    submission_submit(submission=plan, acting_user=planner)
    submission_approve(submission=plan, acting_user=people["avdelningschef"])
    assert str(plan) == "Plan 2027 – Rosenlunds vård- och omsorgsboende"


def test_reminders_go_out_before_the_deadline_once(stockholm, people, capsys):
    t1 = stockholm.period("t1")  # ends 30 April; enheter report 8 days later
    deadline = t1.deadline_for("enhet")
    assert reminders_send(today=deadline - datetime.timedelta(days=10), days=3) == 0
    sent = reminders_send(today=deadline - datetime.timedelta(days=2), days=3)
    assert sent >= 1
    note = Notification.objects.get(user=people["chef"], key__startswith="reminder")
    assert f"senast {deadline}" in note.text and "Rosenlunds" in note.text
    assert reminders_send(today=deadline - datetime.timedelta(days=1), days=3) == 0
    # A unit that has submitted is not reminded.
    submission_submit(
        submission=submission_for(unit=rosenlund(stockholm), period=stockholm.period("t2")),
        acting_user=people["chef"],
    )
    t2_deadline = stockholm.period("t2").deadline_for("enhet")
    reminders_send(today=t2_deadline, days=0)
    assert not Notification.objects.filter(
        user=people["chef"], text__contains="Tertialrapport 2"
    ).exists()
    call_command("remind", days=3)
    assert "påminnelse" in capsys.readouterr().out


def test_the_workflow_is_visible_in_the_admin(stockholm, people, client, django_user_model):
    report = submission_for(unit=rosenlund(stockholm), period=stockholm.period("t1"))
    submission_submit(submission=report, acting_user=people["chef"], comment="<b>Klart</b>")
    client.force_login(django_user_model.objects.create_superuser("controller", password="x"))
    page = client.get(f"/admin/workflow/submission/{report.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "&lt;b&gt;Klart&lt;/b&gt;" in text and "inskickad" in text
    assert client.get("/admin/workflow/notification/").status_code == 200


def test_a_submitted_plan_is_not_changed_in_the_admin(stockholm, people, client, django_user_model):
    from tests.core.test_versioning import form_data

    planner = people["chef"]
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=planner,
        unit=rosenlund(stockholm),
        role=Role.PLANNER,
    )
    submission_submit(
        submission=submission_for(unit=rosenlund(stockholm), year=2026), acting_user=planner
    )
    client.force_login(django_user_model.objects.create_superuser("controller", password="x"))
    goal = stockholm.get(Goal, "ROS-1")
    url = f"/admin/planning/goal/{goal.pk}/change/"
    data = form_data(client.get(url))
    data["title"] = "Ändrad efter inskickning"
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Planen för Rosenlunds vård- och omsorgsboende för 2026 är inskickad" in (
        refused.content.decode()
    )
    assert Goal.objects.get(pk=goal.pk).title != "Ändrad efter inskickning"
    # Another unit's goals are not locked by it.
    other = stockholm.get(Goal, "HAL-HT-1")
    url = f"/admin/planning/goal/{other.pk}/change/"
    data = form_data(client.get(url))
    data["title"] = "Ändrad"
    assert client.post(url, data).status_code == 302


def test_each_person_sees_only_their_own_notifications(stockholm, people, client):
    report = submission_for(unit=rosenlund(stockholm), period=stockholm.period("t1"))
    submission_submit(submission=report, acting_user=people["chef"])
    client.force_login(people["avdelningschef"])
    page = client.get("/meddelanden/").content.decode()
    assert "inskickad för ditt godkännande" in page and "Ny:" in page
    client.post("/meddelanden/lasta/")
    assert not Notification.objects.filter(user=people["avdelningschef"], read_at=None).exists()
    client.force_login(people["granne"])
    assert "Du har inga meddelanden." in client.get("/meddelanden/").content.decode()
