"""A period's report that follows the budget goes up only when the month's budget follow-up is
complete: a forecast for every account group, and an åtgärdsplan when the result is worse."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from styr.economy.imports import accounting_import
from styr.economy.models import AccountGroup
from styr.economy.services import action_plan_save, forecast_report
from styr.followup.models import ReportingPeriod
from styr.followup.services import periods_generate
from styr.organisation.models import Role, RoleGrant
from styr.workflow.models import Submission
from styr.workflow.services import submission_for, submission_submit

from .conftest import csv_file


@pytest.fixture
def setting(world, django_user_model):
    rows = [f"SKOLA-1;40 Personal;{m};100 000;budget" for m in range(1, 13)]
    rows += [f"SKOLA-1;30 Intäkter;{m};10 000;budget" for m in range(1, 13)]
    rows += [f"SKOLA-1;40 Personal;{m};110 000;utfall" for m in range(1, 9)]
    accounting_import(
        municipality=world.municipality, year=2026, file_name="bok.csv", data=csv_file(rows)
    )
    periods_generate(municipality=world.municipality, year=2026)
    chef = django_user_model.objects.create_user("chef")
    RoleGrant.objects.create(
        municipality=world.municipality, user=chef, unit=world.unit("SKOLA-1"), role=Role.REPORTER
    )
    world.chef = chef
    world.period = ReportingPeriod.objects.get(
        municipality=world.municipality, definition__key="delar", year=2026
    )
    return world


def forecast(world, code, amount, comment=""):
    forecast_report(
        user=world.chef,
        unit=world.unit("SKOLA-1"),
        year=2026,
        month=8,
        account_group=AccountGroup.objects.get(municipality=world.municipality, code=code),
        forecast=amount,
        comment=comment,
        seen_version=None,
    )


def test_the_report_waits_for_the_budget_followup(setting):
    report = submission_for(unit=setting.unit("SKOLA-1"), period=setting.period)
    with pytest.raises(ValidationError) as refused:
        submission_submit(submission=report, acting_user=setting.chef)
    said = " ".join(refused.value.messages)
    assert "Budgetuppföljningen för månaden är inte klar" in said
    assert "40 Personal" in said and "30 Intäkter" in said
    report.refresh_from_db()
    assert report.state == Submission.State.DRAFT

    forecast(setting, "40", "1 320 000", "Fler elever än planerat.")
    forecast(setting, "30", "120 000")
    with pytest.raises(ValidationError) as refused:
        submission_submit(submission=report, acting_user=setting.chef)
    assert "skriv en åtgärdsplan" in " ".join(refused.value.messages)

    action_plan_save(
        user=setting.chef,
        unit=setting.unit("SKOLA-1"),
        year=2026,
        month=8,
        measures="Vikarier tas in bara vid behov.",
        responsible="Rektor",
        due_on=datetime.date(2026, 12, 31),
        expected_effect="120 000",
        seen_version=None,
    )
    submission_submit(submission=report, acting_user=setting.chef)
    report.refresh_from_db()
    assert report.state == Submission.State.SUBMITTED


def test_a_unit_without_a_budget_hands_in_as_before(setting):
    report = submission_for(unit=setting.unit("SEKT-UTB"), period=setting.period)
    submission_submit(submission=report, acting_user=None)
    assert report.state == Submission.State.SUBMITTED


def test_the_follow_up_screen_says_what_is_missing(setting, client):
    client.force_login(setting.chef)
    unit = setting.unit("SKOLA-1")
    response = client.post(
        f"/uppfoljning/{unit.pk}/{setting.period.pk}/lamna-in/", {"comment": ""}, follow=True
    )
    text = response.content.decode()
    assert "Budgetuppföljningen för månaden är inte klar" in text
    assert "Lämna helårsprognos för 40 Personal." in text
    assert not Submission.objects.filter(state=Submission.State.SUBMITTED).exists()


def test_the_namnd_reads_each_units_explanation_and_report(setting, client, django_user_model):
    forecast(setting, "40", "1 320 000", "Fler elever än planerat.")
    forecast(setting, "30", "120 000")
    action_plan_save(
        user=setting.chef,
        unit=setting.unit("SKOLA-1"),
        year=2026,
        month=8,
        measures="Vikarier tas in bara vid behov.",
        responsible="Rektor",
        due_on=datetime.date(2026, 12, 31),
        expected_effect="120 000",
        seen_version=None,
    )
    submission_submit(
        submission=submission_for(unit=setting.unit("SEKT-UTB"), period=setting.period),
        acting_user=None,
    )
    controller = django_user_model.objects.create_user("controller")
    RoleGrant.objects.create(
        municipality=setting.municipality,
        user=controller,
        unit=setting.unit("KF"),
        role=Role.ADMINISTRATOR,
    )
    client.force_login(controller)
    page = client.get(f"/ekonomi/{setting.unit('BUN').pk}/2026/?manad=8").content.decode()
    row = page[page.index("Sektor utbildning</a>") :].split("</tr>")[0]
    assert "Nödingeskolan, Personal:</strong> Fler elever än planerat." in row
    assert "Åtgärdsplan: Nödingeskolan" in row and "förväntad effekt 120\u00a0000 kr" in row
    assert "Inskickad" in row
    own = client.get(f"/ekonomi/{setting.unit('SKOLA-1').pk}/2026/?manad=8").content.decode()
    assert "Delårsrapport 2026: inte inlämnad ännu." in own
    assert f"/uppfoljning/{setting.unit('SKOLA-1').pk}/{setting.period.pk}/" in own
