"""Excel workbooks: the import template for a period, and a unit's plan and follow-up.

The template holds one row per indicator and gender with the values stored now, so reading it back
unchanged changes nothing. Headers and texts are Swedish through the catalogue; numbers carry
number formats, so Excel shows them with the reader's own decimal comma.
"""

import datetime
import io
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

from .imports import COLUMNS, SHEET_NAME
from .selectors import assessment_label

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
    sheet.append(headers)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"


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
    period, its follow-up: outcomes, forecasts, activity statuses and goal assessments. A decided
    period shows them as they stood when it was decided, like the other formats."""
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
