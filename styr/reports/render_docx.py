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
    EconomyPart,
    EconomyRow,
    GoalBlock,
    GoalsPart,
    IndicatorTable,
    InternalControlPart,
    OverallJudgementsPart,
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


# The matrix's colours as the web page shades them; each cell also says its colour in words.
MATRIX_SHADES = {"green": "CFE8CF", "yellow": "FFF3A6", "orange": "FFD19A", "red": "F5B3B3"}


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


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

    def _empty(self, text: str) -> None:
        self.document.add_paragraph().add_run(text).italic = True

    def _economy(self, part: EconomyPart) -> None:
        self._heading(part)
        if part.is_empty:
            self._empty(_("No budget or outcome has been recorded for the year."))
            return
        if part.includes_below:
            self.document.add_paragraph(_("The figures include the units below."))
        money = [_("Budget"), _("Outcome to date"), _("Forecast for the year"), _("Deviation")]
        if part.groups:
            table = self._table(
                _("Budget, outcome through %(month)s and forecast for the year, per account group")
                % {"month": part.month},
                [_("Account group"), _("Kind"), *money],
                numbers_from=2,
            )
            for row in [*part.groups, part.result]:
                cells = self._money_row(table, [row.label, row.kind], row)
                if row is part.result:
                    for cell in cells:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        if part.units:
            self.document.add_heading(_("The units below"), level=2)
            table = self._table(
                _("Result per unit below: budget, outcome, forecast and deviation"),
                [_("Unit"), *money],
                numbers_from=1,
            )
            for row in part.units:
                self._money_row(table, [row.label], row)
        self.document.add_heading(_("Comments on the forecast"), level=2)
        for comment in part.comments:
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{comment.unit}, {comment.account_group}: ").bold = True
            paragraph.add_run(comment.text)
        if not part.comments:
            self._empty(_("No comments on the forecast."))
        self.document.add_heading(_("Action plans"), level=2)
        if part.action_plans:
            table = self._table(
                _("Action plans: measures, responsible, date and expected effect"),
                [
                    _("Unit"),
                    _("Measures"),
                    _("Responsible"),
                    _("To be done by"),
                    _("Expected effect"),
                ],
                numbers_from=4,
            )
            for plan in part.action_plans:
                self._row(
                    table,
                    [
                        f"{plan.unit} ({plan.month})",
                        plan.measures,
                        plan.responsible,
                        date_format(plan.due_on, "j F Y"),
                        plan.expected_effect_text,
                    ],
                    numbers_from=4,
                )
        else:
            self._empty(_("No action plans."))

    def _money_row(self, table, labels: list[str], row: EconomyRow):
        texts = [*labels, row.budget_text, row.outcome_text, row.forecast_text]
        cells = self._row(table, texts, numbers_from=len(labels))
        paragraph = cells[-1].paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._assessment_words(
            paragraph, f"{row.deviation_text} ({row.deviation_words})", row.colour
        )
        return cells

    def _internal_control(self, part: InternalControlPart) -> None:
        self._heading(part)
        document = self.document
        for plan in part.plans:
            document.add_heading(
                _("Internal control plan, %(unit)s") % {"unit": plan.unit}, level=2
            )
            document.add_paragraph(plan.state)
            table = self._table(
                _("Risk matrix, %(unit)s: consequence in the rows, probability in the columns")
                % {"unit": plan.unit},
                [_("Consequence ↓ / probability →"), *plan.probability_labels],
            )
            for row in plan.matrix:
                cells = table.add_row().cells
                cells[0].paragraphs[0].add_run(row.consequence).bold = True
                for cell, item in zip(cells[1:], row.cells, strict=True):
                    _shade(cell, MATRIX_SHADES[item.colour])
                    cell.paragraphs[0].add_run(
                        _("Score %(score)s (%(colour)s)")
                        % {"score": item.score, "colour": item.colour_label}
                    )
                    for risk in item.risks:
                        cell.add_paragraph(risk)
            if plan.risks:
                table = self._table(
                    _("Risks, %(unit)s") % {"unit": plan.unit},
                    [
                        _("No."),
                        _("Risk"),
                        _("Process or area"),
                        _("Probability"),
                        _("Consequence"),
                        _("Score"),
                        _("Handling"),
                    ],
                )
                for risk in plan.risks:
                    self._row(
                        table,
                        [
                            risk.label,
                            risk.title,
                            risk.area or "–",
                            str(risk.probability),
                            str(risk.consequence),
                            f"{risk.score} ({risk.colour_label})",
                            risk.response,
                        ],
                    )
            else:
                self._empty(_("No risks yet."))
            if plan.points:
                table = self._table(
                    _("Control points and their latest result, %(unit)s") % {"unit": plan.unit},
                    [
                        _("No."),
                        _("What"),
                        _("How"),
                        _("Who"),
                        _("When and how often"),
                        _("Which risk"),
                        _("Latest result"),
                    ],
                )
                for point in plan.points:
                    latest = point.latest
                    if latest is None:
                        text = _("Not yet performed")
                    else:
                        words = _("deviation") if latest.deviation else _("no deviation")
                        text = f"{date_format(latest.performed_on, 'j F Y')}: "
                        text += f"{latest.result} ({words})"
                    self._row(
                        table,
                        [
                            point.label,
                            point.what,
                            point.method,
                            point.responsible,
                            point.frequency,
                            point.risk,
                            text,
                        ],
                    )
            else:
                self._empty(_("No control points yet."))
            document.add_heading(
                _("Deviations and measures, %(unit)s") % {"unit": plan.unit}, level=3
            )
            if plan.deviations:
                table = self._table(
                    _("Deviations found and measures taken, %(unit)s") % {"unit": plan.unit},
                    [
                        _("Control point"),
                        _("Performed"),
                        _("The deviation"),
                        _("Measures (åtgärder)"),
                    ],
                )
                for line in plan.deviations:
                    self._row(
                        table,
                        [
                            line.point,
                            date_format(line.performed_on, "j F Y"),
                            line.deviation_description or line.result,
                            line.measures or "–",
                        ],
                    )
            else:
                self._empty(_("No deviations have been found."))
        if not part.plans:
            self._empty(_("No internal control plan has been made for the year."))

    def _overall(self, part: OverallJudgementsPart) -> None:
        self._heading(part)
        for judgement in part.judgements:
            self.document.add_heading(judgement.name, level=2)
            paragraph = self.document.add_paragraph()
            self._assessment_words(paragraph, judgement.verdict, judgement.colour)
            for run in paragraph.runs:
                run.bold = True
            if not judgement.decided:
                self.document.add_paragraph(
                    _("Not every goal the judgement rests on has been assessed yet; it may change.")
                )
            table = self._table(
                _("What the judgement rests on: %(name)s") % {"name": judgement.name},
                [
                    _("Goals"),
                    _("Met / goals"),
                    _("Assessed"),
                    _("Share met"),
                    _("Required share"),
                    _("Requirement"),
                ],
                numbers_from=1,
            )
            for line in judgement.parts:
                cells = self._row(
                    table,
                    [
                        line.levels,
                        f"{line.met} / {line.goals}",
                        f"{line.assessed} / {line.goals}",
                        line.share_text,
                        line.min_share_text,
                        line.reached_text,
                    ],
                    numbers_from=1,
                )
                cells[-1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
        if not part.judgements:
            self._empty(_("The model has no overall judgements."))

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
            text = _(
                "Outcomes, forecasts and assessments are shown as they stood when the period "
                "was decided."
            )
            if report.has_live_parts:
                text += " " + _(
                    "The economy, the internal control and the overall judgements show today's "
                    "figures."
                )
            document.add_paragraph(text)
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
