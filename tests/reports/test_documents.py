"""Reports as documents: the plan and a period's report, for a unit or its subtree, as Word, PDF
and a web page; each file opened and checked against the database."""

import datetime
import io
import itertools
import re
import subprocess
import sys
from html.parser import HTMLParser

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx.oxml.ns import qn
from pypdf import PdfReader

from styr.followup.demo import demo_followup
from styr.followup.models import Assessment, Gender, Measurement
from styr.governance.models import ActivityStatus
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator
from styr.reports.render_docx import report_docx
from styr.reports.render_html import report_html
from styr.reports.render_pdf import report_pdf
from styr.reports.selectors import report_build
from styr.workflow.models import Submission


@pytest.fixture
def told(stockholm):
    """The demo's story: 2025 in full, tertial 1 2026 decided, tertial 2 2026 reported."""
    demo_followup(municipality=stockholm.municipality, year=2026, today=datetime.date(2026, 11, 27))
    return stockholm


def swedish(value) -> str:
    """A value as the database has it, written the Swedish way (the demo's values are small)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def outcome(preset, code: str, period) -> Measurement:
    return Measurement.objects.get(
        indicator=preset.get(Indicator, code), period=period, gender=Gender.TOTAL
    )


def test_a_units_tertial_report_in_word(told):
    rosenlund = told.get(OrgUnit, "SOD-ROSENLUND")
    t1 = told.period("t1")
    report = report_build(unit=rosenlund, year=2026, period=t1)
    document = docx.Document(io.BytesIO(report_docx(report)))

    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name != "Normal"]
    assert ("Title", "Tertialrapport 1 2026") in headings
    goal = told.get(Goal, "ROS-2")
    assert ("Heading 2", goal.title) in headings
    assert ("Heading 1", "Måluppfyllelse") in headings
    assert all(
        name in ("Title", "Subtitle", "TOC Heading", "Caption") or name.startswith("Heading")
        for name, _t in headings
    )

    # The assessment in words (a tertial is a prognosis: the scale's prognosis label).
    assessment = Assessment.objects.select_related("value").get(goal=goal, period=t1)
    label = assessment.value.prognosis_label or assessment.value.label
    assert any(p.text == f"Bedömning: ● {label}" for p in document.paragraphs)

    # The outcome, as the database has it, in Swedish, in the indicator's table.
    value = outcome(told, "ROS-I2", t1).value
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert swedish(value) in cells
    assert "," in swedish(value) or swedish(value).isdigit()

    # Tables repeat their header row on every page; the chart has its text alternative.
    for table in document.tables:
        assert table.style.name == "Table Grid"
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    alts = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert any(a.startswith("Utfall för Boende som varit delaktiga") for a in alts)
    # A table of contents and page numbers for Word to fill in; Swedish properties.
    body = document.element.body.xml
    assert "TOC \\o" in body
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert document.core_properties.language == "sv-SE"
    assert document.core_properties.title.startswith("Tertialrapport 1 2026")


def test_a_decided_period_is_shown_as_decided(told):
    """Tertial 1 is decided in the demo: a later change to an outcome does not reach its
    report."""
    rosenlund = told.get(OrgUnit, "SOD-ROSENLUND")
    t1 = told.period("t1")
    measurement = outcome(told, "ROS-I2", t1)
    decided = measurement.value
    Measurement.objects.filter(pk=measurement.pk).update(value=decided + 7)
    report = report_build(unit=rosenlund, year=2026, period=t1)
    assert report.as_decided
    assert report.version.startswith("Beslutad")
    table = next(
        t
        for s in report.sections
        for g in s.groups[0].goals
        for t in g.indicators
        if t.code == "ROS-I2"
    )
    assert table.rows[0].outcome == decided
    goals = [g for s in report.sections for g in s.groups[0].goals]
    activity = next(a for g in goals for a in g.activities)
    assert activity.status in {
        s.label for s in ActivityStatus.objects.filter(municipality=told.municipality)
    }
    assert all(g.assessment for g in goals)


def test_a_consolidated_report_in_pdf(told):
    sodermalm = told.get(OrgUnit, "SDN-SOD")
    t2 = told.period("t2")
    report = report_build(unit=sodermalm, year=2026, period=t2, consolidated=True)
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    # Lines wrap where the page ends them: compare with the spaces evened out.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    assert "Tertialrapport 2 2026" in text
    assert told.get(Goal, "SOD-NM-1").title in text
    # The nämnd's goals in full, with their numbers; the units further down (an enhet three
    # levels below) in a table per unit with each goal and its assessment.
    assert swedish(outcome(told, "SOD-I1", t2).value) in text
    assert told.get(Goal, "ROS-1").title in text
    assert swedish(outcome(told, "ROS-I2", t2).value) not in text
    pages = len(reader.pages)
    assert f"Sida 2 av {pages}" in text
    # Bookmarks from the headings: the units below are there to jump to.
    titles = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(reader.outline)
    assert "Rosenlunds vård- och omsorgsboende" in titles
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.tables, self.captions, self.th, self.images = [], 0, 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.th.append(attrs.get("scope"))
        elif tag == "img":
            self.images.append(attrs.get("alt"))


def test_the_web_page_is_in_order(told):
    sodermalm = told.get(OrgUnit, "SDN-SOD")
    report = report_build(unit=sodermalm, year=2026, period=told.period("t2"), consolidated=True)
    html = report_html(report)
    outline = Outline()
    outline.feed(html)
    levels = outline.headings
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert max(levels) == 4  # nämnd: section, unit, goal
    assert outline.tables and outline.tables == outline.captions
    assert all(scope in ("col", "row") for scope in outline.th)
    assert outline.images and all(outline.images)
    assert '<html lang="sv">' in html
    # Colour never alone: every assessment is also in words.
    for value in ("Uppfylls helt", "Uppfylls delvis"):
        assert value in html


def test_the_plan_has_no_outcomes(told):
    rosenlund = told.get(OrgUnit, "SOD-ROSENLUND")
    Submission.objects.create(
        municipality=told.municipality,
        unit=rosenlund,
        kind=Submission.Kind.PLAN,
        year=2026,
        state=Submission.State.ADOPTED,
        adopted_on=datetime.date(2025, 12, 10),
        adopted_reference="§ 14",
    )
    html = report_html(report_build(unit=rosenlund, year=2026))
    assert "Fastställd 10 december 2025 (§ 14)" in html
    assert "<h1>Verksamhetsplan 2026</h1>" in html
    assert "Utfall" not in html and "Årsmål" in html
    assert told.get(Goal, "ROS-1").title in html


def test_the_number_of_queries_does_not_grow_with_the_plan(told):
    t2 = told.period("t2")
    counts = []
    for code, consolidated in (("SOD-ROSENLUND", False), ("SDN-SOD", True), ("KF", True)):
        unit = told.get(OrgUnit, code)
        with CaptureQueriesContext(connection) as captured:
            report = report_build(unit=unit, year=2026, period=t2, consolidated=consolidated)
        counts.append(len(captured))
        assert report.goal_count
    assert report.goal_count > 20
    assert counts[0] == counts[1] == counts[2], counts


def test_the_command_writes_a_file(told, tmp_path):
    path = tmp_path / "rapport.docx"
    call_command(
        "report",
        "--municipality=0180",
        "--unit=SOD-ROSENLUND",
        "--year=2026",
        "--period=t2",
        "--format=docx",
        f"--output={path}",
    )
    document = docx.Document(path)
    assert any(p.text == "Tertialrapport 2 2026" for p in document.paragraphs)
    # The spreadsheet comes from the Excel part, through the same command.
    sheet = tmp_path / "rapport.xlsx"
    call_command(
        "report",
        "--municipality=0180",
        "--unit=SOD-ROSENLUND",
        "--year=2026",
        "--period=t2",
        "--format=xlsx",
        f"--output={sheet}",
    )
    assert openpyxl.load_workbook(sheet).sheetnames


def test_the_command_refuses_a_wrong_unit(told, tmp_path):
    with pytest.raises(CommandError, match="Stockholms stad har ingen enhet med koden FEL"):
        call_command(
            "report",
            "--municipality=0180",
            "--unit=FEL",
            "--year=2026",
            "--format=pdf",
            f"--output={tmp_path / 'x.pdf'}",
        )
    with pytest.raises(CommandError, match="Okänt format odt"):
        call_command(
            "report",
            "--municipality=0180",
            "--unit=SOD-ROSENLUND",
            "--year=2026",
            "--format=odt",
            f"--output={tmp_path / 'x.odt'}",
        )
    assert not list(tmp_path.iterdir())


def test_the_command_line_answers_in_swedish_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "styr.cli", "report", "--format=docx"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Ange --municipality, --unit, --year, --output." in done.stderr
    assert "Traceback" not in done.stderr


def reader_on(client, preset, code: str, django_user_model):
    user = django_user_model.objects.create_user(f"läsare-{code}")
    RoleGrant.objects.create(
        municipality=preset.municipality,
        user=user,
        unit=preset.get(OrgUnit, code),
        role=Role.READER,
    )
    client.force_login(user)


def test_a_reader_downloads_the_report(told, client, django_user_model):
    reader_on(client, told, "SOD-ALD", django_user_model)
    rosenlund = told.get(OrgUnit, "SOD-ROSENLUND")
    t2 = told.period("t2")
    page = client.get(reverse("web:followup", args=[rosenlund.pk, t2.pk]))
    url = reverse("web:report", args=[rosenlund.pk, 2026])
    assert f"{url}?period={t2.pk}&amp;format=docx" in page.content.decode()

    response = client.get(url, {"period": t2.pk, "format": "docx"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Tertialrapport%202%202026%20Rosenlunds%20v%C3%A5rd" in disposition
    document = docx.Document(io.BytesIO(response.content))
    assert any(p.text == "Tertialrapport 2 2026" for p in document.paragraphs)

    # The avdelning's subtree together; the förvaltning above it only on its own.
    department = told.get(OrgUnit, "SOD-ALD")
    response = client.get(
        reverse("web:report", args=[department.pk, 2026]),
        {"period": t2.pk, "format": "html", "samlad": "1"},
    )
    assert response.status_code == 200
    assert "Rosenlunds vård- och omsorgsboende" in response.content.decode()
    above = reverse("web:report", args=[told.get(OrgUnit, "SDN-SOD").pk, 2026])
    assert client.get(above, {"period": t2.pk, "format": "html"}).status_code == 200
    assert client.get(above, {"period": t2.pk, "format": "html", "samlad": "1"}).status_code == 403
    assert client.get(url, {"period": t2.pk, "format": "odt"}).status_code == 400
