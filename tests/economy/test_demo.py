"""The demo's budget follow-up: every preset's municipality has budgets, outcomes of the months
that have ended, forecasts on its own calendar, åtgärdsplaner where the result heads below the
budget, and one unit whose latest forecast is missing; a second run changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.template.defaultfilters import floatformat
from django.urls import reverse

from styr.economy.demo import _budget_units, demo_economy
from styr.economy.models import ActionPlan, BudgetForecast, BudgetLine
from styr.economy.selectors import followup_months, unit_economy
from styr.economy.services import economy_month_problems
from styr.governance.services import governance_model_load_file

TODAY = datetime.date(2026, 11, 27)
# The latest month of the calendar that has ended by TODAY: outcomes run up to it.
THROUGH = {"stockholm": 8, "huddinge": 8, "svenljunga": 10, "lomma": 10}


@pytest.mark.parametrize("preset", ["stockholm", "huddinge", "svenljunga", "lomma"])
def test_each_demo_municipality_follows_its_budget(db, preset):
    municipality = governance_model_load_file(name_or_path=preset).municipality
    summary = demo_economy(municipality=municipality, year=2026, today=TODAY)
    units = [unit for unit, _board in _budget_units(municipality, 2026)]
    assert summary.units == len(units) >= 10
    lines = BudgetLine.objects.filter(municipality=municipality, year=2026)
    budget = lines.filter(kind=BudgetLine.Kind.BUDGET)
    assert budget.count() == len(units) * 6 * 12
    outcome_months = set(lines.filter(kind="outcome").values_list("month", flat=True))
    assert outcome_months == set(range(1, THROUGH[preset] + 1))
    # Written with their history, as an import writes them.
    assert BudgetLine.history.filter(municipality=municipality).count() == lines.count()
    forecasts = BudgetForecast.objects.filter(municipality=municipality, year=2026)
    assert summary.forecasts == forecasts.count()
    assert BudgetForecast.history.filter(municipality=municipality).count() == forecasts.count()
    assert not forecasts.filter(month__gt=THROUGH[preset]).exists()
    assert all(f.comment for f in forecasts if f.forecast != _budget_of(f))

    months = [m for m in followup_months(municipality.pk) if m <= THROUGH[preset]]
    missing = []
    for month in months:
        for unit in units:
            problems = economy_month_problems(unit, 2026, month)
            if problems:
                missing.append((unit, month, problems))
            if unit_economy(unit=unit, year=2026, month=month).deviation < 0 and not problems:
                assert ActionPlan.objects.filter(unit=unit, year=2026, month=month).exists()
    # One unit has not reported the latest month's forecasts: that is all a controller finds.
    [(unit, month, problems)] = missing
    assert month == months[-1]
    assert all(p.startswith("Lämna helårsprognos för") for p in problems)
    assert len(problems) == 6
    assert ActionPlan.objects.filter(municipality=municipality, unit__type__key="namnd").exists()


def _budget_of(forecast) -> Decimal:
    return sum(
        BudgetLine.objects.filter(
            unit=forecast.unit,
            year=forecast.year,
            account_group=forecast.account_group,
            kind=BudgetLine.Kind.BUDGET,
        ).values_list("amount", flat=True)
    )


def test_lomma_updates_its_forecast_only_where_it_was_worse(db):
    municipality = governance_model_load_file(name_or_path="lomma").municipality
    demo_economy(municipality=municipality, year=2026, today=TODAY)
    forecasts = BudgetForecast.objects.filter(municipality=municipality, year=2026)
    by_month = {
        month: {f.unit_id for f in forecasts if f.month == month} for month in (3, 5, 8, 10)
    }
    assert by_month[5] and by_month[10]
    assert by_month[5] < by_month[3] and by_month[10] < by_month[8]
    for unit_id in by_month[5]:
        unit = forecasts.filter(unit_id=unit_id).first().unit
        assert unit_economy(unit=unit, year=2026, month=4).deviation < 0
        # The updated forecast came with an updated action plan.
        assert economy_month_problems(unit, 2026, 5) == []
        assert ActionPlan.objects.filter(unit=unit, month=5).exists()
    for unit_id in by_month[3] - by_month[5]:
        unit = forecasts.filter(unit_id=unit_id).first().unit
        assert unit_economy(unit=unit, year=2026, month=4).deviation >= 0


def test_the_page_of_a_demo_namnd_shows_its_follow_up(db, client):
    municipality = governance_model_load_file(name_or_path="svenljunga").municipality
    demo_economy(municipality=municipality, year=2026, today=TODAY)
    plan = (
        ActionPlan.objects.filter(municipality=municipality, unit__type__key="namnd", month=10)
        .select_related("unit")
        .get()
    )
    board = plan.unit
    client.force_login(get_user_model().objects.create_superuser("controller"))
    page = client.get(reverse("web:economy", args=[board.pk, 2026]) + "?manad=10")
    html = page.content.decode()
    own = unit_economy(unit=board, year=2026, month=10)
    assert own.deviation < 0 and own.outcome != 0
    for amount in (own.budget, own.outcome, own.forecast, own.deviation):
        assert floatformat(amount, "0g") in html
    assert "sämre än budget" in html
    assert plan.measures.splitlines()[0] in html and plan.responsible in html
    comment = BudgetForecast.objects.filter(unit=board, month=10).exclude(comment="").first()
    assert comment.comment in html
    # The units below with their forecasts against budget.
    assert "Enheterna under: prognos mot budget" in html
    assert "Allt som månaden kräver är rapporterat." in html


def test_a_second_demo_changes_nothing(db):
    municipality = governance_model_load_file(name_or_path="stockholm").municipality
    first = demo_economy(municipality=municipality, year=2026, today=TODAY)
    assert first.forecasts and first.action_plans
    snapshot = [
        sorted(model.objects.filter(municipality=municipality).values_list("pk", "updated_at"))
        for model in (BudgetLine, BudgetForecast, ActionPlan)
    ]
    again = demo_economy(municipality=municipality, year=2026, today=TODAY)
    assert (again.units, again.forecasts, again.action_plans) == (0, 0, 0)
    assert snapshot == [
        sorted(model.objects.filter(municipality=municipality).values_list("pk", "updated_at"))
        for model in (BudgetLine, BudgetForecast, ActionPlan)
    ]
