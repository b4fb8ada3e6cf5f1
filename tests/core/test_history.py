"""Nothing is lost: every change keeps who, when, before and after, and a decided report can be
shown as it stood when it was decided."""

import datetime
from decimal import Decimal

from django.urls import reverse

from styr.core.history import object_history
from styr.followup.models import Assessment, Measurement, ReportingPeriod
from styr.followup.selectors import followup_as_of, period_decided_at
from styr.followup.services import (
    CorrectiveActionInput,
    assessment_submit,
    measurement_report,
    period_close,
    period_decide,
    period_reopen,
)
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator


def reporter(stockholm, django_user_model, name="anna"):
    user = django_user_model.objects.create_user(name, password="x")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD"),
        role=Role.REPORTER,
    )
    return user


def test_an_outcome_keeps_who_changed_it_and_what_it_was(stockholm, django_user_model):
    anna, bo = reporter(stockholm, django_user_model), reporter(stockholm, django_user_model, "bo")
    indicator = stockholm.get(Indicator, "SOD-I6")
    t1 = stockholm.period("t1")
    measurement_report(indicator=indicator, period=t1, values={"T": "0,5"}, acting_user=anna)
    measurement_report(indicator=indicator, period=t1, values={"T": "1,5"}, acting_user=bo)
    row = Measurement.objects.get(indicator=indicator)
    newest, oldest = object_history(row)
    assert (oldest.user, oldest.kind_label) == ("anna", "skapad")
    assert (newest.user, newest.kind_label) == ("bo", "ändrad")
    [change] = [c for c in newest.changes if c.label == "utfall"]
    assert (Decimal(change.before), Decimal(change.after)) == (Decimal("0.5"), Decimal("1.5"))
    assert any(c.label == "rapporterat av" and c.after == "bo" for c in newest.changes)


def test_period_states_are_kept_in_the_history(stockholm, django_user_model):
    admin = django_user_model.objects.create_superuser("controller", password="x")
    period = stockholm.period("t1")
    period_close(period=period, acting_user=admin)
    period_reopen(period=period, acting_user=admin)
    period_decide(
        period=period, decided_on=datetime.date(2026, 6, 1), reference="KS § 9", acting_user=admin
    )
    states = [
        r.state for r in ReportingPeriod.history.filter(id=period.pk).order_by("history_date")
    ]
    assert states == ["open", "closed", "open", "decided"]
    assert object_history(period)[0].user == "controller"


def test_a_report_is_shown_as_it_stood_when_it_was_decided(stockholm, django_user_model):
    anna = reporter(stockholm, django_user_model)
    t1 = stockholm.period("t1")
    indicator = stockholm.get(Indicator, "SOD-I1")
    measurement_report(indicator=indicator, period=t1, values={"T": 80}, acting_user=anna)
    assessment_submit(
        goal=stockholm.get(Goal, "SOD-NM-1"),
        period=t1,
        value=stockholm.scale("delvis"),
        analysis="Som rapporterat vid tertial 1.",
        motivation="Enkäten pågår.",
        corrective_actions=[CorrectiveActionInput("Påminn", "Chef", datetime.date(2026, 6, 1))],
        acting_user=anna,
    )
    period_decide(period=t1, decided_on=datetime.date(2026, 6, 1), reference="SDN § 40")
    decided_at = period_decided_at(period=t1)
    # After the decision, someone changes the rows behind the application's back.
    Measurement.objects.filter(indicator=indicator).update(value=99)
    Assessment.objects.filter(period=t1).delete()
    snapshot = followup_as_of(period=t1, when=decided_at)
    assert [m.value for m in snapshot.measurements] == [Decimal(80)]
    assert [a.analysis for a in snapshot.assessments] == ["Som rapporterat vid tertial 1."]
    södermalm = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD")
    assert len(followup_as_of(period=t1, when=decided_at, unit=södermalm).measurements) == 1
    hägersten = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-HAL")
    assert followup_as_of(period=t1, when=decided_at, unit=hägersten).measurements == []


def test_the_admin_shows_an_objects_history_in_swedish(stockholm, client, django_user_model):
    admin = django_user_model.objects.create_superuser("controller", password="x")
    client.force_login(admin)
    goal = stockholm.get(Goal, "SOD-NM-1")
    goal.title = "Ny <script>alert(1)</script> titel"
    goal._history_user = admin
    goal.save()
    page = client.get(reverse("admin:planning_goal_history", args=[goal.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Förbättrad uppföljningsdialog med de anhöriga" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text
    assert "controller" in text and "ändrad" in text
