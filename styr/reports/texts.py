"""The free-text sections a unit writes for its plan or a period's report ("Viktiga händelser",
"Ekonomi", "Framtid"): reading them for the reports, as they stand or as they stood, and writing
them with history and without lost updates.

A plan's texts (no period) are written by those who may plan the unit and lock with the plan; a
period's texts by those who may report its follow-up and lock with the period's report (closed,
decided, or handed in)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from styr.access.policy import Action, require
from styr.core.history import acting_as
from styr.core.versioning import UNCHECKED, ConflictError, conflict_message, save_if_unchanged
from styr.followup.models import ReportingPeriod
from styr.followup.services import refuse_if_decided, refuse_if_handed_in
from styr.organisation.models import OrgUnit
from styr.workflow.services import plan_lock_message

from .layout import TextSection, text_sections
from .models import ReportText

# --- Reading ---------------------------------------------------------------------------------


def report_texts_read(
    *,
    unit_ids,
    year: int,
    period: ReportingPeriod | None = None,
    as_of: datetime.datetime | None = None,
) -> dict[tuple[int, str], str]:
    """(unit id, key) → text for the units' plan (no period) or period texts, in one query.
    With `as_of`, the texts as they stood then (a decided report shows what was decided). Empty
    texts are left out: a text someone cleared is no text."""
    source = ReportText.history.as_of(as_of) if as_of is not None else ReportText.objects
    rows = source.filter(
        unit_id__in=list(unit_ids),
        year=year,
        period_id=period.pk if period is not None else None,
    ).values_list("unit_id", "key", "text")
    return {(unit_id, key): text for unit_id, key, text in rows if text.strip()}


@dataclass(frozen=True)
class TextChange:
    who: str
    when: datetime.datetime


@dataclass
class TextEntry:
    """A section on the writing page: what the layout says, the stored text and its history."""

    section: TextSection
    row: ReportText | None
    changes: list[TextChange] = field(default_factory=list)  # newest first

    @property
    def text(self) -> str:
        return self.row.text if self.row is not None else ""

    @property
    def version(self) -> int | None:
        return self.row.version if self.row is not None else None

    @property
    def latest(self) -> TextChange | None:
        return self.changes[0] if self.changes else None


def _person(user) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


def report_text_entries(
    *, unit: OrgUnit, year: int, period: ReportingPeriod | None = None
) -> list[TextEntry]:
    """The sections the unit writes for this plan or period, in report order, each with its text
    and who changed it when."""
    sections = text_sections(
        municipality_id=unit.municipality_id, unit_type=unit.type.key, period=period
    )
    rows = {
        r.key: r
        for r in ReportText.objects.filter(
            municipality_id=unit.municipality_id, unit=unit, year=year, period=period
        )
    }
    changes: dict[int, list[TextChange]] = {}
    for record in (
        ReportText.history.filter(id__in=[r.pk for r in rows.values()])
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    ):
        changes.setdefault(record.id, []).append(
            TextChange(_person(record.history_user), record.history_date)
        )
    entries = []
    for section in sections:
        row = rows.get(section.key)
        entries.append(TextEntry(section, row, changes.get(row.pk, []) if row else []))
    return entries


def report_text_action(period: ReportingPeriod | None) -> Action:
    """A plan's texts are planning; a period's texts are part of its follow-up."""
    return Action.PLAN if period is None else Action.REPORT


def report_text_lock_message(
    *, unit: OrgUnit, year: int, period: ReportingPeriod | None = None
) -> str | None:
    """Why the unit's texts for this plan or period cannot be changed now, or None if they can."""
    if period is None:
        return plan_lock_message(unit_id=unit.pk, years=[year])
    try:
        refuse_if_decided(period)
        if period.state == ReportingPeriod.State.CLOSED:
            raise ValidationError(
                _("%(period)s is closed for reporting. Ask the controller to reopen it.")
                % {"period": period.name}
            )
        refuse_if_handed_in(unit.pk, period)
    except ValidationError as error:
        return error.messages[0]
    return None


# --- Writing ---------------------------------------------------------------------------------


def _written_after_you_opened(row: ReportText) -> ConflictError:
    last = row.history.select_related("history_user").order_by("-history_date").first()
    who = _person(last.history_user) if last is not None else _("someone else")
    return ConflictError(
        _(
            "%(who)s wrote this text after you opened it. Your text was not saved: reload to "
            "see theirs, then make your change again."
        )
        % {"who": who}
    )


@transaction.atomic
def report_text_save(
    *,
    user,
    unit: OrgUnit,
    year: int,
    period: ReportingPeriod | None,
    key: str,
    text: str,
    seen_version=UNCHECKED,
) -> ReportText:
    """Save one of the unit's texts for its plan (no period) or a period's report.

    `seen_version` is the version the person saw, None when there was no text yet; when someone
    else has saved in between, nothing is saved and the person is told who (UNCHECKED: a command
    or an import, which does not check). An empty text is saved as empty; the history keeps what
    was there.
    """
    with acting_as(user):
        require(user, report_text_action(period), unit)
        if period is not None and (
            period.municipality_id != unit.municipality_id or period.year != year
        ):
            raise ValidationError(_("The period does not belong to this year and municipality."))
        keys = [
            s.key
            for s in text_sections(
                municipality_id=unit.municipality_id, unit_type=unit.type.key, period=period
            )
        ]
        if key not in keys:
            raise ValidationError(
                {"key": _("The report has no text section “%(key)s”.") % {"key": key}}
            )
        message = report_text_lock_message(unit=unit, year=year, period=period)
        if message:
            raise ValidationError(message)
        text = text.replace("\r\n", "\n").strip()

        where = {
            "municipality_id": unit.municipality_id,
            "unit": unit,
            "year": year,
            "period": period,
            "key": key,
        }
        row = ReportText.objects.select_for_update().filter(**where).first()
        if row is None:
            if seen_version is not UNCHECKED and seen_version is not None:
                raise ConflictError(
                    _("Someone else removed this after you opened it. Reload the page.")
                )
            row = ReportText(
                municipality_id=unit.municipality_id,
                unit=unit,
                year=year,
                period=period,
                key=key,
                text=text,
            )
            row.full_clean(validate_unique=False, validate_constraints=False)
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                # Someone else wrote the first version of this text at the same moment.
                raise _written_after_you_opened(ReportText.objects.get(**where)) from None
            return row
        if seen_version is None:
            raise _written_after_you_opened(row)
        checked = None if seen_version is UNCHECKED else seen_version
        if checked is not None and row.version != checked:
            raise ConflictError(conflict_message(ReportText, row.pk, checked))
        if row.text == text:
            return row  # nothing changed: no new version, no history
        row.text = text
        row.full_clean(validate_unique=False, validate_constraints=False)
        save_if_unchanged(row, seen_version=checked, update_fields=["text", "updated_at"])
        return row
