"""Reports show a linked indicator's latest Kolada year under its table, with "Källa: Kolada",
in the web page/PDF, Word and Excel, reading all the report's comparisons in one query."""

import io
import re

import docx
import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.organisation.models import OrgUnit
from styr.planning.models import Indicator
from styr.reports.excel import plan_followup_xlsx
from styr.reports.render_docx import report_docx
from styr.reports.render_html import report_html
from styr.reports.selectors import report_build

from .test_comparison import GROUP, store

LINE = "Kolada 2025: eget värde 90, jämförelsegrupp 75, riket 75; rang 1 av 4, bland de bästa 25 %."


def kolada_values():
    store("U23471", 2024, {"0180": 50, GROUP[0]: 70})
    store("U23471", 2025, {"0180": 90, GROUP[0]: 70, GROUP[1]: 80, "2584": 60, "0000": 75})
    store("U23471", 2027, {"0180": 99})  # after the report's year: not shown


def plan(stockholm):
    return report_build(unit=stockholm.get(OrgUnit, "KF"), year=2026)


def test_the_web_page_shows_the_kolada_line_and_source(stockholm):
    kolada_values()
    html = report_html(plan(stockholm))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert LINE in text
    assert "Källa: Kolada, hämtat 20 november 2026" in text


def test_word_shows_the_kolada_line_and_source(stockholm):
    kolada_values()
    document = docx.Document(io.BytesIO(report_docx(plan(stockholm))))
    paragraphs = [p.text for p in document.paragraphs]
    assert f"● {LINE}" in paragraphs
    assert "Källa: Kolada, hämtat 20 november 2026" in paragraphs


def test_an_indicator_without_kolada_values_has_no_line(stockholm):
    html = report_html(plan(stockholm))
    assert "Källa: Kolada" not in html


def test_excel_has_the_latest_kolada_year_and_the_source(stockholm):
    kolada_values()
    content = plan_followup_xlsx(unit=stockholm.get(OrgUnit, "KF"), year=2026, consolidated=True)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Indikatorer"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[-4:] == [
        "Kolada, år",
        "Kolada, eget värde",
        "Kolada, jämförelsegrupp",
        "Kolada, riket",
    ]
    row = next(r for r in rows if r[1] == "KF-I1")
    assert row[-4:] == [2025, 90, 75, 75]
    assert sheet.cell(row=1, column=len(header)).comment.text.startswith("Källa: Kolada")


def test_all_comparisons_of_a_report_in_one_query(stockholm):
    kolada_values()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            plan(stockholm)
        return len(captured)

    before = count()
    for code, kpi in (("KF-I2", "U21401"), ("KF-I3", "N15428"), ("KF-I4", "N11102")):
        assert stockholm.get(Indicator, code).kolada_kpi == kpi
        store(kpi, 2025, {"0180": 3, GROUP[0]: 4})
    assert count() == before
