"""An indicator's Kolada KPI against the comparison group, the region and Riket: means, ranks
among all kommuner and the quartile colours the way Öppna jämförelser shows them."""

import datetime
from decimal import Decimal

from django.utils import timezone

from styr.kolada.demo import DEMO_SOURCE
from styr.kolada.models import KoladaValue
from styr.kolada.selectors import GREEN, GREY, RED, YELLOW, kpi_comparison
from styr.planning.models import Indicator

API = "https://api.kolada.se/v3/data/kpi/U23471/year/2025"
FETCHED = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))
# Stockholm's default comparison group, "Liknande kommuner, övergripande, Stockholm".
GROUP = ["0380", "0581", "1280", "1384", "1480", "1880", "1980"]


def store(kpi: str, year: int, values: dict[str, object], gender="T", source=API, when=FETCHED):
    KoladaValue.objects.bulk_create(
        KoladaValue(
            kpi=kpi,
            area=area,
            year=year,
            gender=gender,
            value=None if value is None else Decimal(str(value)),
            fetched_at=when,
            source=source,
        )
        for area, value in values.items()
    )


def linked(stockholm, direction=Indicator.Direction.INCREASE) -> Indicator:
    indicator = stockholm.get(Indicator, "KF-I1")  # linked to U23471 in the preset
    indicator.direction = direction
    indicator.save(update_fields=["direction"])
    return indicator


def test_own_values_group_mean_region_and_riket_over_the_years(stockholm):
    indicator = linked(stockholm)
    for year, own in ((2023, 80), (2024, 82), (2025, 84)):
        store("U23471", year, {"0180": own, "0001": 81, "0000": 83, GROUP[0]: 70, GROUP[1]: 90})
        store("U23471", year, {"0180": own + 2}, gender="K")
        store("U23471", year, {"0180": own - 2}, gender="M")
    store("U23471", 2025, {"2584": 60})  # a kommun outside the group
    store("N00000", 2025, {"0180": 1})  # another KPI

    comparison = kpi_comparison(indicator=indicator)

    assert [y.year for y in comparison.years] == [2023, 2024, 2025]
    latest = comparison.latest
    assert (latest.own, latest.women, latest.men) == (84, 86, 82)
    assert latest.group_mean == Decimal("80.0")  # the members with a value: 70 and 90
    assert (latest.region, latest.riket) == (81, 83)
    assert comparison.region_title == "Region Stockholm"
    assert comparison.group_title.startswith("Liknande kommuner, övergripande, Stockholm")
    assert [m.id for m in comparison.members] == GROUP
    assert comparison.members[0].value == 70 and comparison.members[2].value is None
    # Regions and Riket are not ranked among the kommuner.
    assert (latest.rank, latest.ranked, latest.rank_text) == (2, 4, "2 av 4")
    assert comparison.attribution == "Källa: Kolada, hämtat 20 november 2026"


def test_at_most_the_last_six_years_with_a_value_or_the_chosen_ones(stockholm):
    indicator = linked(stockholm)
    for year in range(2015, 2026):
        store("U23471", year, {"0180": year - 2000})
    store("U23471", 2026, {"0180": None})  # a year without any value

    assert [y.year for y in kpi_comparison(indicator=indicator).years] == list(range(2020, 2026))
    chosen = kpi_comparison(indicator=indicator, years=[2016, 2018])
    assert [(y.year, y.own) for y in chosen.years] == [(2016, 16), (2018, 18)]


def test_rank_one_is_the_highest_when_higher_is_better(stockholm):
    indicator = linked(stockholm)
    store("U23471", 2025, {"0180": 95, "0380": 90, "0581": 80, "0001": 99, "0000": 98})
    latest = kpi_comparison(indicator=indicator).latest
    assert (latest.rank, latest.ranked) == (1, 3)


def test_rank_one_is_the_lowest_when_lower_is_better(stockholm):
    indicator = linked(stockholm, Indicator.Direction.DECREASE)
    store("U23471", 2025, {"0180": 95, "0380": 90, "0581": 80, "1280": 85, "0000": 1})
    latest = kpi_comparison(indicator=indicator).latest
    assert (latest.rank, latest.ranked) == (4, 4)
    assert latest.colour == RED and latest.colour_text == "Bland de sämsta 25 %"


def test_quartile_colours_at_their_boundaries(stockholm):
    """Eight kommuner: the best two green, the worst two red, the middle four yellow."""
    indicator = linked(stockholm)
    others = ["0380", "0581", "1280", "1384", "1480", "1880", "1980"]
    expected = {1: GREEN, 2: GREEN, 3: YELLOW, 6: YELLOW, 7: RED, 8: RED}
    for year, (rank, colour) in enumerate(expected.items(), start=2010):
        # The own value sits between the others so that `rank - 1` of them are better.
        values = {code: 100 - 10 * n for n, code in enumerate(others, start=1)}
        values["0180"] = 100 - 10 * (rank - 1) - 5 if rank > 1 else 100
        store("U23471", year, values)
        latest = kpi_comparison(indicator=indicator, years=[year]).latest
        assert (latest.rank, latest.ranked, latest.colour) == (rank, 8, colour), year
    words = {
        GREEN: "Bland de bästa 25 %",
        YELLOW: "Mittenhälften",
        RED: "Bland de sämsta 25 %",
    }
    for year, colour in zip(range(2010, 2016), expected.values(), strict=True):
        assert kpi_comparison(indicator=indicator, years=[year]).latest.colour_text == words[colour]


def test_grey_when_the_value_is_missing_or_there_is_no_direction(stockholm):
    indicator = linked(stockholm)
    store("U23471", 2024, {"0180": 50, "0380": 60})
    store("U23471", 2025, {"0180": None, "0380": 60})
    comparison = kpi_comparison(indicator=indicator)
    assert (comparison.latest.rank, comparison.latest.colour) == (None, GREY)
    assert comparison.latest.colour_text == "Uppgift saknas"
    assert comparison.latest.rank_text == "–"

    indicator.direction = Indicator.Direction.NONE
    indicator.save(update_fields=["direction"])
    first = kpi_comparison(indicator=indicator).years[0]
    assert (first.own, first.rank, first.colour) == (50, None, GREY)
    assert first.colour_text == "Rangordnas inte (ingen riktning)"


def test_an_indicator_without_a_kpi_has_no_comparison(stockholm):
    indicator = stockholm.get(Indicator, "KF-I1")
    indicator.kolada_kpi = ""
    assert kpi_comparison(indicator=indicator) is None


def test_a_linked_kpi_without_values_has_an_empty_comparison(stockholm):
    comparison = kpi_comparison(indicator=linked(stockholm))
    assert comparison.years == [] and comparison.latest is None


def test_demo_values_name_their_source(stockholm):
    indicator = linked(stockholm)
    store("U23471", 2025, {"0180": 80}, source=DEMO_SOURCE)
    assert kpi_comparison(indicator=indicator).attribution == f"Källa: {DEMO_SOURCE}"


def test_one_query_whatever_the_number_of_kommuner_and_years(stockholm, django_assert_num_queries):
    indicator = linked(stockholm)
    municipality = indicator.municipality  # read once, as the pages have it
    kommuner = [f"{n:04d}" for n in range(1000, 1289)]
    for year in range(2018, 2026):
        store("U23471", year, {code: n for n, code in enumerate(kommuner)} | {"0180": 300})
        store("U23471", year, {"0180": 1}, gender="K")
    with django_assert_num_queries(1):
        comparison = kpi_comparison(indicator=indicator)
    assert indicator.municipality is municipality
    assert len(comparison.years) == 6
    assert (comparison.latest.rank, comparison.latest.ranked) == (1, 290)
