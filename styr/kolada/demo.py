"""Example data in Kolada's format, for the demo and for trying Styr without the network.

`demo_transport()` answers Kolada's addresses the way Kolada does — the same envelope, the same
rows, paging included — with made-up values for every municipality, region and Riket in 2020–2025
(and whatever years are asked for). The values are deterministic (the same KPI, area, year and
gender always give the same number) and plausible for the kind of KPI: shares between 0 and 100,
costs in kronor, counts and days. They are NOT Kolada's numbers; the values stored from them carry
DEMO_SOURCE as their source, which the comparison shows.
"""

import json
import zlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx

DEMO_SOURCE = "Exempeldata i Koladas format (demo)"
DEMO_BASE_URL = "https://api.kolada.se/v3"
DEMO_YEARS = range(2020, 2026)
DATA = Path(__file__).parent / "data"
PER_PAGE = 5000


@cache
def _areas() -> list[dict]:
    return json.loads((DATA / "municipality.json").read_text(encoding="utf-8"))


@cache
def _kpi_titles() -> dict[str, str]:
    groups = json.loads((DATA / "kpi_groups.json").read_text(encoding="utf-8"))
    return {m["member_id"]: m["member_title"] for g in groups for m in g["members"]}


def _seed(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _unit(seed: int) -> float:
    """A number in [0, 1) from a seed."""
    return (seed % 10007) / 10007


@cache
def _scale(kpi: str) -> tuple[float, float, bool]:
    """The typical level, the spread between areas, and whether the KPI is a share (0–100)."""
    title = _kpi_titles().get(kpi, "").lower()
    if "kr/" in title or title.endswith(", kr") or "kostnad" in title:
        level = 20000 + 180000 * _unit(_seed(kpi, "level"))
        return level, level * 0.25, False
    if "dagar" in title:
        return 20 + 60 * _unit(_seed(kpi, "level")), 15, False
    if "antal" in title or "medelvärde" in title or "kg/" in title or "index" in title:
        level = 4 + 60 * _unit(_seed(kpi, "level"))
        return level, level * 0.3, False
    return 45 + 45 * _unit(_seed(kpi, "level")), 12, True


def divided_by_gender(kpi: str) -> bool:
    """Whether the example data give women and men: Kolada's catalogue if it is fetched, else the
    demo municipalities' indicators that are split by gender."""
    from styr.planning.models import Indicator

    from .models import KoladaKpi

    known = KoladaKpi.objects.filter(pk=kpi).values_list("is_divided_by_gender", flat=True).first()
    if known is not None:
        return known
    return Indicator.objects.filter(kolada_kpi=kpi, gender_split=True).exists()


def demo_value(kpi: str, area: str, year: int, gender: str) -> float:
    """The example value of a KPI for an area, a year and T (total), K (women) or M (men)."""
    level, spread, share = _scale(kpi)
    value = level + spread * (2 * _unit(_seed(kpi, area)) - 1)
    value += spread * 0.08 * (year - 2020) * (2 * _unit(_seed(kpi, "trend")) - 0.6)
    value += spread * 0.1 * (2 * _unit(_seed(kpi, area, year)) - 1)
    if gender != "T":
        gap = spread * 0.15 * (2 * _unit(_seed(kpi, area, "gender")) - 1)
        value += gap if gender == "K" else -gap
    if share:
        value = min(100.0, max(0.0, value))
    return round(value, 1 if share or value < 1000 else 0)


def _reported_in_styr(kpis: list[str], years: list[int]) -> dict[tuple, float]:
    """The outcomes Styr's demo municipalities reported for their year (the final period) for the
    KPIs: the example data give them back as the municipality's own Kolada value, so the demo's
    comparison agrees with its follow-up."""
    from styr.followup.models import Measurement
    from styr.governance.models import PeriodDefinition

    reported = Measurement.objects.filter(
        indicator__kolada_kpi__in=kpis,
        period__year__in=years,
        period__definition__kind=PeriodDefinition.Kind.FINAL,
    ).values_list("indicator__kolada_kpi", "municipality__code", "period__year", "gender", "value")
    return {(kpi, area, year, gender): float(value) for kpi, area, year, gender, value in reported}


def _rows(kpis: list[str], years: list[int], areas: list[str] | None) -> list[dict]:
    known = {a["id"] for a in _areas()}
    wanted = [a["id"] for a in _areas()] if areas is None else [a for a in areas if a in known]
    reported = _reported_in_styr(kpis, years)
    # The other years follow the reported one: the municipality's level is moved, not one year.
    shift = {
        (kpi, area): value - demo_value(kpi, area, year, gender)
        for (kpi, area, year, gender), value in sorted(reported.items())
        if gender == "T"
    }

    def value_of(kpi, area, year, gender):
        if (kpi, area, year, gender) in reported:
            return reported[(kpi, area, year, gender)]
        value = demo_value(kpi, area, year, gender) + shift.get((kpi, area), 0.0)
        if _scale(kpi)[2]:  # a share stays within 0–100 %
            value = min(100.0, max(0.0, value))
        return round(value, 1)

    rows = []
    for kpi in kpis:
        genders = ["T", "K", "M"] if divided_by_gender(kpi) else ["T"]
        for year in years:
            for area in wanted:
                values = [
                    {
                        "gender": gender,
                        "value": value_of(kpi, area, year, gender),
                        "count": 1,
                        "status": "",
                        "isdeleted": False,
                    }
                    for gender in genders
                ]
                rows.append({"kpi": kpi, "municipality": area, "period": year, "values": values})
    return rows


def _catalogue(path: list[str], query: dict) -> list[dict] | None:
    if path == ["municipality"]:
        return _areas()
    if path in (["municipality_groups"], ["kpi_groups"]):
        return json.loads((DATA / f"{path[0]}.json").read_text(encoding="utf-8"))
    if path == ["kpi"]:
        titles = _kpi_titles()
        ids = query["id"][0].split(",") if "id" in query else sorted(titles)
        return [
            {
                "id": kpi,
                "title": titles.get(kpi, kpi),
                "description": "",
                "operating_area": "",
                "is_divided_by_gender": 0,
                "municipality_type": "K",
                "has_ou_data": False,
                "publication_date": "2025-03-31",
            }
            for kpi in ids
        ]
    return None


def _data(path: list[str]) -> list[dict] | None:
    """/data/kpi/{ids}/year/{years}, /data/kpi/{ids}/municipality/{ids}/year/{years} and the
    like: the path's pairs of name and comma-separated ids."""
    if not path or path[0] != "data" or len(path) % 2 != 1:
        return None
    parts = {path[i]: path[i + 1].split(",") for i in range(1, len(path), 2)}
    if "kpi" not in parts:
        return None
    years = [int(y) for y in parts.get("year", [str(y) for y in DEMO_YEARS])]
    return _rows(parts["kpi"], years, parts.get("municipality"))


def _answer(request: httpx.Request) -> httpx.Response:
    base = httpx.URL(DEMO_BASE_URL).path.rstrip("/")
    path = request.url.path
    if not path.startswith(base + "/"):
        return httpx.Response(404, json={"message": "Not found"})
    segments = [s for s in path[len(base) + 1 :].split("/") if s]
    query = parse_qs(request.url.query.decode())
    rows = _data(segments)
    if rows is None:
        rows = _catalogue(segments, query)
    if rows is None:
        return httpx.Response(404, json={"message": "Not found"})
    page = int(query.get("page", ["1"])[0])
    per_page = min(int(query.get("per_page", [str(PER_PAGE)])[0]), PER_PAGE)
    start = (page - 1) * per_page
    envelope = {"values": rows[start : start + per_page], "count": len(rows)}

    def link(number: int) -> str:
        kept = {k: v[0] for k, v in query.items() if k not in ("page", "per_page")}
        return f"{DEMO_BASE_URL}{path[len(base) :]}?" + urlencode(
            {**kept, "page": number, "per_page": per_page}
        )

    envelope["next_url"] = link(page + 1) if start + per_page < len(rows) else None
    envelope["previous_url"] = link(page - 1) if page > 1 else None
    return httpx.Response(200, json=envelope)


def demo_transport() -> httpx.MockTransport:
    """A transport that answers Kolada's API with the example data, without the network."""
    return httpx.MockTransport(_answer)


def demo_client():
    """A Kolada client on the example data, at full speed."""
    from .client import KoladaClient

    return KoladaClient(base_url=DEMO_BASE_URL, transport=demo_transport(), requests_per_second=0)


def demo_kolada(*, municipality):
    """The demo municipality's linked KPIs from the example data for 2020–2025 (their outcomes in
    each year's final period, where no one has reported), and Kolada's default comparison group."""
    from .catalogue import comparison_group
    from .services import kolada_group_set, kolada_sync

    sync = kolada_sync(
        municipality=municipality, years=DEMO_YEARS, client=demo_client(), source=DEMO_SOURCE
    )
    group = comparison_group(municipality)
    if group is not None and not municipality.kolada_group:
        kolada_group_set(municipality=municipality, group=group.id)
    return sync
