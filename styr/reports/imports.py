"""Outcomes, forecasts and comments read from a file (XLSX or CSV) and reported all at once.

Every row is checked before anything is written, and every problem is named by sheet, row and
column as Excel shows them. One problem anywhere and nothing is written; otherwise the whole file
is reported in one transaction by `outcomes_report_many`, which keeps the rules and the history
of `measurement_report`. A value equal to the stored one is not written again, so reading the
same file twice changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from styr.followup.models import Gender, Measurement, ReportingPeriod
from styr.followup.services import (
    OutcomeInput,
    OutcomeProblem,
    OutcomesInvalid,
    outcome_number,
    outcomes_check,
    outcomes_report_many,
)
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import Indicator

# The columns the import reads, by key; the template writes the same headers.
COLUMNS = {
    "unit": pgettext_lazy("import column", "Unit"),
    "indicator": pgettext_lazy("import column", "Indicator"),
    "gender": pgettext_lazy("import column", "Gender"),
    "value": pgettext_lazy("import column", "Outcome"),
    "forecast": pgettext_lazy("import column", "Forecast"),
    "comment": pgettext_lazy("import column", "Comment"),
}
REQUIRED = ("unit", "indicator", "value")
INDICATOR_FIELDS = [
    "municipality_id",
    "code",
    "name",
    "gender_split",
    "additive",
    "unit__municipality_id",
    "unit__code",
    "unit__name",
    "unit__path",
]
SHEET_NAME = pgettext_lazy("import sheet", "Outcomes")


@dataclass
class Problem:
    """One thing wrong in the file, where Excel shows it."""

    sheet: str
    row: int | None
    column: str | None  # the letter, e.g. "E"
    header: str | None
    message: str
    is_csv: bool = False

    def __str__(self) -> str:
        where = (_("File %(sheet)s") if self.is_csv else _("Sheet %(sheet)s")) % {
            "sheet": self.sheet
        }
        if self.row is not None:
            where += ", " + _("row %(row)s") % {"row": self.row}
        if self.column is not None:
            where += ", " + _("column %(column)s (%(header)s)") % {
                "column": self.column,
                "header": self.header,
            }
        return f"{where}: {self.message}"


class ImportRejected(ValidationError):
    """The file was not read: `problems` names every problem. Nothing was changed."""

    def __init__(self, problems: list[Problem]):
        super().__init__([str(p) for p in problems])
        self.problems = problems


@dataclass
class ImportSummary:
    rows: int
    created: int
    changed: int
    unchanged: int

    def __str__(self) -> str:
        return _(
            "%(rows)s rows read: %(created)s new values, %(changed)s changed, "
            "%(unchanged)s unchanged."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }


# --- Reading the file ------------------------------------------------------------------------


@dataclass
class _Table:
    sheet: str
    is_csv: bool
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).strip()


def _read_xlsx(file_name: str, data: bytes) -> _Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRejected(
            [Problem(file_name, None, None, None, _("The file is not an Excel workbook (.xlsx)."))]
        ) from None
    try:
        name = str(SHEET_NAME)
        sheet = workbook[name] if name in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        return _table(sheet.title, False, ([_cell_text(v) for v in row] for row in rows))
    finally:
        workbook.close()


def _read_csv(file_name: str, data: bytes) -> _Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (semikolonavgränsad)" writes Windows-1252 on a Swedish Windows.
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(file_name, True, ([c.strip() for c in row] for row in reader))


def _table(sheet: str, is_csv: bool, rows) -> _Table:
    table = None
    for number, cells in enumerate(rows, start=1):
        if table is None:
            if any(cells):
                headers = [c.strip() for c in cells]
                table = _Table(sheet, is_csv, number, headers)
            continue
        if any(cells):
            table.rows.append((number, cells))
    if table is None:
        raise ImportRejected([Problem(sheet, None, None, None, _("The file is empty."), is_csv)])
    return table


def table_read(file_name: str, data: bytes) -> _Table:
    if file_name.lower().endswith(".csv"):
        return _read_csv(file_name, data)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(file_name, data)
    raise ImportRejected(
        [Problem(file_name, None, None, None, _("Choose an Excel file (.xlsx) or a CSV file."))]
    )


# --- Checking and reporting ------------------------------------------------------------------


@dataclass
class _Item:
    outcome: OutcomeInput
    rows: dict[str, int] = field(default_factory=dict)  # gender → row number
    first_row: int = 0
    forecast_row: int | None = None


def outcomes_import(
    *,
    municipality: Municipality,
    period: ReportingPeriod,
    file_name: str,
    data: bytes,
    acting_user=None,
) -> ImportSummary:
    """Read outcomes, forecasts and comments from an XLSX or CSV file and report them: all or
    nothing. Raises `ImportRejected` naming every problem; then nothing has been changed."""
    table = table_read(file_name, data)

    def problem(row, key, message) -> Problem:
        column = columns.get(key)
        letter = get_column_letter(column + 1) if column is not None else None
        return Problem(
            table.sheet,
            row,
            letter,
            table.headers[column] if column is not None else None,
            message,
            table.is_csv,
        )

    wanted = {str(label).casefold(): key for key, label in COLUMNS.items()}
    columns: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        key = wanted.get(header.casefold())
        if key is not None and key not in columns:
            columns[key] = index
    missing = [str(COLUMNS[k]) for k in REQUIRED if k not in columns]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    table.sheet,
                    table.header_row,
                    None,
                    None,
                    _("The header row lacks the columns %(columns)s.")
                    % {"columns": ", ".join(missing)},
                    table.is_csv,
                )
            ]
        )
    if period.municipality_id != municipality.pk:
        raise ValidationError(_("The period belongs to another municipality."))

    units = {u.code.casefold(): u for u in OrgUnit.objects.filter(municipality=municipality)}
    # Only what the checks read: a file may name tens of thousands of indicators.
    indicators = {
        i.code.casefold(): i
        for i in Indicator.objects.filter(municipality=municipality)
        .select_related("unit")
        .only(*INDICATOR_FIELDS)
    }
    genders = {g.value for g in Gender}

    def cell(cells, key) -> str:
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    problems: list[Problem] = []
    items: dict[int, _Item] = {}
    seen: dict[tuple[int, str], int] = {}
    for number, cells in table.rows:
        unit_code, indicator_code = cell(cells, "unit"), cell(cells, "indicator")
        gender = cell(cells, "gender").upper() or Gender.TOTAL.value
        value, forecast, comment = (
            cell(cells, "value"),
            cell(cells, "forecast"),
            cell(cells, "comment"),
        )
        row_problems = []
        unit = units.get(unit_code.casefold())
        if not unit_code:
            row_problems.append(problem(number, "unit", _("Give the unit's code.")))
        elif unit is None:
            row_problems.append(
                problem(number, "unit", _("No unit has the code %(code)s.") % {"code": unit_code})
            )
        indicator = indicators.get(indicator_code.casefold())
        if not indicator_code:
            row_problems.append(problem(number, "indicator", _("Give the indicator's code.")))
        elif indicator is None:
            row_problems.append(
                problem(
                    number,
                    "indicator",
                    _("No indicator has the code %(code)s.") % {"code": indicator_code},
                )
            )
        elif unit is not None and indicator.unit_id != unit.pk:
            row_problems.append(
                problem(
                    number,
                    "indicator",
                    _("%(indicator)s belongs to %(owner)s (%(code)s), not to %(unit)s.")
                    % {
                        "indicator": indicator.code,
                        "owner": indicator.unit.name,
                        "code": indicator.unit.code,
                        "unit": unit.code,
                    },
                )
            )
        if gender not in genders:
            row_problems.append(
                problem(number, "gender", _("Write T (total), K (women) or M (men)."))
            )
        elif indicator is not None and not indicator.gender_split and gender != Gender.TOTAL:
            row_problems.append(
                problem(
                    number,
                    "gender",
                    _("%(code)s is not split by gender; give only T (total).")
                    % {"code": indicator.code},
                )
            )
        if gender != Gender.TOTAL and (forecast or comment):
            key = "forecast" if forecast else "comment"
            row_problems.append(
                problem(
                    number,
                    key,
                    _(
                        "The forecast and the comment are given once per indicator, on the row "
                        "with gender T."
                    ),
                )
            )
        if row_problems:
            # The numbers are checked with the rest when the row can be placed; here alone.
            for key, raw in (("value", value), ("forecast", forecast)):
                try:
                    outcome_number(raw, key)
                except ValidationError as error:
                    row_problems += [problem(number, key, text) for text in error.messages]
            problems += row_problems
            continue
        key = (indicator.pk, gender)
        if key in seen:
            problems.append(
                problem(
                    number,
                    "indicator",
                    _("The same unit, indicator and gender are already on row %(row)s.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        item = items.get(indicator.pk)
        if item is None:
            item = items[indicator.pk] = _Item(OutcomeInput(indicator, {}), first_row=number)
        item.rows[gender] = number
        if value:
            item.outcome.values[gender] = value
        if gender == Gender.TOTAL:
            item.forecast_row = number
            if forecast:
                item.outcome.forecast = forecast
            if comment:
                item.outcome.comment = comment

    ordered = list(items.values())
    outcomes = [i.outcome for i in ordered]

    def cell_problems(found: list[OutcomeProblem]) -> list[Problem]:
        mapped = []
        for p in found:
            item = ordered[p.index]
            if p.field in genders:
                mapped.append(problem(item.rows.get(p.field, item.first_row), "value", p.message))
            elif p.field == "forecast":
                mapped.append(problem(item.forecast_row or item.first_row, "forecast", p.message))
            else:
                mapped.append(problem(item.first_row, "unit", p.message))
        return mapped

    def service_problems(run) -> list[Problem]:
        try:
            return cell_problems(run())
        except OutcomesInvalid as error:
            return cell_problems(error.problems)
        except ValidationError as error:
            # The period itself takes no reports (closed, decided, not following up indicators).
            return [_file_problem(table, message) for message in error.messages]

    def check():
        return outcomes_check(period=period, outcomes=outcomes, acting_user=acting_user)

    if not problems:
        result = []

        def report():
            result.append(
                outcomes_report_many(
                    period=period,
                    outcomes=outcomes,
                    acting_user=acting_user,
                    source=Measurement.Source.IMPORT,
                )
            )
            return []

        problems = service_problems(report)
        if not problems:
            summary = result[0]
            return ImportSummary(
                len(table.rows), summary.created, summary.changed, summary.unchanged
            )
    else:
        problems += service_problems(check)
    raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))


def _file_problem(table: _Table, message: str) -> Problem:
    return Problem(table.sheet, None, None, None, message, table.is_csv)
