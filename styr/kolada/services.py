"""Writes for Kolada: fetching KPI values into Styr, with where and when they came from, and the
municipality's own values as its indicators' outcomes; and KKiK's indicators for a municipality.

A sync fetches everything before it writes anything, and writes in one transaction: when Kolada
cannot be reached, the run is recorded as failed and nothing else changes. A value equal to the
stored one is not written again, so a second run changes nothing and leaves no new history.
An outcome a person entered is never overwritten unless asked to.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from styr.access.policy import Action, require
from styr.core.bulk import history_insert, rows_insert, rows_update
from styr.core.history import acting_as, records_acting_user
from styr.followup.models import Gender, Measurement, PeriodDefinition, ReportingPeriod
from styr.followup.services import OutcomeInput, OutcomesInvalid, outcomes_report_many
from styr.organisation.models import Municipality, OrgUnit
from styr.organisation.services import require_controller
from styr.planning.models import Indicator

from .models import KoladaKpi, KoladaSync, KoladaValue

Progress = Callable[[int, int, str], None]

KKIK_GROUP = "GKPI118"  # Kommunens kvalitet i korthet (KKiK), its 40 KPIs
SIX_YEARS = 6
_PLACES = Decimal("0.0001")
_CHUNK = 900  # SQLite's limit on query parameters


def plan_year(municipality: Municipality) -> int:
    """The latest year the municipality has follow-up periods for, or this year."""
    latest = (
        ReportingPeriod.objects.filter(municipality=municipality)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or datetime.date.today().year


def default_years(municipality: Municipality) -> range:
    """The last six years up to the municipality's plan year."""
    last = plan_year(municipality)
    return range(last - SIX_YEARS + 1, last + 1)


def linked_kpis(municipality: Municipality) -> list[str]:
    """The KPIs the municipality's indicators are linked to."""
    return sorted(
        set(
            Indicator.objects.filter(municipality=municipality)
            .exclude(kolada_kpi="")
            .values_list("kolada_kpi", flat=True)
        )
    )


# --- Sync ---------------------------------------------------------------------------------------


@dataclass
class _Outcomes:
    written: int = 0
    skipped: int = 0  # values a person entered, left as they were
    problems: list[str] = field(default_factory=list)


def _number(raw) -> Decimal | None:
    if raw is None:
        return None
    return Decimal(str(raw)).quantize(_PLACES)


def _fetch(client, kpis: list[str], years: list[int], progress: Progress) -> dict:
    """Every value of the KPIs and years, for every municipality, region and Riket, keyed by
    (kpi, year, area, gender)."""
    fetched = {}
    total = len(kpis) + 1
    for done, kpi in enumerate(kpis):
        progress(
            done,
            total,
            _("Fetching %(kpi)s from Kolada (%(number)s of %(count)s)")
            % {"kpi": kpi, "number": done + 1, "count": len(kpis)},
        )
        for row in client.data(kpis=[kpi], years=years, municipalities=None):
            for item in row.get("values") or []:
                if item.get("isdeleted"):
                    continue
                key = (row["kpi"], int(row["period"]), row["municipality"], item["gender"])
                fetched[key] = (
                    _number(item.get("value")),
                    int(item.get("count") or 0),
                    item.get("status") or "",
                )
    return fetched


class _Row(SimpleNamespace):
    """A new KoladaValue row as plain attributes: tens of thousands of them are written at once,
    and a model instance each would cost more than the writing."""


def _rows_write(rows: list[KoladaValue], kind: str, fields: list[str], provenance: dict) -> None:
    """Insert ("+") or update ("~") the rows, then their history records."""
    if not rows:
        return
    if kind == "+":
        rows_insert(rows, KoladaValue, fields)
        ids = {
            (kpi, year, area, gender): pk
            for pk, kpi, year, area, gender in KoladaValue.objects.filter(
                kpi__in={r.kpi for r in rows}, year__in={r.year for r in rows}
            ).values_list("pk", "kpi", "year", "area", "gender")
        }
        for row in rows:
            row.id = ids[(row.kpi, row.year, row.area, row.gender)]
    else:
        rows_update(rows, KoladaValue, fields)
    history_insert(
        rows, KoladaValue, kind=kind, user=provenance["user"], when=provenance["fetched_at"]
    )


def _values_write(fetched: dict, kpis: list[str], years: list[int], provenance: dict, sync):
    """Store the values fetched: new rows created, changed rows updated, each with its history
    record; equal rows are left alone."""
    existing = {}  # (kpi, year, area, gender) -> (pk, value, count, status)
    for start in range(0, len(kpis), _CHUNK):
        for pk, kpi, year, area, gender, value, count, status in KoladaValue.objects.filter(
            kpi__in=kpis[start : start + _CHUNK], year__in=years
        ).values_list("pk", "kpi", "year", "area", "gender", "value", "count", "status"):
            existing[(kpi, year, area, gender)] = (pk, value, count, status)
    published = dict(KoladaKpi.objects.filter(id__in=kpis).values_list("id", "publication_date"))
    now, source = provenance["fetched_at"], provenance["source"]
    new_rows, changed = [], {}
    for key, (value, count, status) in fetched.items():
        stored = existing.get(key)
        if stored is None:
            kpi, year, area, gender = key
            new_rows.append(
                _Row(
                    id=None,
                    kpi=kpi,
                    year=year,
                    area=area,
                    gender=gender,
                    value=value,
                    count=count,
                    status=status,
                    fetched_at=now,
                    published_on=published.get(kpi),
                    source=source,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif stored[1:] != (value, count, status):
            changed[stored[0]] = (value, count, status)
    changed_rows, ids = [], list(changed)
    for start in range(0, len(ids), _CHUNK):
        changed_rows += KoladaValue.objects.filter(pk__in=ids[start : start + _CHUNK])
    for row in changed_rows:
        row.value, row.count, row.status = changed[row.pk]
        row.fetched_at, row.published_on = now, published.get(row.kpi)
        row.source, row.updated_at = source, now
    changing = ["value", "count", "status", "fetched_at", "published_on", "source", "updated_at"]
    _rows_write(
        new_rows, "+", ["kpi", "year", "area", "gender", "created_at", *changing], provenance
    )
    _rows_write(changed_rows, "~", changing, provenance)
    sync.new, sync.changed = len(new_rows), len(changed_rows)
    sync.unchanged = len(fetched) - sync.new - sync.changed


def _final_periods(municipality: Municipality, years: list[int]) -> dict[int, ReportingPeriod]:
    """Each year's final follow-up period that still takes outcomes."""
    periods = {}
    for period in (
        ReportingPeriod.objects.filter(
            municipality=municipality,
            year__in=years,
            definition__kind=PeriodDefinition.Kind.FINAL,
            state=ReportingPeriod.State.OPEN,
        )
        .select_related("definition")
        .order_by("year", "month")
    ):
        if any(s in period.definition.follows_up for s in Indicator.Subject.values):
            periods[period.year] = period
    return periods


_PERSON = {Measurement.Source.MANUAL, Measurement.Source.IMPORT}


def _entered_by_person(rows: list[Measurement]) -> bool:
    sources = {row.source for row in rows}
    derived_from_kolada = Measurement.Source.KOLADA in sources
    return bool(sources & _PERSON) or (
        Measurement.Source.DERIVED in sources and not derived_from_kolada
    )


def _outcome_values(indicator: Indicator, own: dict[str, Decimal | None]) -> dict[str, Decimal]:
    genders = [Gender.TOTAL, Gender.WOMEN, Gender.MEN] if indicator.gender_split else [Gender.TOTAL]
    values = {g.value: own[g] for g in genders if own.get(g) is not None}
    if indicator.gender_split and indicator.additive and "K" in values and "M" in values:
        values.pop("T", None)  # derived from women and men, as Styr does for counts
    return values


def _outcomes_write(municipality, kpis, years, fetched, overwrite, acting_user) -> _Outcomes:
    """The municipality's own values as its Kolada indicators' outcomes in each year's final
    period."""
    told = _Outcomes()
    periods = _final_periods(municipality, years)
    if not periods:
        return told
    indicators = list(
        Indicator.objects.filter(
            municipality=municipality, source=Indicator.Source.KOLADA, kolada_kpi__in=kpis
        ).select_related("unit")
    )
    stored = defaultdict(list)
    for row in Measurement.objects.filter(
        municipality=municipality,
        period__in=periods.values(),
        indicator__in=indicators,
    ):
        stored[(row.indicator_id, row.period_id)].append(row)
    for year, period in periods.items():
        outcomes = []
        for indicator in indicators:
            if indicator.subject not in period.definition.follows_up:
                continue  # e.g. a personnel key figure where the period follows no personnel
            own = {
                g: fetched.get((indicator.kolada_kpi, year, municipality.code, g), (None,))[0]
                for g in ("T", "K", "M")
            }
            values = _outcome_values(indicator, own)
            if not values:
                continue
            rows = stored[(indicator.pk, period.pk)]
            if not overwrite and _entered_by_person(rows):
                now = {row.gender: row.value for row in rows}
                told.skipped += sum(1 for g, v in values.items() if now.get(g) != v)
                continue
            outcomes.append(OutcomeInput(indicator=indicator, values=values))
        while outcomes:
            try:
                summary = outcomes_report_many(
                    period=period,
                    outcomes=outcomes,
                    acting_user=acting_user,
                    source=Measurement.Source.KOLADA,
                )
            except OutcomesInvalid as error:
                refused = {p.index for p in error.problems}
                told.problems += sorted({p.message for p in error.problems})
                outcomes = [o for i, o in enumerate(outcomes) if i not in refused]
                continue
            except ValidationError as error:  # the period as a whole takes no outcomes
                told.problems += error.messages
                break
            told.written += summary.created + summary.changed
            break
    return told


def _failed(sync: KoladaSync, error: str) -> KoladaSync:
    sync.new = sync.changed = sync.unchanged = 0
    sync.state, sync.error, sync.finished_at = KoladaSync.State.FAILED, error, timezone.now()
    sync.save()
    return sync


def kolada_sync(
    *,
    municipality: Municipality,
    kpis: list[str] | None = None,
    years,
    client=None,
    overwrite: bool = False,
    acting_user=None,
    progress: Progress | None = None,
    source: str | None = None,
) -> KoladaSync:
    """Fetch the KPIs' values for the years from Kolada — for every municipality, region and
    Riket, which the comparisons need — and store them; then the municipality's own values become
    the outcomes of its Kolada indicators in each year's final period.

    `kpis` defaults to those the municipality's indicators are linked to. An outcome a person
    entered is left as it was (and counted as skipped) unless `overwrite`. The run is recorded
    as a KoladaSync; when Kolada cannot be reached it is marked failed with the reason and
    nothing else is written. The returned run also carries `skipped`, `outcomes` and `problems`.
    """
    from .client import KoladaClient, KoladaUnavailable

    require_controller(acting_user, municipality)
    progress = progress or (lambda done, total, text: None)
    kpis = sorted(set(kpis)) if kpis else linked_kpis(municipality)
    years = sorted(set(years))
    if not years:
        raise ValidationError(_("Give at least one year."))
    own_client = client is None
    client = client or KoladaClient()
    sync = KoladaSync.objects.create(
        municipality=municipality,
        kpis=kpis,
        first_year=years[0],
        last_year=years[-1],
        started_by=acting_user,
    )
    sync.skipped, sync.outcomes, sync.problems = 0, 0, []
    try:
        fetched = _fetch(client, kpis, years, progress)
    except KoladaUnavailable as error:
        return _failed(sync, str(error))
    finally:
        if own_client:
            client.close()
    progress(len(kpis), len(kpis) + 1, _("Saving the values"))
    provenance = {
        "fetched_at": timezone.now(),
        "source": source or getattr(client, "base_url", "") or "Kolada",
        "user": acting_user,
    }
    try:
        with transaction.atomic(), acting_as(acting_user):
            _values_write(fetched, kpis, years, provenance, sync)
            told = _outcomes_write(municipality, kpis, years, fetched, overwrite, acting_user)
            sync.state, sync.finished_at = KoladaSync.State.DONE, timezone.now()
            sync.save()
    except Exception:
        _failed(sync, _("The values could not be saved; nothing has been changed."))
        raise
    sync.skipped, sync.outcomes, sync.problems = told.skipped, told.written, told.problems
    progress(len(kpis) + 1, len(kpis) + 1, _("Finished"))
    return sync


def sync_summary(sync: KoladaSync) -> str:
    """What a run did, in one line for people."""
    if sync.state == KoladaSync.State.FAILED:
        return sync.error
    return _(
        "New: %(new)s, changed: %(changed)s, unchanged: %(unchanged)s, "
        "skipped (entered by a person): %(skipped)s"
    ) % {
        "new": sync.new,
        "changed": sync.changed,
        "unchanged": sync.unchanged,
        "skipped": getattr(sync, "skipped", 0),
    }


# --- KKiK ---------------------------------------------------------------------------------------


def kkik_measure(title: str) -> str:
    """The unit of measure at the end of a KPI's title: "…, andel (%)" → "%", "…, kr/elev" →
    "kr/elev"; empty when the title does not end in one."""
    if "," not in title:
        return ""
    tail = title.rsplit(",", 1)[1].strip()
    if "(%)" in tail or tail == "%":
        return "%"
    return re.sub(r"\s+", " ", tail)[:40]


def _top_unit(municipality: Municipality) -> OrgUnit:
    return (
        OrgUnit.objects.filter(municipality=municipality, parent__isnull=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
@records_acting_user
def kkik_indicators_create(
    *, municipality: Municipality, unit: OrgUnit | None = None, acting_user=None
) -> list[Indicator]:
    """Indicators for the 40 KPIs of Kommunens kvalitet i korthet, linked to Kolada, owned by the
    municipality's top unit (or the unit given). An indicator whose code KKIK-<KPI> exists
    already is left as it is, so running this twice creates nothing twice.

    Kolada does not say which direction is better, so the direction is "no direction" until
    someone sets it."""
    from .catalogue import kpi_group

    unit = unit or _top_unit(municipality)
    if unit is None or unit.municipality_id != municipality.pk:
        raise ValidationError(_("The municipality has no unit to own the indicators."))
    require(acting_user, Action.PLAN, unit)
    group = kpi_group(KKIK_GROUP)
    existing = set(
        Indicator.objects.filter(municipality=municipality, code__startswith="KKIK-").values_list(
            "code", flat=True
        )
    )
    catalogue = {k.id: k for k in KoladaKpi.objects.filter(id__in=[m[0] for m in group.members])}
    created = []
    for kpi, title in group.members:
        code = f"KKIK-{kpi}"
        if code in existing:
            continue
        known = catalogue.get(kpi)
        indicator = Indicator(
            municipality=municipality,
            unit=unit,
            code=code,
            name=title.strip()[:500],
            measure=kkik_measure(title),
            direction=Indicator.Direction.NONE,
            frequency=Indicator.Frequency.YEAR,
            gender_split=bool(known and known.is_divided_by_gender),
            kind=Indicator.Kind.INFORMATION,
            source=Indicator.Source.KOLADA,
            kolada_kpi=kpi,
        )
        indicator.full_clean()
        indicator.save()
        created.append(indicator)
    return created


# --- Settings -----------------------------------------------------------------------------------


@transaction.atomic
def kolada_group_set(*, municipality: Municipality, group: str, acting_user=None) -> Municipality:
    """Choose the group of similar municipalities to compare with; empty for Kolada's default."""
    from .catalogue import comparison_groups

    require_controller(acting_user, municipality)
    group = group.strip()
    if group and group not in {g.id for g in comparison_groups(municipality.code)}:
        raise ValidationError(
            {
                "kolada_group": _("Choose one of the comparison groups of %(name)s.")
                % {"name": municipality.name}
            }
        )
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if municipality.kolada_group == group:
        return municipality
    municipality.kolada_group = group
    municipality._change_reason = str(_("Kolada comparison group changed"))[:100]
    with acting_as(acting_user):
        municipality.save(update_fields=["kolada_group", "updated_at"])
    return municipality
