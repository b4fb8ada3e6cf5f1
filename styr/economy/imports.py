"""The accounting system's file: budget and outcome per unit, account group and month.

The file is read as the outcome import reads its files (XLSX, or CSV with ; or , and a decimal
comma, UTF-8 or Windows-1252) and every row is checked before anything is written; every problem
is named by sheet, row and column. One problem anywhere and nothing is written. An amount equal
to the stored one is not written again, so reading the same file twice changes nothing."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl.utils import get_column_letter

from styr.access.policy import Action, require
from styr.core.bulk import history_insert, rows_update
from styr.organisation.models import Municipality, OrgUnit
from styr.reports.imports import ImportRejected, Problem, table_read

from .models import AccountGroup, BudgetLine
from .services import kronor

COLUMNS = {
    "unit": pgettext_lazy("accounting column", "Unit"),
    "account_group": pgettext_lazy("accounting column", "Account group"),
    "month": pgettext_lazy("accounting column", "Month"),
    "amount": pgettext_lazy("accounting column", "Amount"),
    "kind": pgettext_lazy("accounting column", "Type"),
}
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?(?: 00:00:00)?$")
INCOME_PREFIX = "intäkt"


@dataclass
class AccountingSummary:
    rows: int
    created: int
    changed: int
    unchanged: int
    new_groups: int

    def __str__(self) -> str:
        return _(
            "%(rows)s rows read: %(created)s new amounts, %(changed)s changed, %(unchanged)s "
            "unchanged, %(groups)s new account groups."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "groups": self.new_groups,
        }


def _group_code_and_name(text: str) -> tuple[str, str]:
    """“40 Personal” is code 40, name Personal; “Personal” alone is both."""
    first, _space, rest = text.partition(" ")
    if rest.strip() and any(ch.isdigit() for ch in first):
        return first, rest.strip()
    return text, text


def _kinds() -> dict[str, str]:
    names = {}
    for kind in BudgetLine.Kind:
        names[kind.value] = kind.value
        names[str(kind.label).casefold()] = kind.value
    return names


def accounting_import(
    *,
    municipality: Municipality,
    year: int,
    file_name: str,
    data: bytes,
    acting_user=None,
) -> AccountingSummary:
    """Read budget and outcome from an XLSX or CSV file: all or nothing. A month written 1–12
    belongs to `year`; one written YYYY-MM to its own year. Raises `ImportRejected` naming every
    problem; then nothing has been changed."""
    root = OrgUnit.objects.filter(municipality=municipality, depth=0).first()
    if acting_user is not None:
        if root is None:
            raise ValidationError(_("The municipality has no organisation yet."))
        require(acting_user, Action.ADMINISTER, root)
    table = table_read(file_name, data)
    wanted = {str(label).casefold(): key for key, label in COLUMNS.items()}
    columns: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        key = wanted.get(header.casefold())
        if key is not None and key not in columns:
            columns[key] = index

    def problem(row, key, message) -> Problem:
        column = columns.get(key)
        return Problem(
            table.sheet,
            row,
            get_column_letter(column + 1) if column is not None else None,
            table.headers[column] if column is not None else None,
            message,
            table.is_csv,
        )

    missing = [str(label) for key, label in COLUMNS.items() if key not in columns]
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

    def cell(cells, key) -> str:
        index = columns[key]
        return cells[index].strip() if index < len(cells) else ""

    units = {u.code.casefold(): u for u in OrgUnit.objects.filter(municipality=municipality)}
    groups = {g.code.casefold(): g for g in AccountGroup.objects.filter(municipality=municipality)}
    kinds = _kinds()
    problems: list[Problem] = []
    parsed = []  # (unit, group code, group name, year, month, kind, amount)
    seen: dict[tuple, int] = {}
    for number, cells in table.rows:
        unit_code = cell(cells, "unit")
        unit = units.get(unit_code.casefold())
        if not unit_code:
            problems.append(problem(number, "unit", _("Give the unit's code.")))
        elif unit is None:
            problems.append(
                problem(number, "unit", _("No unit has the code %(code)s.") % {"code": unit_code})
            )
        group_text = cell(cells, "account_group")
        if not group_text:
            problems.append(problem(number, "account_group", _("Give the account group.")))
        code, name = _group_code_and_name(group_text)
        month_text, line_year, month = cell(cells, "month"), year, None
        match = YEAR_MONTH.match(month_text)
        if match:
            line_year, month = int(match.group(1)), int(match.group(2))
        elif month_text.isdigit():
            month = int(month_text)
        if month is None or not 1 <= month <= 12:
            problems.append(
                problem(number, "month", _("Write the month as 1–12 or as YYYY-MM, e.g. 2026-03."))
            )
        kind = kinds.get(cell(cells, "kind").casefold())
        if kind is None:
            problems.append(problem(number, "kind", _("Write budget or utfall.")))
        try:
            amount = kronor(cell(cells, "amount"), "amount")
        except ValidationError as error:
            problems += [problem(number, "amount", text) for text in error.messages]
            continue
        if unit is None or not group_text or month is None or not 1 <= month <= 12 or not kind:
            continue
        key = (unit.pk, code.casefold(), line_year, month, kind)
        if key in seen:
            problems.append(
                problem(
                    number,
                    "unit",
                    _("The same unit, account group, month and type are already on row %(row)s.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        parsed.append((unit, code, name, line_year, month, kind, amount))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    with transaction.atomic():
        return _write(municipality, parsed, groups, len(table.rows), acting_user)


def _write(municipality, parsed, groups, row_count, acting_user) -> AccountingSummary:
    new_groups = []
    for _unit, code, name, *_rest in parsed:
        if code.casefold() not in groups:
            kind = (
                AccountGroup.Kind.INCOME
                if name.casefold().startswith(INCOME_PREFIX)
                else AccountGroup.Kind.COST
            )
            group = AccountGroup(municipality=municipality, code=code, name=name, kind=kind)
            group.full_clean()
            group.save()
            groups[code.casefold()] = group
            new_groups.append(group)
    years = {line[3] for line in parsed}
    existing = {
        (b.unit_id, b.account_group_id, b.year, b.month, b.kind): b
        for b in BudgetLine.objects.filter(municipality=municipality, year__in=years)
    }
    now = timezone.now()
    created, changed, unchanged = [], [], 0
    for unit, code, _name, year, month, kind, amount in parsed:
        group = groups[code.casefold()]
        line = existing.get((unit.pk, group.pk, year, month, kind))
        if line is None:
            created.append(
                BudgetLine(
                    municipality=municipality,
                    unit=unit,
                    account_group=group,
                    year=year,
                    month=month,
                    kind=kind,
                    amount=amount,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif line.amount != amount:
            line.amount, line.updated_at = amount, now
            changed.append(line)
        else:
            unchanged += 1
    created = BudgetLine.objects.bulk_create(created, batch_size=2000)
    rows_update(changed, BudgetLine, ["amount", "updated_at"])
    history_insert(created, BudgetLine, kind="+", user=acting_user, when=now)
    history_insert(changed, BudgetLine, kind="~", user=acting_user, when=now)
    return AccountingSummary(row_count, len(created), len(changed), unchanged, len(new_groups))
