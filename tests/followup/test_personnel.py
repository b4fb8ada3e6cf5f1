"""Personnel key figures (sjukfrånvaro, personalomsättning, antal årsarbetare) are indicators of
the follow-up subject `personnel`: Svenljunga asks for them in every monthly report and in the
delårsrapport, delårsbokslut and årsbokslut, beside the ordinary indicators, under the perspective
Personal."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from styr.followup.demo import demo_followup
from styr.followup.models import Measurement, ReportingPeriod
from styr.followup.services import (
    OutcomeInput,
    OutcomesInvalid,
    measurement_report,
    outcomes_report_many,
)
from styr.governance.models import FocusArea
from styr.governance.services import resolve_model_file
from styr.governance.styrmodell.checker import check_text
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator
from styr.reports.excel import import_template_xlsx
from styr.reports.selectors import report_build

TODAY = datetime.date(2026, 11, 27)
BUF_SICK = "P-BUF-SJUK"


def svenljunga_text() -> str:
    return resolve_model_file("svenljunga").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# --- The model file ------------------------------------------------------------------------------


def test_a_bad_subject_is_refused_with_its_line_and_field():
    text = svenljunga_text()
    broken = text.replace(
        "    unit: BUF\n    focus_area: personal\n    subject: personnel\n",
        "    unit: BUF\n    focus_area: personal\n    subject: personal\n",
        1,
    )
    result = check_text("svenljunga.yaml", broken)
    [problem] = result.problems
    assert problem.field.endswith(".subject") and problem.field.startswith("indicators[")
    assert problem.line == line_of(broken, "    subject: personal\n")
    assert "'indicators'" in problem.message and "'personnel'" in problem.message


def test_a_personnel_figure_needs_a_period_that_follows_up_personnel():
    text = svenljunga_text()
    broken = re.sub(r", personnel(?=[,\]])", "", text)
    result = check_text("svenljunga.yaml", broken)
    assert result.problems
    assert all(p.field.endswith(".subject") for p in result.problems)
    assert all("ingen period följer upp personnel" in p.message.lower() for p in result.problems)
    first = min(result.problems, key=lambda p: p.line)
    assert first.line == line_of(broken, "    subject: personnel")


def test_an_unknown_focus_area_is_named():
    text = svenljunga_text()
    broken = text.replace("    focus_area: personal\n", "    focus_area: personalen\n", 1)
    [problem] = check_text("svenljunga.yaml", broken).problems
    assert problem.field.endswith(".focus_area")
    assert problem.line == line_of(broken, "focus_area: personalen")
    assert "personalen" in problem.message


# --- Which periods ask for what ------------------------------------------------------------------


@pytest.fixture
def svenljunga(preset_factory):
    return preset_factory("svenljunga")


def codes(indicators) -> set[str]:
    return {i.code for i in indicators}


def test_the_monthly_report_asks_for_the_personnel_figures_only(svenljunga):
    month = svenljunga.period("manad", 2)
    interim = svenljunga.period("delarsrapport")
    indicators = Indicator.objects.filter(municipality=svenljunga.municipality)
    monthly = codes(indicators.followed_up_in(month))
    # Each förvaltning's three key figures, and the kommun's totals at KS.
    for forvaltning in ("KSF", "BUF", "SOF", "SBF"):
        assert {f"P-{forvaltning}-{k}" for k in ("SJUK", "OMS", "AA")} <= monthly
    assert {"I-20", "I-22", "I-23"} <= monthly
    assert "I-06" not in monthly  # an ordinary indicator waits for the delårsrapport
    assert codes(indicators.followed_up_in(interim)) == codes(indicators)

    sick = svenljunga.get(Indicator, BUF_SICK)
    assert sick.subject == Indicator.Subject.PERSONNEL
    assert sick.focus_area.key == "personal" and sick.focus_area.group == "Perspektiv"
    assert sick.contributes_to.kolada_kpi == "N00090"
    assert svenljunga.get(Indicator, "I-06").subject == Indicator.Subject.INDICATORS


def test_a_personnel_figure_is_reported_by_gender_in_a_monthly_report(svenljunga):
    month = svenljunga.period("manad", 3)
    report = measurement_report(
        indicator=svenljunga.get(Indicator, BUF_SICK),
        period=month,
        values={"T": "7,2", "K": "7,9", "M": "5,1"},
        forecast="7,0",
        comment="Korttidsfrånvaron steg under influensaperioden.",
    )
    assert report.values == {"T": Decimal("7.2"), "K": Decimal("7.9"), "M": Decimal("5.1")}
    assert report.forecast.value == Decimal("7.0")


def test_an_ordinary_indicator_is_refused_in_a_monthly_report(svenljunga):
    month = svenljunga.period("manad", 3)
    with pytest.raises(ValidationError) as error:
        measurement_report(
            indicator=svenljunga.get(Indicator, "I-06"), period=month, values={"T": 1}
        )
    assert "Månadsrapport mars 2026 följer inte upp indikatorer." in " ".join(error.value.messages)
    assert not Measurement.objects.filter(period=month).exists()


def test_lommas_quarterly_report_asks_for_sjukfranvaro(preset_factory):
    lomma = preset_factory("lomma")
    sick = lomma.get(Indicator, "I-KS1")
    assert sick.subject == Indicator.Subject.PERSONNEL
    measurement_report(indicator=sick, period=lomma.period("kvartal"), values={"T": "6,8"})
    assert Measurement.objects.get(indicator=sick, gender="T").value == Decimal("6.8")


def test_an_import_names_the_indicators_a_month_does_not_ask_for_and_writes_nothing(svenljunga):
    month = svenljunga.period("manad", 4)
    outcomes = [
        OutcomeInput(svenljunga.get(Indicator, BUF_SICK), {"T": "7"}),
        OutcomeInput(svenljunga.get(Indicator, "I-06"), {"T": "80"}),
    ]
    with pytest.raises(OutcomesInvalid) as error:
        outcomes_report_many(period=month, outcomes=outcomes)
    [problem] = error.value.problems
    assert problem.index == 1 and "följer inte upp indikatorer" in problem.message
    assert not Measurement.objects.filter(period=month).exists()
    summary = outcomes_report_many(period=month, outcomes=outcomes[:1])
    assert summary.created == 1


# --- The follow-up screen ------------------------------------------------------------------------


@pytest.fixture
def hr_chef(svenljunga, django_user_model, client):
    """A chef who reports for Barn- och utbildningsförvaltningen and for Kommunstyrelsen."""
    user = django_user_model.objects.create_user("forvaltningschef")
    for code in ("BUF", "KS"):
        RoleGrant.objects.create(
            municipality=svenljunga.municipality,
            user=user,
            unit=svenljunga.get(OrgUnit, code),
            role=Role.REPORTER,
        )
    client.force_login(user)
    return user


def screen_url(svenljunga, unit_code: str, period: ReportingPeriod) -> str:
    return f"/uppfoljning/{svenljunga.get(OrgUnit, unit_code).pk}/{period.pk}/"


def h3s(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h3[^>]*>(.*?)</h3>", page)]


def test_the_monthly_screen_shows_the_personnel_figures_under_personal(svenljunga, hr_chef, client):
    month = svenljunga.period("manad", 2)
    page = client.get(screen_url(svenljunga, "BUF", month)).content.decode()
    assert h3s(page)[0] == "Personal"
    assert "Sjukfrånvaro av ordinarie arbetstid, barn- och utbildningsförvaltningen" in page
    assert "Antal årsarbetare, barn- och utbildningsförvaltningen" in page
    # The month follows up no goals and no activities: the screen does not offer them.
    assert "Målbedömning" not in page and '<h2 class="ds-heading">Mål</h2>' not in page

    # At KS the delårsrapport shows every indicator, each under its perspective, in the model's
    # order; the monthly report only the personnel figures.
    interim = client.get(screen_url(svenljunga, "KS", svenljunga.period("delarsrapport")))
    assert h3s(interim.content.decode())[:3] == ["Verksamhet", "Personal", "Ekonomi"]
    monthly = client.get(screen_url(svenljunga, "KS", month)).content.decode()
    assert h3s(monthly)[:1] == ["Personal"] and "Verksamhet" not in h3s(monthly)
    assert "Sjukfrånvaro totalt bland anställda, kommun" in monthly
    assert "Nystartade företag" not in monthly


def test_a_chef_enters_a_personnel_figure_in_the_monthly_screen(svenljunga, hr_chef, client):
    month = svenljunga.period("manad", 2)
    sick = svenljunga.get(Indicator, BUF_SICK)
    response = client.post(
        screen_url(svenljunga, "BUF", month) + f"indikator/{sick.pk}/",
        {"T": "7,4", "K": "8,1", "M": "5,0", "forecast": "7,1", "comment": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Sparat" in response.content.decode()
    stored = dict(
        Measurement.objects.filter(indicator=sick, period=month).values_list("gender", "value")
    )
    assert stored == {"T": Decimal("7.4"), "K": Decimal("8.1"), "M": Decimal("5.0")}

    # An ordinary indicator of the same unit's nämnd is not asked for in the month.
    other = svenljunga.get(Indicator, "I-20")
    other.subject = Indicator.Subject.INDICATORS
    other.save()
    refused = client.post(
        screen_url(svenljunga, "KS", month) + f"indikator/{other.pk}/",
        {"T": "7"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    assert "följer inte upp indikatorer" in refused.content.decode()
    assert not Measurement.objects.filter(indicator=other).exists()


# --- Reports and the demo ------------------------------------------------------------------------


def goal_indicators(report) -> dict[str, list[str]]:
    found = {}
    for part in report.parts:
        for section in getattr(part, "sections", []):
            for group in section.groups:
                for goal in group.goals:
                    found[goal.code] = [i.code for i in goal.indicators]
    return found


def test_the_nämnds_report_shows_its_förvaltnings_personnel_figures(svenljunga):
    month = svenljunga.period("manad", 2)
    bun = svenljunga.get(OrgUnit, "BUN")
    shown = goal_indicators(report_build(unit=bun, year=2026, period=month))
    assert shown["BUN-3"] == ["P-BUF-AA", "P-BUF-OMS", "P-BUF-SJUK"]


def test_the_demo_reports_the_personnel_figures_every_month(svenljunga):
    demo_followup(municipality=svenljunga.municipality, year=2026, today=TODAY)
    sick = svenljunga.get(Indicator, BUF_SICK)
    months = ReportingPeriod.objects.filter(
        municipality=svenljunga.municipality, year=2026, definition__key="manad"
    )
    reported = Measurement.objects.filter(indicator=sick, period__in=months, gender="T")
    assert reported.count() == 7  # February–May and August–October 2026 have ended
    for period in months.filter(month__lte=10):
        values = dict(
            Measurement.objects.filter(indicator=sick, period=period).values_list("gender", "value")
        )
        assert values["K"] > values["T"] > values["M"]  # women's sjukfrånvaro is higher
        assert Decimal(2) < values["T"] < Decimal(15)
    # Årsarbetare is a level, women and men add up to it, not a sum over the year.
    staff = svenljunga.get(Indicator, "P-BUF-AA")
    feb, october = (months.get(month=m) for m in (2, 10))
    both = {
        p.month: dict(
            Measurement.objects.filter(indicator=staff, period=p).values_list("gender", "value")
        )
        for p in (feb, october)
    }
    assert both[2]["T"] == both[2]["K"] + both[2]["M"] and both[2]["K"] > both[2]["M"]
    assert abs(both[10]["T"] - both[2]["T"]) < Decimal(40)
    # Ordinary indicators are not reported in the months.
    assert not Measurement.objects.filter(
        indicator=svenljunga.get(Indicator, "I-06"), period__in=months
    ).exists()
    assert Measurement.objects.filter(
        indicator=svenljunga.get(Indicator, "I-06"), period__definition__key="delarsrapport"
    ).exists()


# --- Planning in the browser -------------------------------------------------------------------


def test_a_planner_adds_a_personnel_figure_under_personal(svenljunga, django_user_model, client):
    user = django_user_model.objects.create_user("planerare")
    RoleGrant.objects.create(
        municipality=svenljunga.municipality,
        user=user,
        unit=svenljunga.get(OrgUnit, "SN"),
        role=Role.PLANNER,
    )
    client.force_login(user)
    goal = svenljunga.get(Goal, "SN-3")
    url = f"/planering/mal/{goal.pk}/ny-indikator/"
    form = client.get(url).content.decode()
    assert "personalnyckeltal" in form and "Perspektiv: Personal" in form
    personal = FocusArea.objects.get(municipality=svenljunga.municipality, key="personal")
    created = client.post(
        url,
        {
            "unit": svenljunga.get(OrgUnit, "SOF").pk,
            "code": "P-SOF-KORT",
            "name": "Korttidssjukfrånvaro dag 1–14, socialförvaltningen, andel (%)",
            "measure": "%",
            "direction": "decrease",
            "kind": "indicator",
            "subject": "personnel",
            "focus_area": personal.pk,
            "frequency": "month",
            "gender_split": "on",
            "source": "manual",
            "mal-TOTAL_FORMS": 1,
            "mal-INITIAL_FORMS": 1,
            "mal-MIN_NUM_FORMS": 0,
            "mal-MAX_NUM_FORMS": 1000,
            "mal-0-kind": "annual",
            "mal-0-year": 2026,
            "mal-0-value": "3,0",
        },
    )
    assert created.status_code == 302
    indicator = svenljunga.get(Indicator, "P-SOF-KORT")
    assert indicator.subject == Indicator.Subject.PERSONNEL and indicator.focus_area == personal
    month = svenljunga.period("manad", 5)
    assert indicator in Indicator.objects.followed_up_in(month)


def test_the_monthly_import_template_lists_the_personnel_figures(svenljunga):
    bun = svenljunga.get(OrgUnit, "BUN")
    month = svenljunga.period("manad", 2)
    sheet = load_workbook(
        io.BytesIO(import_template_xlsx(unit=bun, period=month, consolidated=True))
    ).active
    listed = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2]}
    assert listed == {"P-BUF-SJUK", "P-BUF-OMS", "P-BUF-AA"}
