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
  (PRIMARY_ONLY_APPS and PRIMARY_ONLY_MODELS below).

Everything else reads the primary: POST, PUT, PATCH and DELETE requests, the background task
worker, management commands, cron jobs and most tests (each runs inside a transaction).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

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


# None outside a request (worker, commands, shell, tests): the primary.
_request_state: ContextVar[_RequestState | None] = ContextVar("styr_replica_state", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "STYR_REPLICA_PIN_SECONDS", 10))


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
    streaming response is produced after this returns, so it reads the primary."""

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
