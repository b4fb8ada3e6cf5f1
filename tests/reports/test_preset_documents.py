"""Every report of every preset's demo, in every format: the plan and each of the model's periods
for a nämnd, and a consolidated report over the nämnd's subtree, written by `styr report` as Word,
PDF, web page and Excel. Each file is opened (python-docx, pypdf, openpyxl, an HTML parser) and its
goals, assessments and numbers are checked against the database.

The demo is loaded once for the module, as `styr demo` loads it (the preset, the follow-up story
told up to 27 November 2026, the political bodies' plans adopted; not the demo's people), inside a
transaction that is rolled back when the module is done. Each test runs inside it, in a savepoint
of its own.

What is checked does not depend on the report's section headings, which a municipality's report
layout may change: for a single unit every goal in full (its title, texts, assessment in the
period's words, the outcomes, forecasts and targets of its indicators, its activities and their
statuses), for a consolidated report the top unit's goals in full and every goal below with its
title and assessment.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import docx
import docx.table
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from styr.core.management.commands.demo import DEMO_COLOURS, DEMO_YEAR
from styr.followup.demo import demo_followup
from styr.followup.models import ActivityReport, Assessment, Forecast, Measurement, ReportingPeriod
from styr.governance.models import PeriodDefinition
from styr.governance.services import PRESETS, governance_model_load_file
from styr.organisation.models import OrgUnit
from styr.organisation.services import municipality_settings_update
from styr.planning.models import Activity, ActivityGoal, Goal, Indicator, IndicatorGoal, Target
from styr.reports.layout import report_layout
from styr.reports.structure import number_text
from styr.workflow.demo import demo_plans_adopt

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)  # the demo's story is told up to this day
FORMATS = ["docx", "pdf", "html", "xlsx"]
# Each preset's political body that the demo's politician reads: goals, indicators, activities
# and units below it with goals of their own.
BODIES = {"stockholm": "SDN-SOD", "huddinge": "GSN", "svenljunga": "BUN", "lomma": "BUN"}


@pytest.fixture(scope="module")
def demos(django_db_setup, django_db_blocker):
    """The four presets' demos, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), translation.override("sv"), transaction.atomic():
        municipalities = {}
        for preset in PRESETS:
            municipality = governance_model_load_file(name_or_path=preset).municipality
            municipality_settings_update(
                municipality=municipality, colour=DEMO_COLOURS[preset], public_view=True
            )
            demo_followup(municipality=municipality, year=DEMO_YEAR, today=TODAY)
            demo_plans_adopt(municipality=municipality, year=DEMO_YEAR)
            municipalities[preset] = municipality
        yield municipalities
        transaction.set_rollback(True)


def test_every_preset_has_prognoses_and_a_final_period_to_report_on(demos):
    """So that the tests below see both ways of wording an assessment."""
    assert sorted(demos) == sorted(BODIES)
    for preset, municipality in demos.items():
        assessed = {
            case.period.is_final
            for case in single_unit_cases(municipality, preset)[1:]
            if Assessment.objects.filter(period=case.period, goal__unit=case.unit).exists()
        }
        assert assessed == {False, True}, preset


# --- Which reports -------------------------------------------------------------------------------


@dataclass
class Case:
    """One report: the plan (no period) or a period's, for a unit alone or with its subtree."""

    unit: OrgUnit
    year: int
    period: ReportingPeriod | None = None
    consolidated: bool = False

    def __str__(self) -> str:
        what = self.period.name if self.period else f"plan {self.year}"
        return f"{what}, {self.unit.code}{' consolidated' if self.consolidated else ''}"


def body(municipality, preset: str) -> OrgUnit:
    return OrgUnit.objects.select_related("type", "municipality").get(
        municipality=municipality, code=BODIES[preset]
    )


def single_unit_cases(municipality, preset: str) -> list[Case]:
    """The plan, and each of the model's periods once: this year's latest that has ended by the
    demo's day, or last year's when none has (the year's final period, a year-end report)."""
    unit = body(municipality, preset)
    cases = [Case(unit, DEMO_YEAR)]
    for definition in PeriodDefinition.objects.filter(municipality=municipality).order_by("order"):
        ended = [
            p
            for p in ReportingPeriod.objects.filter(definition=definition).select_related(
                "definition"
            )
            if p.ends_on < TODAY
        ]
        period = max(ended, key=lambda p: (p.year, p.month), default=None)
        assert period is not None, f"{preset}: no {definition.name} has ended"
        cases.append(Case(unit, period.year, period))
    return cases


def consolidated_case(municipality, preset: str) -> Case:
    """The body's report with its subtree for this year's latest period with assessments."""
    period = (
        ReportingPeriod.objects.filter(
            municipality=municipality, year=DEMO_YEAR, assessments__isnull=False
        )
        .select_related("definition")
        .order_by("-month")
        .first()
    )
    return Case(body(municipality, preset), DEMO_YEAR, period, consolidated=True)


# --- What the database says ----------------------------------------------------------------------


@dataclass
class Expected:
    """A goal as the report must show it."""

    goal: Goal
    depth: int  # below the report's unit
    label: str = ""  # the assessment in the period's words, "" when not assessed
    wrong_label: str = ""  # the same value in the other words (final vs prognosis), if different
    texts: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)


def words(value, period: ReportingPeriod) -> tuple[str, str]:
    """(the words a report uses for the value, the words it must not use): a prognosis period
    (a tertial) says the scale's prognosis words, "uppfylls delvis"; a final period its words."""
    if not value.prognosis_label or value.prognosis_label == value.label:
        return value.label, ""
    if period.is_final:
        return value.label, value.prognosis_label
    return value.prognosis_label, value.label


def expected_goals(case: Case) -> list[Expected]:
    unit = case.unit
    layout = report_layout(
        municipality_id=unit.municipality_id, unit_type=unit.type.key, period=case.period
    )
    goals = Goal.objects.filter(municipality_id=unit.municipality_id).in_force(case.year)
    goals = goals.in_subtree(unit) if case.consolidated else goals.filter(unit=unit)
    expected = []
    for goal in goals.select_related("level", "unit").order_by("unit__path", "code"):
        item = Expected(goal, goal.unit.depth - unit.depth)
        if case.period is not None:
            assessment = (
                Assessment.objects.filter(goal=goal, period=case.period)
                .select_related("value")
                .first()
            )
            if assessment is not None and layout.shows("assessment"):
                item.label, item.wrong_label = words(assessment.value, case.period)
                item.texts += [
                    t
                    for t in (assessment.analysis, assessment.motivation, assessment.next_year)
                    if t
                ]
                if layout.shows("corrective_actions"):
                    item.texts += [a.description for a in assessment.corrective_actions.all()]
        if layout.shows("texts"):
            labels = goal.level.text_field_labels()
            item.texts += [goal.description] if goal.description else []
            item.texts += [goal.texts[k] for k in labels if goal.texts.get(k)]
        if layout.shows("indicators"):
            item.numbers = indicator_numbers(goal, case)
        if layout.shows("activities"):
            item.activities = activity_words(goal, case)
        expected.append(item)
    return expected


def indicator_numbers(goal: Goal, case: Case) -> list[str]:
    """The goal's indicators' outcomes (total, women, men) and forecasts for the period, or their
    årsmål in the plan, as Swedish text."""
    indicators = IndicatorGoal.objects.filter(goal=goal).values_list("indicator_id", flat=True)
    if case.period is None:
        values = Target.objects.filter(
            indicator_id__in=indicators, kind=Target.Kind.ANNUAL, year=case.year
        ).values_list("value", flat=True)
    else:
        values = [
            *Measurement.objects.filter(
                indicator_id__in=indicators, period=case.period
            ).values_list("value", flat=True),
            *Forecast.objects.filter(indicator_id__in=indicators, period=case.period).values_list(
                "value", flat=True
            ),
        ]
    return sorted({number_text(v) for v in values if v is not None})


def activity_words(goal: Goal, case: Case) -> list[str]:
    """The goal's activities of the year, with their status for the period when reported."""
    activities = Activity.objects.filter(
        pk__in=ActivityGoal.objects.filter(goal=goal).values("activity_id"),
        start__lte=datetime.date(case.year, 12, 31),
        end__gte=datetime.date(case.year, 1, 1),
    )
    found = [a.title for a in activities]
    if case.period is not None:
        found += [
            r.status.label
            for r in ActivityReport.objects.filter(
                activity__in=activities, period=case.period
            ).select_related("status")
        ]
    return found


def document_title(case: Case) -> str:
    unit = case.unit
    layout = report_layout(
        municipality_id=unit.municipality_id, unit_type=unit.type.key, period=case.period
    )
    return f"{layout.title} {case.year}"


# --- Writing and reading the files ---------------------------------------------------------------


def write(case: Case, document_format: str, folder) -> bytes:
    """The report through `styr report`, the way a controller writes it from the command line."""
    options = [
        f"--municipality={case.unit.municipality.code}",
        f"--unit={case.unit.code}",
        f"--year={case.year}",
        f"--format={document_format}",
        f"--output={folder / f'rapport.{document_format}'}",
    ]
    if case.period is not None:
        options.append(f"--period={case.period.definition.key}")
        recurs = ReportingPeriod.objects.filter(
            definition=case.period.definition, year=case.year
        ).count()
        if recurs > 1:
            options.append(f"--month={case.period.month}")
    if case.consolidated:
        options.append("--consolidated")
    call_command("report", *options, stdout=io.StringIO())
    return (folder / f"rapport.{document_format}").read_bytes()


def even(text: str) -> str:
    """Spaces evened out: line breaks, non-breaking and thin spaces (thousands) as one space."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


@dataclass
class Chunk:
    """A heading (level 0 for the title, 1–6), a paragraph or a table row ("cell | cell")."""

    text: str
    level: int | None = None


def docx_chunks(content: bytes) -> list[Chunk]:
    document = docx.Document(io.BytesIO(content))
    chunks = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                cells = list(dict.fromkeys(even(c.text) for c in row.cells))
                chunks.append(Chunk(" | ".join(cells)))
            continue
        style = block.style.name if block.style is not None else ""
        level = None
        if style == "Title":
            level = 0
        elif re.fullmatch(r"Heading \d", style):
            level = int(style[-1])
        chunks.append(Chunk(even(block.text), level))
    return [c for c in chunks if c.text]


class _HtmlChunks(HTMLParser):
    BLOCKS = {
        "p", "li", "caption", "dt", "dd", "figcaption", "div", "section", "article", "header",
        "nav", "main", "table", "thead", "tbody", "ul", "ol", "dl", "figure", "body",
    }  # fmt: skip

    def __init__(self):
        super().__init__()
        self.chunks: list[Chunk] = []
        self.parts: list[str] = []
        self.level: int | None = None
        self.skip = 0

    def flush(self):
        text = even(" ".join(self.parts))
        if text:
            self.chunks.append(Chunk(text, self.level))
        self.parts, self.level = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self.skip += 1
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS or tag == "tr":
            self.flush()
            if tag.startswith("h") and tag[1:].isdigit():
                self.level = int(tag[1])
        elif tag in ("td", "th") and self.parts:
            self.parts.append("|")
        elif tag == "br":
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head"):
            self.skip -= 1
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS or tag == "tr":
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_chunks(content: bytes) -> list[Chunk]:
    parser = _HtmlChunks()
    parser.feed(content.decode("utf-8"))
    parser.close()
    parser.flush()
    return parser.chunks


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Lines wrap where the page ends them: compare with the spaces evened out.
    return even(" ".join(page.extract_text() for page in reader.pages))


def has_number(text: str, number: str) -> bool:
    """The number on its own, not as part of a longer one ("4,5" is not in "14,5")."""
    number = re.escape(even(number))
    return re.search(rf"(?<![\d,]){number}(?![\d]|,\d)", text) is not None


def goal_span(chunks: list[Chunk], title: str) -> tuple[str | None, bool]:
    """The text a goal heads, and whether it has a heading: from its heading to the next heading
    at its level or above; for a goal that is a line of a table, that line; None when the title
    is nowhere."""
    for number, chunk in enumerate(chunks):
        if chunk.level is not None and chunk.level > 0 and title in chunk.text:
            span = [chunk.text]
            for later in chunks[number + 1 :]:
                if later.level is not None and later.level <= chunk.level:
                    break
                span.append(later.text)
            return " ¦ ".join(span), True
    return next((c.text for c in chunks if c.level is None and title in c.text), None), False


# --- The checks ----------------------------------------------------------------------------------


def check_in_full(span: str | None, heading: bool, item: Expected, where: str) -> None:
    goal = f"{where}: {item.goal.code} “{item.goal.title}”"
    assert span is not None, f"{goal} is missing"
    assert heading, f"{goal} has no heading of its own"
    if item.label:
        assert item.label in span, f"{goal}: no assessment “{item.label}”"
    if item.wrong_label:
        assert item.wrong_label not in span, f"{goal}: “{item.wrong_label}” in the wrong period"
    for text in item.texts:
        assert even(text) in span, f"{goal}: text “{text[:40]}…” missing"
    for number in item.numbers:
        assert has_number(span, number), f"{goal}: number {number} missing"
    for text in item.activities:
        assert even(text) in span, f"{goal}: activity or status “{text}” missing"


def check_listed(span: str | None, item: Expected, where: str) -> None:
    """A goal further down in a consolidated report: its title, and its assessment beside it."""
    goal = f"{where}: {item.goal.code} “{item.goal.title}”"
    assert span is not None, f"{goal} is missing"
    if item.label:
        assert item.label in span, f"{goal}: no assessment “{item.label}”"
    if item.wrong_label:
        assert item.wrong_label not in span, f"{goal}: “{item.wrong_label}” in the wrong period"


def check_chunks(chunks: list[Chunk], case: Case, where: str) -> None:
    titles = [c.text for c in chunks if c.level is not None]
    assert document_title(case) in titles, (
        f"{where}: title {document_title(case)} missing: {titles}"
    )
    text = " ".join(c.text for c in chunks)
    assert case.unit.name in text
    if case.period is not None:
        assert case.period.name in text, f"{where}: period {case.period.name} not named"
    expected = expected_goals(case)
    assert expected, f"{where}: the demo has no goals here"
    for item in expected:
        span, heading = goal_span(chunks, item.goal.title)
        if item.depth == 0:
            check_in_full(span, heading, item, where)
        else:
            check_listed(span, item, where)
            assert item.goal.unit.name in text, f"{where}: unit {item.goal.unit.name} missing"


def check_pdf(content: bytes, case: Case, where: str) -> None:
    """PDF text comes out as lines without structure: every goal with its title, each
    assessment's words as often as goals have it, and every number of the unit's own goals."""
    text = pdf_text(content)
    assert document_title(case) in text and case.unit.name in text
    if case.period is not None:
        assert case.period.name in text, f"{where}: period {case.period.name} not named"
    expected = expected_goals(case)
    labels: dict[str, int] = {}
    for item in expected:
        assert even(item.goal.title) in text, f"{where}: {item.goal.code} missing"
        if item.label:
            labels[item.label] = labels.get(item.label, 0) + 1
        if item.depth == 0:
            for number in item.numbers:
                assert has_number(text, number), f"{where}: {item.goal.code}: {number} missing"
    for label, count in labels.items():
        assert text.count(label) >= count, f"{where}: “{label}” fewer times than {count}"


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def same(cell, value) -> bool:
    if value is None:
        return cell is None
    return cell is not None and Decimal(str(cell)) == value


def check_xlsx(content: bytes, case: Case, where: str) -> None:
    """The workbook's sheets of goals, indicators and activities, row by row."""
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[:3] == ["Mål", "Indikatorer", "Aktiviteter"], where
    # A period's workbook goes on with the report's budget follow-up, internal control and
    # overall judgements where the period has them (tests/reports/test_excel.py); a plan does not.
    if case.period is None:
        assert len(workbook.sheetnames) == 3, where
    units = list(OrgUnit.objects.in_subtree(case.unit)) if case.consolidated else [case.unit]
    goals = {g.code: g for g in Goal.objects.filter(unit__in=units).in_force(case.year)}
    lines = rows(workbook["Mål"])
    assert {r["Kod"] for r in lines} == set(goals), where
    for line in lines:
        goal = goals[line["Kod"]]
        assert line["Mål"] == goal.title and line["Enhet"] == goal.unit.name, where
        if case.period is not None:
            assessment = (
                Assessment.objects.filter(goal=goal, period=case.period)
                .select_related("value")
                .first()
            )
            if assessment is None:
                assert line["Bedömning"] == _("Not assessed"), where
            else:
                # The same words as the other formats: the period's (prognosis) words.
                value = assessment.value
                assert line["Bedömning"] == words(value, case.period)[0], where

    indicators = {i.code: i for i in Indicator.objects.filter(unit__in=units)}
    lines = rows(workbook["Indikatorer"])
    assert {r["Kod"] for r in lines} == set(indicators), where
    for line in lines:
        indicator = indicators[line["Kod"]]
        target = Target.objects.filter(
            indicator=indicator, kind=Target.Kind.ANNUAL, year=case.year
        ).first()
        assert same(line["Årsmål"], target.value if target else None), f"{where}: {line}"
        if case.period is None:
            assert "Utfall, totalt" not in line
            continue
        values = dict(
            Measurement.objects.filter(indicator=indicator, period=case.period).values_list(
                "gender", "value"
            )
        )
        for gender, column in (("T", "totalt"), ("K", "kvinnor"), ("M", "män")):
            assert same(line[f"Utfall, {column}"], values.get(gender)), f"{where}: {line}"
        forecast = Forecast.objects.filter(indicator=indicator, period=case.period).first()
        assert same(line["Prognos helår"], forecast.value if forecast else None), where

    year = case.year
    activities = {
        a.code: a
        for a in Activity.objects.filter(
            unit__in=units,
            start__lte=datetime.date(year, 12, 31),
            end__gte=datetime.date(year, 1, 1),
        )
    }
    lines = rows(workbook["Aktiviteter"])
    assert {r["Kod"] for r in lines} == set(activities), where
    if case.period is not None:
        for line in lines:
            report = ActivityReport.objects.filter(
                activity=activities[line["Kod"]], period=case.period
            ).first()
            assert line["Status"] == (report.status.label if report else _("Not reported"))


def check(content: bytes, document_format: str, case: Case) -> None:
    where = f"{case} ({document_format})"
    if document_format == "docx":
        check_chunks(docx_chunks(content), case, where)
    elif document_format == "html":
        check_chunks(html_chunks(content), case, where)
    elif document_format == "pdf":
        check_pdf(content, case, where)
    else:
        check_xlsx(content, case, where)


# --- The tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("document_format", FORMATS)
@pytest.mark.parametrize("preset", sorted(BODIES))
def test_the_nämnds_plan_and_every_period_report(demos, preset, document_format, tmp_path):
    cases = single_unit_cases(demos[preset], preset)
    assert len(cases) == 1 + PeriodDefinition.objects.filter(municipality=demos[preset]).count()
    for case in cases:
        check(write(case, document_format, tmp_path), document_format, case)


@pytest.mark.parametrize("document_format", FORMATS)
@pytest.mark.parametrize("preset", sorted(BODIES))
def test_the_nämnds_report_with_the_units_below(demos, preset, document_format, tmp_path):
    case = consolidated_case(demos[preset], preset)
    deepest = max(e.depth for e in expected_goals(case))
    assert deepest >= 2, f"{preset}: no goals two levels down to list"
    check(write(case, document_format, tmp_path), document_format, case)


@pytest.mark.parametrize("document_format", FORMATS)
def test_a_decided_period_keeps_its_outcomes_in_every_format(demos, document_format, tmp_path):
    """Tertial 1 is decided in the demo: an outcome changed afterwards does not reach its report,
    whichever format it is written in."""
    municipality = demos["stockholm"]
    period = ReportingPeriod.objects.get(
        municipality=municipality, year=DEMO_YEAR, definition__key="t1"
    )
    assert period.is_decided
    indicator = Indicator.objects.get(municipality=municipality, code="SOD-I1")
    measurement = Measurement.objects.get(indicator=indicator, period=period, gender="T")
    decided, changed = measurement.value, measurement.value + Decimal("0.03")
    Measurement.objects.filter(pk=measurement.pk).update(value=changed)
    content = write(
        Case(body(municipality, "stockholm"), DEMO_YEAR, period), document_format, tmp_path
    )
    if document_format == "xlsx":
        line = next(
            r
            for r in rows(load_workbook(io.BytesIO(content))["Indikatorer"])
            if r["Kod"] == "SOD-I1"
        )
        assert same(line["Utfall, totalt"], decided)
        return
    if document_format == "pdf":
        text = pdf_text(content)
    else:
        chunks = docx_chunks(content) if document_format == "docx" else html_chunks(content)
        goal = (
            Goal.objects.filter(
                pk__in=IndicatorGoal.objects.filter(indicator=indicator).values("goal_id"),
                unit__code=BODIES["stockholm"],
            )
            .in_force(DEMO_YEAR)
            .get()
        )
        text, _heading = goal_span(chunks, goal.title)
    assert has_number(text, number_text(decided))
    assert not has_number(text, number_text(changed))
