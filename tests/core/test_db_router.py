"""The read replica: GET and HEAD read from it, everything that writes or must see a write reads
the primary, and without DATABASE_REPLICA_URL nothing changes.

Here the "replica" is a second connection to the test database (as DATABASE_REPLICA_URL makes it
in the tests: a mirror of default), so the routing is real but there is no lag to see."""

import json
import logging
import os
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

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


@pytest.fixture(autouse=True)
def replica_not_known_down(monkeypatch):
    """Each test starts as a fresh process does: it has not found the replica down."""
    monkeypatch.setattr(db_router, "_replica_down_until", None)


@pytest.fixture
def routed(settings):
    """The router and the middleware on, as DATABASE_REPLICA_URL puts them."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE)]


def read_in_request(method, model=Goal, *, cookies=None, before=None):
    """Where a read of `model` goes in a request with `method`, and the response. The replica
    counts as reachable here; the tests under "When the replica is down" connect for real."""
    router = ReplicaRouter()
    seen = {}

    def view(request):
        if before:
            before(router)
        seen["read"] = router.db_for_read(model)
        return HttpResponse()

    request = RequestFactory().generic(method, "/")
    request.COOKIES.update(cookies or {})
    with mock.patch.object(db_router, "replica_reachable", return_value=True):
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
    """The SQL sent to each alias inside the block: `captured[alias]`. Recorded by an execute
    wrapper rather than CaptureQueriesContext, which connects first: the replica may be down."""
    captured = {alias: [] for alias in ALIASES}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            captured[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in ALIASES:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield captured


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


# --- When the replica is down ---------------------------------------------------------------


class FlakyReplica:
    """Stands in for the replica connection's ensure_connection(): counts the attempts and, while
    `down`, fails them as PostgreSQL does when nothing listens."""

    def __init__(self, real):
        self.real = real
        self.attempts = 0
        self.down = True

    def __call__(self):
        self.attempts += 1
        if self.down:
            raise OperationalError(
                'connection to server at "127.0.0.1", port 9 failed: Connection refused'
            )
        self.real()


@pytest.fixture
def flaky_replica(monkeypatch):
    replica = connections[REPLICA]
    flaky = FlakyReplica(replica.ensure_connection)
    monkeypatch.setattr(replica, "ensure_connection", flaky)
    return flaky


@pytest.fixture
def reader(client, django_user_model):
    """A signed-in reader of one unit (returned); the API lists its municipality for them."""
    unit = OrgUnitFactory()
    user = django_user_model.objects.create_user("karin")
    RoleGrant.objects.create(municipality=unit.municipality, user=user, unit=unit, role=Role.READER)
    client.force_login(user)
    return unit


def municipality_names(response):
    assert response.status_code == 200
    return [m["name"] for m in response.json()["items"]]


def db_log(caplog):
    return [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "styr.db"
    ]


def test_a_get_that_reads_only_from_the_primary_does_not_connect_to_the_replica(flaky_replica):
    def view(request):
        return HttpResponse(ReplicaRouter().db_for_read(Session))

    response = ReplicaMiddleware(view)(RequestFactory().get("/"))
    assert response.content.decode() == DEFAULT_DB_ALIAS
    assert flaky_replica.attempts == 0


@pytest.mark.django_db(transaction=True, databases=list(ALIASES))
def test_an_unreachable_replica_reads_the_primary_and_is_left_alone_for_a_while(
    client, routed, reader, flaky_replica, caplog, settings
):
    settings.STYR_REPLICA_RETRY_SECONDS = 45
    caplog.set_level(logging.INFO, logger="styr.db")
    with capture() as captured:
        first = client.get("/api/v1/municipalities")
        second = client.get("/api/v1/municipalities")
        also_html = client.get("/")
    assert municipality_names(first) == municipality_names(second) == [reader.municipality.name]
    assert also_html.status_code == 200
    assert captured[REPLICA] == []
    assert any("organisation_municipality" in sql for sql in captured[DEFAULT_DB_ALIAS])
    # Tried once; the next requests within the retry period do not try again.
    assert flaky_replica.attempts == 1
    assert 44 < db_router._replica_down_until - time.monotonic() <= 45
    [(level, message)] = db_log(caplog)
    assert level == "WARNING"
    assert "Read replica unreachable" in message and "Connection refused" in message


@pytest.mark.django_db(transaction=True, databases=list(ALIASES))
def test_after_the_retry_period_the_replica_is_tried_again_and_read_when_it_works(
    client, routed, reader, flaky_replica, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="styr.db")
    client.get("/api/v1/municipalities")  # finds the replica down and warns
    assert flaky_replica.attempts == 1

    # The period is over, the replica still down: tried again, read the primary, no new warning.
    monkeypatch.setattr(db_router, "_replica_down_until", time.monotonic() - 1)
    with capture() as captured:
        response = client.get("/api/v1/municipalities")
    assert municipality_names(response) == [reader.municipality.name]
    assert flaky_replica.attempts == 2
    assert captured[REPLICA] == []
    assert db_router._replica_down_until > time.monotonic()

    # Over again, and the replica is back: read from it, and said so once.
    monkeypatch.setattr(db_router, "_replica_down_until", time.monotonic() - 1)
    flaky_replica.down = False
    with capture() as captured:
        response = client.get("/api/v1/municipalities")
    assert municipality_names(response) == [reader.municipality.name]
    assert flaky_replica.attempts > 2  # tried, then once more for each query, as Django does
    assert any("organisation_municipality" in sql for sql in captured[REPLICA])
    assert db_router._replica_down_until is None
    assert [level for level, _message in db_log(caplog)] == ["WARNING", "INFO"]
    assert "reachable again" in db_log(caplog)[-1][1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL to refuse")
@pytest.mark.django_db(transaction=True, databases=list(ALIASES))
def test_a_replica_where_nothing_listens_and_pages_from_the_primary(
    client, routed, reader, caplog, monkeypatch
):
    replica = connections[REPLICA]
    replica.close()
    # The alias's own settings, put back by monkeypatch after the test; closed again before, so
    # that the next test connects to the test database.
    monkeypatch.setitem(replica.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(replica.settings_dict, "PORT", "9")
    try:
        with capture() as captured:
            api = client.get("/api/v1/municipalities")
            page = client.get("/")
    finally:
        replica.close()
    assert municipality_names(api) == [reader.municipality.name]
    assert page.status_code == 200
    assert captured[REPLICA] == []
    [(level, message)] = db_log(caplog)
    assert level == "WARNING" and "port 9 failed" in message


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL to end a connection"
)
@pytest.mark.django_db(transaction=True, databases=list(ALIASES))
def test_a_kept_replica_connection_that_died_is_noticed_before_the_page_reads(
    client, routed, reader, caplog, monkeypatch
):
    replica = connections[REPLICA]
    # As DATABASE_REPLICA_URL sets it up: kept between requests, checked before it is reused.
    monkeypatch.setitem(replica.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(replica.settings_dict, "CONN_HEALTH_CHECKS", True)
    replica.close()

    def end_the_kept_connection():
        replica.ensure_connection()
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        # What Django does when a request starts (the test client leaves it out).
        replica.close_if_unusable_or_obsolete()

    try:
        # The replica restarted: the health check notices, the page reads a new connection.
        end_the_kept_connection()
        with capture() as captured:
            response = client.get("/api/v1/municipalities")
        assert municipality_names(response) == [reader.municipality.name]
        assert any("organisation_municipality" in sql for sql in captured[REPLICA])
        assert db_log(caplog) == []

        # The replica went away for good: the middleware notices, the page reads the primary.
        end_the_kept_connection()
        monkeypatch.setitem(replica.settings_dict, "PORT", "9")
        with capture() as captured:
            response = client.get("/api/v1/municipalities")
        assert municipality_names(response) == [reader.municipality.name]
        assert captured[REPLICA] == []
        [(level, message)] = db_log(caplog)
        assert level == "WARNING" and "port 9 failed" in message
    finally:
        replica.close()


# --- Settings ---------------------------------------------------------------------------------


def settings_seen(**env) -> dict:
    """The database settings a fresh process builds from this environment."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'databases': {a: {'NAME': d['NAME'], 'PORT': d.get('PORT'), "
        "'CONN_MAX_AGE': d['CONN_MAX_AGE'], 'CONN_HEALTH_CHECKS': d['CONN_HEALTH_CHECKS'], "
        "'MIRROR': d.get('TEST', {}).get('MIRROR')} "
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
        "CONN_HEALTH_CHECKS": True,  # a kept connection to a replica that went away is noticed
        "MIRROR": "default",
    }
    assert seen_settings["databases"]["default"]["CONN_MAX_AGE"] == 60
    assert seen_settings["routers"] == [ROUTER]
    assert seen_settings["middleware"][0] == MIDDLEWARE
