"""Follow-up in the admin: every page opens read-only; periods close and reopen by action, and a
decided period cannot be reopened."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from styr.followup.models import ReportingPeriod
from styr.followup.services import (
    CorrectiveActionInput,
    activity_report,
    assessment_submit,
    assignment_report,
    measurement_report,
    period_decide,
)
from styr.planning.models import Activity, Assignment, Goal, Indicator


@pytest.fixture
def controller(client, django_user_model):
    user = django_user_model.objects.create_superuser("kontroller", "k@example.org", "hemligt-1")
    client.force_login(user)
    return client


@pytest.fixture
def reported(stockholm):
    t1 = stockholm.period("t1")
    measurement_report(indicator=stockholm.get(Indicator, "SOD-I1"), period=t1, values={"T": 80})
    measurement_report(
        indicator=stockholm.get(Indicator, "SOD-I1"), period=t1, values={"T": 80}, forecast=81
    )
    activity_report(
        activity=stockholm.get(Activity, "SOD-A1"), period=t1, status=stockholm.status("pagar")
    )
    assignment_report(
        assignment=stockholm.get(Assignment, "SOD-U1"), period=t1, status=stockholm.status("pagar")
    )
    assessment_submit(
        goal=stockholm.get(Goal, "SOD-NM-1"),
        period=t1,
        value=stockholm.scale("delvis"),
        analysis="Svarsfrekvensen var låg.",
        motivation="Enkäten är inte klar.",
        corrective_actions=[
            CorrectiveActionInput("Påminnelser", "Enhetschef", datetime.date(2026, 6, 1))
        ],
    )
    return stockholm


FOLLOWUP_MODELS = [m for m in admin.site._registry if m._meta.app_label == "followup"]


@pytest.mark.parametrize("model", FOLLOWUP_MODELS, ids=lambda m: m.__name__)
def test_every_followup_page_opens_read_only(controller, reported, model):
    opts = model._meta
    assert (
        controller.get(reverse(f"admin:followup_{opts.model_name}_changelist")).status_code == 200
    )
    obj = model.objects.first()
    page = controller.get(reverse(f"admin:followup_{opts.model_name}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert controller.get(reverse(f"admin:followup_{opts.model_name}_add")).status_code == 403


def test_periods_close_and_reopen_by_action_but_a_decided_one_stays_locked(controller, stockholm):
    url = reverse("admin:followup_reportingperiod_changelist")
    t1, t2 = stockholm.period("t1"), stockholm.period("t2")
    controller.post(url, {"action": "close_periods", "_selected_action": [t1.pk, t2.pk]})
    assert set(
        ReportingPeriod.objects.filter(pk__in=[t1.pk, t2.pk]).values_list("state", flat=True)
    ) == {"closed"}
    period_decide(period=t1, decided_on=datetime.date(2026, 6, 1), reference="KS § 12")
    page = controller.post(
        url, {"action": "reopen_periods", "_selected_action": [t1.pk, t2.pk]}, follow=True
    )
    text = page.content.decode()
    assert "är låst" in text and "1 period(er) öppnade igen" in text
    assert ReportingPeriod.objects.get(pk=t1.pk).state == "decided"
    assert ReportingPeriod.objects.get(pk=t2.pk).state == "open"
