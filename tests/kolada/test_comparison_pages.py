"""The goal page's "Jämförelse i Kolada" for a linked indicator, the indicator's whole comparison
page, who may read it, and that their number of queries does not grow."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.kolada.demo import DEMO_SOURCE
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator

from .test_comparison import GROUP, store


def grant(stockholm, user, code, role=Role.READER):
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code=code),
        role=role,
    )


@pytest.fixture
def reader(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("läsare")
    grant(stockholm, user, "SOD-ROSENLUND")
    client.force_login(user)
    return user


def kolada_values(years=(2023, 2024, 2025), source=None):
    """Stockholm the best of four kommuner on U23471 (KF-I1, higher is better)."""
    extra = {"source": source} if source else {}
    for year in years:
        store(
            "U23471",
            year,
            {"0180": 90, GROUP[0]: 70, GROUP[1]: 80, "2584": 60, "0001": 85, "0000": 75},
            **extra,
        )
        store("U23471", year, {"0180": 92}, gender="K", **extra)
        store("U23471", year, {"0180": 88}, gender="M", **extra)


def text_of(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_goal_page_compares_a_linked_indicator_in_words(stockholm, reader, client):
    kolada_values()
    goal = stockholm.get(Goal, "VO-1")  # KF-I1 is linked to U23471
    response = client.get(f"/mal/{goal.pk}/")
    text = text_of(response)
    assert "Jämförelse i Kolada" in text
    assert "Jämförelsegrupp, medel" in text and "Riket" in text and "Region Stockholm" in text
    assert "1 av 4" in text
    assert "Bland de bästa 25 %" in text  # the colour always with its words
    assert "Källa: Kolada, hämtat 20 november 2026" in text
    indicator = stockholm.get(Indicator, "KF-I1")
    assert f'href="/kolada/indikator/{indicator.pk}/"' in response.content.decode()


def test_the_goal_page_names_demo_data_as_such(stockholm, reader, client):
    kolada_values(years=[2025], source=DEMO_SOURCE)
    text = text_of(client.get(f"/mal/{stockholm.get(Goal, 'VO-1').pk}/"))
    assert f"Källa: {DEMO_SOURCE}" in text


def test_a_goal_without_linked_indicators_has_no_kolada_part(stockholm, reader, client):
    kolada_values()
    text = text_of(client.get(f"/mal/{stockholm.get(Goal, 'ROS-1').pk}/"))
    assert "Jämförelse i Kolada" not in text and "Källa: Kolada" not in text


def test_the_indicator_page_shows_the_table_group_and_chart(stockholm, reader, client):
    kolada_values()
    indicator = stockholm.get(Indicator, "KF-I1")
    response = client.get(f"/kolada/indikator/{indicator.pk}/")
    text = text_of(response)
    assert indicator.name in text
    assert "2023" in text and "2025" in text and "1 av 4" in text
    assert "Liknande kommuner, övergripande, Stockholm" in text
    assert "Uppsala 70" in text  # a member of the group, with its value
    assert "Källa: Kolada" in text
    content = response.content.decode()
    chart = json.loads(
        re.search(r'<script id="kolada-chart" type="application/json">(.*?)</script>', content)[1]
    )
    assert chart["periods"] == ["2023", "2024", "2025"]
    series = {s["label"]: s["data"] for s in chart["series"]}
    assert series["Stockholms stad"] == [90, 90, 90]
    assert series["Kvinnor"] == [92, 92, 92]
    assert series["Jämförelsegrupp, medel"] == [75, 75, 75]
    assert series["Riket"] == [75, 75, 75]


def test_the_indicator_page_of_an_unlinked_indicator_says_so(stockholm, reader, client):
    indicator = stockholm.get(Indicator, "ROS-I1")
    text = text_of(client.get(f"/kolada/indikator/{indicator.pk}/"))
    assert "inte kopplad" in text


def test_an_outsider_gets_404_like_on_other_pages(stockholm, django_user_model, client):
    indicator = stockholm.get(Indicator, "ROS-I1")
    indicator.kolada_kpi = "U23471"
    indicator.save(update_fields=["kolada_kpi"])
    kolada_values()
    outsider = django_user_model.objects.create_user("hägersten")
    grant(stockholm, outsider, "SDN-HAL")
    client.force_login(outsider)
    assert client.get(f"/kolada/indikator/{indicator.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/kolada/indikator/{indicator.pk}/").status_code == 302  # sign in


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_linked_indicators_or_years(
    stockholm, reader, client
):
    goal = stockholm.get(Goal, "VO-1")
    indicator = stockholm.get(Indicator, "KF-I1")
    kolada_values(years=[2025])
    goal_page, indicator_page = f"/mal/{goal.pk}/", f"/kolada/indikator/{indicator.pk}/"
    small = queries(client, goal_page), queries(client, indicator_page)
    for n, kpi in enumerate(["U21401", "N15428", "N11102"]):
        more = Indicator.objects.create(
            municipality=stockholm.municipality,
            code=f"KF-X{n}",
            name=f"Mått {n}",
            unit=indicator.unit,
            kolada_kpi=kpi,
        )
        more.goals.add(goal, through_defaults={"municipality": stockholm.municipality})
        store(kpi, 2025, {"0180": 1, GROUP[0]: 2})
    kolada_values(years=[2020, 2021, 2022, 2023, 2024])
    assert (queries(client, goal_page), queries(client, indicator_page)) == small
