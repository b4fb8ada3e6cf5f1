"""The import benchmark: a CSV file of many outcome rows (T, K and M per indicator, with decimal
commas and semicolons as Swedish Excel writes them) read in on a generated municipality, first
changing every value and then once more unchanged. Everything is rolled back afterwards."""

import random
import time
from dataclasses import dataclass

from django.db import transaction

from styr.followup.models import Gender, ReportingPeriod
from styr.organisation.models import Municipality
from styr.planning.models import Indicator

from .imports import ImportSummary, outcomes_import


@dataclass
class ImportRun:
    seconds: float
    summary: ImportSummary


@dataclass
class ImportBenchmark:
    period: ReportingPeriod
    rows: int
    file_bytes: int
    first: ImportRun  # new and changed values
    again: ImportRun  # the same file once more: nothing changes


def benchmark_csv(*, municipality: Municipality, rows: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    lines = ["Enhet;Indikator;Kön;Utfall;Prognos;Kommentar"]
    indicators = (
        Indicator.objects.filter(municipality=municipality)
        .select_related("unit")
        .order_by("unit__path", "code")
    )
    for indicator in indicators.iterator(chunk_size=2000):
        if len(lines) > rows:
            break
        women, men = rnd.randint(0, 5000) / 10, rnd.randint(0, 5000) / 10
        total = women + men if indicator.additive else (women + men) / 2
        forecast = f"{total * 1.05:.1f}".replace(".", ",")
        values = {Gender.TOTAL: total}
        if indicator.gender_split:
            values = {Gender.TOTAL: total, Gender.WOMEN: women, Gender.MEN: men}
        for gender, value in values.items():
            is_total = gender == Gender.TOTAL
            shown = "" if is_total and indicator.additive and len(values) == 3 else f"{value:.1f}"
            lines.append(
                ";".join(
                    [
                        indicator.unit.code,
                        indicator.code,
                        gender,
                        shown.replace(".", ","),
                        forecast if is_total else "",
                        "Importerad i prestandatest" if is_total else "",
                    ]
                )
            )
    return "\r\n".join(lines[: rows + 1]) + "\r\n"


def _run(municipality, period, data: bytes) -> ImportRun:
    # Counting queries makes Django keep every statement's text; time without it.
    started = time.perf_counter()
    summary = outcomes_import(
        municipality=municipality, period=period, file_name="utfall.csv", data=data
    )
    return ImportRun(time.perf_counter() - started, summary)


def import_benchmark(
    *, municipality: Municipality, period: ReportingPeriod, rows: int = 100_000
) -> ImportBenchmark:
    data = benchmark_csv(municipality=municipality, rows=rows).encode("utf-8-sig")
    with transaction.atomic():
        first = _run(municipality, period, data)
        again = _run(municipality, period, data)
        transaction.set_rollback(True)
    return ImportBenchmark(period, first.summary.rows, len(data), first, again)
