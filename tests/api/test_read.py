"""Reading through the API: only what the caller may see, filtered and paginated, with a query
count that does not grow with the page."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.followup.models import Measurement
from styr.followup.services import OutcomeInput, outcomes_report_many
from styr.organisation.models import OrgUnit, Role
from styr.planning.models import Goal, Indicator


def units_of(response) -> set[str]:
    return {item["code"] for item in response.json()["items"]}


def test_anonymous_callers_get_401_in_swedish(client, stockholm):
    for path in ("/api/v1/municipalities", "/api/v1/goals", "/api/v1/outcomes/bulk"):
        method = client.post if path.endswith("bulk") else client.get
        response = method(path, data=[], content_type="application/json")
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Logga in eller skicka en giltig API-nyckel."}


def test_a_person_sees_their_municipality_and_not_another(
    client, stockholm, preset_factory, person
):
    other = preset_factory("huddinge")
    client.force_login(person(Role.READER))
    response = client.get("/api/v1/municipalities")
    assert response.status_code == 200
    assert [m["code"] for m in response.json()["items"]] == [stockholm.municipality.code]
    goals = client.get("/api/v1/goals?limit=1000").json()["items"]
    assert goals and {g["municipality"] for g in goals} == {stockholm.municipality.pk}
    periods = client.get("/api/v1/periods?limit=1000").json()["items"]
    assert {p["municipality"] for p in periods} == {stockholm.municipality.pk}
    outside = OrgUnit.objects.filter(municipality=other.municipality).first()
    response = client.get(f"/api/v1/units?unit={outside.pk}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_units_are_those_in_the_subtree_and_above(client, stockholm, person):
    client.force_login(person(Role.READER, "SOD-FSK"))
    codes = units_of(client.get("/api/v1/units?limit=1000"))
    assert {"KF", "SDN-SOD", "SDF-SOD", "SOD-FSK", "SOD-FSK-HORNSTULL"} <= codes
    assert "SOD-ALD" not in codes and "SDN-HAL" not in codes
    unit = stockholm.get(OrgUnit, "SOD-FSK")
    assert units_of(client.get(f"/api/v1/units?unit={unit.pk}")) == {
        "SOD-FSK",
        "SOD-FSK-VITABERGEN",
        "SOD-FSK-HORNSTULL",
    }


def test_goals_filter_by_subtree_year_level_and_focus_area(client, stockholm, person):
    client.force_login(person(Role.READER, "KF"))
    sod = stockholm.get(OrgUnit, "SDN-SOD")
    items = client.get(f"/api/v1/goals?unit={sod.pk}&limit=1000").json()["items"]
    assert items and {g["unit_code"] for g in items} <= {
        u.code for u in OrgUnit.objects.in_subtree(sod)
    }
    level = client.get("/api/v1/goals?level=inriktningsmal&limit=1000").json()["items"]
    assert {g["level"] for g in level} == {"inriktningsmal"}
    assert "IM-2" in {g["code"] for g in level}
    climate = client.get("/api/v1/goals?focus_area=sdg13&limit=1000").json()["items"]
    assert "IM-2" in {g["code"] for g in climate}
    assert all("sdg13" in g["focus_areas"] for g in climate)
    assert client.get("/api/v1/goals?year=1990").json() == {"items": [], "count": 0}
    in_2026 = client.get("/api/v1/goals?year=2026&limit=1").json()
    assert in_2026["count"] == Goal.objects.in_force(2026).count()


def test_pagination_with_limit_and_offset(client, stockholm, person):
    client.force_login(person(Role.READER, "KF"))
    everything = client.get("/api/v1/units?limit=1000").json()
    first = client.get("/api/v1/units?limit=3").json()
    second = client.get("/api/v1/units?limit=3&offset=3").json()
    assert first["count"] == second["count"] == everything["count"] > 6
    assert [u["id"] for u in first["items"] + second["items"]] == [
        u["id"] for u in everything["items"][:6]
    ]
    response = client.get("/api/v1/units?limit=0")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Begäran")


def test_outcomes_and_assessments_are_filtered_and_scoped(client, stockholm, person):
    period = stockholm.period("t1")
    share = stockholm.get(Indicator, "SOD-I1")
    outcomes_report_many(
        period=period,
        outcomes=[
            OutcomeInput(share, {"T": "80", "K": "82", "M": "77"}),
            OutcomeInput(stockholm.get(Indicator, "SOD-I6"), {"T": "-1,5"}),
        ],
    )
    client.force_login(person(Role.READER, "SDN-HAL"))
    assert client.get("/api/v1/outcomes").json()["count"] == 0
    client.force_login(person(Role.READER, "SDN-SOD"))
    items = client.get(f"/api/v1/outcomes?period={period.pk}&indicator={share.pk}").json()["items"]
    assert {(o["gender"], Decimal(str(o["value"]))) for o in items} == {
        ("T", Decimal(80)),
        ("K", Decimal(82)),
        ("M", Decimal(77)),
    }
    sod = stockholm.get(OrgUnit, "SDN-SOD")
    assert client.get(f"/api/v1/outcomes?unit={sod.pk}").json()["count"] == 4
    response = client.get(f"/api/v1/assessments?period={period.pk}&unit={sod.pk}")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_the_number_of_queries_does_not_grow_with_the_page(client, stockholm, person):
    client.force_login(person(Role.READER, "KF"))
    period = stockholm.period("t1")
    indicators = list(
        Indicator.objects.filter(municipality=stockholm.municipality, gender_split=False)
    )
    outcomes_report_many(period=period, outcomes=[OutcomeInput(i, {"T": "1"}) for i in indicators])
    assert Measurement.objects.count() >= 5
    for path in ("goals", "indicators", "units", "outcomes", "periods", "municipalities"):
        with CaptureQueriesContext(connection) as small:
            assert client.get(f"/api/v1/{path}?limit=1").status_code == 200
        with CaptureQueriesContext(connection) as large:
            assert client.get(f"/api/v1/{path}?limit=1000").status_code == 200
        assert len(large) == len(small), path
