"""The load test's figures from its request log ($LOAD_DIR/requests.csv, written by the
locustfile): for the whole run and for the steady part, from when every person had been started
(and signed in, or was signing in) to the end. Requests per second, p50, p95 and p99 (nearest
rank), the slowest and the failures, per step and in all. No Django needed.

    python loadtest/report.py [--after-spawn-seconds 30]
"""

import argparse
import csv
import math
import os
from collections import defaultdict
from pathlib import Path

LOAD_DIR = Path(os.environ.get("LOAD_DIR", "/tmp/styr-load"))


def _rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else float("nan")


def _table(title: str, rows: list[tuple[float, str, float, int]]) -> None:
    if not rows:
        print(f"{title}: inga anrop")
        return
    seconds = max(r[0] for r in rows) - min(r[0] for r in rows) or 1.0
    by_name: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for _end, name, ms, ok in rows:
        by_name[name].append((ms, ok))
    print(f"\n{title}: {len(rows)} anrop på {seconds:.0f} s")
    print("| steg | anrop | anrop/s | p50 ms | p95 ms | p99 ms | max ms | fel |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    everything = [(ms, ok) for _e, _n, ms, ok in rows]
    for name, items in [*sorted(by_name.items()), ("alla", everything)]:
        times = [ms for ms, _ok in items]
        failures = sum(1 for _ms, ok in items if not ok)
        label = f"**{name}**" if name == "alla" else f"`{name}`"
        print(
            f"| {label} | {len(items)} | {len(items) / seconds:.1f} | {_rank(times, 0.5):.0f} | "
            f"{_rank(times, 0.95):.0f} | {_rank(times, 0.99):.0f} | {max(times):.0f} | "
            f"{failures} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", default=str(LOAD_DIR / "requests.csv"))
    parser.add_argument(
        "--after-spawn-seconds",
        type=float,
        default=30.0,
        help="the steady part starts this long after the last person was started",
    )
    args = parser.parse_args()
    rows, spawned = [], None
    with open(args.file, encoding="utf-8") as f:
        for record in csv.DictReader(f):
            if record["event"] == "spawned":
                spawned = float(record["end"])
            else:
                rows.append(
                    (float(record["end"]), record["name"], float(record["ms"]), int(record["ok"]))
                )
    _table("Hela körningen", rows)
    if spawned is not None:
        start = spawned + args.after_spawn_seconds
        _table(
            f"Jämnt läge ({args.after_spawn_seconds:.0f} s efter att alla startat)",
            [r for r in rows if r[0] >= start],
        )


if __name__ == "__main__":
    main()
