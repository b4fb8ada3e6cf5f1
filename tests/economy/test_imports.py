import io

import pytest
from openpyxl import Workbook

from styr.economy.imports import accounting_import
from styr.economy.models import AccountGroup, BudgetLine
from styr.reports.imports import ImportRejected

from .conftest import csv_file

ROWS = [
    "SKOLA-1;40 Personal;2026-01;1 200 000;budget",
    "SKOLA-1;40 Personal;2;1 200 000,00;Budget",
    "SKOLA-1;40 Personal;1;1 150 500,50;utfall",
    "SKOLA-1;30 Intäkter;1;100 000;budget",
    "SN;Lokaler;1;50000;budget",
]


def run(world, data, name="ekonomi.csv", **kwargs):
    return accounting_import(
        municipality=world.municipality, year=2026, file_name=name, data=data, **kwargs
    )


def history_rows() -> int:
    return BudgetLine.history.count()


def test_a_file_imports_and_the_same_file_again_changes_nothing(world):
    summary = run(world, csv_file(ROWS))
    assert (summary.rows, summary.created, summary.changed, summary.new_groups) == (5, 5, 0, 3)
    assert "5 rader lästes" in str(summary)
    line = BudgetLine.objects.get(unit__code="SKOLA-1", month=1, kind="outcome")
    assert str(line.amount) == "1150500.50"
    assert line.account_group.name == "Personal"
    assert AccountGroup.objects.get(code="30").kind == AccountGroup.Kind.INCOME
    assert AccountGroup.objects.get(code="Lokaler").kind == AccountGroup.Kind.COST
    assert history_rows() == 5

    again = run(world, csv_file(ROWS))
    assert (again.created, again.changed, again.unchanged, again.new_groups) == (0, 0, 5, 0)
    assert history_rows() == 5

    changed = run(world, csv_file([ROWS[0].replace("1 200 000", "1 300 000")]))
    assert (changed.created, changed.changed) == (0, 1)
    assert BudgetLine.history.filter(history_type="~").count() == 1


def test_an_excel_file_reads_the_same(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Huvudbok"
    sheet.append(["Enhet", "Kontogrupp", "Månad", "Belopp", "Typ"])
    sheet.append(["SKOLA-1", "40 Personal", 3, 1200000.5, "budget"])
    out = io.BytesIO()
    workbook.save(out)
    summary = run(world, out.getvalue(), name="ekonomi.xlsx")
    assert summary.created == 1
    assert BudgetLine.objects.get().month == 3


def test_a_bad_file_is_refused_whole_with_every_bad_cell_named(world):
    rows = [
        ROWS[0],
        "OKAND;40 Personal;1;100;budget",
        "SKOLA-1;;13;tusen;prognos",
        ROWS[0],
    ]
    with pytest.raises(ImportRejected) as rejected:
        run(world, csv_file(rows))
    texts = [str(p) for p in rejected.value.problems]
    assert "Fil ekonomi.csv, rad 3, kolumn A (Enhet): Ingen enhet har koden OKAND." in texts
    where = {(p.row, p.column) for p in rejected.value.problems}
    assert {(4, "B"), (4, "C"), (4, "D"), (4, "E"), (5, "A")} <= where
    assert BudgetLine.objects.count() == 0
    assert AccountGroup.objects.count() == 0


def test_a_file_without_the_columns_is_refused(world):
    with pytest.raises(ImportRejected) as rejected:
        run(world, b"Enhet;Belopp\r\nSKOLA-1;1\r\n")
    assert "Kontogrupp" in str(rejected.value.problems[0])


def test_only_a_controller_may_read_in_the_file(world, django_user_model):
    from django.core.exceptions import PermissionDenied

    from styr.organisation.models import Role, RoleGrant

    user = django_user_model.objects.create_user("namnd")
    RoleGrant.objects.create(
        municipality=world.municipality, user=user, unit=world.unit("BUN"), role=Role.ADMINISTRATOR
    )
    with pytest.raises(PermissionDenied):
        run(world, csv_file(ROWS), acting_user=user)
    assert BudgetLine.objects.count() == 0
