"""Sign-in: lockout after repeated failures, single sign-on against a fake identity provider,
secure headers, and a production configuration that passes Django's deployment check."""

import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.conf import settings
from django.urls import reverse

from styr.organisation.models import OrgUnit, Role, RoleGrant
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

LOGIN = "/logga-in/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/"})


def test_repeated_failures_lock_the_sign_in(client, django_user_model):
    django_user_model.objects.create_superuser("anna", password="rätt-lösenord-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "anna", "fel").status_code == 200
    assert attempt(client, "anna", "fel").status_code == 429  # the last failure allowed locks
    locked = attempt(client, "anna", "rätt-lösenord-1")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Inloggningen är låst" in text and "15 minuter" in text
    # Another user name from the same address is not locked out.
    django_user_model.objects.create_superuser("bo", password="bos-lösenord-1")
    assert attempt(client, "bo", "bos-lösenord-1").status_code == 302


def test_a_correct_password_signs_in_and_resets_the_count(client, django_user_model):
    django_user_model.objects.create_superuser("anna", password="rätt-lösenord-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "anna", "fel")
    assert attempt(client, "anna", "rätt-lösenord-1").status_code == 302


def test_pages_carry_the_security_headers(client):
    page = client.get(LOGIN)
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"


def test_anonymous_visitors_reach_only_the_sign_in(client):
    for url in ("/", "/roda-traden/", "/admin/", "/admin/planning/goal/", "/oidc/logout/"):
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith((LOGIN, "/admin/login/"))


def sign_in_with_sso(client, requests_mock, groups: list[str]):
    start = client.get(reverse("oidc_authentication_init"))
    assert start["Location"].startswith("https://idp.test/authorize")
    query = parse_qs(urlparse(start["Location"]).query)
    claims = {
        "iss": "https://idp.test",
        "aud": settings.OIDC_RP_CLIENT_ID,
        "sub": "anna-123",
        "email": "Anna.Andersson@stockholm.se",
        "nonce": query["nonce"][0],
        "iat": int(time.time()),
        "exp": int(time.time()) + 300,
    }
    id_token = jwt.encode(claims, settings.OIDC_RP_CLIENT_SECRET, algorithm="HS256")
    requests_mock.post(
        settings.OIDC_OP_TOKEN_ENDPOINT, json={"id_token": id_token, "access_token": "token"}
    )
    requests_mock.get(
        settings.OIDC_OP_USER_ENDPOINT,
        json={
            "email": "Anna.Andersson@stockholm.se",
            "given_name": "Anna",
            "family_name": "Andersson",
            "groups": groups,
        },
    )
    return client.get(
        reverse("oidc_authentication_callback"), {"state": query["state"][0], "code": "abc"}
    )


def test_single_sign_on_maps_groups_to_roles(stockholm, client, requests_mock, django_user_model):
    done = sign_in_with_sso(client, requests_mock, ["styr-rapportorer-sodermalm", "okänd-grupp"])
    assert done.status_code == 302 and "error" not in done["Location"]
    user = django_user_model.objects.get(username="anna.andersson@stockholm.se")
    assert (user.first_name, user.last_name) == ("Anna", "Andersson")
    assert int(client.session["_auth_user_id"]) == user.pk
    [grant] = RoleGrant.objects.filter(user=user)
    assert (grant.unit.code, grant.role, grant.source) == ("SDN-SOD", "reporter", "sso")

    # A role granted by hand stays; roles from groups follow the groups at the next sign-in.
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="UTN"),
        role=Role.PLANNER,
    )
    client.logout()
    sign_in_with_sso(client, requests_mock, ["styr-lasare-stockholm"])
    roles = set(RoleGrant.objects.filter(user=user).values_list("unit__code", "role", "source"))
    assert roles == {("KF", "reader", "sso"), ("UTN", "planner", "manual")}


def test_a_forged_token_does_not_sign_in(stockholm, client, requests_mock):
    start = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlparse(start["Location"]).query)
    wrong_key = "another-secret-entirely-not-the-identity-providers"
    forged = jwt.encode({"email": "x@y.se", "nonce": query["nonce"][0]}, wrong_key, "HS256")
    requests_mock.post(settings.OIDC_OP_TOKEN_ENDPOINT, json={"id_token": forged})
    client.get(reverse("oidc_authentication_callback"), {"state": query["state"][0], "code": "c"})
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_offers_single_sign_on(client):
    page = client.get(LOGIN).content.decode()
    assert "Logga in med organisationens konto" in page


def test_the_production_settings_pass_the_deployment_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "p" * 20 + "-a-long-random-production-secret-" + "q" * 20,
        "DJANGO_ALLOWED_HOSTS": "styr.kommun.se",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
