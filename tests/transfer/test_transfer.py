import copy
import io
import json
import time

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from styr.organisation.models import Municipality
from styr.planning.models import Goal
from styr.reports.models import ReportDocument
from styr.transfer.services import (
    TransferError,
    _history_of,
    _rows_of,
    exported_models,
    municipality_export,
    municipality_import,
)

from .conftest import DOCUMENT, LOGO, demo_municipality, wipe


def canonical(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "exported_at"}


def table(data: dict, label: str) -> list[dict]:
    return next(t["rows"] for t in data["tables"] if t["model"] == label)


def counts() -> dict[str, int]:
    models = [*exported_models(), get_user_model()]
    return {m._meta.label: m._base_manager.count() for m in models}


def test_a_municipality_exported_and_imported_into_an_empty_database_compares_equal(svenljunga):
    code = svenljunga.code
    exported = municipality_export(code=code)
    usernames = [u["username"] for u in exported["users"]]
    assert exported["format_version"] == 1 and exported["municipality"] == code
    assert exported["styr_version"] and exported["exported_at"]
    goal_history = Goal.history.filter(municipality=svenljunga).count()
    assert goal_history > 0
    wipe(svenljunga, usernames=usernames)
    assert set(counts().values()) == {0}  # nothing of it is left, not even its people

    summary = municipality_import(data=json.loads(json.dumps(exported)))

    imported = summary.municipality
    assert summary.new_users == len(usernames) > 0
    assert canonical(municipality_export(code=code)) == canonical(exported)
    # Binary fields, history and times come back as they were.
    assert bytes(imported.logo) == LOGO
    assert (
        bytes(ReportDocument.objects.get(municipality=imported, file_name="rapport.pdf").content)
        == DOCUMENT
    )
    assert Goal.history.filter(municipality=imported).count() == goal_history
    assert (
        imported.created_at.isoformat()
        == table(exported, "organisation.municipality")[0]["fields"]["created_at"]
    )
    # People come without a password: they sign in through the municipality's sign-in service.
    person = get_user_model().objects.get(username=usernames[0])
    assert not person.has_usable_password()
    assert not person.is_superuser


def test_an_import_goes_alongside_other_municipalities_without_touching_them(db):
    lomma = demo_municipality("lomma")
    svenljunga = demo_municipality("svenljunga")
    lomma_before = municipality_export(code=lomma.code)
    exported = municipality_export(code=svenljunga.code)
    wipe(svenljunga)
    # Lomma's rows hold ids the file's rows would take if the import kept its numbers (on a
    # fresh database they start at 1 too).
    assert Goal.objects.filter(municipality=lomma).exists()

    municipality_import(data=exported)

    assert canonical(municipality_export(code=svenljunga.code)) == canonical(exported)
    assert canonical(municipality_export(code=lomma.code)) == canonical(lomma_before)
    # The people both municipalities share are matched by user name, not created twice.
    assert get_user_model().objects.filter(username="admin").count() <= 1


def test_the_same_municipality_twice_is_refused(svenljunga):
    exported = municipality_export(code=svenljunga.code)
    before = counts()
    with pytest.raises(TransferError, match="finns redan"):
        municipality_import(data=exported)
    assert counts() == before


def _corrupt(data: dict, how: str) -> dict:
    data = copy.deepcopy(data)
    goals = table(data, "planning.goal")
    if how == "version":
        data["format_version"] = 99
    elif how == "format":
        data["format"] = "något annat"
    elif how == "table":
        data["tables"].append({"model": "planning.okand", "rows": []})
    elif how == "field":
        goals[0]["fields"]["okänt"] = 1
    elif how == "value":
        goals[0]["fields"]["created_at"] = "igår"
    elif how == "reference":
        goals[0]["fields"]["unit"] = 99999
    elif how == "user":
        table(data, "organisation.rolegrant")[0]["fields"]["user"] = "okand-person"
    elif how == "duplicate":
        # Passes the checks of the file; the database's unique constraint refuses it at the end.
        copy_of_goal = copy.deepcopy(goals[0])
        copy_of_goal["pk"] = max(g["pk"] for g in goals) + 1000
        goals.append(copy_of_goal)
    return data


BROKEN = [
    ("version", "formatversion 99"),
    ("format", "inte en export"),
    ("table", "planning.okand"),
    ("field", "okänt"),
    ("value", "created_at"),
    ("reference", "99999"),
    ("user", "okand-person"),
    ("duplicate", "ingenting lästes in"),
]


def test_a_broken_file_changes_nothing(svenljunga):
    exported = municipality_export(code=svenljunga.code)
    wipe(svenljunga)
    before = counts()
    for how, message in BROKEN:
        with pytest.raises(TransferError, match=message):
            municipality_import(data=_corrupt(exported, how))
        assert counts() == before, how
        assert not Municipality.objects.filter(code=exported["municipality"]).exists()
    # The file itself was fine.
    municipality_import(data=exported)


def test_the_commands_write_and_read_a_file_and_say_what_is_wrong(svenljunga, tmp_path, capsys):
    path = tmp_path / "svenljunga.json"
    started = time.perf_counter()
    call_command("export", "--municipality", svenljunga.code, "--output", str(path))
    exported_in = time.perf_counter() - started
    data = json.loads(path.read_text(encoding="utf-8"))
    to_stdout = io.StringIO()
    call_command("export", "--municipality", svenljunga.code, stdout=to_stdout)
    assert canonical(json.loads(to_stdout.getvalue())) == canonical(data)
    rows = sum(len(t["rows"]) for t in data["tables"])
    wipe(svenljunga)
    started = time.perf_counter()
    call_command("import", "--file", str(path))
    imported_in = time.perf_counter() - started
    out = capsys.readouterr().out
    assert "Läste in" in out and svenljunga.code in out
    print(f"\nexport {exported_in:.2f} s, import {imported_in:.2f} s, {rows} rows")

    with pytest.raises(CommandError, match="finns redan"):
        call_command("import", "--file", str(path))
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(CommandError, match="inte giltig JSON"):
        call_command("import", "--file", str(broken))
    with pytest.raises(CommandError, match="Ingen kommun har koden 9999"):
        call_command("export", "--municipality", "9999")


def test_every_table_that_holds_a_municipality_s_rows_is_exported(db):
    exported = set(exported_models())
    for model in apps.get_models():
        if model in exported:
            continue
        points_in = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in exported
        ]
        assert not points_in, f"{model._meta.label} points to exported rows but is not exported"
    # Every exported table knows how to find the municipality's rows.
    for model in exported:
        assert _rows_of(model, Municipality(pk=1)).count() == 0
        assert _history_of(model) is None or _history_of(model) in exported
