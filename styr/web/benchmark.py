"""The page benchmark: the main pages of a generated municipality (styr generate), requested through
Django's test client as signed-in people would — a chef at an enhet, and a controller with the
administrator role at KF. Each page is requested a few times to warm up and then `repeat` times;
the server time (the whole request through the middleware, the view and the template) is reported
as p50 and p95 with the number of database queries of one request."""

import math
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from styr.access.policy import visible_to
from styr.followup.models import Assessment, ReportingPeriod
from styr.organisation.models import Municipality, OrgUnit, Role, RoleGrant
from styr.organisation.services import municipality_settings_update
from styr.planning.models import Goal, GoalLink

LIMIT_MS = 150


@dataclass
class PageTiming:
    name: str
    url: str
    p50_ms: float
    p95_ms: float
    queries: int
    kilobytes: float

    @property
    def too_slow(self) -> bool:
        return self.p95_ms > LIMIT_MS


def _percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value that at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _person(username: str, municipality: Municipality, unit: OrgUnit, role: str):
    user, _created = get_user_model().objects.get_or_create(username=username)
    RoleGrant.objects.get_or_create(municipality=municipality, user=user, unit=unit, role=role)
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return user, client


def _widest_branch(user, municipality: Municipality) -> Goal:
    """The visible goal with the most goals directly below it: the heaviest branch to open."""
    visible = visible_to(user, Goal.objects.filter(municipality=municipality)).values("pk")
    row = (
        GoalLink.objects.filter(goal_id__in=visible, parent_id__in=visible)
        .values("parent_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "parent_id")
        .first()
    )
    return Goal.objects.get(pk=row["parent_id"])


def _measure(client: Client, name: str, url: str, warmup: int, repeat: int) -> PageTiming:
    for _run in range(warmup):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # now: the next request empties the log it reads from
    seconds = []
    for _run in range(repeat):
        started = time.perf_counter()
        client.get(url)
        seconds.append(time.perf_counter() - started)
    return PageTiming(
        name,
        url,
        statistics.median(seconds) * 1000,
        _percentile(seconds, 0.95) * 1000,
        queries,
        len(response.content) / 1024,
    )


def page_benchmark(
    *, municipality: Municipality, year: int, repeat: int, warmup: int = 3
) -> list[PageTiming]:
    """Time the main pages for a chef at the first enhet with goals and for a controller at KF.
    The two people are created (or reused) in the benchmark's database."""
    kf = OrgUnit.objects.get(municipality=municipality, depth=0)
    unit = (
        OrgUnit.objects.filter(municipality=municipality, type__key="enhet", goals__isnull=False)
        .order_by("path")
        .first()
    )
    chef, chef_client = _person("bench-chef", municipality, unit, Role.REPORTER)
    controller, controller_client = _person(
        "bench-controller", municipality, kf, Role.ADMINISTRATOR
    )
    period = (
        ReportingPeriod.objects.filter(
            municipality=municipality, year=year, assessments__isnull=False
        )
        .order_by("-month")
        .first()
    )
    goal = (
        Goal.objects.filter(unit=unit)
        .annotate(n=Count("indicators"))
        .order_by("-n", "code")
        .first()
    )
    chef_branch = _widest_branch(chef, municipality)
    kf_branch = _widest_branch(controller, municipality)
    namnd = (
        OrgUnit.objects.filter(municipality=municipality, type__key="namnd")
        .order_by("path")
        .first()
    )
    year_query = f"?ar={year}"
    municipality_settings_update(municipality=municipality, public_view=True)
    visitor_client = Client()
    cases = [
        (chef_client, _("My assignment"), reverse("home")),
        (chef_client, _("The golden thread"), reverse("web:red_thread") + year_query),
        (
            chef_client,
            _("A branch of the golden thread"),
            reverse("web:red_thread_branch", args=[chef_branch.pk]) + year_query,
        ),
        (chef_client, _("A goal"), reverse("web:goal", args=[goal.pk])),
        (chef_client, _("A unit"), reverse("web:unit", args=[unit.pk]) + year_query),
        (chef_client, _("Follow-up"), reverse("web:followup", args=[unit.pk, period.pk])),
        (chef_client, _("Overview"), reverse("web:overview")),
        (controller_client, _("My assignment"), reverse("home")),
        (controller_client, _("The golden thread"), reverse("web:red_thread") + year_query),
        (
            controller_client,
            _("The golden thread, filtered by a nämnd"),
            reverse("web:red_thread") + f"{year_query}&enhet={namnd.pk}",
        ),
        (
            controller_client,
            _("A branch of the golden thread"),
            reverse("web:red_thread_branch", args=[kf_branch.pk]) + year_query,
        ),
        (controller_client, _("A goal"), reverse("web:goal", args=[kf_branch.pk])),
        (controller_client, _("A unit"), reverse("web:unit", args=[kf.pk]) + year_query),
        (controller_client, _("Overview"), reverse("web:overview") + f"?period={period.pk}"),
        (controller_client, _("The year's cycle"), reverse("web:year_wheel") + year_query),
        # A code, as people search for their own unit's goals; and a word found everywhere.
        (controller_client, _("Search"), reverse("web:search") + f"?q={unit.code}"),
        (chef_client, _("Search"), reverse("web:search") + "?q=m%C3%A5l"),
        (visitor_client, _("Public view"), reverse("web:public_home", args=[municipality.code])),
    ]
    people = {chef_client: _("chef at %(unit)s") % {"unit": unit.code}}
    people[visitor_client] = _("a visitor who is not signed in")
    people[controller_client] = _("controller at %(unit)s") % {"unit": kf.code}
    timings = []
    # As in production: no debug collection of queries or template details.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for client, page, url in cases:
            name = f"{page} ({people[client]})"
            timings.append(_measure(client, name, url, warmup, repeat))
    return timings


def dataset_size(*, municipality: Municipality) -> dict[str, int]:
    return {
        "units": OrgUnit.objects.filter(municipality=municipality).count(),
        "goals": Goal.objects.filter(municipality=municipality).count(),
        "assessments": Assessment.objects.filter(municipality=municipality).count(),
    }
