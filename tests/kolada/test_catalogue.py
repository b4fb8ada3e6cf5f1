"""Kolada's lists that ship with Styr (municipalities, regions, comparison groups, KPI groups), and
the KPI catalogue fetched from Kolada into KoladaKpi and searched there."""

import datetime
import json
from pathlib import Path

import httpx
import pytest

from styr.kolada import catalogue
from styr.kolada.catalogue import (
    areas,
    comparison_group,
    comparison_groups,
    kpi_catalogue_refresh,
    kpi_group,
    kpi_search,
    region_of,
)
from styr.kolada.client import KoladaClient, KoladaUnavailable
from styr.kolada.models import KoladaKpi
from styr.organisation.models import Municipality

FIXTURES = Path(__file__).parent / "fixtures" / "client"


def kpi_answer() -> dict:
    return json.loads((FIXTURES / "kpi.json").read_text(encoding="utf-8"))


def client_answering(handler) -> KoladaClient:
    return KoladaClient(transport=httpx.MockTransport(handler), sleep=lambda seconds: None)


def kolada_with(answer: dict) -> KoladaClient:
    return client_answering(lambda request: httpx.Response(200, json=answer))


def test_the_lists_ship_with_their_licence():
    licence = (catalogue.DATA / "LICENCE.md").read_text(encoding="utf-8")

    assert "Källa: Kolada" in licence
    assert "CC BY 4.0" in licence
    assert "Copyright (c) 2024 Nordic Intel AB" in licence


def test_areas_are_every_kommun_region_and_riket():
    found = areas()

    assert found["0180"] == catalogue.Area("0180", "Stockholm", "K")
    assert found["0000"].title == "Riket"
    assert sum(area.type == "K" for area in found.values()) == 290
    assert sum(area.type == "L" for area in found.values()) == 22  # 21 regioner and Riket


@pytest.mark.parametrize(
    ("code", "region", "title"),
    [
        ("0180", "0001", "Region Stockholm"),
        ("0126", "0001", "Region Stockholm"),
        ("0980", "0009", "Region Gotland"),
        ("1262", "0012", "Region Skåne"),
        ("1480", "0014", "Västra Götalandsregionen"),
    ],
)
def test_region_of_a_municipality(code, region, title):
    assert region_of(code) == region
    assert areas()[region].title == title


def test_comparison_groups_of_stockholm_start_with_the_overall_one():
    groups = comparison_groups("0180")

    assert groups[0].id == "G37523"
    assert groups[0].title == "Liknande kommuner, övergripande, Stockholm, 2022"
    assert {"G36063", "G36355", "G176683"} <= {group.id for group in groups}
    assert all(", Stockholm, " in group.title for group in groups)
    assert comparison_groups("9999") == []


def test_the_default_comparison_group_is_similar_municipalities_over_all():
    group = comparison_group(Municipality(code="0180", name="Stockholms stad"))

    assert group.id == "G37523"
    assert group.title == "Liknande kommuner, övergripande, Stockholm, 2022"
    assert group.members[0] == ("0380", "Uppsala")
    assert group.member_ids == ["0380", "0581", "1280", "1384", "1480", "1880", "1980"]


def test_a_chosen_comparison_group_is_used_instead():
    chosen = Municipality(code="0180", name="Stockholm", kolada_group="G36063")

    assert comparison_group(chosen).title == "Liknande kommuner grundskola, Stockholm, 2022"
    assert comparison_group(Municipality(code="0180", kolada_group="G0")) is None


@pytest.mark.parametrize(
    ("code", "group_title"),
    [
        ("0126", "Liknande kommuner, övergripande, Huddinge, 2022"),
        ("1452", "Liknande kommuner, övergripande, Tranemo, 2022"),
        ("1465", "Liknande kommuner, övergripande, Svenljunga, 2022"),
        ("1262", "Liknande kommuner, övergripande, Lomma, 2022"),
    ],
)
def test_every_demo_municipality_has_a_default_group(code, group_title):
    group = comparison_group(Municipality(code=code))

    assert group.title == group_title
    assert len(group.members) == 7


def test_kkik_is_a_kpi_group_of_forty():
    group = kpi_group("GKPI118")

    assert group.title == "Kommunens kvalitet i korthet (KKiK) - alla mått"
    assert len(group.members) == 40
    assert "U23471" in group.member_ids
    with pytest.raises(KeyError):
        kpi_group("GKPI0")


@pytest.mark.django_db
def test_catalogue_refresh_stores_kolada_kpis():
    count = kpi_catalogue_refresh(client=kolada_with(kpi_answer()))

    assert count == 3
    kpi = KoladaKpi.objects.get(pk="U23471")
    assert kpi.title == "Brukarbedömning särskilt boende äldreomsorg -  helhetssyn, andel (%)"
    assert kpi.operating_area == "Äldreomsorg"
    assert kpi.is_divided_by_gender is True
    assert kpi.has_ou_data is True
    assert kpi.municipality_type == "K"
    assert kpi.publication_date == datetime.date(2025, 10, 14)
    assert kpi.description.startswith("Andel brukare")
    # A KPI with only some of the fields is stored with the rest left empty.
    sparse = KoladaKpi.objects.get(pk="N00945")
    assert sparse.title == "Invånare totalt, antal"
    assert (sparse.description, sparse.operating_area, sparse.publication_date) == ("", "", None)
    assert sparse.is_divided_by_gender is False


@pytest.mark.django_db
def test_catalogue_refresh_twice_changes_nothing():
    kpi_catalogue_refresh(client=kolada_with(kpi_answer()))
    before = list(KoladaKpi.objects.order_by("pk").values())

    assert kpi_catalogue_refresh(client=kolada_with(kpi_answer())) == 3

    assert list(KoladaKpi.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_catalogue_refresh_updates_what_kolada_changed_and_keeps_what_it_dropped():
    kpi_catalogue_refresh(client=kolada_with(kpi_answer()))
    answer = kpi_answer()
    answer["values"] = answer["values"][:1]
    answer["values"][0]["title"] = "Brukarbedömning särskilt boende, helhetssyn, andel (%)"

    kpi_catalogue_refresh(client=kolada_with(answer))

    assert KoladaKpi.objects.get(pk="U23471").title == (
        "Brukarbedömning särskilt boende, helhetssyn, andel (%)"
    )
    assert KoladaKpi.objects.count() == 3


@pytest.mark.django_db
def test_catalogue_refresh_when_kolada_is_down_changes_nothing():
    down = client_answering(lambda request: httpx.Response(503))

    with pytest.raises(KoladaUnavailable, match="Kolada svarar inte just nu"):
        kpi_catalogue_refresh(client=down)

    assert not KoladaKpi.objects.exists()


@pytest.mark.django_db
def test_kpi_search_by_title_in_any_letter_case_and_by_id():
    kpi_catalogue_refresh(client=kolada_with(kpi_answer()))

    assert [kpi.id for kpi in kpi_search("ÄLDREOMSORG helhetssyn")] == ["U23471"]
    assert [kpi.id for kpi in kpi_search("särskilt BOENDE")] == ["U23471"]
    assert [kpi.id for kpi in kpi_search("behöriga")] == ["N15428"]
    assert [kpi.id for kpi in kpi_search("u23471")] == ["U23471"]
    assert [kpi.id for kpi in kpi_search("andel")] == ["U23471", "N15428"]
    assert kpi_search("   ") == []
