"""The model's calendar for the budget follow-up: Svenljunga's months, and Lomma's updated
forecasts at 31/5 and 31/10 that only a unit heading for a result worse than the budget reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from styr.economy.imports import accounting_import
from styr.economy.models import AccountGroup, ActionPlan, EconomyRules
from styr.economy.selectors import months_offered, updated_forecast_due
from styr.economy.services import action_plan_save, economy_month_problems, forecast_report
from styr.governance.services import governance_model_load, governance_model_load_file
from styr.governance.styrmodell.checker import check_text
from styr.organisation.models import OrgUnit

from .conftest import csv_file

LOMMA_ECONOMY = """
economy:
  months: [3, 8, 12]
  deviation_months: [5, 10]
"""


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize(
    ("preset", "months", "deviation_months"),
    [
        ("svenljunga", [2, 3, 4, 5, 8, 9, 10, 11], []),
        ("lomma", [3, 8, 12], [5, 10]),
        ("stockholm", [4, 8, 12], []),
        ("huddinge", [4, 8, 12], []),
    ],
)
def test_each_preset_follows_the_budget_on_its_own_calendar(db, preset, months, deviation_months):
    municipality = governance_model_load_file(name_or_path=preset).municipality
    rules = EconomyRules.objects.get(municipality=municipality)
    assert (rules.months, rules.deviation_months) == (months, deviation_months)
    # Every preset says when a deviation needs a comment; Svenljunga: every deviation.
    assert rules.comment_threshold_kronor is not None or rules.comment_threshold_percent
    if preset == "svenljunga":
        assert rules.comment_threshold_kronor == 0


class Lomma:
    """The example model on Lomma's calendar, SKOLA-1 and Socialnämnden each with a budget."""

    def __init__(self, text: str):
        self.municipality = governance_model_load(
            name="exempel.yaml", text=text + LOMMA_ECONOMY
        ).municipality
        OrgUnit.objects.create(
            municipality=self.municipality,
            code="SN",
            name="Socialnämnden",
            type=self.unit("BUN").type,
            parent=self.unit("KF"),
        )
        rows = [f"SKOLA-1;40 Personal;{m};100 000;budget" for m in range(1, 13)]
        rows += [f"SN;40 Personal;{m};50 000;budget" for m in range(1, 13)]
        accounting_import(
            municipality=self.municipality, year=2026, file_name="bok.csv", data=csv_file(rows)
        )
        self.personnel = AccountGroup.objects.get(municipality=self.municipality, code="40")

    def unit(self, code: str) -> OrgUnit:
        return OrgUnit.objects.get(municipality=self.municipality, code=code)

    def report(self, code: str, month: int, forecast: str, comment: str = ""):
        return forecast_report(
            user=None,
            unit=self.unit(code),
            year=2026,
            month=month,
            account_group=self.personnel,
            forecast=forecast,
            comment=comment,
            seen_version=None,
        )

    def plan(self, code: str, month: int):
        return action_plan_save(
            user=None,
            unit=self.unit(code),
            year=2026,
            month=month,
            measures="Vikarier tas bara in där verksamheten kräver det.",
            responsible="Rektor",
            due_on=datetime.date(2026, 6, 30),
            expected_effect="60 000",
            seen_version=None,
        )


@pytest.fixture
def lomma(db, example_text) -> Lomma:
    world = Lomma(example_text)
    # The kvartalsrapport: the school heads 100 000 kronor over its budget, SN keeps its budget.
    world.report("SKOLA-1", 3, "1 300 000", "Fler elever än planerat.")
    world.report("SN", 3, "600 000")
    world.plan("SKOLA-1", 3)
    return world


def test_only_a_unit_worse_than_its_budget_reports_the_updated_forecast(lomma):
    assert updated_forecast_due(unit=lomma.unit("SKOLA-1"), year=2026, month=5)
    assert not updated_forecast_due(unit=lomma.unit("SN"), year=2026, month=5)
    # The school's updated forecast of 31/5 is taken …
    saved = lomma.report("SKOLA-1", 5, "1 250 000", "Två tjänster hålls vakanta.")
    assert saved.month == 5
    # … Socialnämnden, within its budget, is refused in Swedish and nothing is stored.
    with pytest.raises(ValidationError) as refused:
        lomma.report("SN", 5, "600 000")
    assert str(refused.value.messages[0]) == (
        "I maj lämnar bara de enheter vars senaste prognos var sämre än budget en uppdaterad "
        "prognos, och det gäller inte Socialnämnden."
    )
    with pytest.raises(ValidationError):
        lomma.plan("SN", 5)
    assert not ActionPlan.objects.filter(unit=lomma.unit("SN")).exists()
    # A month in neither list is no follow-up month for anyone.
    with pytest.raises(ValidationError) as refused:
        lomma.report("SKOLA-1", 6, "1 250 000", "x")
    assert "ingen budgetuppföljning i juni" in str(refused.value)


def test_the_updated_forecast_and_plan_are_required_of_the_worse_unit_only(lomma):
    school, social = lomma.unit("SKOLA-1"), lomma.unit("SN")
    assert economy_month_problems(social, 2026, 5) == []
    assert economy_month_problems(school, 2026, 5) == [
        "Lämna helårsprognos för 40 Personal.",
        "Prognosen för resultatet är 100\u00a0000 kronor sämre än budget: skriv en åtgärdsplan.",
    ]
    # Back within the budget: the updated forecast still comes with an updated plan.
    lomma.report("SKOLA-1", 5, "1 200 000")
    assert economy_month_problems(school, 2026, 5) == [
        "Den uppdaterade prognosen efter en negativ avvikelse ska ha en uppdaterad åtgärdsplan: "
        "skriv en, även om prognosen nu håller budget."
    ]
    lomma.plan("SKOLA-1", 5)
    assert economy_month_problems(school, 2026, 5) == []
    # In the delårsrapport everyone reports again; the school is within its budget, so on
    # 31/10 it has nothing to update.
    lomma.report("SKOLA-1", 8, "1 200 000")
    assert not updated_forecast_due(unit=school, year=2026, month=10)
    assert economy_month_problems(school, 2026, 10) == []
    # Socialnämnden heads over its budget in August and so reports on 31/10.
    lomma.report("SN", 8, "640 000", "Fler placeringar.")
    assert updated_forecast_due(unit=social, year=2026, month=10)
    assert len(economy_month_problems(social, 2026, 10)) == 2  # the forecast and the plan


def test_the_page_offers_the_months_of_updated_forecasts_where_they_apply(lomma, client):
    school, social, kf = lomma.unit("SKOLA-1"), lomma.unit("SN"), lomma.unit("KF")
    # Nothing reported since March: the school's latest forecast is still worse than its budget.
    assert months_offered(unit=school, year=2026) == [
        (3, False),
        (5, True),
        (8, False),
        (10, True),
        (12, False),
    ]
    assert months_offered(unit=social, year=2026) == [(3, False), (8, False), (12, False)]
    # Above the school, May is offered too: the roll-up shows the updated forecast.
    assert (5, True) in months_offered(unit=kf, year=2026)

    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("controller")
    client.force_login(admin)
    page = client.get(reverse("web:economy", args=[school.pk, 2026]) + "?manad=5")
    html = page.content.decode()
    assert 'aria-current="page">maj (uppdaterad prognos)' in html
    assert "Maj är en månad för uppdaterade prognoser efter negativ avvikelse." in html
    assert "så enheten lämnar en uppdaterad prognos med en uppdaterad åtgärdsplan" in html
    assert "Spara prognosen" in html

    url = reverse("web:economy", args=[social.pk, 2026])
    html = client.get(url + "?manad=3").content.decode()
    assert "?manad=5" not in html  # not offered to a unit within its budget
    html = client.get(url + "?manad=5").content.decode()
    assert "så enheten har inget att lämna den här månaden" in html
    assert "Spara prognosen" not in html
    # A forecast posted anyway is refused in Swedish on the page.
    posted = client.post(
        url + "?manad=5",
        {"form": "forecast", "manad": 5, "account_group": lomma.personnel.pk, "forecast": "1"},
    )
    assert posted.status_code == 422
    assert "det gäller inte Socialnämnden" in posted.content.decode()


@pytest.mark.parametrize(
    ("economy", "field", "message"),
    [
        (
            "  months: [3, 8, 12]\n  deviation_months: [5, 8]\n",
            "economy.deviation_months",
            "8 finns redan i months: en avvikelsemånad är en annan månad",
        ),
        (
            "  months: [3, 8, 12]\n  deviation_months: [2]\n",
            "economy.deviation_months",
            "2 kommer före den första månaden i months",
        ),
        (
            "  months: [3, 8, 12]\n  deviation_months: [5, 13]\n",
            "economy.deviation_months[1]",
            "ska vara högst 12",
        ),
        (
            "  months: [3, 8, 12]\n  deviation_months: [maj]\n",
            "economy.deviation_months[0]",
            "ska vara ett heltal",
        ),
    ],
)
def test_the_checker_refuses_bad_deviation_months_naming_line_and_field(
    example_text, economy, field, message
):
    text = example_text + "economy:\n" + economy
    result = check_text("kommun.yaml", text)
    [problem] = result.problems
    assert problem.line == line_of(text, "  deviation_months:")
    assert field in str(problem)
    assert message in problem.message


def test_deviation_months_may_be_written_as_one_month(example_text):
    result = check_text(
        "kommun.yaml", example_text + "economy:\n  months: [3, 8]\n  deviation_months: 5\n"
    )
    assert result.ok
    assert result.spec.economy.deviation_months == [5]
