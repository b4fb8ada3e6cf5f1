"""Fetching from Kolada in the background, run by `styr db_worker`: once (the settings page's
"Hämta från Kolada nu") or every night at 03:00 (`styr kolada sync --municipality KOD --schedule`
enqueues the first run; each scheduled run enqueues the next)."""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django_tasks import task

from styr.organisation.models import Municipality

from .services import default_years, kolada_sync

logger = logging.getLogger(__name__)

NIGHTLY_AT = datetime.time(3, 0)


def next_night(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next 03:00 in the installation's time zone, after `now`."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    at = datetime.datetime.combine(local.date(), NIGHTLY_AT, tzinfo=zone)
    if at <= local:
        at = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), NIGHTLY_AT, zone)
    return at


@task()
def kolada_sync_task(
    municipality_id: int,
    kpis: list[str] | None = None,
    years: list[int] | None = None,
    overwrite: bool = False,
    user_id: int | None = None,
    schedule: bool = False,
) -> None:
    """Fetch the municipality's Kolada values; the run is recorded as a KoladaSync, which the
    settings page shows. With `schedule`, the same run is enqueued again for the next night."""
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return  # gone: nothing to fetch, and no next night
    try:
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        with translation.override(settings.LANGUAGE_CODE):
            try:
                kolada_sync(
                    municipality=municipality,
                    kpis=kpis,
                    years=years or default_years(municipality),
                    overwrite=overwrite,
                    acting_user=user,
                )
            except Exception:
                logger.exception("Kolada sync for municipality %s failed", municipality_id)
    finally:
        if schedule:
            kolada_sync_task.using(run_after=next_night()).enqueue(
                municipality_id, kpis=kpis, overwrite=overwrite, schedule=True
            )
