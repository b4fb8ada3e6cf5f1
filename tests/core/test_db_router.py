"""The read replica: GET and HEAD read from it, everything that writes or must see a write reads
the primary, and without DATABASE_REPLICA_URL nothing changes.

Here the "replica" is a second connection to the test database (as DATABASE_REPLICA_URL makes it
in the tests: a mirror of default), so the routing is real but there is no lag to see."""

import json
import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from styr.accounts.models import User
from styr.api_tokens.models import ApiToken
from styr.core import db_router
from styr.core.db_router import PIN_COOKIE, REPLICA, ReplicaMiddleware, ReplicaRouter
from styr.organisation.models import Municipality, OrgUnit, Role, RoleGrant
from styr.planning.models import Goal
from tests.conftest import ROOT
from tests.organisation.factories import OrgUnitFactory

ROUTER = "styr.core.db_router.ReplicaRouter"
MIDDLEWARE = "styr.core.db_router.ReplicaMiddleware"
ALIASES = (DEFAULT_DB_ALIAS, REPLICA)


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """A "replica" alias on the test database, unless DATABASE_REPLICA_URL made one already."""
    if REPLICA in connections:
        yield
        return
    mirror = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    mirror["TEST"] = {**mirror["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    added = [connections.settings]
    if django_settings.DATABASES is not connections.settings:
        added.append(django_settings.DATABASES)
    for databases in added:
        databases[REPLICA] = mirror
    try:
        yield
    finally:
        if hasattr(connections._connections, REPLICA):
            connections[REPLICA].close()
            del connections[REPLICA]
        for databases in added:
            del databases[REPLICA]


@pytest.fixture
def routed(settings):
    """The router and the middleware on, as DATABASE_REPLICA_URL puts them."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE)]


def read_in_request(method, model=Goal, *, cookies=None, before=None):
    """Where a read of `model` goes in a request with `method`, and the response."""
    router = ReplicaRouter()
    seen = {}

    def view(request):
        if before:
            before(router)
        seen["read"] = router.db_for_read(model)
        return HttpResponse()

    request = RequestFactory().generic(method, "/")
    request.COOKIES.update(cookies or {})
    response = ReplicaMiddleware(view)(request)
    return seen["read"], response


# --- The router's decisions ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_get_and_head_read_the_replica(method):
    read, response = read_in_request(method)
    assert read == REPLICA
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_read_the_primary_and_pin_the_browser_to_it(method):
    read, response = read_in_request(method)
    assert read == DEFAULT_DB_ALIAS
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == django_settings.STYR_REPLICA_PIN_SECONDS
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_a_browser_that_just_wrote_reads_the_primary():
    read, response = read_in_request("GET", cookies={PIN_COOKIE: "1"})
    assert read == DEFAULT_DB_ALIAS
    assert PIN_COOKIE not in response.cookies  # the pin runs out; a GET does not renew it


def test_a_get_that_writes_reads_the_primary_from_then_on_and_pins():
    read, response = read_in_request("GET", before=lambda router: router.db_for_write(Goal))
    assert read == DEFAULT_DB_ALIAS
    assert PIN_COOKIE in response.cookies


def test_outside_a_request_everything_reads_the_primary():
    # The task worker, management commands, cron jobs and the shell.
    assert ReplicaRouter().db_for_read(Goal) == DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_write(Goal) == DEFAULT_DB_ALIAS


@pytest.mark.parametrize("model", [Session, User, ApiToken, RoleGrant])
def test_sessions_people_grants_and_keys_are_read_from_the_primary_even_in_a_get(model):
    read, _response = read_in_request("GET", model)
    assert read == DEFAULT_DB_ALIAS


def test_the_task_queue_is_read_from_the_primary():
    from django_tasks_db.models import DBTaskResult

    assert read_in_request("GET", DBTaskResult)[0] == DEFAULT_DB_ALIAS


def test_without_a_replica_nothing_reads_elsewhere_and_nothing_is_pinned(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    assert read_in_request("GET")[0] == DEFAULT_DB_ALIAS
    read, response = read_in_request("POST")
    assert read == DEFAULT_DB_ALIAS
    assert PIN_COOKIE not in response.cookies


def test_writes_go_to_the_primary_and_migrations_only_there():
    written = []
    read_in_request("GET", before=lambda router: written.append(router.db_for_write(Goal)))
    assert written == [DEFAULT_DB_ALIAS]
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "planning", "goal") is True
    assert router.allow_migrate(REPLICA, "planning", "goal") is False
    assert router.allow_migrate(REPLICA, "sessions") is False


def test_rows_from_the_primary_and_the_replica_may_point_at_each_other():
    goal, unit, elsewhere = Goal(), OrgUnit(), OrgUnit()
    goal._state.db, unit._state.db, elsewhere._state.db = REPLICA, DEFAULT_DB_ALIAS, "other"
    router = ReplicaRouter()
    assert router.allow_relation(goal, unit) is True
    assert router.allow_relation(unit, elsewhere) is None


@pytest.mark.django_db(transaction=True, databases=list(ALIASES))
def test_a_transaction_on_the_primary_reads_the_primary():
    def inside(router):
        with transaction.atomic():
            seen_inside.append(router.db_for_read(Goal))

    seen_inside = []
    read, _response = read_in_request("GET", before=inside)
    assert seen_inside == [DEFAULT_DB_ALIAS]
    assert read == REPLICA  # the transaction is over and nothing was written


# --- Through the whole stack ----------------------------------------------------------------


@contextmanager
def capture():
    """The SQL sent to each alias inside the block: `captured[alias]`."""
    contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ALIASES}
    captured = {}
    with ExitStack() as stack:
        for context in contexts.values():
            stack.enter_context(context)
        yield captured
    for alias, context in contexts.items():
        captured[alias] = [query["sql"] for query in context.captured_queries]


@pytest.mark.django_db(transaction=True, databases=list(ALIASES))
def test_sign_in_and_reading_through_the_replica(client, routed, django_user_model):
    unit = OrgUnitFactory()
    user = django_user_model.objects.create_user("karin", password="karins-lösenord-1")
    RoleGrant.objects.create(municipality=unit.municipality, user=user, unit=unit, role=Role.READER)

    # Signing in (POST) reads and writes the primary only, and pins the browser to it.
    with capture() as captured:
        response = client.post(
            "/logga-in/", {"username": "karin", "password": "karins-lösenord-1", "next": "/"}
        )
    assert response.status_code == 302
    assert captured[REPLICA] == []
    assert any(sql.startswith("UPDATE") for sql in captured[DEFAULT_DB_ALIAS])  # last_login
    assert PIN_COOKIE in response.cookies

    # Straight after, the browser still reads the primary.
    with capture() as captured:
        response = client.get("/api/v1/municipalities")
    assert response.status_code == 200
    assert captured[REPLICA] == []

    # Once the pin has run out, the page's rows come from the replica; the session, the person
    # and the grants still from the primary; nothing is written anywhere.
    del client.cookies[PIN_COOKIE]
    Municipality.objects.filter(pk=unit.municipality.pk).update(name="Replikkommun")
    with capture() as captured:
        response = client.get("/api/v1/municipalities")
    assert response.status_code == 200
    assert [m["name"] for m in response.json()["items"]] == ["Replikkommun"]
    on_replica, on_primary = captured[REPLICA], captured[DEFAULT_DB_ALIAS]
    assert on_replica and all(sql.startswith("SELECT") for sql in on_replica)
    assert any("organisation_municipality" in sql for sql in on_replica)
    assert any("django_session" in sql for sql in on_primary)
    assert any("organisation_rolegrant" in sql for sql in on_primary)
    assert all(sql.startswith("SELECT") for sql in on_primary)
    assert PIN_COOKIE not in response.cookies


# --- Settings ---------------------------------------------------------------------------------


def settings_seen(**env) -> dict:
    """The database settings a fresh process builds from this environment."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'databases': {a: {'NAME': d['NAME'], 'PORT': d.get('PORT'), "
        "'CONN_MAX_AGE': d['CONN_MAX_AGE'], 'MIRROR': d.get('TEST', {}).get('MIRROR')} "
        "for a, d in s.DATABASES.items()}, 'routers': s.DATABASE_ROUTERS, "
        "'middleware': s.MIDDLEWARE}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_without_database_replica_url_there_is_no_replica_router_or_middleware():
    seen_settings = settings_seen(DATABASE_URL="postgres://u:p@db.example.se:5432/styr")
    assert list(seen_settings["databases"]) == ["default"]
    assert seen_settings["routers"] == []
    assert MIDDLEWARE not in seen_settings["middleware"]


def test_database_replica_url_adds_the_replica_the_router_and_the_middleware_first():
    seen_settings = settings_seen(
        DATABASE_URL="postgres://u:p@db.example.se:5432/styr",
        DATABASE_REPLICA_URL="postgres://u:p@replica.example.se:5433/styr",
        DATABASE_CONN_MAX_AGE="60",
    )
    assert seen_settings["databases"][REPLICA] == {
        "NAME": "styr",
        "PORT": 5433,
        "CONN_MAX_AGE": 60,
        "MIRROR": "default",
    }
    assert seen_settings["databases"]["default"]["CONN_MAX_AGE"] == 60
    assert seen_settings["routers"] == [ROUTER]
    assert seen_settings["middleware"][0] == MIDDLEWARE
