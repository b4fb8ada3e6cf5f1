"""Every change to goals, values, assessments and states keeps its history: who, when, before and
after. django-simple-history stores a historical row per save; this module tells it who acted.

A service runs `with acting_as(user):` around its writes, so the user is known whether the call
came from a view, the API, a command or a test; without it, the signed-in user of the request.
"""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

_acting_user: ContextVar = ContextVar("styr_acting_user", default=None)


@contextmanager
def acting_as(user):
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def _history_user(request=None, **kwargs):
    user = _acting_user.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def track_history(**kwargs) -> HistoricalRecords:
    """The history of a model, recording the acting user."""
    return HistoricalRecords(get_user=_history_user, cascade_delete_history=False, **kwargs)


def records_acting_user(service):
    """Decorator for a service: its writes are recorded as done by its `acting_user=`."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        with acting_as(kwargs.get("acting_user")):
            return service(*args, **kwargs)

    return wrapper


# --- Reading the history -------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


KIND_LABELS = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}


def _shown(model, field_name: str, value) -> str:
    if value is None or value == "":
        return "–"
    field = model._meta.get_field(field_name)
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


_BOOKKEEPING = {"created_at", "updated_at", "version"}


def _field_changes(model, record, earlier) -> list[FieldChange]:
    return [
        FieldChange(
            str(model._meta.get_field(c.field).verbose_name),
            _shown(model, c.field, c.old),
            _shown(model, c.field, c.new),
        )
        for c in record.diff_against(earlier).changes
        if c.field not in _BOOKKEEPING
    ]


def object_history(obj) -> list[HistoryEntry]:
    """Every change to the object, newest first: who, when, and each field before and after."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("history_date", "pk"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None and record.history_type == "~":
            changes = _field_changes(model, record, previous)
        entries.append(
            HistoryEntry(
                record.history_date,
                str(record.history_user) if record.history_user else str(_("the system")),
                record.history_type,
                changes,
            )
        )
        previous = record
    return list(reversed(entries))


def object_changes(model, pk, *, since_version: int) -> tuple[str, list[FieldChange]]:
    """Who saved the row last, and how its fields differ from what they were at `since_version`."""
    records = model.history.filter(id=pk).select_related("history_user")
    latest = records.order_by("-history_date", "-pk").first()
    seen = records.filter(version=since_version).order_by("-history_date", "-pk").first()
    who = str(latest.history_user) if latest and latest.history_user else str(_("someone else"))
    if latest is None or seen is None:
        return who, []
    return who, _field_changes(model, latest, seen)
