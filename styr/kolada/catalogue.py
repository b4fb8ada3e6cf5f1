"""What Styr knows of Kolada without asking it: the municipalities, regions and Riket, Kolada's
municipality groups (among them the "Liknande kommuner …" comparison groups) and its KPI groups,
shipped in styr/kolada/data (see LICENCE.md there: "Källa: Kolada", CC BY 4.0). The KPI catalogue
itself is large and changes, so it is fetched from Kolada and cached in KoladaKpi."""

import datetime
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from styr.core.text_search import casefold, matching

from .client import KoladaClient
from .models import RIKET, KoladaKpi

DATA = Path(__file__).resolve().parent / "data"
COMPARISON_PREFIX = "Liknande kommuner"
# The default group: similar municipalities over all, e.g. "Liknande kommuner, övergripande,
# Stockholm, 2022" (G37523); Kolada makes a new one every few years.
DEFAULT_COMPARISON = re.compile(r"^Liknande kommuner, övergripande, (?P<name>.+), (?P<year>\d{4})$")


@dataclass(frozen=True)
class Area:
    """A kommun (type "K"), or a region or Riket (type "L"), by Kolada's id."""

    id: str
    title: str
    type: str


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    members: tuple[tuple[str, str], ...]  # (id, title)

    @property
    def member_ids(self) -> list[str]:
        return [member_id for member_id, _title in self.members]


def _load(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _groups(name: str) -> dict[str, Group]:
    return {
        row["id"]: Group(
            id=row["id"],
            title=row["title"],
            members=tuple((m["member_id"], m["member_title"]) for m in row["members"]),
        )
        for row in _load(name)
    }


@cache
def areas() -> dict[str, Area]:
    return {
        row["id"]: Area(row["id"], row["title"], row["type"]) for row in _load("municipality.json")
    }


@cache
def municipality_groups() -> dict[str, Group]:
    return _groups("municipality_groups.json")


@cache
def _kpi_groups() -> dict[str, Group]:
    return _groups("kpi_groups.json")


def region_of(municipality_code: str) -> str:
    """The region a kommun lies in: "00" and the county's two digits ("0180" -> "0001").
    A region or Riket is its own region."""
    if municipality_code.startswith("00"):
        return municipality_code
    return "00" + municipality_code[:2]


def comparison_groups(municipality_code: str) -> list[Group]:
    """Kolada's groups of municipalities similar to this one, over all first, then by area."""
    area = areas().get(municipality_code)
    if area is None or municipality_code == RIKET:
        return []
    suffix = re.compile(rf", {re.escape(area.title)}, \d{{4}}$")
    found = [
        group
        for group in municipality_groups().values()
        if group.title.startswith(COMPARISON_PREFIX) and suffix.search(group.title)
    ]
    return sorted(found, key=lambda g: (not DEFAULT_COMPARISON.match(g.title), g.title))


def comparison_group(municipality) -> Group | None:
    """The group a municipality compares itself with: the one it chose (Municipality.kolada_group),
    or else Kolada's latest "Liknande kommuner, övergripande, <name>" group."""
    if municipality.kolada_group:
        return municipality_groups().get(municipality.kolada_group.strip())
    defaults = [
        g for g in comparison_groups(municipality.code) if DEFAULT_COMPARISON.match(g.title)
    ]
    return max(defaults, key=lambda g: DEFAULT_COMPARISON.match(g.title)["year"], default=None)


def kpi_group(group_id: str) -> Group:
    """A KPI group by id, e.g. "GKPI118", Kommunens kvalitet i korthet. KeyError if unknown."""
    return _kpi_groups()[group_id]


# --- The KPI catalogue, fetched ------------------------------------------------------------------


def _text(value, length: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    return text[:length] if length else text


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


KPI_FIELDS = (
    "title",
    "description",
    "operating_area",
    "is_divided_by_gender",
    "municipality_type",
    "has_ou_data",
    "publication_date",
)


def _kpi_fields(row: dict) -> dict:
    """KoladaKpi's fields from one of Kolada's KPI objects; missing fields are left empty."""
    return {
        "title": _text(row.get("title"), 500) or _text(row["id"]),
        "description": _text(row.get("description")),
        "operating_area": _text(row.get("operating_area"), 500),
        "is_divided_by_gender": bool(row.get("is_divided_by_gender")),
        "municipality_type": _text(row.get("municipality_type"), 5),
        "has_ou_data": bool(row.get("has_ou_data")),
        "publication_date": _date(row.get("publication_date")),
    }


def kpi_catalogue_refresh(*, client: KoladaClient | None = None) -> int:
    """Fetch Kolada's KPI list into KoladaKpi: new KPIs are added, changed ones updated, the same
    left as they are (a KPI Kolada no longer lists is kept, for indicators may name it). Returns
    how many KPIs Kolada listed. Raises KoladaUnavailable, with nothing changed, if Kolada fails."""
    if client is None:
        with KoladaClient() as own_client:
            rows = own_client.kpis()
    else:
        rows = client.kpis()
    fetched = {_text(row.get("id"), 20): _kpi_fields(row) for row in rows if row.get("id")}
    now = timezone.now()
    with transaction.atomic():
        existing = KoladaKpi.objects.in_bulk(list(fetched))
        new, changed = [], []
        for kpi_id, fields in fetched.items():
            kpi = existing.get(kpi_id)
            if kpi is None:
                new.append(KoladaKpi(id=kpi_id, fetched_at=now, **fields))
            elif any(getattr(kpi, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(kpi, name, value)
                kpi.fetched_at = now
                kpi.updated_at = now
                changed.append(kpi)
        KoladaKpi.objects.bulk_create(new, batch_size=500)
        KoladaKpi.objects.bulk_update(
            changed, [*KPI_FIELDS, "fetched_at", "updated_at"], batch_size=500
        )
    return len(fetched)


def kpi_search(text: str, limit: int = 20) -> list[KoladaKpi]:
    """KPIs of the cached catalogue whose id or title holds every word, whatever the letter case;
    an exact id first, then by title."""
    text = " ".join(text.split())
    if not text:
        return []
    words = [casefold(word) for word in text.split()]
    found = list(
        matching(KoladaKpi.objects.all(), words, ("id", "title")).order_by("title")[:limit]
    )
    exact = KoladaKpi.objects.filter(id__iexact=text).first()
    if exact is None:
        return found
    return [exact, *(kpi for kpi in found if kpi.pk != exact.pk)][:limit]
