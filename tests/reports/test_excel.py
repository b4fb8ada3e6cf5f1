"""The Excel workbooks: the import template for a period, and a unit's plan and follow-up."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from styr.followup.models import Assessment
from styr.followup.services import (
    CorrectiveActionInput,
    assessment_submit,
    measurement_report,
    period_decide,
)
from styr.organisation.models import OrgUnit
from styr.planning.models import Activity, Goal, Indicator, Target
from styr.reports.excel import import_template_xlsx, plan_followup_xlsx
from styr.reports.selectors import report_build
from tests.reports.test_report_parts import YEAR, Lomma


def unit(stockholm, code="SDN-SOD"):
    return OrgUnit.objects.get(municipality=stockholm.municipality, code=code)


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_template_has_a_row_per_indicator_and_gender(stockholm):
    measurement_report(
        indicator=stockholm.get(Indicator, "SOD-I3"),
        period=stockholm.period("t2"),
        values={"T": "91,5", "K": 93, "M": 90},
        forecast=95,
        comment="Arbetet med planerna fortsätter.",
    )
    data = import_template_xlsx(unit=unit(stockholm), period=stockholm.period("t2"))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Utfall", "Instruktioner"]
    sheet = workbook["Utfall"]
    assert [c.value for c in sheet[1]] == [
        "Enhet",
        "Enhetens namn",
        "Indikator",
        "Indikatorns namn",
        "Måttenhet",
        "Kön",
        "Årsmål",
        "Utfall",
        "Prognos",
        "Kommentar",
    ]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    indicators = Indicator.objects.filter(unit=unit(stockholm))
    expected = sum(3 if i.gender_split else 1 for i in indicators)
    table = rows(sheet)
    assert len(table) == expected
    assert {(r["Indikator"], r["Kön"]) for r in table} >= {
        ("SOD-I3", "T"),
        ("SOD-I3", "K"),
        ("SOD-I3", "M"),
        ("SOD-I6", "T"),
    }
    total = next(r for r in table if r["Indikator"] == "SOD-I3" and r["Kön"] == "T")
    assert total["Utfall"] == 91.5 and total["Prognos"] == 95
    assert total["Kommentar"] == "Arbetet med planerna fortsätter."
    target = Target.objects.filter(
        indicator__code="SOD-I3", kind=Target.Kind.ANNUAL, year=2026
    ).first()
    if target is not None and target.value is not None:
        assert Decimal(str(total["Årsmål"])) == target.value
    # The descriptive columns are grey, the outcome is not; Kön has a list of T, K, M.
    assert sheet["B2"].fill.start_color.rgb.endswith("E7E7E7")
    assert sheet["H2"].fill.fill_type is None
    assert any('"T,K,M"' in v.formula1 for v in sheet.data_validations.dataValidation)
    instructions = " ".join(str(c.value) for c in workbook["Instruktioner"]["A"] if c.value)
    assert "decimalkomma" in instructions and "ändrar ingenting" in instructions


def test_the_consolidated_template_covers_the_subtree(stockholm):
    period = stockholm.period("t1")
    data = import_template_xlsx(unit=unit(stockholm), period=period, consolidated=True)
    table = rows(load_workbook(io.BytesIO(data))["Utfall"])
    subtree = Indicator.objects.filter(unit__in=OrgUnit.objects.in_subtree(unit(stockholm)))
    assert {r["Indikator"] for r in table} == {i.code for i in subtree}
    assert len({r["Enhet"] for r in table}) > 1


def test_the_command_writes_the_template(stockholm, tmp_path, capsys):
    path = tmp_path / "mall.xlsx"
    call_command(
        "excel_template",
        "--municipality",
        "0180",
        "--unit",
        "SDN-SOD",
        "--year",
        "2026",
        "--period",
        "t1",
        "--output",
        str(path),
    )
    assert "Mallen för" in capsys.readouterr().out
    assert load_workbook(path)["Utfall"]["A2"].value == "SDN-SOD"


def test_the_plan_and_follow_up_workbook_matches_the_database(stockholm):
    period = stockholm.period("t2")
    share = stockholm.get(Indicator, "SOD-I1")
    measurement_report(
        indicator=share, period=period, values={"T": "80,5", "K": 82, "M": 77}, forecast=83
    )
    goal = Goal.objects.filter(unit=unit(stockholm)).in_force(2026).first()
    assessment_submit(
        goal=goal,
        period=period,
        value=stockholm.scale("delvis"),
        analysis="Nöjdheten ökar men inte i alla delar.",
        motivation="Enkäten visar blandade resultat.",
        corrective_actions=[
            CorrectiveActionInput("Fler anhörigmöten", "Avdelningschefen", period.ends_on)
        ],
    )
    data = plan_followup_xlsx(unit=unit(stockholm), year=2026, period=period)
    workbook = load_workbook(io.BytesIO(data))
    # Stockholm's tertial follows up the budget and the internal control: its report, and so
    # the workbook, has them.
    assert workbook.sheetnames[3:] == ["Budgetuppföljning", "Intern kontroll"]
    goals = rows(workbook["Mål"])
    expected = Goal.objects.filter(unit=unit(stockholm)).in_force(2026)
    assert {g["Kod"] for g in goals} == {g.code for g in expected}
    row = next(g for g in goals if g["Kod"] == goal.code)
    assessment = Assessment.objects.get(goal=goal, period=period)
    # A tertial is a prognosis: the scale's prognosis words, as in the other formats.
    assert row["Mål"] == goal.title and row["Bedömning"] == assessment.value.prognosis_label
    assert row["Analys"] == "Nöjdheten ökar men inte i alla delar."
    assert "Fler anhörigmöten (Avdelningschefen" in row["Åtgärder"]
    assert row["Överordnade mål"] == ", ".join(p.code for p in goal.parents.all())
    indicators = rows(workbook["Indikatorer"])
    line = next(i for i in indicators if i["Kod"] == "SOD-I1")
    assert line["Utfall, totalt"] == 80.5 and line["Utfall, kvinnor"] == 82
    assert line["Utfall, män"] == 77 and line["Prognos helår"] == 83
    sheet = workbook["Indikatorer"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width == 45
    number_cell = next(c for c in sheet["G"] if c.value == 80.5)
    assert number_cell.number_format == "#,##0.0###"
    # Consolidated: the activities of the units below, with their status.
    data = plan_followup_xlsx(unit=unit(stockholm), year=2026, period=period, consolidated=True)
    activities = rows(load_workbook(io.BytesIO(data))["Aktiviteter"])
    below = Activity.objects.filter(unit__in=OrgUnit.objects.in_subtree(unit(stockholm)))
    assert {a["Kod"] for a in activities} == {a.code for a in below} != set()
    assert {a["Status"] for a in activities} == {"Inte rapporterad"}


def test_the_plan_without_a_period_has_the_targets(stockholm):
    data = plan_followup_xlsx(unit=unit(stockholm), year=2026)
    indicators = rows(load_workbook(io.BytesIO(data))["Indikatorer"])
    assert "Utfall, totalt" not in indicators[0]
    targets = {
        t.indicator.code: t.value
        for t in Target.objects.filter(
            indicator__unit=unit(stockholm), kind=Target.Kind.ANNUAL, year=2026
        ).select_related("indicator")
    }
    shown = {i["Kod"]: i["Årsmål"] for i in indicators if i["Årsmål"] is not None}
    assert {k: Decimal(str(v)) for k, v in shown.items()} == {
        k: v for k, v in targets.items() if v is not None
    }


def test_text_that_would_be_a_formula_stays_text_and_numbers_stay_numbers(stockholm):
    """CSV injection in Excel: openpyxl would store a text beginning with = as a formula. Every
    text cell is stored as text, and one that begins with = + - @ has Excel's quote prefix; the
    text itself is unchanged (the template reads back as it was), numbers are numbers."""
    period = stockholm.period("t2")
    formula = '=HYPERLINK("https://example.com/?q="&A1,"Klicka")'
    goal = Goal.objects.filter(unit=unit(stockholm)).in_force(2026).first()
    goal.title = formula
    goal.save()
    assessment_submit(
        goal=goal,
        period=period,
        value=stockholm.scale("delvis"),
        analysis="-10 % mot förra året.",
        motivation="@enheten",
        corrective_actions=[
            CorrectiveActionInput("Fler anhörigmöten", "Avdelningschefen", period.ends_on)
        ],
    )
    indicator = stockholm.get(Indicator, "SOD-I1")
    measurement_report(
        indicator=indicator,
        period=period,
        values={"T": "-3,5", "K": 2, "M": 1},
        forecast=-4,
        comment="+ fler platser",
    )

    workbook = load_workbook(
        io.BytesIO(plan_followup_xlsx(unit=unit(stockholm), year=2026, period=period))
    )
    sheet = workbook["Mål"]
    headers = [c.value for c in sheet[1]]
    line = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("Kod")].value == goal.code)
    for header, text in (
        ("Mål", formula),
        ("Analys", "-10 % mot förra året."),
        ("Motivering", "@enheten"),
    ):
        cell = line[headers.index(header)]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), header
    assert line[headers.index("Kod")].quotePrefix is False
    sheet = workbook["Indikatorer"]
    headers = [c.value for c in sheet[1]]
    line = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("Kod")].value == "SOD-I1")
    total, forecast = line[headers.index("Utfall, totalt")], line[headers.index("Prognos helår")]
    assert (total.value, total.data_type, total.quotePrefix) == (-3.5, "n", False)
    assert (forecast.value, forecast.data_type) == (-4, "n")
    comment = line[headers.index("Kommentar")]
    assert (comment.value, comment.data_type, comment.quotePrefix) == ("+ fler platser", "s", True)

    template = load_workbook(io.BytesIO(import_template_xlsx(unit=unit(stockholm), period=period)))
    sheet = template["Utfall"]
    line = next(
        r for r in sheet.iter_rows(min_row=2) if (r[2].value, r[5].value) == ("SOD-I1", "T")
    )
    assert (line[7].value, line[7].data_type) == (-3.5, "n")
    assert (line[9].value, line[9].data_type, line[9].quotePrefix) == ("+ fler platser", "s", True)


# --- The budget follow-up, internal control and overall judgements --------------------------------


@pytest.fixture
def lomma(preset_factory):
    """Lomma with a year of economy, an internkontrollplan and assessed goals, as in the report
    parts' tests."""
    world = Lomma(preset_factory("lomma"))
    world.economy()
    world.control_plan(world.bun)
    return world


def table(sheet, first: str, after: str | None = None) -> list[dict]:
    """The rows of the table whose header row begins with `first` (the first such below the
    row `after`), up to the next empty row."""
    values = list(sheet.iter_rows(values_only=True))
    start = 0
    if after is not None:
        start = next(i for i, row in enumerate(values) if row[0] == after)
    start = next(i for i, row in enumerate(values) if i >= start and row[0] == first)
    lines = []
    for row in values[start + 1 :]:
        if all(v is None for v in row):
            break
        lines.append(dict(zip(values[start], row, strict=True)))
    return lines


def number(value) -> Decimal:
    return Decimal(str(value))


def test_the_workbook_has_the_report_parts_with_the_reports_figures(lomma):
    ar = lomma.preset.period("ar")
    lomma.assess(ar, not_met=3)
    workbook = load_workbook(
        io.BytesIO(plan_followup_xlsx(unit=lomma.kf, year=YEAR, period=ar, consolidated=True))
    )
    assert workbook.sheetnames == [
        "Mål",
        "Indikatorer",
        "Aktiviteter",
        "Samlad bedömning",
        "Budgetuppföljning",
        "Intern kontroll",
    ]
    report = report_build(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
    parts = {p.kind: p for p in report.parts}

    # The economy: a row per account group and the result, numbers as numbers.
    sheet = workbook["Budgetuppföljning"]
    assert sheet["A1"].value == "Kontogrupp" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    economy = parts["economy"]
    groups = table(sheet, "Kontogrupp")
    headers = ["Budget", "Utfall hittills (december)", "Prognos helår", "Avvikelse"]
    assert [
        (g["Kontogrupp"], g["Slag"] or "", *(number(g[h]) for h in headers)) for g in groups
    ] == [
        (r.label, r.kind, r.budget, r.outcome, r.forecast, r.deviation)
        for r in [*economy.groups, economy.result]
    ]
    staff = next(g for g in groups if g["Kontogrupp"] == "T50 Personalkostnader")
    # Rutsborgskolan's 1 234 567 and Hemtjänsten's 500 000, as the report shows them.
    assert staff["Budget"] == 1734567 and staff["Avvikelse"] == -65433
    cell = next(c for c in sheet["C"] if c.value == 1734567)
    assert cell.data_type == "n" and cell.number_format == "#,##0"
    units = table(sheet, "Enhet", after="Enheterna under")
    assert [(u["Enhet"], number(u["Avvikelse"])) for u in units] == [
        (r.label, r.deviation) for r in economy.units
    ]
    assert {u["Enhet"]: u["Avvikelse"] for u in units}["Barn- och utbildningsnämnden"] == -65433
    comments = table(sheet, "Enhet", after="Kommentarer till prognosen")
    assert [(c["Enhet"], c["Kontogrupp"], c["Kommentar"]) for c in comments] == [
        (c.unit, c.account_group, c.text) for c in economy.comments
    ]
    assert comments[0]["Kommentar"] == "Fler elever i behov av stöd än budgeterat."
    plans = table(sheet, "Enhet", after="Åtgärdsplaner")
    assert list(plans[0].values())[:5] == [
        "Rutsborgskolan (augusti)",
        "Vakanser tillsätts inte under hösten.",
        "Rektor Rutsborgskolan",
        datetime.datetime(2026, 10, 31),
        50000,
    ]

    # The internal control: a row per control point with its risk and latest result.
    points = table(workbook["Intern kontroll"], "Enhet")
    assert len(points) == sum(len(p.points) for p in parts["internal_control"].plans) == 1
    point = points[0]
    assert point["Enhet"] == "Barn- och utbildningsnämnden"
    assert point["Status"] == "Fastställd 10 februari 2026 (§ 12)"
    assert (point["Nr"], point["Vad"], point["Vem"]) == (
        "K1",
        "Att fakturor är attesterade",
        "Ekonom",
    )
    assert point["Vilken risk"] == "R1 Felaktiga utbetalningar" and point["Riskvärde"] == 12
    assert point["Avvikelse"] == "avvikelse"
    assert point["Avvikelsen"] == "Två fakturor saknade attest."
    assert point["Åtgärder"] == "Rutinen för attest har förtydligats."
    risks = table(workbook["Intern kontroll"], "Nr", after="Risker, Barn- och utbildningsnämnden")
    assert [(r["Nr"], r["Riskvärde"], r["Färg"]) for r in risks] == [
        ("R1", 12, "röd"),
        ("R2", 2, "grön"),
    ]
    deviations = table(workbook["Intern kontroll"], "Kontrollmoment")
    assert deviations[0]["Åtgärder"] == "Rutinen för attest har förtydligats."

    # The overall judgement: a row per requirement, the verdict in the report's words.
    judgement = parts["overall"].judgements[0]
    lines = rows(workbook["Samlad bedömning"])
    assert [(r["Samlad bedömning"], r["Bedömning"]) for r in lines] == [
        (judgement.name, judgement.verdict)
    ] * len(judgement.parts)
    assert lines[0]["Bedömning"] == "God ekonomisk hushållning: uppnås inte"
    assert [(r["Uppfyllda mål"], r["Antal mål"], r["Bedömda"], r["Kravet"]) for r in lines] == [
        (p.met, p.goals, p.assessed, p.reached_text) for p in judgement.parts
    ]
    assert lines[0]["Krav på andel"] == 0.75
    assert workbook["Samlad bedömning"]["H2"].number_format == "0%"


def test_the_judgement_may_change_only_while_the_missing_assessments_could_change_it(lomma):
    ar = lomma.preset.period("ar")

    def judgement_rows() -> list[dict]:
        data = plan_followup_xlsx(unit=lomma.kf, year=YEAR, period=ar, consolidated=True)
        return rows(load_workbook(io.BytesIO(data))["Samlad bedömning"])

    # Nothing assessed: it could go either way.
    lines = judgement_rows()
    assert {r["Kommentar"] for r in lines} == {
        "Alla mål som bedömningen vilar på är inte bedömda än; den kan ändras."
    }
    # One riktat mål not met: 2 of 3 at most, less than 75 % — decided, though 5 are missing.
    riktat = Goal.objects.get(municipality=lomma.m, code="RM-1")
    Assessment.objects.create(
        municipality=lomma.m, goal=riktat, period=ar, value=lomma.preset.scale("ej_uppfyllt")
    )
    lines = judgement_rows()
    assert {(r["Bedömning"], r["Kommentar"]) for r in lines} == {
        ("God ekonomisk hushållning: uppnås inte", None)
    }
    assert [r["Bedömda"] for r in lines] == [0, 1]


def test_a_period_that_does_not_follow_them_up_has_no_such_sheets(lomma):
    # Lomma's kvartalsrapport follows up the budget but not goals or the internal control.
    workbook = load_workbook(
        io.BytesIO(
            plan_followup_xlsx(unit=lomma.kf, year=YEAR, period=lomma.preset.period("kvartal"))
        )
    )
    assert workbook.sheetnames == ["Mål", "Indikatorer", "Aktiviteter", "Budgetuppföljning"]
    # A nämnd's own årsredovisning: its economy and plan, no judgement over the municipality.
    workbook = load_workbook(
        io.BytesIO(plan_followup_xlsx(unit=lomma.bun, year=YEAR, period=lomma.preset.period("ar")))
    )
    assert workbook.sheetnames[3:] == ["Budgetuppföljning", "Intern kontroll"]
    sheet = workbook["Budgetuppföljning"]
    assert sheet["A1"].value == "Siffrorna omfattar enheterna under."
    # The plan has none of them.
    workbook = load_workbook(io.BytesIO(plan_followup_xlsx(unit=lomma.kf, year=YEAR)))
    assert workbook.sheetnames == ["Mål", "Indikatorer", "Aktiviteter"]


def test_a_decided_period_says_the_parts_show_todays_figures(lomma):
    ar = lomma.preset.period("ar")
    lomma.assess(ar)
    period_decide(period=ar, decided_on=datetime.date(2027, 4, 20), reference="KF § 40")
    ar.refresh_from_db()
    workbook = load_workbook(io.BytesIO(plan_followup_xlsx(unit=lomma.kf, year=YEAR, period=ar)))
    sentence = "Ekonomin, den interna kontrollen och de samlade bedömningarna visar dagens siffror."
    for name in ("Samlad bedömning", "Budgetuppföljning", "Intern kontroll"):
        sheet = workbook[name]
        assert sheet["A1"].value == sentence, name
    # The notes come first, then the table's header.
    sheet = workbook["Samlad bedömning"]
    assert sheet.freeze_panes == "A3" and sheet["A2"].font.bold
    assert workbook["Budgetuppföljning"]["A2"].value == "Siffrorna omfattar enheterna under."
    assert workbook["Mål"]["A1"].value == "Enhet"
