"""Reads from a PostgreSQL read replica, writes and read-your-writes on the primary.

Active only when DATABASE_REPLICA_URL is set (config/settings/base.py adds the "replica" alias,
this router and the middleware). The rule is "primary unless shown safe": a read goes to the
replica only inside a GET or HEAD request, marked by ReplicaMiddleware, and only while

- the request has not written anything (a GET that saves, e.g. the sign-in callback from the
  identity provider, reads its own rows back from the primary for the rest of the request),
- no transaction is open on the primary (a service's version check and the rows it is about to
  change must be read where they are written),
- the browser has not written within the last STYR_REPLICA_PIN_SECONDS (a cookie set after every
  POST, PUT, PATCH or DELETE and every request that wrote; an htmx save is followed at once by
  GETs that refresh what it changed, and a sign-in by the redirect to the start page, and those
  must not read a replica that lags behind),
- the model is not one of the few whose staleness would be wrong rather than merely late
  (PRIMARY_ONLY_APPS and PRIMARY_ONLY_MODELS below),
- this process can reach the replica: the request's first read that would go there connects
  first, and if that fails the request reads the primary and the process leaves the replica
  alone for STYR_REPLICA_RETRY_SECONDS before it tries again.

Everything else reads the primary: POST, PUT, PATCH and DELETE requests, the background task
worker, management commands, cron jobs and most tests (each runs inside a transaction).
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("styr.db")

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD"})
PIN_COOKIE = "styr-primary"

# Read from the primary always, because a stale row here is wrong, not just late:
# - sessions: a sign-in (POST, written to the primary) redirects to a GET that must find the
#   session, or the person is sent back to the sign-in page;
# - auth and accounts (users, groups, permissions): the session is checked against the user's
#   password hash on every request, so a password change would sign the person out, and a
#   deactivated person must be out at once;
# - organisation.rolegrant: a revoked role must stop working at once (the grant is read on every
#   request that checks a permission);
# - axes: failed sign-ins are counted and checked during the POST, but keep the lockout exact;
# - api_tokens: a key created a second ago must work, and a revoked key must not;
# - django_tasks_database: the queue is written by the worker and polled by the pages that wait
#   for a document.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "axes", "api_tokens", "django_tasks_database"}
)
PRIMARY_ONLY_MODELS = frozenset({"organisation.rolegrant"})


@dataclass
class _RequestState:
    replica_allowed: bool
    wrote: bool = False
    replica_checked: bool = False


# None outside a request (worker, commands, shell, tests): the primary.
_request_state: ContextVar[_RequestState | None] = ContextVar("styr_replica_state", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "STYR_REPLICA_PIN_SECONDS", 10))


def retry_seconds() -> int:
    return int(getattr(settings, "STYR_REPLICA_RETRY_SECONDS", 30))


# The time.monotonic() until which this process reads the primary because it could not reach the
# replica; None while the replica works. Per process on purpose: each app server finds out for
# itself and tries again on its own, so nothing has to be shared between them.
_replica_down_until: float | None = None


def replica_reachable() -> bool:
    """Connects to the replica, unless this process found it down less than
    STYR_REPLICA_RETRY_SECONDS ago; False if it is down."""
    global _replica_down_until
    down_until = _replica_down_until
    if down_until is not None:
        if time.monotonic() < down_until:
            return False
        # The other threads keep reading the primary while this one tries, which may take up to
        # the connect timeout if the replica's machine does not answer at all.
        _replica_down_until = time.monotonic() + retry_seconds()
    try:
        # cursor() rather than ensure_connection() alone: before connecting it runs Django's
        # health check (CONN_HEALTH_CHECKS, one "SELECT 1" per request on a kept connection, the
        # same one the first query would run), so a kept connection the replica has dropped is
        # noticed here and not in the page's first query. Making the cursor sends nothing.
        connections[REPLICA].cursor().close()
    except DatabaseError as error:
        if down_until is None:
            logger.warning(
                "Read replica unreachable, reading from the primary; trying again in %s s: %s",
                retry_seconds(),
                " ".join(str(error).split()),  # psycopg adds a hint on a line of its own
            )
        _replica_down_until = time.monotonic() + retry_seconds()
        return False
    if down_until is not None:
        _replica_down_until = None
        logger.info("Read replica reachable again, GET and HEAD requests read from it again")
    return True


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _request_state.get()
        if state is None or not state.replica_allowed or not replica_configured():
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not state.replica_checked:
            # At the first read that would go there rather than in the middleware: a GET that
            # reads only sessions, people and grants, or a test inside a transaction, never
            # connects to the replica.
            state.replica_checked = True
            state.replica_allowed = replica_reachable()
            if not state.replica_allowed:
                return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _request_state.get()
        if state is not None:
            # Also asked for select_for_update() and get_or_create(): reading the primary from
            # then on is what those need as well.
            state.wrote = True
            state.replica_allowed = False
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: a row read from one may point at a row from the
        # other.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica gets its tables from the primary's WAL, never from migrate.
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Marks GET and HEAD requests as allowed to read the replica; pins a writer to the primary.

    First in MIDDLEWARE, so that the session saved on the way out counts as a write. The body of a
    streaming response is produced after this returns, so it reads the primary. A request that is
    already reading the replica when it goes down fails; the next ones read the primary (the
    router checks the replica before a request's first read from it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = (
            request.method in SAFE_METHODS
            and PIN_COOKIE not in request.COOKIES
            and replica_configured()
        )
        state = _RequestState(replica_allowed=allowed)
        token = _request_state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request_state.reset(token)
        if (state.wrote or request.method not in SAFE_METHODS) and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
