"""Reporting many outcomes through the API: the import's service, all or nothing, every bad row
named in Swedish, the same payload twice changes nothing, and REPORT needed on each unit."""

from decimal import Decimal

from styr.followup.models import Forecast, Measurement
from styr.followup.services import period_close
from styr.organisation.models import OrgUnit, Role
from styr.planning.models import Indicator

URL = "/api/v1/outcomes/bulk"


def payload(stockholm):
    period = stockholm.period("t1").pk
    share = stockholm.get(Indicator, "SOD-I1")
    return [
        {
            "indicator": "SOD-I1",
            "unit": "SDN-SOD",
            "period": period,
            "gender": "T",
            "value": 80.5,
            "comment": "Fler svar än förra året.",
        },
        {
            "indicator": share.pk,
            "unit": share.unit_id,
            "period": period,
            "gender": "K",
            "value": "82",
        },
        {"indicator": "SOD-I1", "unit": "SDN-SOD", "period": period, "gender": "M", "value": 77},
        {"indicator": "SOD-I6", "unit": "SDN-SOD", "period": period, "value": "-1,5"},
    ]


def history_rows() -> int:
    return Measurement.history.count() + Forecast.history.count()


def post(client, rows, **headers):
    return client.post(URL, data=rows, content_type="application/json", headers=headers)


def test_the_same_payload_twice_changes_nothing(client, stockholm, reporter, bearer):
    headers = bearer(reporter)
    response = post(client, payload(stockholm), **headers)
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 5, "changed": 0, "unchanged": 0}
    share = stockholm.get(Indicator, "SOD-I1")
    values = dict(Measurement.objects.filter(indicator=share).values_list("gender", "value"))
    assert values == {"T": Decimal("80.5"), "K": Decimal(82), "M": Decimal(77)}
    assert Measurement.objects.filter(reported_by=reporter).count() == 4
    assert Forecast.objects.get(indicator=share).comment == "Fler svar än förra året."
    before = history_rows()

    again = post(client, payload(stockholm), **headers)
    assert again.json() == {"created": 0, "changed": 0, "unchanged": 5}
    assert history_rows() == before

    changed = payload(stockholm)
    changed[3]["value"] = 2
    assert post(client, changed, **headers).json() == {"created": 0, "changed": 1, "unchanged": 4}
    row = Measurement.objects.get(indicator__code="SOD-I6")
    assert row.value == 2 and row.version == 2
    assert row.history.count() == 2


def test_all_or_nothing_with_every_bad_row_named(client, stockholm, reporter, bearer):
    rows = payload(stockholm)
    rows[1]["value"] = "tolv"
    rows[2]["gender"] = "X"
    rows.append(
        {"indicator": "FINNS-INTE", "unit": "SDN-SOD", "period": rows[0]["period"], "value": 1}
    )
    rows.append({"indicator": "SOD-I1", "unit": "SDF-SOD", "period": rows[0]["period"], "value": 1})
    response = post(client, rows, **bearer(reporter))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Inget sparades: 4 av utfallen kan inte rapporteras.")
    by_row = {e["row"]: e for e in body["errors"]}
    assert set(by_row) == {2, 3, 5, 6}
    assert by_row[2]["detail"] == "Post 2: Skriv ett tal, till exempel 12,5."
    assert by_row[3]["field"] == "gender"
    assert "FINNS-INTE" in by_row[5]["detail"]
    assert by_row[6]["field"] == "indicator"
    assert "inte till SDF-SOD" in by_row[6]["detail"]
    assert Measurement.objects.count() == 0 and Forecast.objects.count() == 0


def test_reporting_needs_report_on_each_unit(client, stockholm, person, bearer):
    reader = person(Role.READER, "SDN-SOD", username="lasare")
    response = post(client, payload(stockholm), **bearer(reader))
    assert response.status_code == 422
    assert {e["row"] for e in response.json()["errors"]} == {1, 2, 3, 4}
    assert "Du får inte" in response.json()["errors"][0]["detail"]
    other = person(Role.REPORTER, "SDN-HAL", username="annan")
    response = post(client, payload(stockholm)[:1], **bearer(other))
    # A unit the person cannot even see is not found, rather than named.
    assert response.status_code == 422
    assert Measurement.objects.count() == 0


def test_a_closed_period_refuses_every_row(client, stockholm, reporter, bearer):
    period_close(period=stockholm.period("t1"))
    response = post(client, payload(stockholm), **bearer(reporter))
    assert response.status_code == 422
    assert "stängd" in response.json()["errors"][0]["detail"]
    assert Measurement.objects.count() == 0


def test_the_session_may_write_with_its_csrf_token(stockholm, reporter):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reporter)
    refused = post(browser, payload(stockholm))
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF-token saknas")
    browser.get("/konto/api-nycklar/")
    token = browser.cookies["csrftoken"].value
    response = post(browser, payload(stockholm), **{"X-CSRFToken": token})
    assert response.status_code == 200, response.json()
    assert OrgUnit.objects.get(code="SDN-SOD").measurements.count() == 4


def test_a_malformed_body_is_422_with_a_swedish_detail(client, reporter, bearer, stockholm):
    response = post(client, [{"unit": "SDN-SOD"}], **bearer(reporter))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Begäran ser inte ut")
    assert response.json()["errors"]
