import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from styr.core.versioning import ConflictError
from styr.economy.imports import accounting_import
from styr.economy.models import AccountGroup, ActionPlan, BudgetForecast, EconomyRules
from styr.economy.selectors import economy_below, unit_economy
from styr.economy.services import action_plan_save, economy_month_problems, forecast_report
from styr.organisation.models import Role, RoleGrant

from .conftest import csv_file


@pytest.fixture
def budget(world):
    rows = [f"SKOLA-1;40 Personal;{m};100 000;budget" for m in range(1, 13)]
    rows += [f"SKOLA-1;40 Personal;{m};110 000;utfall" for m in range(1, 4)]
    rows += ["SKOLA-1;30 Intäkter;1;120 000;budget", "SEKT-UTB;40 Personal;1;600 000;budget"]
    rows += ["SN;Lokaler;1;500 000;budget"]
    accounting_import(
        municipality=world.municipality, year=2026, file_name="bok.csv", data=csv_file(rows)
    )
    return world


def group(world, code):
    return AccountGroup.objects.get(municipality=world.municipality, code=code)


def person(django_user_model, world, code, role, name="person"):
    user = django_user_model.objects.create_user(name)
    RoleGrant.objects.create(
        municipality=world.municipality, user=user, unit=world.unit(code), role=role
    )
    return user


def report(world, user, forecast, comment="", month=3, seen_version=None, code="40"):
    return forecast_report(
        user=user,
        unit=world.unit("SKOLA-1"),
        year=2026,
        month=month,
        account_group=group(world, code),
        forecast=forecast,
        comment=comment,
        seen_version=seen_version,
    )


def test_the_model_sets_the_months_and_the_thresholds(world):
    rules = EconomyRules.objects.get(municipality=world.municipality)
    assert rules.months == [2, 3, 4, 5, 8, 9, 10, 11]
    assert rules.comment_threshold_percent == 2
    assert rules.comment_threshold_kronor == 100000


def test_each_namnd_forecast_against_budget_rolled_up(budget, django_assert_max_num_queries):
    report(budget, None, "1 300 000", "Fler elever än planerat.")
    kf = budget.unit("KF")
    with django_assert_max_num_queries(4):
        total, below = economy_below(unit=kf, year=2026, month=3)
    by_code = {row.unit.code: row.figures for row in below}
    assert by_code["BUN"].budget == Decimal(120000 - 1200000 - 600000)
    assert by_code["BUN"].forecast == Decimal(120000 - 1300000 - 600000)
    assert by_code["BUN"].deviation == Decimal(-100000)
    assert by_code["BUN"].outcome == Decimal(-330000)
    assert by_code["SN"].deviation == 0
    assert total.budget == Decimal(120000 - 1200000 - 600000 - 500000)
    assert total.deviation == Decimal(-100000)
    # A forecast is the latest reported up to the month: in February none yet.
    assert economy_below(unit=kf, year=2026, month=2)[0].deviation == 0
    own = unit_economy(unit=budget.unit("SKOLA-1"), year=2026, month=3)
    personnel = next(g for g in own.groups if g.account_group.code == "40")
    assert (personnel.budget, personnel.forecast, personnel.deviation) == (
        Decimal(1200000),
        Decimal(1300000),
        Decimal(-100000),
    )


def test_a_deviation_over_the_threshold_needs_a_comment(budget):
    with pytest.raises(ValidationError) as refused:
        report(budget, None, "1 300 000")
    assert "skriv en kommentar till avvikelsen" in str(refused.value)
    assert not BudgetForecast.objects.exists()
    # 10 000 kronor is under both 100 000 kronor and 2 per cent of 1 200 000.
    saved = report(budget, None, "1 210 000")
    assert saved.forecast == Decimal(1210000)


def test_a_month_outside_the_model_calendar_is_refused(budget):
    with pytest.raises(ValidationError) as refused:
        report(budget, None, "1 200 000", month=6)
    assert "ingen budgetuppföljning i juni" in str(refused.value)


def test_a_forecast_worse_than_budget_needs_an_action_plan(budget):
    unit = budget.unit("SKOLA-1")
    problems = economy_month_problems(unit, 2026, 3)
    assert len(problems) == 2  # a forecast for each account group
    report(budget, None, "1 300 000", "Fler elever.")
    report(budget, None, "120 000", code="30")
    problems = economy_month_problems(unit, 2026, 3)
    assert problems == [
        "Prognosen för resultatet är 100\u00a0000 kronor sämre än budget: skriv en åtgärdsplan."
    ]
    with pytest.raises(ValidationError) as refused:
        action_plan_save(
            user=None,
            unit=unit,
            year=2026,
            month=3,
            measures="",
            responsible="",
            due_on=None,
            expected_effect="",
            seen_version=None,
        )
    assert set(refused.value.message_dict) == {
        "measures",
        "responsible",
        "due_on",
        "expected_effect",
    }
    plan = action_plan_save(
        user=None,
        unit=unit,
        year=2026,
        month=3,
        measures="Vakanser tillsätts inte under hösten.",
        responsible="Rektor",
        due_on=datetime.date(2026, 6, 30),
        expected_effect="100 000",
        seen_version=None,
    )
    assert plan.history.count() == 1
    assert economy_month_problems(unit, 2026, 3) == []


def test_only_those_who_report_for_the_unit_may_report(budget, django_user_model):
    reader = person(django_user_model, budget, "SKOLA-1", Role.READER, "lasare")
    elsewhere = person(django_user_model, budget, "SN", Role.REPORTER, "annan")
    for user in (reader, elsewhere):
        with pytest.raises(PermissionDenied):
            report(budget, user, "1 200 000")
    reporter = person(django_user_model, budget, "SKOLA-1", Role.REPORTER, "rapportor")
    saved = report(budget, reporter, "1 200 000")
    assert saved.reported_by == reporter
    assert saved.history.get().history_user == reporter
    with pytest.raises(PermissionDenied):
        action_plan_save(
            user=reader,
            unit=budget.unit("SKOLA-1"),
            year=2026,
            month=3,
            measures="x",
            responsible="y",
            due_on=datetime.date(2026, 6, 30),
            expected_effect="1",
            seen_version=None,
        )
    assert not ActionPlan.objects.exists()


def test_a_forecast_changed_by_someone_else_is_not_overwritten(budget):
    first = report(budget, None, "1 200 000")
    report(budget, None, "1 210 000", seen_version=first.version)
    with pytest.raises(ConflictError):
        report(budget, None, "1 190 000", seen_version=first.version)
    assert BudgetForecast.objects.get().forecast == Decimal(1210000)
