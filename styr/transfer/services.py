"""A whole municipality as one JSON file, and back (`styr export`, `styr import`).

What is in the file is found in the app registry, not listed by hand, so a new table is carried
as soon as it exists: the municipality row, every table with a `municipality` foreign key (every
TenantModel, and the few others such as notifications), and the history tables
(django-simple-history) of all of them, so no change loses its history. The people the rows
point to travel by user name, without password hashes, staff or superuser status: those belong
to the installation, not to the municipality.

Primary keys in the file are the file's own: each table's rows, and the ids its history and
other rows point to (also of rows deleted since), are numbered 1, 2, 3 … in the order of their
ids. An import shifts them past every id the table and its history already use, so it goes into a
database that already has other municipalities without a collision, and exporting the imported
municipality again gives the same file apart from the time it was exported.

Shared tables are not exported: Kolada's catalogue and values (KoladaKpi, KoladaValue) are the
same for every municipality and come back with `styr kolada sync`; the outcomes Styr made from them
are in the file as measurements.
"""

import base64
import datetime
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

from styr.core.models import TenantModel
from styr.organisation.models import Municipality

FORMAT = "styr-municipality"
FORMAT_VERSION = 1
# Installation-wide facts about a person that a municipality's file must not carry or grant.
USER_FIELDS_LEFT_OUT = {"password", "last_login", "is_staff", "is_superuser"}
BATCH = 500


class TransferError(Exception):
    """A municipality could not be exported or imported; the message says why, in Swedish."""


def styr_version() -> str:
    try:
        return package_version("styr")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "0"


# --- Which tables, and how their fields travel ----------------------------------------------------


@dataclass
class Column:
    name: str
    attname: str
    field: models.Field
    # "value", "user" (by user name), "ref" (a row of `target`, by its number in the file)
    kind: str = "value"
    target: type[models.Model] | None = None
    # A real foreign key must point to a row in the file; a history table's may point to a row
    # deleted since.
    constrained: bool = False


@dataclass
class Table:
    model: type[models.Model]
    columns: list[Column] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def pk(self) -> str:
        return self.model._meta.pk.attname


def _history_of(model) -> type[models.Model] | None:
    """The model a django-simple-history table keeps the history of."""
    base = getattr(model, "instance_type", None)
    if base is None or "history_id" not in {f.name for f in model._meta.concrete_fields}:
        return None
    return base


def _municipality_field(model) -> models.Field | None:
    for f in model._meta.concrete_fields:
        if f.name == "municipality" and f.is_relation and f.related_model is Municipality:
            return f
    return None


def exported_models() -> list[type[models.Model]]:
    """Every model a municipality's file holds, each after the models it points to."""
    chosen = {Municipality}
    for model in apps.get_models():
        if issubclass(model, TenantModel) or _municipality_field(model) is not None:
            chosen.add(model)
    for model in apps.get_models():
        if _history_of(model) in chosen:
            chosen.add(model)
    return _dependency_order(chosen)


def _dependency_order(chosen: set) -> list[type[models.Model]]:
    depends = {
        model: {
            f.related_model
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in chosen and f.related_model is not model
        }
        | ({_history_of(model)} if _history_of(model) else set())
        for model in chosen
    }
    ordered: list = []
    remaining = sorted(chosen, key=lambda m: m._meta.label_lower)
    while remaining:
        ready = [m for m in remaining if depends[m] <= set(ordered)]
        # A cycle (none today) cannot stop the export: the database checks foreign keys at
        # commit, so the order is a courtesy to the reader of the file.
        ordered.extend(ready or remaining[:1])
        remaining = [m for m in remaining if m not in ordered]
    return ordered


def _tables() -> list[Table]:
    user_model = get_user_model()
    models_ = exported_models()
    tables = []
    for model in models_:
        base = _history_of(model)
        table = Table(model=model)
        if not isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
            # The import numbers rows after the ids in use, which needs counting ids.
            raise TransferError(
                _("%(model)s has no counting id, which an export needs.")
                % {"model": model._meta.label}
            )
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            column = Column(name=f.name, attname=f.attname, field=f)
            if f.is_relation:
                if f.related_model is user_model:
                    column.kind = "user"
                elif f.related_model in models_:
                    column.kind, column.target = "ref", f.related_model
                    column.constrained = f.db_constraint
                else:
                    raise TransferError(
                        _("%(model)s points to %(target)s, which an export cannot carry.")
                        % {"model": model._meta.label, "target": f.related_model._meta.label}
                    )
            elif base is not None and f.attname == base._meta.pk.attname:
                column.kind, column.target = "ref", base  # the id of the row this is history of
            table.columns.append(column)
        tables.append(table)
    return tables


def _rows_of(model, municipality: Municipality) -> models.QuerySet:
    manager = model._base_manager
    if model is Municipality:
        return manager.filter(pk=municipality.pk)
    if _history_of(model) is Municipality:
        return manager.filter(**{Municipality._meta.pk.attname: municipality.pk})
    return manager.filter(municipality=municipality)


# --- Export ---------------------------------------------------------------------------------------


def _encode(value):
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot export {type(value).__name__}")


def municipality_export(*, code: str) -> dict:
    """The municipality with `code` and everything that is its, as a JSON-ready dict, read from
    one snapshot of the database so that saves made meanwhile cannot split it."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Inside a caller's transaction (a test) the snapshot is the caller's.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _export(code)


def _export(code: str) -> dict:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise TransferError(_("No municipality has the code %(code)s.") % {"code": code})
    tables = _tables()
    raw: dict[type, list[tuple]] = {}
    for table in tables:
        attnames = [table.pk, *(c.attname for c in table.columns)]
        raw[table.model] = list(
            _rows_of(table.model, municipality).order_by(table.pk).values_list(*attnames)
        )
    live = {model: {row[0] for row in rows} for model, rows in raw.items()}
    # Number every id a table's rows have or are pointed to by, in the order of the ids.
    known = {model: set(ids) for model, ids in live.items()}
    user_ids: set[int] = set()
    for table in tables:
        for index, column in enumerate(table.columns, start=1):
            if column.kind == "value":
                continue
            values = {row[index] for row in raw[table.model]} - {None}
            if column.kind == "user":
                user_ids |= values
            elif column.kind == "ref":
                outside = values - live[column.target]
                if column.constrained and outside:
                    raise TransferError(
                        _(
                            "%(model)s points to %(target)s %(value)s, which belongs to "
                            "another municipality."
                        )
                        % {
                            "model": table.model._meta.label,
                            "target": column.target._meta.label,
                            "value": min(outside),
                        }
                    )
                known[column.target] |= values
    numbers = {
        model: {pk: n for n, pk in enumerate(sorted(ids), start=1)} for model, ids in known.items()
    }
    users = _users_export(user_ids)
    names = {pk: entry["username"] for pk, entry in users.items()}

    out_tables = []
    for table in tables:
        own = numbers[table.model]
        rows = []
        for row in raw.pop(table.model):  # let go of the rows as they are written out
            fields = {}
            for column, value in zip(table.columns, row[1:], strict=True):
                if value is not None and column.kind == "user":
                    # History may remember a person who has been removed since.
                    value = names.get(value)
                elif value is not None and column.kind == "ref":
                    value = numbers[column.target][value]
                fields[column.name] = _encode(value)
            rows.append({"pk": own[row[0]], "fields": fields})
        out_tables.append({"model": table.label, "rows": rows})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "styr_version": styr_version(),
        "exported_at": timezone.now().isoformat(),
        "municipality": municipality.code,
        "users": sorted(users.values(), key=lambda u: u["username"]),
        "tables": out_tables,
    }


def export_write(data: dict, out) -> None:
    """Write an export as JSON, a row to a line: readable, comparable with diff, and written
    without holding the whole text in memory."""

    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    out.write("{\n")
    for key, value in data.items():
        if key not in ("users", "tables"):
            out.write(f" {dump(key)}: {dump(value)},\n")
    out.write(' "users": [')
    out.write(",".join(f"\n  {dump(user)}" for user in data["users"]))
    out.write("\n ],\n")
    out.write(' "tables": [')
    for index, table in enumerate(data["tables"]):
        out.write(",\n" if index else "\n")
        out.write(f'  {{"model": {dump(table["model"])}, "rows": [')
        for number, row in enumerate(table["rows"]):
            out.write(",\n   " if number else "\n   ")
            out.write(dump(row))
        out.write("\n  ]}" if table["rows"] else "]}")
    out.write("\n ]\n}\n")


def _user_fields() -> list[models.Field]:
    return [
        f
        for f in get_user_model()._meta.concrete_fields
        if not f.primary_key and not f.is_relation and f.name not in USER_FIELDS_LEFT_OUT
    ]


def _users_export(ids: set[int]) -> dict[int, dict]:
    fields = _user_fields()
    rows = (
        get_user_model()
        ._base_manager.filter(pk__in=ids)
        .values_list("pk", *(f.attname for f in fields))
    )
    return {
        row[0]: {f.name: _encode(v) for f, v in zip(fields, row[1:], strict=True)} for row in rows
    }


# --- Import ---------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    municipality: Municipality
    rows: int
    new_users: int
    existing_users: int


def _convert(f: models.Field, value):
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def _damaged(detail: str) -> TransferError:
    return TransferError(
        _("The file is damaged, and nothing was imported: %(detail)s") % {"detail": detail}
    )


def _validate(data) -> tuple[str, list[dict], list[tuple[Table, list[tuple[int, dict]]]]]:
    """Everything in the file checked and converted, before anything is written."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TransferError(_("The file is not an export of a municipality from Styr."))
    if data.get("format_version") != FORMAT_VERSION:
        raise TransferError(
            _(
                "The file has format version %(found)s; this version of Styr reads version "
                "%(expected)s."
            )
            % {"found": data.get("format_version"), "expected": FORMAT_VERSION}
        )
    code = data.get("municipality")
    if not isinstance(code, str) or not isinstance(data.get("tables"), list):
        raise _damaged(_("the municipality code or the tables are missing."))
    users = data.get("users")
    if not isinstance(users, list) or not all(
        isinstance(u, dict) and isinstance(u.get("username"), str) for u in users
    ):
        raise _damaged(_("the list of users is not readable."))
    user_fields = {f.name: f for f in _user_fields()}
    for user in users:
        for name, value in user.items():
            if name not in user_fields:
                raise _damaged(_("the users have an unknown field %(field)s.") % {"field": name})
            try:
                _convert(user_fields[name], value)
            except ValidationError as error:
                raise _damaged(
                    _("user %(username)s, field %(field)s: %(error)s")
                    % {
                        "username": user["username"],
                        "field": name,
                        "error": " ".join(error.messages),
                    }
                ) from error
    usernames = {u["username"] for u in users}

    by_label = {t.label: t for t in _tables()}
    seen: dict[str, list] = {}
    for entry in data["tables"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("rows"), list):
            raise _damaged(_("a table is not readable."))
        label = entry.get("model")
        if label not in by_label:
            raise TransferError(
                _("The file has a table this version of Styr does not know: %(model)s.")
                % {"model": label}
            )
        if label in seen:
            raise _damaged(_("the table %(model)s is in the file twice.") % {"model": label})
        seen[label] = entry["rows"]
    pks: dict[type, set[int]] = {}
    for label, rows in seen.items():
        numbers = [row.get("pk") if isinstance(row, dict) else None for row in rows]
        if not all(type(n) is int and n > 0 for n in numbers) or len(set(numbers)) != len(numbers):
            raise _damaged(_("the rows of %(model)s are not numbered 1, 2, 3 …") % {"model": label})
        pks[by_label[label].model] = set(numbers)

    municipality_rows = seen.get(Municipality._meta.label_lower, [])
    if len(municipality_rows) != 1 or municipality_rows[0].get("fields", {}).get("code") != code:
        raise _damaged(_("it does not hold exactly one municipality, %(code)s.") % {"code": code})

    plan = []
    for table in by_label.values():  # in dependency order
        rows = seen.get(table.label, [])
        columns = {c.name: c for c in table.columns}
        converted = []
        for row in rows:
            fields = row.get("fields")
            if not isinstance(fields, dict):
                raise _damaged(_("a row of %(model)s has no fields.") % {"model": table.label})
            values = {}
            for name, value in fields.items():
                column = columns.get(name)
                where = {"model": table.model._meta.label, "row": row["pk"], "field": name}
                if column is None:
                    raise TransferError(
                        _("%(model)s, row %(row)s: unknown field %(field)s.") % where
                    )
                if value is None:
                    values[column.attname] = None
                elif column.kind == "user":
                    if value not in usernames:
                        raise TransferError(
                            _("%(model)s, row %(row)s: the user %(username)s is not in the file.")
                            % {**where, "username": value}
                        )
                    values[column.attname] = value
                elif column.kind == "ref":
                    wrong = type(value) is not int or value < 1
                    if wrong or (column.constrained and value not in pks.get(column.target, ())):
                        raise TransferError(
                            _(
                                "%(model)s, row %(row)s, field %(field)s: points to row "
                                "%(value)s of %(target)s, which is not in the file."
                            )
                            % {**where, "value": value, "target": column.target._meta.label}
                        )
                    values[column.attname] = value
                else:
                    try:
                        values[column.attname] = _convert(column.field, value)
                    except ValidationError as error:
                        raise TransferError(
                            _("%(model)s, row %(row)s, field %(field)s: %(error)s")
                            % {**where, "error": " ".join(error.messages)}
                        ) from error
            converted.append((row["pk"], values))
        plan.append((table, converted))
    return code, users, plan


def _history_models() -> dict[type, type]:
    return {_history_of(m): m for m in exported_models() if _history_of(m) is not None}


def _base(model, histories: dict[type, type]) -> int:
    """The highest id the table or its history uses; the file's rows go after it."""
    highest = model._base_manager.aggregate(top=Max("pk"))["top"] or 0
    history = histories.get(model)
    if history is not None:
        pk = model._meta.pk.attname
        highest = max(highest, history._base_manager.aggregate(top=Max(pk))["top"] or 0)
    return max(highest, _sequence_last(model))


def _sequence(model, cursor) -> str | None:
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
    return cursor.fetchone()[0]


def _sequence_last(model) -> int:
    """On PostgreSQL, the last id the table's sequence handed out (perhaps to a row deleted
    since); elsewhere 0."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        sequence = _sequence(model, cursor)
        if sequence is None:
            return 0
        cursor.execute(f"SELECT last_value FROM {sequence}")  # the name is PostgreSQL's own
        return cursor.fetchone()[0]


def _sequence_advance(model, top: int) -> None:
    """PostgreSQL hands out ids from a sequence: move it past the ids the import uses (also
    those of deleted rows in the history), so new rows never take them. Not undone by a
    rollback, which only leaves a gap."""
    if connection.vendor != "postgresql":
        return  # SQLite takes the highest id plus one
    with connection.cursor() as cursor:
        sequence = _sequence(model, cursor)
        if sequence is not None:
            cursor.execute("SELECT setval(%s, %s, true)", [sequence, max(top, 1)])


def municipality_import(*, data) -> ImportSummary:
    """Write a municipality from an export into this database: all of it or nothing."""
    code, users, plan = _validate(data)
    histories = _history_models()
    try:
        with transaction.atomic():
            if Municipality.objects.filter(code=code).exists():
                raise TransferError(
                    _(
                        "The municipality %(code)s already exists in this database; nothing "
                        "was imported."
                    )
                    % {"code": code}
                )
            user_ids, new_users = _users_import(users)
            tops = _highest_numbers(plan)
            bases = {}
            for table, _rows in plan:
                bases[table.model] = _base(table.model, histories)
                # Reserve the ids at once, before anyone else's new row can take one of them.
                _sequence_advance(table.model, bases[table.model] + tops.get(table.model, 0))
            count = 0
            for table, rows in plan:
                model = table.model
                objects = []
                for number, values in rows:
                    for column in table.columns:
                        value = values.get(column.attname)
                        if value is None:
                            continue
                        if column.kind == "user":
                            values[column.attname] = user_ids[value]
                        elif column.kind == "ref":
                            values[column.attname] = bases[column.target] + value
                    objects.append(model(**{table.pk: bases[model] + number}, **values))
                fields = model._meta.concrete_fields
                for start in range(0, len(objects), BATCH):
                    # raw: keep created/updated times and versions as they were; no signals, so
                    # no new history rows either: the history comes from the file.
                    model._base_manager._insert(
                        objects[start : start + BATCH], fields=fields, raw=True
                    )
                count += len(objects)
            # Foreign keys are checked at commit; check them here, so that a broken file gets
            # its message and the transaction is rolled back as a whole.
            connection.check_constraints(table_names=[t.model._meta.db_table for t, _r in plan])
    except (IntegrityError, DatabaseError) as error:
        raise TransferError(
            _("The import broke a rule of the database, and nothing was imported: %(error)s")
            % {"error": error}
        ) from error
    return ImportSummary(
        municipality=Municipality.objects.get(code=code),
        rows=count,
        new_users=new_users,
        existing_users=len(user_ids) - new_users,
    )


def _highest_numbers(plan) -> dict[type, int]:
    """Per table, the highest number in the file: of its rows, or pointed to by history."""
    tops: dict[type, int] = {}
    for table, rows in plan:
        for number, values in rows:
            tops[table.model] = max(tops.get(table.model, 0), number)
            for column in table.columns:
                if column.kind == "ref" and values.get(column.attname) is not None:
                    tops[column.target] = max(tops.get(column.target, 0), values[column.attname])
    return tops


def _users_import(users: list[dict]) -> tuple[dict[str, int], int]:
    """People are matched by user name; one not here yet is created, without a password (they
    sign in through the municipality's sign-in service, or are sent a new password)."""
    user_model = get_user_model()
    fields = {f.name: f for f in _user_fields()}
    existing = dict(
        user_model._base_manager.filter(username__in=[u["username"] for u in users]).values_list(
            "username", "pk"
        )
    )
    new = 0
    for entry in users:
        if entry["username"] in existing:
            continue
        user = user_model(**{name: _convert(fields[name], v) for name, v in entry.items()})
        user.set_unusable_password()
        user.save()
        existing[user.username] = user.pk
        new += 1
    return existing, new
