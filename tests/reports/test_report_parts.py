"""The delårsrapport and the årsredovisning carry the budget follow-up, the internkontrollplan
with its risk matrix, and the model's overall judgement (Lomma's god ekonomisk hushållning), in
every format; a model file can name these parts, and the checker knows them."""

import datetime
import io
from decimal import Decimal

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from styr.economy.models import AccountGroup, ActionPlan, BudgetForecast, BudgetLine
from styr.followup.models import Assessment
from styr.followup.services import period_decide
from styr.governance.models import GovernanceModel
from styr.governance.styrmodell.checker import check_text
from styr.governance.styrmodell.schema import ReportsSpec
from styr.internal_control.models import ControlPlan, ControlPoint, ControlResult, Risk
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal
from styr.reports.layout import report_layout
from styr.reports.render_docx import report_docx
from styr.reports.render_html import report_html
from styr.reports.render_pdf import report_pdf
from styr.reports.selectors import report_build
from tests.conftest import EXAMPLE_FILE

YEAR = 2026


def even(text: str) -> str:
    """Spaces evened out: non-breaking spaces and wrapped lines read as one space."""
    return " ".join(text.replace("\xa0", " ").split())


class Lomma:
    """Lomma with a year of economy, an internkontrollplan and assessed goals."""

    def __init__(self, preset):
        self.preset = preset
        self.m = preset.municipality
        self.kf, self.bun, self.sn = (preset.get(OrgUnit, c) for c in ("KF", "BUN", "SN"))
        self.ruts = preset.get(OrgUnit, "RUTS")
        self.income = AccountGroup.objects.create(
            municipality=self.m, code="T30", name="Taxor och avgifter", kind="income"
        )
        self.staff = AccountGroup.objects.create(
            municipality=self.m, code="T50", name="Personalkostnader", kind="cost"
        )

    def budget(self, unit, group, amount, outcome_per_month=None):
        BudgetLine.objects.create(
            municipality=self.m,
            unit=unit,
            year=YEAR,
            account_group=group,
            month=1,
            kind=BudgetLine.Kind.BUDGET,
            amount=Decimal(amount),
        )
        for month in range(1, 13) if outcome_per_month else ():
            BudgetLine.objects.create(
                municipality=self.m,
                unit=unit,
                year=YEAR,
                account_group=group,
                month=month,
                kind=BudgetLine.Kind.OUTCOME,
                amount=Decimal(outcome_per_month),
            )

    def economy(self):
        self.budget(self.ruts, self.staff, 1234567, outcome_per_month=100000)
        self.budget(self.ruts, self.income, 200000, outcome_per_month=10000)
        self.budget(self.preset.get(OrgUnit, "SF-HT"), self.staff, 500000, 40000)
        BudgetForecast.objects.create(
            municipality=self.m,
            unit=self.ruts,
            year=YEAR,
            month=8,
            account_group=self.staff,
            forecast=Decimal(1300000),
            comment="Fler elever i behov av stöd än budgeterat.",
        )
        ActionPlan.objects.create(
            municipality=self.m,
            unit=self.ruts,
            year=YEAR,
            month=8,
            measures="Vakanser tillsätts inte under hösten.",
            responsible="Rektor Rutsborgskolan",
            due_on=datetime.date(2026, 10, 31),
            expected_effect=Decimal(50000),
        )

    def control_plan(self, unit, title="Felaktiga utbetalningar", deviation="Två fakturor"):
        plan = ControlPlan.objects.create(
            municipality=self.m,
            unit=unit,
            year=YEAR,
            state=ControlPlan.State.ADOPTED,
            adopted_on=datetime.date(2026, 2, 10),
            reference="§ 12",
        )
        risk = Risk.objects.create(
            municipality=self.m, plan=plan, number=1, title=title, probability=3, consequence=4
        )
        Risk.objects.create(
            municipality=self.m,
            plan=plan,
            number=2,
            title="Brister i GDPR",
            probability=1,
            consequence=2,
        )
        point = ControlPoint.objects.create(
            municipality=self.m,
            plan=plan,
            risk=risk,
            number=1,
            what="Att fakturor är attesterade",
            method="Stickprov på 20 fakturor",
            responsible="Ekonom",
            frequency="Två gånger per år",
            months=[4, 10],
        )
        ControlResult.objects.create(
            municipality=self.m,
            control_point=point,
            month=4,
            performed_on=datetime.date(2026, 4, 20),
            result="Stickprov på 20 fakturor gjort.",
            deviation=True,
            deviation_description=f"{deviation} saknade attest.",
            measures="Rutinen för attest har förtydligats.",
        )
        return plan

    def assess(self, period, *, not_met: int = 0):
        """Every financial and riktat goal assessed; `not_met` of the riktade not met."""
        met = self.preset.scale("uppfyllt")
        missed = self.preset.scale("ej_uppfyllt")
        goals = Goal.objects.filter(municipality=self.m, level__key__in=["finansiellt", "riktat"])
        riktade = 0
        for goal in goals.in_force(YEAR).select_related("level").order_by("code"):
            value = met
            if goal.level.key == "riktat":
                riktade += 1
                value = missed if riktade <= not_met else met
            Assessment.objects.create(municipality=self.m, goal=goal, period=period, value=value)


@pytest.fixture
def lomma(preset_factory):
    world = Lomma(preset_factory("lomma"))
    world.economy()
    world.control_plan(world.bun)
    return world


def docx_text(content: bytes):
    document = docx.Document(io.BytesIO(content))
    headings = [(p.style.name, p.text) for p in document.paragraphs]
    paragraphs = even(" ".join(p.text for p in document.paragraphs))
    tables = [
        [[even(c.text) for c in row.cells] for row in table.rows] for table in document.tables
    ]
    return document, headings, paragraphs, tables


def test_the_arsredovisning_has_economy_internal_control_and_the_judgement(lomma):
    ar = lomma.preset.period("ar")
    lomma.assess(ar)
    report = report_build(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
    kinds = [p.kind for p in report.parts]
    assert {"economy", "internal_control", "overall"} <= set(kinds)
    assert kinds.index("overall") < kinds.index("goals") < kinds.index("economy")

    document, headings, paragraphs, tables = docx_text(report_docx(report))
    for heading in ("Budgetuppföljning", "Intern kontroll", "Samlad bedömning"):
        assert ("Heading 1", heading) in headings
    assert ("Heading 2", "Internkontrollplan, Barn- och utbildningsnämnden") in headings

    # The economy: the account groups with the year's figures in Swedish kronor, the
    # deviation in words, the units below, the forecast's comment and the åtgärdsplan.
    rows = {row[0]: row for table in tables for row in table}
    # Rutsborgskolan's 1 234 567 and Hemtjänsten's 500 000; Hemtjänsten has no forecast, so
    # its budget stands.
    staff = rows["T50 Personalkostnader"]
    assert staff[1:] == [
        "kostnad",
        "1 734 567 kr",
        "1 680 000 kr",
        "1 800 000 kr",
        "● -65 433 kr (sämre än budget)",
    ]
    result = rows["Resultat (intäkter − kostnader)"]
    assert result[2] == "-1 534 567 kr" and result[-1] == "● -65 433 kr (sämre än budget)"
    assert rows["Barn- och utbildningsnämnden"][-1] == "● -65 433 kr (sämre än budget)"
    assert rows["Socialnämnden"][-1] == "● 0 kr (enligt budget)"
    assert "Rutsborgskolan, T50 Personalkostnader: Fler elever i behov av stöd" in paragraphs
    plan_row = next(r for r in tables_rows(tables) if "Vakanser tillsätts inte" in r[1])
    assert plan_row == [
        "Rutsborgskolan (augusti)",
        "Vakanser tillsätts inte under hösten.",
        "Rektor Rutsborgskolan",
        "31 oktober 2026",
        "50 000 kr",
    ]

    # The risk matrix as a table: konsekvens in the rows, sannolikhet in the columns, the score
    # and the colour in words, the risks in their cell.
    matrix = next(t for t in tables if t[0][0] == "Konsekvens ↓ / sannolikhet →")
    assert [row[0] for row in matrix[1:]] == [
        "4 – allvarlig",
        "3 – kännbar",
        "2 – lindrig",
        "1 – försumbar",
    ]
    cell = matrix[1][3]  # konsekvens 4, sannolikhet 3
    assert "12" in cell and "röd" in cell and "R1 Felaktiga utbetalningar" in cell
    assert "2" in matrix[3][1] and "grön" in matrix[3][1] and "R2 Brister i GDPR" in matrix[3][1]
    # The kontrollmoment with its latest result, and the deviation with its åtgärd.
    point = next(r for r in tables_rows(tables) if r[0] == "K1")
    assert point[-1] == "20 april 2026: Stickprov på 20 fakturor gjort. (avvikelse)"
    deviation = next(r for r in tables_rows(tables) if r[0] == "K1" and len(r) == 4)
    assert deviation[2:] == ["Två fakturor saknade attest.", "Rutinen för attest har förtydligats."]
    assert "Fastställd 10 februari 2026 (§ 12)" in paragraphs

    # God ekonomisk hushållning: every goal met, the rule in figures.
    assert "● God ekonomisk hushållning: uppnås" in paragraphs
    judgement = next(t for t in tables if t[0][0] == "Mål" and t[0][-1] == "Kravet")
    finansiella = judgement[1]
    assert finansiella[0].lower().startswith("finansiella")
    assert finansiella[1:] == ["3 / 3", "3 / 3", "100 %", "75 %", "uppfyllt"]

    # Every table has a header row that repeats on each page.
    for table in document.tables:
        properties = table.rows[0]._tr.trPr
        assert (
            properties is not None and properties.find(docx.oxml.ns.qn("w:tblHeader")) is not None
        )


def tables_rows(tables):
    return [row for table in tables for row in table]


def test_the_arsredovisning_in_pdf_and_html(lomma):
    ar = lomma.preset.period("ar")
    lomma.assess(ar, not_met=3)
    report = report_build(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    text = even(" ".join(page.extract_text() for page in reader.pages))
    assert "1 734 567 kr" in text
    assert "sämre än budget" in text
    assert "Vakanser tillsätts inte under hösten." in text
    assert "R1 Felaktiga utbetalningar" in text
    assert "Rutinen för attest har förtydligats." in text
    assert "God ekonomisk hushållning: uppnås inte" in text

    titles = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(reader.outline)
    for heading in ("Budgetuppföljning", "Intern kontroll", "Samlad bedömning"):
        assert heading in titles
    assert "Åtgärdsplaner" in titles

    html = report_html(report, charts=False)
    # The contents list the new parts; every table has a caption and a header row.
    for heading in ("Budgetuppföljning", "Intern kontroll", "Samlad bedömning"):
        assert f'">{heading}</a></li>' in html
    assert html.count("<table") == html.count("<caption>") == html.count("<thead>")


def test_the_delarsrapport_is_a_prognosis_without_the_control_plan(lomma):
    delar = lomma.preset.period("delar")
    report = report_build(unit=lomma.kf, year=YEAR, period=delar, consolidated=True)
    kinds = [p.kind for p in report.parts]
    assert "economy" in kinds and "overall" in kinds
    assert "internal_control" not in kinds  # Lomma's delårsrapport does not follow it up
    _document, _headings, paragraphs, tables = docx_text(report_docx(report))
    # Nothing assessed yet: the judgement is a prognosis and says it may change.
    assert "● God ekonomisk hushållning: bedöms inte uppnås" in paragraphs
    assert "Alla mål som bedömningen vilar på är inte bedömda än" in paragraphs
    # Outcome through August (8 × 100 000), the forecast reported in August.
    staff = next(r for r in tables_rows(tables) if r[0] == "T50 Personalkostnader")
    assert staff[3:5] == ["1 120 000 kr", "1 800 000 kr"]

    # A unit's own report: its economy and plan, no judgement over the whole municipality.
    bun_report = report_build(unit=lomma.bun, year=YEAR, period=lomma.preset.period("ar"))
    kinds = [p.kind for p in bun_report.parts]
    assert "overall" not in kinds and "economy" in kinds and "internal_control" in kinds
    economy = next(p for p in bun_report.parts if p.kind == "economy")
    assert economy.units == []  # not consolidated: the nämnd's figures, not a row per unit
    assert economy.includes_below
    assert "Siffrorna omfattar enheterna under." in report_html(bun_report, charts=False)
    assert even(economy.result.budget_text) == "-1 034 567 kr"


def test_a_decided_judgement_is_not_said_to_change_though_goals_are_unassessed(lomma):
    delar = lomma.preset.period("delar")
    may_change = "Alla mål som bedömningen vilar på är inte bedömda än"
    # One riktat mål not met: at most 2 of 3, less than 75 %, whatever the other five say.
    riktat = Goal.objects.get(municipality=lomma.m, code="RM-1")
    Assessment.objects.create(
        municipality=lomma.m, goal=riktat, period=delar, value=lomma.preset.scale("ej_uppfyllt")
    )
    report = report_build(unit=lomma.kf, year=YEAR, period=delar, consolidated=True)
    [judgement] = next(p for p in report.parts if p.kind == "overall").judgements
    assert judgement.decided and not judgement.complete
    _document, _headings, paragraphs, _tables = docx_text(report_docx(report))
    assert "● God ekonomisk hushållning: bedöms inte uppnås" in paragraphs
    assert may_change not in paragraphs
    html = report_html(report, charts=False)
    assert "God ekonomisk hushållning: bedöms inte uppnås" in html and may_change not in html


def test_empty_parts_say_so_in_a_sentence(preset_factory):
    lomma = Lomma(preset_factory("lomma"))
    report = report_build(unit=lomma.kf, year=YEAR, period=lomma.preset.period("ar"))
    _document, _headings, paragraphs, _tables = docx_text(report_docx(report))
    assert "Ingen budget eller inget utfall har registrerats för året." in paragraphs
    assert "Ingen internkontrollplan har gjorts för året." in paragraphs
    html = report_html(report, charts=False)
    assert "Ingen budget eller inget utfall har registrerats för året." in html


def test_the_queries_do_not_grow_with_units_plans_and_action_plans(lomma):
    ar = lomma.preset.period("ar")
    lomma.assess(ar)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            report_build(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
        return len(captured)

    count()  # the first build warms Django's caches (content types, translations)
    before = count()
    # More nämnder with plans, budgets, forecasts and åtgärdsplaner.
    lomma.control_plan(lomma.sn, title="Otillåten jäv", deviation="Ett beslut")
    lomma.control_plan(lomma.preset.get(OrgUnit, "KFN"), title="Kassahantering")
    for code in ("PIL", "BJH", "SF-SAB", "BIB-LOM"):
        unit = lomma.preset.get(OrgUnit, code)
        lomma.budget(unit, lomma.staff, 300000, outcome_per_month=20000)
        BudgetForecast.objects.create(
            municipality=lomma.m,
            unit=unit,
            year=YEAR,
            month=12,
            account_group=lomma.staff,
            forecast=Decimal(320000),
            comment="Sjukfrånvaro.",
        )
        ActionPlan.objects.create(
            municipality=lomma.m,
            unit=unit,
            year=YEAR,
            month=12,
            measures="Färre vikarier.",
            responsible="Chef",
            due_on=datetime.date(2027, 3, 31),
            expected_effect=Decimal(20000),
        )
    assert count() == before
    report = report_build(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
    control = next(p for p in report.parts if p.kind == "internal_control")
    assert len(control.plans) == 3


# --- The layout and the checker ------------------------------------------------------------------


def test_the_defaults_follow_what_the_period_follows_up(preset_factory):
    lomma = preset_factory("lomma")
    m = lomma.municipality.pk

    def parts(key, top=True):
        layout = report_layout(
            municipality_id=m, unit_type="kf", period=lomma.period(key), top_unit=top
        )
        return [p.part for p in layout.parts]

    assert "economy" in parts("kvartal") and "overall" not in parts("kvartal")
    assert "internal_control" not in parts("delar") and "overall" in parts("delar")
    assert {"economy", "internal_control", "overall"} <= set(parts("ar"))
    assert "overall" not in parts("ar", top=False)
    plan = report_layout(municipality_id=m, unit_type="kf")
    assert not {"economy", "internal_control", "overall"} & {p.part for p in plan.parts}


def test_a_model_file_names_the_parts_and_decides(preset_factory):
    lomma = preset_factory("lomma")
    spec = {
        "period": {
            "parts": [
                {"part": "overall", "heading": "God ekonomisk hushållning"},
                {"part": "economy", "heading": "Ekonomisk uppföljning", "intro": "Per kontogrupp."},
                {"part": "internal_control"},
            ]
        }
    }
    GovernanceModel.objects.filter(municipality=lomma.municipality).update(
        report_layouts=ReportsSpec.model_validate(spec).model_dump(exclude_defaults=True)
    )
    nämnd = lomma.get(OrgUnit, "BUN")
    report = report_build(unit=nämnd, year=YEAR, period=lomma.period("ar"))
    assert [(p.kind, p.heading) for p in report.parts] == [
        ("overall", "God ekonomisk hushållning"),
        ("economy", "Ekonomisk uppföljning"),
        ("internal_control", "Intern kontroll"),
    ]
    # A period that does not follow up the internal control leaves it out, named or not.
    report = report_build(unit=nämnd, year=YEAR, period=lomma.period("delar"))
    assert [p.kind for p in report.parts] == ["overall", "economy"]


def test_the_checker_knows_the_new_parts():
    text = EXAMPLE_FILE.read_text(encoding="utf-8") + (
        "\nreports:\n"
        "  period:\n"
        "    parts:\n"
        "      - {part: economy}\n"
        "      - {part: internal_control, key: ekonomi}\n"
        "      - {part: overall}\n"
    )
    result = check_text("kommun.yaml", text)
    messages = [(p.field, p.message) for p in result.problems]
    assert len(messages) == 1, messages
    assert "parts" in messages[0][0] and "key" in messages[0][0]

    wrong = EXAMPLE_FILE.read_text(encoding="utf-8") + (
        "\nreports:\n  period:\n    parts:\n      - {part: budget}\n"
    )
    result = check_text("kommun.yaml", wrong)
    assert any("part" in p.field for p in result.problems)


def test_a_decided_period_says_which_parts_show_todays_figures(lomma):
    ar = lomma.preset.period("ar")
    lomma.assess(ar)
    period_decide(period=ar, decided_on=datetime.date(2027, 4, 20), reference="KF § 40")
    ar.refresh_from_db()
    report = report_build(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
    assert report.as_decided
    sentence = "Ekonomin, den interna kontrollen och de samlade bedömningarna visar dagens siffror."
    assert sentence in report_html(report, charts=False)
    _document, _headings, paragraphs, _tables = docx_text(report_docx(report))
    assert sentence in paragraphs
    assert "● God ekonomisk hushållning: uppnås" in paragraphs
