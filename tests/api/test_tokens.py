"""Personal API keys: made on the person's own page and shown once, stored hashed, acting as the
person with their roles; read-only keys may not write; a revoked or wrong key gets 401."""

import hashlib
import re

from styr.api_tokens.models import ApiToken
from styr.followup.models import Measurement
from styr.organisation.models import Role

PAGE = "/konto/api-nycklar/"


def bulk(client, stockholm, **headers):
    row = {
        "indicator": "SOD-I6",
        "unit": "SDN-SOD",
        "period": stockholm.period("t1").pk,
        "value": 1,
    }
    return client.post(
        "/api/v1/outcomes/bulk", data=[row], content_type="application/json", headers=headers
    )


def test_a_key_is_made_on_the_page_shown_once_and_stored_hashed(client, stockholm, reporter):
    client.force_login(reporter)
    assert "Du har inga API-nycklar." in client.get(PAGE).text
    response = client.post(PAGE, {"name": "Power BI", "scope": "read_write"})
    # Made and shown once on the page the POST redirects to: a reload makes no second key.
    assert response.status_code == 302 and response.url == PAGE
    response = client.get(PAGE)
    token = re.search(r'<code id="new-token">([^<]+)</code>', response.text).group(1)
    row = ApiToken.objects.get(user=reporter)
    assert row.name == "Power BI" and row.may_write
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.values_list()) and token.startswith(row.prefix)
    listing = client.get(PAGE).text
    assert token not in listing and row.prefix in listing

    client.logout()
    api = client.get("/api/v1/municipalities", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert [m["code"] for m in api.json()["items"]] == [stockholm.municipality.code]
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert bulk(client, stockholm, Authorization=f"Bearer {token}").status_code == 200
    assert Measurement.objects.get().reported_by == reporter


def test_a_nameless_key_is_refused_with_400(client, stockholm, reporter):
    client.force_login(reporter)
    response = client.post(PAGE, {"name": " ", "scope": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_revoked_or_wrong_key_gets_401(client, stockholm, reporter, bearer):
    headers = bearer(reporter, scope="read")
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    row = ApiToken.objects.get(user=reporter)
    client.force_login(reporter)
    assert client.post(f"{PAGE}{row.pk}/aterkalla/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert "Återkallad" in client.get(PAGE).text
    client.logout()
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "API-nyckeln är fel eller har återkallats."}
    wrong = client.get("/api/v1/units", headers={"Authorization": "Bearer styr_fel"})
    assert wrong.status_code == 401


def test_a_read_only_key_may_not_write(client, stockholm, reporter, bearer):
    response = bulk(client, stockholm, **bearer(reporter, scope="read"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Den här API-nyckeln får bara läsa."}
    assert not Measurement.objects.exists()


def test_a_key_has_only_the_roles_of_its_person(client, stockholm, person, bearer):
    reader = person(Role.READER, "SDN-HAL", username="lasare")
    headers = bearer(reader)
    response = bulk(client, stockholm, **headers)
    assert response.status_code == 422
    assert not Measurement.objects.exists()
    reader.is_active = False
    reader.save()
    assert client.get("/api/v1/units", headers=headers).status_code == 401


def test_no_one_revokes_another_persons_key(client, stockholm, reporter, person, bearer):
    bearer(reporter)
    row = ApiToken.objects.get(user=reporter)
    client.force_login(person(Role.ADMINISTRATOR, "KF", username="admin"))
    assert client.post(f"{PAGE}{row.pk}/aterkalla/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
