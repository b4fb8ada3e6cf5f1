"""The demo's example data in Kolada's format: Stockholm, its comparison group and Riket, over
several years, by gender — without the network, and marked as example data."""

import time

from styr.kolada.catalogue import comparison_group
from styr.kolada.demo import DEMO_SOURCE, demo_client
from styr.kolada.models import RIKET, KoladaValue
from styr.kolada.services import kolada_sync


def test_the_demo_gives_stockholm_its_group_and_riket_by_gender(stockholm):
    municipality = stockholm.municipality
    started = time.monotonic()
    sync = kolada_sync(
        municipality=municipality,
        kpis=["U23471"],
        years=range(2020, 2026),
        client=demo_client(),
        source=DEMO_SOURCE,
    )
    assert time.monotonic() - started < 10
    assert sync.new > 0 and sync.changed == 0
    values = KoladaValue.objects.filter(kpi="U23471")
    members = [member_id for member_id, _title in comparison_group(municipality).members]
    for area in ["0180", RIKET, members[0]]:
        stored = values.filter(area=area)
        assert set(stored.values_list("year", flat=True)) == set(range(2020, 2026))
        assert set(stored.values_list("gender", flat=True)) == {"T", "K", "M"}
        assert all(0 <= v.value <= 100 for v in stored)  # a share
    assert set(values.values_list("source", flat=True)) == {DEMO_SOURCE}


def test_the_example_values_are_the_same_every_time(stockholm):
    years = [2024]
    first = list(demo_client().data(kpis=["N11102"], years=years))
    again = list(demo_client().data(kpis=["N11102"], years=years))
    assert first == again
    assert len(first) == 312  # every kommun, region and Riket, in one page


def test_the_demo_pages_like_kolada(stockholm):
    # 2 KPIs × 6 years × 312 areas is more than one page of 5,000 rows.
    rows = list(demo_client().data(kpis=["U23471", "N15428"], years=range(2020, 2026)))
    assert len(rows) == 2 * 6 * 312
    assert len({(r["kpi"], r["municipality"], r["period"]) for r in rows}) == len(rows)


def test_the_demo_fills_the_municipality_s_kpis_and_its_comparison_group(stockholm):
    from styr.kolada.demo import demo_kolada
    from styr.kolada.services import linked_kpis

    municipality = stockholm.municipality
    sync = demo_kolada(municipality=municipality)

    assert sync.state == "done" and sync.kpis == linked_kpis(municipality)
    assert (sync.first_year, sync.last_year) == (2020, 2025)
    municipality.refresh_from_db()
    assert municipality.kolada_group == comparison_group(municipality).id
    again = demo_kolada(municipality=municipality)
    assert (again.new, again.changed) == (0, 0)
