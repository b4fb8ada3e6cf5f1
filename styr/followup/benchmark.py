"""The follow-up benchmark: the roll-up and the lint on a generated municipality, against the floor
of one plain SQL aggregate over the same rows. Each case runs a number of times; the median is
reported with the number of queries of one run."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from styr.organisation.models import Municipality, OrgUnit

from .lint import plan_lint
from .models import Assessment, Measurement, ReportingPeriod
from .selectors import fulfilment


@dataclass
class Timing:
    name: str
    median_ms: float
    best_ms: float
    queries: int
    rows: int


def _time(name: str, repeat: int, run: Callable[[], int]) -> Timing:
    with CaptureQueriesContext(connection) as captured:
        rows = run()
    queries = len(captured.captured_queries)
    seconds = []
    for _run in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return Timing(name, statistics.median(seconds) * 1000, min(seconds) * 1000, queries, rows)


def _floor(sql: str, params: list) -> Callable[[], int]:
    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    return run


@dataclass
class BenchmarkResult:
    period: ReportingPeriod
    assessments: int
    outcomes: int
    timings: list[Timing]

    def ratio(self) -> float:
        """The whole municipality's roll-up divided by the floor over the same assessment rows."""
        return self.timings[0].median_ms / self.timings[2].median_ms


def followup_benchmark(*, municipality: Municipality, year: int, repeat: int) -> BenchmarkResult:
    period = (
        ReportingPeriod.objects.filter(
            municipality=municipality, year=year, assessments__isnull=False
        )
        .order_by("-month")
        .select_related("definition", "municipality")
        .first()
    )
    namnd = (
        OrgUnit.objects.filter(municipality=municipality, type__key="namnd")
        .order_by("path")
        .first()
    )
    assessment_table = Assessment._meta.db_table
    measurement_table = Measurement._meta.db_table
    timings = [
        _time(
            _("roll-up, the whole municipality"),
            repeat,
            lambda: fulfilment(period=period).assessed,
        ),
        _time(
            _("roll-up, one nämnd's subtree (%(code)s)") % {"code": namnd.code},
            repeat,
            lambda: fulfilment(period=period, unit=namnd).assessed,
        ),
        _time(
            _("floor: SQL count of the period's assessments per value"),
            repeat,
            _floor(
                f"SELECT value_id, COUNT(*) FROM {assessment_table} "
                "WHERE municipality_id = %s AND period_id = %s GROUP BY value_id",
                [municipality.pk, period.pk],
            ),
        ),
        _time(
            _("floor: SQL sum of the period's outcomes per gender"),
            repeat,
            _floor(
                f"SELECT gender, COUNT(*), SUM(value) FROM {measurement_table} "
                "WHERE municipality_id = %s AND period_id = %s GROUP BY gender",
                [municipality.pk, period.pk],
            ),
        ),
        _time(
            _("lint of the year %(year)s") % {"year": year},
            max(repeat // 3, 1),
            lambda: len(plan_lint(municipality=municipality, year=year)),
        ),
    ]
    return BenchmarkResult(
        period,
        Assessment.objects.filter(period=period).count(),
        Measurement.objects.filter(period=period).count(),
        timings,
    )
