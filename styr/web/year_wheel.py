"""Årshjulet: the year's follow-up periods and deadlines, month by month."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from styr.followup.models import MONTH_NAMES, ReportingPeriod
from styr.organisation.models import UnitType


@dataclass
class Event:
    date: datetime.date
    text: str
    period: ReportingPeriod
    kind: str  # "end", "deadline" or "decided"


@dataclass
class Month:
    number: int
    name: str
    is_current: bool
    events: list[Event] = field(default_factory=list)


def year_events(*, municipality_id: int, year: int, today: datetime.date) -> list[Month]:
    """Twelve months, each with the periods that end in it, the deadlines that fall in it (per
    unit type, as the model sets them) and the decisions recorded in it. Two queries."""
    unit_types = {
        t.key: t.name_plural or t.name
        for t in UnitType.objects.filter(municipality_id=municipality_id)
    }
    periods = ReportingPeriod.objects.filter(
        municipality_id=municipality_id, year=year
    ).select_related("definition__decided_by")
    events: list[Event] = []
    for period in periods:
        events.append(
            Event(period.ends_on, _("%(period)s ends") % {"period": period.name}, period, "end")
        )
        for key, days in period.definition.deadlines.items():
            events.append(
                Event(
                    period.ends_on + datetime.timedelta(days=days),
                    _("Deadline for %(units)s: %(period)s")
                    % {"units": unit_types.get(key, key).lower(), "period": period.name},
                    period,
                    "deadline",
                )
            )
        if period.decided_on:
            body = period.definition.decided_by
            events.append(
                Event(
                    period.decided_on,
                    _("%(period)s decided by %(body)s")
                    % {"period": period.name, "body": body.name if body else _("the municipality")},
                    period,
                    "decided",
                )
            )
    months = [
        Month(n, str(MONTH_NAMES[n]), (year, n) == (today.year, today.month)) for n in range(1, 13)
    ]
    # A deadline early in January can belong to last year's final period; it shows in that year.
    for event in sorted(events, key=lambda e: (e.date, e.kind)):
        if event.date.year == year:
            months[event.date.month - 1].events.append(event)
        elif event.date.year > year:
            months[11].events.append(event)
    return months
