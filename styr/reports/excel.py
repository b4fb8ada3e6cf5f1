"""Excel workbooks: the import template for a period, and a unit's plan and follow-up.

The template holds one row per indicator and gender with the values stored now, so reading it back
unchanged changes nothing. Headers and texts are Swedish through the catalogue; numbers carry
number formats, so Excel shows them with the reader's own decimal comma.
"""

import datetime
import io
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from styr.core.spreadsheet import guard_workbook
from styr.followup.models import (
    ActivityReport,
    Assessment,
    CorrectiveAction,
    Gender,
    ReportingPeriod,
)
from styr.followup.selectors import followup_as_of, indicator_comparisons, period_decided_at
from styr.governance.models import ActivityStatus, AssessmentValue
from styr.kolada.selectors import kpi_comparisons
from styr.organisation.models import OrgUnit
from styr.planning.models import Activity, Goal, Indicator, Target

from .followup_parts import economy_part, internal_control_part, overall_part
from .imports import COLUMNS, SHEET_NAME
from .layout import report_layout
from .selectors import assessment_label
from .structure import EconomyPart, EconomyRow, InternalControlPart, OverallJudgementsPart

GREY = PatternFill("solid", start_color="E7E7E7", end_color="E7E7E7")
HEADER_FILL = PatternFill("solid", start_color="D9E2F3", end_color="D9E2F3")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"


def _number_format(value: Decimal | None) -> str:
    if value is None or value == value.to_integral_value():
        return "#,##0"
    return "#,##0.0###"


def _number(value: Decimal | None):
    """A stored Decimal as Excel's number: integers stay integers."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _units(unit: OrgUnit, consolidated: bool) -> list[OrgUnit]:
    if consolidated:
        return list(OrgUnit.objects.in_subtree(unit).order_by("path"))
    return [unit]


def _header(sheet, headers: list[str], widths: list[int]) -> None:
    """The sheet's header row, after any notes above it: styled, frozen and filterable."""
    row = _header_row(sheet, headers)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{row + 1}"
    sheet.auto_filter.ref = f"A{row}:{get_column_letter(len(headers))}{row}"


def _header_row(sheet, headers: list[str]) -> int:
    """A row of headers styled as the sheet's own, also for a smaller table further down."""
    sheet.append(headers)
    row = sheet.max_row
    for index in range(1, len(headers) + 1):
        cell = sheet.cell(row=row, column=index)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return row


def _save(workbook: Workbook) -> bytes:
    guard_workbook(workbook)  # text stays text, never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The import template -----------------------------------------------------------------------


def _template_columns() -> list[tuple[str | None, str, int]]:
    """(import key or None for a descriptive column, header, width)."""
    return [
        ("unit", str(COLUMNS["unit"]), 12),
        (None, pgettext("import column", "Unit name"), 30),
        ("indicator", str(COLUMNS["indicator"]), 14),
        (None, pgettext("import column", "Indicator name"), 45),
        (None, pgettext("import column", "Unit of measure"), 12),
        ("gender", str(COLUMNS["gender"]), 7),
        (None, pgettext("import column", "Annual target"), 12),
        ("value", str(COLUMNS["value"]), 12),
        ("forecast", str(COLUMNS["forecast"]), 12),
        ("comment", str(COLUMNS["comment"]), 50),
    ]


def import_template_xlsx(*, unit: OrgUnit, period: ReportingPeriod, consolidated=False) -> bytes:
    """The import template for a unit (or its subtree) and a period, filled with what is stored:
    one row per indicator and gender."""
    units = _units(unit, consolidated)
    indicators = list(
        Indicator.objects.filter(municipality_id=unit.municipality_id, unit__in=units)
        .followed_up_in(period)  # e.g. only the personnel key figures in a monthly report
        .select_related("unit")
        .order_by("unit__path", "code")
    )
    comparisons = indicator_comparisons(indicators=indicators, period=period)
    forecasts = {
        f.indicator_id: f
        for f in period.forecasts.filter(
            municipality_id=unit.municipality_id, indicator__in=indicators
        )
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET_NAME)
    columns = _template_columns()
    _header(sheet, [c[1] for c in columns], [c[2] for c in columns])
    position = {key: index for index, (key, _h, _w) in enumerate(columns, start=1) if key}
    for indicator in indicators:
        comparison = comparisons[indicator.pk]
        values = comparison.values
        forecast = forecasts.get(indicator.pk)
        target = comparison.target.value if comparison.target else None
        genders = [g.value for g in Gender] if indicator.gender_split else [Gender.TOTAL.value]
        derived_total = (
            indicator.gender_split
            and indicator.additive
            and Gender.WOMEN in values
            and Gender.MEN in values
        )
        for gender in genders:
            is_total = gender == Gender.TOTAL
            value = values.get(gender)
            if is_total and derived_total:
                value = None  # Styr adds women and men; a total written here must agree
            sheet.append(
                [
                    indicator.unit.code,
                    indicator.unit.name,
                    indicator.code,
                    indicator.name,
                    indicator.measure,
                    gender,
                    _number(target) if is_total else None,
                    _number(value),
                    _number(forecast.value) if is_total and forecast else None,
                    forecast.comment if is_total and forecast else None,
                ]
            )
            row = sheet.max_row
            for index, (key, _h, _w) in enumerate(columns, start=1):
                cell = sheet.cell(row=row, column=index)
                editable = key == "value" or (key in ("forecast", "comment") and is_total)
                if not editable:
                    cell.fill = GREY
                if key == "comment":
                    cell.alignment = WRAP
            for key, number in (("value", value), ("forecast", forecast and forecast.value)):
                sheet.cell(row=row, column=position[key]).number_format = _number_format(
                    number if is_total or key == "value" else None
                )
            sheet.cell(row=row, column=7).number_format = _number_format(target)

    gender_rule = DataValidation(
        type="list",
        formula1='"T,K,M"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=pgettext("import column", "Gender"),
        error=_("Write T (total), K (women) or M (men)."),
    )
    sheet.add_data_validation(gender_rule)
    letter = get_column_letter(position["gender"])
    gender_rule.add(f"{letter}2:{letter}{max(sheet.max_row, 2) + 500}")
    number_rule = DataValidation(
        type="decimal",
        operator="between",
        formula1="-99999999999999",
        formula2="99999999999999",
        allow_blank=True,
        showErrorMessage=True,
        error=_("Write a number, e.g. 12,5."),
    )
    sheet.add_data_validation(number_rule)
    for key in ("value", "forecast"):
        letter = get_column_letter(position[key])
        number_rule.add(f"{letter}2:{letter}{max(sheet.max_row, 2) + 500}")

    _instructions(workbook.create_sheet(_("Instructions")), unit, period)
    return _save(workbook)


def _instructions(sheet, unit: OrgUnit, period: ReportingPeriod) -> None:
    lines = [
        (
            _("Import of outcomes: %(unit)s, %(period)s")
            % {"unit": unit.name, "period": period.name}
        ),
        "",
        _(
            "Write the outcome in the column Utfall, one row per indicator and gender. The rows "
            "already hold what is reported in Styr now."
        ),
        _(
            "Write the forecast for the whole year and a comment on the row with gender T. "
            "Forecast and comment are given once per indicator."
        ),
        _(
            "Grey columns describe the row. Do not change Enhet, Indikator or Kön: they tell "
            "Styr where the value belongs."
        ),
        _("Gender: T is total, K is women and M is men."),
        _(
            "Write numbers with a decimal comma, e.g. 12,5. A percentage is written as a number, "
            "e.g. 85 for 85 %."
        ),
        _(
            "When the total is women plus men, Styr adds them up: leave the outcome for T empty "
            "on those indicators."
        ),
        _(
            "An empty cell changes nothing: an import adds and changes values but never removes "
            "them. Remove a value on the follow-up page instead."
        ),
        "",
        _(
            "Read the file in on the follow-up page (Läs in utfall från Excel eller CSV). Styr "
            "checks every row first. If anything is wrong, nothing is saved and you get a list "
            "naming the sheet, row and column of each problem."
        ),
        _(
            "Reading the same file again changes nothing. You may also save the sheet as CSV "
            "(semicolon separated) and read that in."
        ),
    ]
    sheet.column_dimensions["A"].width = 100
    for line in lines:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)


# --- The plan and the follow-up ----------------------------------------------------------------


def plan_followup_xlsx(
    *, unit: OrgUnit, year: int, period: ReportingPeriod | None = None, consolidated=False
) -> bytes:
    """A unit's (or subtree's) plan for a year — goals, indicators, activities — and, given a
    period, its follow-up: outcomes, forecasts, activity statuses and goal assessments, and the
    budget follow-up, internal control and overall judgements where the period's report has them.
    A decided period shows them as they stood when it was decided, like the other formats."""
    units = _units(unit, consolidated)
    municipality_id = unit.municipality_id
    decided_at = None
    if period is not None and period.is_decided:
        decided_at = period_decided_at(period=period)
    workbook = Workbook()
    _goals_sheet(workbook.active, municipality_id, units, year, period, decided_at)
    _indicators_sheet(workbook.create_sheet(_("Indicators")), unit, units, year, period, decided_at)
    _activities_sheet(
        workbook.create_sheet(_("Activities")), municipality_id, units, year, period, decided_at
    )
    if period is not None:
        _followup_part_sheets(workbook, unit, year, period, consolidated, decided_at)
    return _save(workbook)


def _goals_sheet(sheet, municipality_id, units, year, period, decided_at) -> None:
    sheet.title = _("Goals")
    goals = list(
        Goal.objects.filter(municipality_id=municipality_id, unit__in=units)
        .in_force(year)
        .select_related("level", "unit")
        .prefetch_related("parents", "focus_areas")
        .order_by("unit__path", "level__order", "code")
    )
    assessments, actions = {}, {}
    scale = {v.pk: v for v in AssessmentValue.objects.filter(municipality_id=municipality_id)}
    if period is not None:
        source = Assessment.history.as_of(decided_at) if decided_at else Assessment.objects
        assessments = {
            a.goal_id: a
            for a in source.filter(
                municipality_id=municipality_id,
                period_id=period.pk,
                goal_id__in=[g.pk for g in goals],
            )
        }
        source = (
            CorrectiveAction.history.as_of(decided_at) if decided_at else CorrectiveAction.objects
        )
        for action in source.filter(
            municipality_id=municipality_id,
            assessment_id__in=[a.pk for a in assessments.values()],
        ).order_by("due_on", "pk"):
            actions.setdefault(action.assessment_id, []).append(action)
    headers = [
        (_("Unit"), 25),
        (_("Goal level"), 18),
        (_("Code"), 14),
        (_("Goal"), 45),
        (_("Description"), 50),
        (_("Texts"), 50),
        (_("Parent goals"), 25),
        (_("Focus areas"), 20),
    ]
    if period is not None:
        headers += [
            (_("Assessment"), 20),
            (_("Suggested assessment"), 20),
            (_("Analysis"), 60),
            (_("Motivation"), 40),
            (_("Corrective actions"), 50),
        ]
    _header(sheet, [h for h, _w in headers], [w for _h, w in headers])
    for goal in goals:
        labels = goal.level.text_field_labels()
        texts = "\n\n".join(
            f"{labels.get(key, key)}: {text}" for key, text in goal.texts.items() if text
        )
        row = [
            goal.unit.name,
            goal.level.name,
            goal.code,
            goal.title,
            goal.description,
            texts,
            ", ".join(p.code for p in goal.parents.all()),
            ", ".join(f.name for f in goal.focus_areas.all()),
        ]
        if period is not None:
            assessment = assessments.get(goal.pk)
            if assessment is None:
                row += [_("Not assessed"), None, None, None, None]
            else:
                suggested = scale.get(assessment.suggested_value_id)
                row += [
                    assessment_label(scale[assessment.value_id], period),
                    assessment_label(suggested, period) if suggested else None,
                    assessment.analysis,
                    assessment.motivation,
                    "\n".join(
                        f"{a.description} ({a.responsible}, {a.due_on:%Y-%m-%d})"
                        for a in actions.get(assessment.pk, [])
                    ),
                ]
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP


def _indicators_sheet(sheet, unit, units, year, period, decided_at) -> None:
    municipality_id = unit.municipality_id
    indicators = list(
        Indicator.objects.filter(municipality_id=municipality_id, unit__in=units)
        .select_related("unit")
        .order_by("unit__path", "code")
    )
    headers = [
        (_("Unit"), 25),
        (_("Code"), 14),
        (_("Indicator"), 45),
        (_("Unit of measure"), 12),
        (_("Direction"), 18),
        (_("Annual target"), 12),
    ]
    if period is not None:
        headers += [
            (_("Outcome, total"), 12),
            (_("Outcome, women"), 12),
            (_("Outcome, men"), 12),
            (_("Forecast for the year"), 12),
            (_("Same period last year"), 14),
            (_("Comment"), 50),
        ]
    # Indicators linked to Kolada: the latest year up to the report's, against the comparison
    # group and Riket, with the source in the headers' comments.
    kolada = kpi_comparisons(
        indicators=indicators, municipality=unit.municipality, last=1, until=year
    )
    kolada_headers = [
        (_("Kolada, year"), 10),
        (_("Kolada, own value"), 12),
        (_("Kolada, comparison group"), 14),
        (_("Kolada, Sweden"), 12),
    ]
    if kolada:
        headers += kolada_headers
    _header(sheet, [h for h, _w in headers], [w for _h, w in headers])
    if kolada:
        source = _(
            "Source: Kolada (CC BY 4.0). The latest year with values from Kolada; the "
            "comparison group's mean and Sweden."
        )
        # The demo's example data say so instead.
        source = next((c.attribution for c in kolada.values() if c.is_demo), source)
        for column in range(len(headers) - len(kolada_headers) + 1, len(headers) + 1):
            sheet.cell(row=1, column=column).comment = Comment(source, "Styr")
    if period is not None:
        comparisons = indicator_comparisons(indicators=indicators, period=period)
        values = {i.pk: comparisons[i.pk].values for i in indicators}
        forecasts = {i.pk: comparisons[i.pk].forecast for i in indicators}
        comments = dict(
            period.forecasts.filter(
                municipality_id=municipality_id, indicator__in=indicators
            ).values_list("indicator_id", "comment")
        )
        if decided_at is not None:
            # The outcomes, forecasts and comments recorded when the period was decided.
            snapshot = followup_as_of(period=period, when=decided_at, unit=unit)
            values = {i.pk: {} for i in indicators}
            for m in snapshot.measurements:
                if m.indicator_id in values:
                    values[m.indicator_id][m.gender] = m.value
            forecasts = {f.indicator_id: f.value for f in snapshot.forecasts}
            comments = {f.indicator_id: f.comment for f in snapshot.forecasts}
    else:
        # Without a period, the plan's årsmål for the year.
        comparisons = {}
        targets = {
            t.indicator_id: t.value for t in _annual_targets(municipality_id, indicators, year)
        }
    for indicator in indicators:
        row = [
            indicator.unit.name,
            indicator.code,
            indicator.name,
            indicator.measure,
            indicator.get_direction_display(),
        ]
        numbers = []
        latest = kolada[indicator.pk].latest if indicator.pk in kolada else None
        linked = [latest.own, latest.group_mean, latest.riket] if latest else [None] * 3
        linked_cells = [latest.year if latest else None, *(_number(n) for n in linked)]
        if period is not None:
            c = comparisons[indicator.pk]
            now = values[indicator.pk]
            numbers = [
                c.target.value if c.target else None,
                now.get(Gender.TOTAL),
                now.get(Gender.WOMEN),
                now.get(Gender.MEN),
                forecasts.get(indicator.pk),
                c.last_year.get(Gender.TOTAL),
            ]
            cells = [*row, *(_number(n) for n in numbers), comments.get(indicator.pk, "")]
        else:
            numbers = [targets.get(indicator.pk)]
            cells = [*row, _number(numbers[0])]
        sheet.append([*cells, *linked_cells] if kolada else cells)
        for offset, number in enumerate(numbers, start=len(row) + 1):
            sheet.cell(row=sheet.max_row, column=offset).number_format = _number_format(number)
        if kolada:
            for offset, number in enumerate(linked, start=len(cells) + 2):
                sheet.cell(row=sheet.max_row, column=offset).number_format = _number_format(number)


def _annual_targets(municipality_id, indicators, year):
    return Target.objects.filter(
        municipality_id=municipality_id,
        indicator__in=indicators,
        kind=Target.Kind.ANNUAL,
        year=year,
    )


def _activities_sheet(sheet, municipality_id, units, year, period, decided_at) -> None:
    activities = list(
        Activity.objects.filter(
            municipality_id=municipality_id,
            unit__in=units,
            start__lte=datetime.date(year, 12, 31),
            end__gte=datetime.date(year, 1, 1),
        )
        .select_related("unit")
        .order_by("unit__path", "end", "code")
    )
    headers = [
        (_("Unit"), 25),
        (_("Code"), 14),
        (_("Activity"), 45),
        (_("Start"), 12),
        (_("End"), 12),
        (_("Responsible"), 20),
    ]
    statuses = {}
    if period is not None:
        headers += [(_("Status"), 18), (_("Comment"), 50)]
        source = ActivityReport.history.as_of(decided_at) if decided_at else ActivityReport.objects
        statuses = {
            r.activity_id: r
            for r in source.filter(
                municipality_id=municipality_id,
                period_id=period.pk,
                activity_id__in=[a.pk for a in activities],
            )
        }
        labels = dict(
            ActivityStatus.objects.filter(municipality_id=municipality_id).values_list(
                "pk", "label"
            )
        )
    _header(sheet, [h for h, _w in headers], [w for _h, w in headers])
    for activity in activities:
        row = [
            activity.unit.name,
            activity.code,
            activity.title,
            activity.start,
            activity.end,
            activity.responsible,
        ]
        if period is not None:
            report = statuses.get(activity.pk)
            if report is not None:
                row += [labels[report.status_id], report.comment]
            else:
                row += [_("Not reported"), None]
        sheet.append(row)
        for column in (4, 5):
            sheet.cell(row=sheet.max_row, column=column).number_format = DATE_FORMAT


# --- The parts of a period's report from other apps ----------------------------------------------


def _followup_part_sheets(workbook, unit, year, period, consolidated, decided_at) -> None:
    """A sheet for each of the budget follow-up, internal control and overall judgements that the
    period's report has: the report's own layout decides, and the report's builders give the
    figures, so the workbook and the report always agree."""
    layout = report_layout(
        municipality_id=unit.municipality_id,
        unit_type=unit.type.key,
        period=period,
        top_unit=unit.parent_id is None,
    )
    # Like the report, these show today's figures also in a decided period, and say so.
    notes = []
    if decided_at is not None:
        notes.append(
            _("The economy, the internal control and the overall judgements show today's figures.")
        )
    done = set()
    for part in layout.parts:
        if part.part in done:
            continue  # a layout naming a part twice: the workbook needs it once
        if part.part == "economy":
            built = economy_part(
                part,
                unit=unit,
                year=year,
                period=period,
                consolidated=consolidated,
                anchor="",
            )
            _economy_sheet(workbook.create_sheet(_sheet_title(built.heading)), built, notes)
        elif part.part == "internal_control":
            built = internal_control_part(
                part,
                unit=unit,
                year=year,
                period=period,
                consolidated=consolidated,
                anchor="",
            )
            _internal_control_sheet(
                workbook.create_sheet(_sheet_title(built.heading)), built, notes
            )
        elif part.part == "overall":
            built = overall_part(part, period=period, anchor="")
            _overall_sheet(workbook.create_sheet(_sheet_title(built.heading)), built, notes)
        else:
            continue
        done.add(part.part)


def _sheet_title(heading: str) -> str:
    """A heading as Excel accepts a sheet's name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "", heading).strip()[:31] or "-"


def _notes(sheet, notes: list[str]) -> None:
    """Sentences above a sheet's table, as the report says them."""
    for note in notes:
        sheet.append([note])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)


def _title_row(sheet, text: str) -> None:
    """The heading of a smaller table further down a sheet, after an empty row."""
    sheet.append([])
    sheet.append([text])
    sheet.cell(row=sheet.max_row, column=1).font = BOLD


def _numbers(sheet, first_column: int, values: list) -> None:
    """Number formats for the last row's numbers, from `first_column` on."""
    for column, value in enumerate(values, start=first_column):
        sheet.cell(row=sheet.max_row, column=column).number_format = _number_format(value)


def _economy_sheet(sheet, part: EconomyPart, notes: list[str]) -> None:
    notes = list(notes)
    if part.is_empty:
        notes.append(_("No budget or outcome has been recorded for the year."))
    if part.includes_below:
        notes.append(_("The figures include the units below."))
    _notes(sheet, notes)
    money = [
        _("Budget"),
        f"{_('Outcome to date')} ({part.month})",
        _("Forecast for the year"),
        _("Deviation"),
    ]
    _header(sheet, [_("Account group"), _("Kind"), *money], [35, 12, 16, 16, 16, 16])

    def money_row(labels: list[str], row: EconomyRow) -> None:
        figures = [row.budget, row.outcome, row.forecast, row.deviation]
        sheet.append([*labels, *(_number(f) for f in figures)])
        _numbers(sheet, len(labels) + 1, figures)

    for row in part.groups:
        money_row([row.label, row.kind], row)
    if part.result is not None:
        money_row([part.result.label, part.result.kind], part.result)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    if part.units:
        _title_row(sheet, _("The units below"))
        _header_row(sheet, [_("Unit"), "", *money])
        for row in part.units:
            money_row([row.label, ""], row)
    if part.is_empty and not part.comments:
        return
    _title_row(sheet, _("Comments on the forecast"))
    if part.comments:
        _header_row(sheet, [_("Unit"), _("Account group"), _("Comment")])
        for comment in part.comments:
            sheet.append([comment.unit, comment.account_group, comment.text])
            sheet.cell(row=sheet.max_row, column=3).alignment = WRAP
    else:
        sheet.append([_("No comments on the forecast.")])
    _title_row(sheet, _("Action plans"))
    if part.action_plans:
        _header_row(
            sheet,
            [
                _("Unit"),
                _("Measures"),
                _("Responsible"),
                _("To be done by"),
                _("Expected effect"),
            ],
        )
        for plan in part.action_plans:
            sheet.append(
                [
                    f"{plan.unit} ({plan.month})",
                    plan.measures,
                    plan.responsible,
                    plan.due_on,
                    _number(plan.expected_effect),
                ]
            )
            sheet.cell(row=sheet.max_row, column=2).alignment = WRAP
            sheet.cell(row=sheet.max_row, column=4).number_format = DATE_FORMAT
            _numbers(sheet, 5, [plan.expected_effect])
    else:
        sheet.append([_("No action plans.")])


def _internal_control_sheet(sheet, part: InternalControlPart, notes: list[str]) -> None:
    notes = list(notes)
    if not part.plans:
        notes.append(_("No internal control plan has been made for the year."))
    _notes(sheet, notes)
    _header(
        sheet,
        [
            _("Unit"),
            _("Status"),
            _("No."),
            _("What"),
            _("How"),
            _("Who"),
            _("When and how often"),
            _("Which risk"),
            _("Score"),
            _("Performed"),
            _("Latest result"),
            _("Deviation"),
            _("The deviation"),
            _("Measures (åtgärder)"),
        ],
        [25, 25, 6, 35, 35, 18, 20, 30, 9, 12, 40, 14, 40, 40],
    )
    for plan in part.plans:
        scores = {f"{r.label} {r.title}": r.score for r in plan.risks}
        if not plan.points:
            sheet.append([plan.unit, plan.state, None, _("No control points yet.")])
        for point in plan.points:
            latest = point.latest
            result = [_("Not yet performed"), None, None, None]
            if latest is not None:
                result = [
                    latest.result,
                    _("deviation") if latest.deviation else _("no deviation"),
                    latest.deviation_description or None,
                    latest.measures or None,
                ]
            sheet.append(
                [
                    plan.unit,
                    plan.state,
                    point.label,
                    point.what,
                    point.method,
                    point.responsible,
                    point.frequency,
                    point.risk,
                    scores.get(point.risk),
                    latest.performed_on if latest is not None else None,
                    *result,
                ]
            )
            for cell in sheet[sheet.max_row]:
                cell.alignment = WRAP
            sheet.cell(row=sheet.max_row, column=10).number_format = DATE_FORMAT
    # Below the control points, as in the report: each plan's risks, and every deviation found
    # with its åtgärder (also those of an earlier result than the latest).
    for plan in part.plans:
        _title_row(sheet, _("Risks, %(unit)s") % {"unit": plan.unit})
        if plan.risks:
            _header_row(
                sheet,
                [
                    _("No."),
                    _("Risk"),
                    _("Process or area"),
                    _("Probability"),
                    _("Consequence"),
                    _("Score"),
                    _("Colour"),
                    _("Handling"),
                ],
            )
            for risk in plan.risks:
                sheet.append(
                    [
                        risk.label,
                        risk.title,
                        risk.area or None,
                        risk.probability,
                        risk.consequence,
                        risk.score,
                        risk.colour_label,
                        risk.response,
                    ]
                )
        else:
            sheet.append([_("No risks yet.")])
        _title_row(sheet, _("Deviations and measures, %(unit)s") % {"unit": plan.unit})
        if plan.deviations:
            _header_row(
                sheet,
                [_("Control point"), _("Performed"), _("The deviation"), _("Measures (åtgärder)")],
            )
            for line in plan.deviations:
                sheet.append(
                    [
                        line.point,
                        line.performed_on,
                        line.deviation_description or line.result,
                        line.measures or None,
                    ]
                )
                sheet.cell(row=sheet.max_row, column=2).number_format = DATE_FORMAT
        else:
            sheet.append([_("No deviations have been found.")])


def _overall_sheet(sheet, part: OverallJudgementsPart, notes: list[str]) -> None:
    notes = list(notes)
    if not part.judgements:
        notes.append(_("The model has no overall judgements."))
    _notes(sheet, notes)
    _header(
        sheet,
        [
            _("Overall judgement"),
            _("Assessment"),
            _("Goals"),
            _("Goals met"),
            _("Number of goals"),
            _("Assessed"),
            _("Share met"),
            _("Required share"),
            _("Requirement"),
            _("Comment"),
        ],
        [28, 40, 30, 10, 10, 10, 12, 12, 14, 50],
    )
    for judgement in part.judgements:
        comment = None
        if not judgement.decided:
            comment = _(
                "Not every goal the judgement rests on has been assessed yet; it may change."
            )
        for line in judgement.parts:
            sheet.append(
                [
                    judgement.name,
                    judgement.verdict,
                    line.levels,
                    line.met,
                    line.goals,
                    line.assessed,
                    float(line.share),
                    float(line.min_share),
                    line.reached_text,
                    comment,
                ]
            )
            # The shares are fractions of one, shown as Excel's whole per cent like the report.
            for column in (7, 8):
                sheet.cell(row=sheet.max_row, column=column).number_format = "0%"
            sheet.cell(row=sheet.max_row, column=10).alignment = WRAP
