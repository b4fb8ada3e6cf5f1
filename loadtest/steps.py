"""What one round of the load test costs on the server: each step of the scenario for the first
load person, through Django's test client (the whole middleware chain, the view and the
template, DEBUG off), with its database queries, server time and response size.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/styr_load \
        .venv/bin/python loadtest/steps.py [--repeat 10]

Run prepare.py first. Saves outcomes and an assessment like the load test (the values written
are the ones already stored, so the dataset does not drift).
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

LOAD_DIR = Path(os.environ.get("LOAD_DIR", "/tmp/styr-load"))
HIDDEN = re.compile(r'<input type="hidden" name="(version[^"]*)" form="([^"]+)" value="([^"]*)"')
VALUES = re.compile(r'name="([TKM]|forecast)" form="([^"]+)" inputmode="decimal" value="([^"]*)"')
INDICATOR_FORM = re.compile(r'<form id="([^"]+)" method="post" action="([^"]+/indikator/\d+/)"')
GOAL_FORM = re.compile(r'<form method="post" action="([^"]+/mal/\d+/)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    person = json.loads((LOAD_DIR / "users.json").read_text())["people"][0]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=person["username"]))
    followup = f"/uppfoljning/{person['unit']}/{person['period']}/"
    page = client.get(followup).content.decode()
    form_id, indicator_url = INDICATOR_FORM.search(page).groups()
    row = {n: v for n, f, v in VALUES.findall(page) if f == form_id}
    versions = {n: v for n, f, v in HIDDEN.findall(page) if f == form_id}
    goal_url = GOAL_FORM.search(page).group(1)

    def indicator_post():
        nonlocal versions
        response = client.post(
            indicator_url, {**row, "comment": "", **versions}, headers={"HX-Request": "true"}
        )
        text = response.content.decode()
        versions = {n: v for n, _f, v in HIDDEN.findall(text)}
        return response

    form = page[page.find(goal_url) :]
    goal = {
        "version": re.search(r'name="version" value="([^"]*)"', form).group(1),
        "value": re.search(r'name="value" value="(\d+)" checked', form).group(1),
    }

    def goal_post():
        response = client.post(
            goal_url,
            {
                **goal,
                "analysis": "Analys.",
                "motivation": "Bedömningen bygger på utfallen i perioden.",
                "action_what": "Följa upp",
                "action_who": "Enhetschef",
                "action_due": "2026-12-31",
            },
            headers={"HX-Request": "true"},
        )
        goal["version"] = re.search(
            r'name="version" value="([^"]*)"', response.content.decode()
        ).group(1)
        return response

    steps = [
        ("Mitt uppdrag /", lambda: client.get("/")),
        ("uppföljningen", lambda: client.get(followup)),
        ("spara en indikators utfall (htmx)", indicator_post),
        ("bedöma ett mål (htmx)", goal_post),
        (
            "nämndens översikt",
            lambda: client.get(f"/oversikt/?period={person['period']}&enhet={person['namnd']}"),
        ),
    ]
    print(f"{person['username']} på {person['unit_code']}, {args.repeat} gånger per steg")
    print(
        "| steg | frågor | p50 ms | Python-CPU p50 ms | max ms | kB |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    with override_settings(DEBUG=False):
        for name, step in steps:
            with CaptureQueriesContext(connection) as captured:
                response = step()
            assert response.status_code == 200, (name, response.status_code)
            queries = len(captured)
            seconds, cpu = [], []
            for _run in range(args.repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                step()
                seconds.append(time.perf_counter() - started)
                # This process's CPU: Django, the view and the template, not PostgreSQL's.
                cpu.append(time.process_time() - started_cpu)
            print(
                f"| {name} | {queries} | {statistics.median(seconds) * 1000:.0f} | "
                f"{statistics.median(cpu) * 1000:.0f} | {max(seconds) * 1000:.0f} | "
                f"{len(response.content) / 1024:.0f} |"
            )


if __name__ == "__main__":
    main()
