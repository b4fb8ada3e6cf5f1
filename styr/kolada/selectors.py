"""Reads of Kolada's values for the product: an indicator's KPI for the own municipality against
its comparison group, its region and Riket over the years, with the rank among all kommuner and
the quartile colour the way Öppna jämförelser shows it.

One query reads the values of any number of KPIs; ranks, means and colours are computed here."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Window
from django.db.models.functions import DenseRank
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from styr.planning.models import Indicator

from . import catalogue
from .demo import DEMO_SOURCE
from .models import RIKET, KoladaValue

# How many years a comparison shows at most, the latest ones.
LAST_YEARS = 6

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
# The colours of the dot beside the words; the words always say the same.
COLOURS = {GREEN: "#2e7d32", YELLOW: "#f2c200", RED: "#c62828", GREY: "#9e9e9e"}


def is_kommun(area: str) -> bool:
    """Kolada's ids of regions ("00xx") and Riket ("0000") start with 00; a kommun's never."""
    return not area.startswith("00")


@dataclass(frozen=True)
class MemberValue:
    id: str
    title: str
    value: Decimal | None


@dataclass
class YearComparison:
    """One year: the own municipality (total, women, men) against the others."""

    year: int
    own: Decimal | None
    women: Decimal | None
    men: Decimal | None
    group_mean: Decimal | None
    region: Decimal | None
    riket: Decimal | None
    rank: int | None  # 1 = the best of all kommuner with a value; None: no value or direction
    ranked: int  # how many kommuner have a value
    colour: str  # GREEN, YELLOW, RED or GREY
    members: list[MemberValue] = field(default_factory=list)

    @property
    def colour_hex(self) -> str:
        return COLOURS[self.colour]

    @property
    def colour_text(self) -> str:
        if self.colour == GREEN:
            return _("Among the best 25 %")
        if self.colour == YELLOW:
            return _("The middle half")
        if self.colour == RED:
            return _("Among the worst 25 %")
        if self.own is not None and self.rank is None:
            return _("Not ranked (no direction)")
        return _("No value")

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return "–"
        return _("%(rank)s of %(count)s") % {"rank": self.rank, "count": self.ranked}


@dataclass
class KpiComparison:
    kpi: str
    municipality: str  # the own municipality's name
    group_id: str
    group_title: str
    region_title: str
    years: list[YearComparison]
    fetched_at: datetime.datetime | None
    sources: list[str]

    @property
    def latest(self) -> YearComparison | None:
        return self.years[-1] if self.years else None

    @property
    def members(self) -> list[MemberValue]:
        """The comparison group's members with their values in the latest year."""
        return self.latest.members if self.latest else []

    @property
    def is_demo(self) -> bool:
        """Whether the values are the demo's example data rather than Kolada's."""
        return DEMO_SOURCE in self.sources

    @property
    def attribution(self) -> str:
        """The source line shown wherever the values are: "Källa: Kolada, hämtat …"."""
        if self.is_demo:
            return _("Source: %(source)s") % {"source": DEMO_SOURCE}
        if self.fetched_at is None:
            return _("Source: Kolada")
        when = date_format(timezone.localtime(self.fetched_at), "j F Y")
        return _("Source: Kolada, fetched %(date)s") % {"date": when}


def kpi_comparison(*, indicator: Indicator, years: list[int] | None = None) -> KpiComparison | None:
    """The comparison for an indicator linked to a Kolada KPI; None when it is not linked."""
    if not indicator.kolada_kpi:
        return None
    return kpi_comparisons(
        indicators=[indicator], municipality=indicator.municipality, years=years
    )[indicator.pk]


def kpi_comparisons(
    *,
    indicators: list[Indicator],
    municipality,
    years: list[int] | None = None,
    last: int = LAST_YEARS,
    until: int | None = None,
) -> dict[int, KpiComparison]:
    """The comparisons of the linked ones among `indicators` (by indicator pk), in one query —
    always one, also when none is linked, so that a document's number of queries does not
    depend on it.

    Without `years`, each KPI's latest `last` years with any value (up to the year `until`).
    """
    linked = [i for i in indicators if i.kolada_kpi]
    code = municipality.code
    region = catalogue.region_of(code)
    group = catalogue.comparison_group(municipality)
    areas = catalogue.areas()
    # The totals of every area (for the group, region, Riket and the ranks) and the own
    # municipality's women and men; a value Kolada does not have counts as missing.
    rows = KoladaValue.objects.filter(
        Q(gender="T") | Q(area=code),
        kpi__in=sorted({i.kolada_kpi for i in linked}) or [""],
        value__isnull=False,
    )
    if until is not None:
        rows = rows.filter(year__lte=until)
    if years is not None:
        rows = rows.filter(year__in=years)
    else:
        # Each KPI's latest `last` years with a value, in the same query.
        recency = Window(DenseRank(), partition_by=F("kpi"), order_by=F("year").desc())
        rows = rows.annotate(recency=recency).filter(recency__lte=last)
    values: dict[str, dict[int, dict[tuple[str, str], Decimal | None]]] = {}
    fetched: dict[str, datetime.datetime] = {}
    sources: dict[str, set[str]] = {}
    for kpi, area, year, gender, value, fetched_at, source in rows.values_list(
        "kpi", "area", "year", "gender", "value", "fetched_at", "source"
    ):
        values.setdefault(kpi, {}).setdefault(year, {})[(area, gender)] = value
        if value is not None:
            if kpi not in fetched or fetched_at > fetched[kpi]:
                fetched[kpi] = fetched_at
            if source:
                sources.setdefault(kpi, set()).add(source)

    members = group.members if group else ()
    result = {}
    for indicator in linked:
        by_year = values.get(indicator.kolada_kpi, {})
        shown = sorted(by_year)
        result[indicator.pk] = KpiComparison(
            kpi=indicator.kolada_kpi,
            municipality=municipality.name,
            group_id=group.id if group else "",
            group_title=group.title if group else "",
            region_title=areas[region].title if region in areas else region,
            years=[
                _year(year, by_year[year], code, region, members, indicator.direction)
                for year in shown
            ],
            fetched_at=fetched.get(indicator.kolada_kpi),
            sources=sorted(sources.get(indicator.kolada_kpi, ())),
        )
    return result


def _year(year, values, code, region, members, direction) -> YearComparison:
    own = values.get((code, "T"))
    member_values = [MemberValue(id, title, values.get((id, "T"))) for id, title in members]
    present = [m.value for m in member_values if m.value is not None]
    mean = None
    if present:
        mean = (sum(present) / len(present)).quantize(Decimal("0.1"))
    kommuner = [v for (area, gender), v in values.items() if gender == "T" and is_kommun(area)]
    kommuner = [v for v in kommuner if v is not None]
    rank, colour = _rank(own, kommuner, direction)
    return YearComparison(
        year=year,
        own=own,
        women=values.get((code, "K")),
        men=values.get((code, "M")),
        group_mean=mean,
        region=values.get((region, "T")),
        riket=values.get((RIKET, "T")),
        rank=rank,
        ranked=len(kommuner),
        colour=colour,
        members=member_values,
    )


def _rank(own, values: list[Decimal], direction: str) -> tuple[int | None, str]:
    """The rank of `own` among `values` (1 = the best; equal values share a rank) and its
    quartile: the best quarter green, the worst quarter red, the middle half yellow."""
    if own is None or direction not in (
        Indicator.Direction.INCREASE,
        Indicator.Direction.DECREASE,
    ):
        return None, GREY
    higher_is_better = direction == Indicator.Direction.INCREASE
    better = sum(1 for v in values if (v > own if higher_is_better else v < own))
    worse = sum(1 for v in values if (v < own if higher_is_better else v > own))
    rank, from_bottom, count = better + 1, worse + 1, len(values)
    if 4 * rank <= count:
        return rank, GREEN
    if 4 * from_bottom <= count:
        return rank, RED
    return rank, YELLOW
