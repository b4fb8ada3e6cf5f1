"""Nothing lost: every outcome and assessment the load test had accepted is in the database.

Reads the submission log the locustfile wrote ($LOAD_DIR/submitted.jsonl, one JSON line per save
the server answered with 200 and "Sparat"), takes the last save of each row (each load person
writes only its own enhet's rows, one save after the other, so the last save is what must stand)
and compares it with the database: every value of the outcome (total, women, men), the forecast,
and for assessments the chosen value and the analysis. It also counts the history rows of the load
people's outcomes, which must be at least one per saved value that changed.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/styr_load \
        .venv/bin/python loadtest/verify.py

Prints the result and exits with 1 when anything is missing or different.
"""

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from styr.followup.models import Assessment, Forecast, Measurement  # noqa: E402

LOAD_DIR = Path(os.environ.get("LOAD_DIR", "/tmp/styr-load"))
LOG_FILE = Path(os.environ.get("LOAD_LOG", LOAD_DIR / "submitted.jsonl"))


def main() -> int:
    # Per row: the last confirmed save, and the saves sent after it that got no answer (in flight
    # when locust stopped): the database must hold the confirmed value or one of those.
    outcomes: dict[tuple[int, int], dict] = {}
    assessments: dict[tuple[int, int], dict] = {}
    pending: dict[tuple[str, int, int], list[dict]] = {}
    saves = {"outcome": 0, "assessment": 0}
    unanswered = 0
    with LOG_FILE.open(encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            kind = entry["kind"]
            key = (entry["period"], entry["indicator"] if kind == "outcome" else entry["goal"])
            if not entry.get("confirmed", True):
                pending.setdefault((kind, *key), []).append(entry)
                continue
            saves[kind] += 1
            pending.pop((kind, *key), None)
            (outcomes if kind == "outcome" else assessments)[key] = entry
    for (kind, *key), sent in pending.items():
        # Each save is logged when sent; its confirmation follows. What remains was unanswered.
        unanswered += len(sent)
        target = outcomes if kind == "outcome" else assessments
        target.setdefault(tuple(key), {**sent[0], "never_confirmed": True})
        target[tuple(key)]["alternatives"] = sent
    problems = []

    stored = {
        (m.period_id, m.indicator_id, m.gender): m.value
        for m in Measurement.objects.filter(
            period_id__in={p for p, _i in outcomes}, indicator_id__in={i for _p, i in outcomes}
        )
    }
    forecasts = {
        (f.period_id, f.indicator_id): f.value
        for f in Forecast.objects.filter(
            period_id__in={p for p, _i in outcomes}, indicator_id__in={i for _p, i in outcomes}
        )
    }
    values = 0
    for (period, indicator), entry in outcomes.items():
        candidates = [] if entry.get("never_confirmed") else [entry]
        candidates += entry.get("alternatives", [])
        stored_now = (
            {g: stored.get((period, indicator, g)) for g in entry["values"]},
            forecasts.get((period, indicator)),
        )
        if entry.get("never_confirmed"):
            continue  # never answered: whether it was stored is unknown, and either is right
        values += len(entry["values"])
        if not any(
            all(stored_now[0][g] == Decimal(v) for g, v in c["values"].items())
            and stored_now[1] == Decimal(c["forecast"])
            for c in candidates
        ):
            problems.append(
                f"utfall indikator {indicator} period {period}: skickat {entry['values']} "
                f"prognos {entry['forecast']}, i databasen {stored_now[0]} prognos {stored_now[1]}"
            )

    stored_assessments = {
        (a.period_id, a.goal_id): a
        for a in Assessment.objects.filter(
            period_id__in={p for p, _g in assessments}, goal_id__in={g for _p, g in assessments}
        )
    }
    for (period, goal), entry in assessments.items():
        if entry.get("never_confirmed"):
            continue
        found = stored_assessments.get((period, goal))
        candidates = [entry, *entry.get("alternatives", [])]
        if found is None or not any(
            found.value_id == c["value"] and found.analysis == c["analysis"] for c in candidates
        ):
            problems.append(
                f"bedömning mål {goal} period {period}: skickat {entry['value']} "
                f"«{entry['analysis']}», i databasen "
                f"{found and found.value_id} «{found and found.analysis}»"
            )

    history = Measurement.history.filter(history_user__username__startswith="load-").count()
    print(
        f"Sparade enligt loggen: {saves['outcome']} utfall (rader) och {saves['assessment']} "
        f"bedömningar; sista värdet för {len(outcomes)} indikatorer ({values} utfallsvärden och "
        f"{len(outcomes)} prognoser) och {len(assessments)} mål jämfört med databasen."
    )
    print(f"Historikrader för utfall av lastpersonerna: {history}.")
    print(
        f"Skickade utan svar när körningen stoppades: {unanswered} (databasen får ha dem eller "
        "det senast bekräftade värdet)."
    )
    if problems:
        print(f"SAKNAS ELLER SKILJER: {len(problems)}")
        for problem in problems[:50]:
            print("  " + problem)
        return 1
    print("Inget förlorat: varje sparat utfall, prognos och bedömning finns i databasen.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
