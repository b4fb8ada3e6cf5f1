"""A report as a Word document that a nämnd's secretary can go on editing: built on Word's own
styles (Title, Heading 1–3 for the navigation pane, Caption, Table Grid), tables whose header row
repeats on every page and whose rows may break across pages, a table of contents field, page
numbers in the footer, charts with their text alternative, and Swedish as the language."""

import datetime
import io

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .charts import report_charts
from .structure import (
    GoalBlock,
    GoalsPart,
    IndicatorTable,
    Report,
    SummaryPart,
    TextPart,
    UnitsPart,
    number_text,
)

LANGUAGE = "sv-SE"
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff"}


def report_docx(report: Report) -> bytes:
    report_charts(report)
    with translation.override("sv"):
        document = _Writer(report).write()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC …) that Word fills in when it lays out the document."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _describe(picture, text: str) -> None:
    """A picture's text alternative (docPr descr: Word's "Alt Text")."""
    picture._inline.docPr.set("descr", text)


def _rgb(colour: str) -> RGBColor | None:
    try:
        return RGBColor.from_string(colour.lstrip("#").upper())
    except ValueError:
        return None


class _Writer:
    def __init__(self, report: Report):
        self.report = report
        self.document = Document()

    def write(self):
        self._setup()
        self._cover()
        self._contents()
        if self.report.intro:
            self._paragraphs(self.report.intro)
        for part in self.report.parts:
            getattr(self, f"_{part.kind}")(part)
        return self.document

    # --- The parts, in the layout's order ---

    def _heading(self, part) -> None:
        if part.heading:
            self.document.add_heading(part.heading, level=1)
        if part.intro:
            self._paragraphs(part.intro)

    def _paragraphs(self, text: str) -> None:
        for paragraph in text.replace("\r\n", "\n").split("\n\n"):
            if paragraph.strip():
                self.document.add_paragraph(paragraph.strip())

    def _text(self, part: TextPart) -> None:
        self._heading(part)
        for written in part.texts:
            if written.unit:
                self.document.add_heading(written.unit, level=2)
            self._paragraphs(written.text)
        if not part.texts:
            self.document.add_paragraph().add_run(_("Nothing has been written yet.")).italic = True

    def _goals(self, part: GoalsPart) -> None:
        self._heading(part)
        for section in part.sections:
            self.document.add_heading(section.title, level=1)
            if section.description:
                self.document.add_paragraph(section.description)
            for group in section.groups:
                if self.report.consolidated:
                    self.document.add_heading(group.unit, level=2)
                for goal in group.goals:
                    self._goal(goal, level=3 if self.report.consolidated else 2)

    def _units(self, part: UnitsPart) -> None:
        self._heading(part)
        period = self.report.period
        if part.scale:
            headers = [_("Unit"), *(v.label for v in part.scale), _("Not assessed")]
            table = self._table(_("Goals per assessment and unit"), headers, numbers_from=1)
            for rollup in part.units:
                values = [*(c.count for c in rollup.counts), rollup.not_assessed]
                self._row(table, [rollup.unit, *map(str, values)], numbers_from=1)
        for rollup in part.units:
            self.document.add_heading(rollup.unit, level=2)
            headers = [_("Goal"), _("Level")] + ([_("Assessment")] if period else [])
            table = self._table(_("Goals, %(unit)s") % {"unit": rollup.unit}, headers)
            for line in rollup.goals:
                cells = self._row(table, [f"{line.title} ({line.code})", line.level])
                if period:
                    if line.assessment:
                        paragraph = cells[2].paragraphs[0]
                        self._assessment_words(paragraph, line.assessment, line.colour)
                    else:
                        cells[2].text = _("Not assessed")

    # --- The frame: language, properties, footer ---

    def _setup(self) -> None:
        report, document = self.report, self.document
        properties = document.core_properties
        properties.title = f"{report.title} {report.year} – {report.unit}"
        properties.author = report.municipality.name
        properties.subject = report.period or str(report.year)
        properties.language = LANGUAGE
        properties.created = report.generated.astimezone(datetime.UTC).replace(tzinfo=None)
        properties.version = report.version[:255]
        # Swedish as the language of every style, for spelling and for screen readers.
        defaults = document.styles.element.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
        if run_defaults is not None:
            run_properties = run_defaults.find(qn("w:rPr"))
            language = run_properties.find(qn("w:lang"))
            if language is None:
                language = OxmlElement("w:lang")
                run_properties.append(language)
            language.set(qn("w:val"), LANGUAGE)
        # Word refreshes the table of contents and page numbers when the document opens.
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        document.settings.element.append(update)
        section = document.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.2)
        section.different_first_page_header_footer = True
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer.add_run(f"{report.title} {report.year} – {report.unit}    ")
        footer.add_run(_("Page") + " ")
        _field(footer, "PAGE", "1")
        footer.add_run(" " + _("of") + " ")
        _field(footer, "NUMPAGES", "1")

    def _cover(self) -> None:
        report, document = self.report, self.document
        logo = report.municipality
        if logo.has_logo and logo.logo_type in IMAGE_TYPES:
            picture = document.add_picture(io.BytesIO(logo.logo), height=Cm(2.5))
            _describe(picture, _("Logo of %(name)s") % {"name": logo.name})
        municipality = document.add_paragraph()
        run = municipality.add_run(logo.name)
        run.bold = True
        run.font.size = Pt(14)
        document.add_paragraph(f"{report.title} {report.year}", style="Title")
        unit = report.unit
        if report.consolidated:
            unit += " " + _("with the units below")
        document.add_paragraph(unit, style="Subtitle")
        facts = [
            (_("Period"), report.period) if report.period else (_("Year"), str(report.year)),
            (_("Date"), date_format(report.generated, "j F Y")),
            (_("Version"), report.version),
        ]
        for label, value in facts:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
        if report.as_decided:
            document.add_paragraph(
                _(
                    "Outcomes, forecasts and assessments are shown as they stood when the period "
                    "was decided."
                )
            )
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _contents(self) -> None:
        document = self.document
        document.add_paragraph(_("Contents"), style="TOC Heading")
        _field(
            document.add_paragraph(),
            'TOC \\o "1-3" \\h \\z \\u',
            _("Update the field (F9) to show the table of contents."),
        )
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _summary(self, part: SummaryPart) -> None:
        summary, document = part.summary, self.document
        self._heading(part)
        document.add_paragraph(
            _("%(assessed)s of %(total)s goals have been assessed.")
            % {"assessed": summary.assessed, "total": summary.total}
        )
        table = self._table(
            _("Goals per assessment"),
            [_("Assessment"), _("Number of goals")],
            numbers_from=1,
        )
        for item in summary.counts:
            cells = table.add_row().cells
            self._assessment_words(cells[0].paragraphs[0], item.label, item.colour)
            cells[1].text = str(item.count)
            cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    # --- A goal ---

    def _goal(self, goal: GoalBlock, level: int) -> None:
        document = self.document
        document.add_heading(goal.title, level=level)
        meta = document.add_paragraph(f"{goal.level} · {goal.code}")
        meta.runs[0].italic = True
        for text in goal.texts:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{text.label}: ").bold = True
            paragraph.add_run(text.text)
        if self.report.shows_assessment:
            paragraph = document.add_paragraph()
            paragraph.add_run(_("Assessment") + ": ").bold = True
            if goal.assessment:
                self._assessment_words(paragraph, goal.assessment.label, goal.assessment.colour)
                for label, text in (
                    (_("Analysis"), goal.assessment.analysis),
                    (_("Motivation"), goal.assessment.motivation),
                    (_("Work next year"), goal.assessment.next_year),
                ):
                    if text:
                        paragraph = document.add_paragraph()
                        paragraph.add_run(f"{label}: ").bold = True
                        paragraph.add_run(text)
                if goal.assessment.corrective_actions:
                    table = self._table(
                        _("Corrective actions, %(code)s") % {"code": goal.code},
                        [_("What"), _("Who"), _("By when")],
                    )
                    for action in goal.assessment.corrective_actions:
                        cells = table.add_row().cells
                        cells[0].text = action.description
                        cells[1].text = action.responsible
                        cells[2].text = date_format(action.due_on, "j F Y")
            else:
                paragraph.add_run(_("Not assessed"))
        for indicator in goal.indicators:
            self._indicator(indicator)
        if goal.activities:
            headers = [_("Activity"), _("Responsible"), _("End date")]
            if self.report.period:
                headers += [_("Status"), _("Comment")]
            table = self._table(_("Activities, %(code)s") % {"code": goal.code}, headers)
            for activity in goal.activities:
                cells = table.add_row().cells
                cells[0].text = activity.title
                cells[1].text = activity.responsible
                cells[2].text = date_format(activity.end, "j F Y")
                if self.report.period:
                    cells[3].text = activity.status or _("Not reported")
                    cells[4].text = activity.comment

    def _indicator(self, indicator: IndicatorTable) -> None:
        period = self.report.period
        headers = [_("Indicator")]
        headers += [_("Outcome")] if period else []
        headers += [_("Target for the year")]
        headers += [_("Forecast for the year"), _("Last year")] if period else []
        caption = indicator.name + (f" ({indicator.measure})" if indicator.measure else "")
        table = self._table(caption, headers, numbers_from=1)
        for row in indicator.rows:
            values = [row.outcome] if period else []
            values += [row.target]
            values += [row.forecast, row.last_year] if period else []
            cells = table.add_row().cells
            cells[0].text = row.label
            for cell, value in zip(cells[1:], values, strict=True):
                cell.text = number_text(value)
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if indicator.kolada:
            paragraph = self.document.add_paragraph()
            self._assessment_words(paragraph, indicator.kolada.text, indicator.kolada.colour)
            self.document.add_paragraph(indicator.kolada.source).runs[0].italic = True
        if indicator.chart:
            picture = self.document.add_picture(io.BytesIO(indicator.chart.png), width=Cm(15))
            _describe(picture, indicator.chart.alt)

    # --- Pieces ---

    def _table(self, caption: str, headers: list[str], numbers_from: int | None = None):
        self.document.add_paragraph(caption, style="Caption")
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        header = table.rows[0]
        _repeat_header(header)
        for number, (cell, text) in enumerate(zip(header.cells, headers, strict=True)):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            if numbers_from is not None and number >= numbers_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return table

    def _row(self, table, texts: list[str], numbers_from: int | None = None):
        """A row of plain texts, added in one go (python-docx's cell lookups are slow)."""
        row = table.add_row()
        cells = row.cells
        for number, (cell, text) in enumerate(zip(cells, texts, strict=False)):
            cell.paragraphs[0].add_run(text)
            if numbers_from is not None and number >= numbers_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return cells

    def _assessment_words(self, paragraph, label: str, colour: str) -> None:
        """The scale's colour as a dot, and always its words beside it."""
        dot = paragraph.add_run("● ")
        rgb = _rgb(colour)
        if rgb is not None:
            dot.font.color.rgb = rgb
        paragraph.add_run(label)
