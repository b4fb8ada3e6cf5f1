"""The deadline day: people sign in and report their unit's follow-up through the web pages.

Each simulated person is one of the `load-NNN` people that `loadtest/prepare.py` made on the
generated municipality (`styr generate --scale stockholm --seed 1`): a reporter at one enhet of
its own, so two people never write the same row. A person signs in through the login form (with
its CSRF token), and then works through its report round after round, with a short pause
between the steps, as a chef does on the deadline day:

1. opens the start page (Mitt uppdrag),
2. opens the unit's follow-up screen for the period (`/uppfoljning/<unit>/<period>/`),
3. goes down the screen and saves the outcomes of LOAD_ROWS indicator rows (total, women, men
   and the forecast) the way the page does it: an htmx POST of the row's form with the versions
   the row carried, the answer being the row drawn again,
4. assesses LOAD_GOALS of its goals (htmx POST of the goal's form),
5. reads the overview of its nämnd (`/oversikt/?period=…&enhet=<nämnd>`).

Every save is appended to the submission log (LOAD_LOG, JSON lines) when it is sent and again
when the server has answered 200 with "Sparat"; `loadtest/verify.py` compares the log with the
database afterwards. This file does not import Django: it talks HTTP only, to the loopback host
given with --host. It uses locust's FastHttpUser (geventhttpclient), so that the load generator,
which shares the machine with the server, takes as little of it as possible.

    locust -f loadtest/locustfile.py --headless -u 200 -r 10 --run-time 3m \
        --host http://127.0.0.1:8001 --csv /tmp/styr-load/run

Environment: LOAD_DIR (default /tmp/styr-load), LOAD_USERS (default $LOAD_DIR/users.json, written
by prepare.py), LOAD_LOG (default $LOAD_DIR/submitted.jsonl), LOAD_PASSWORD (as for prepare.py),
LOAD_ROWS (indicator rows saved per round, default 8), LOAD_GOALS (goals assessed per round,
default 2). A self-signed certificate (nginx on loopback) is accepted. The people, the sign-in and
the request log for report.py are in loadtest/common.py, shared with loadtest/ceiling.py.
"""

import html
import itertools
import json
import os
import random
import re
import time

from common import LOAD_DIR, next_person, sign_in
from locust import FastHttpUser, between, events, task

LOG_FILE = os.environ.get("LOAD_LOG", os.path.join(LOAD_DIR, "submitted.jsonl"))
ROWS_PER_ROUND = int(os.environ.get("LOAD_ROWS", "8"))
GOALS_PER_ROUND = int(os.environ.get("LOAD_GOALS", "2"))

_log = None
_serial = itertools.count(1)

CSRF_HEADER = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')
INDICATOR_FORM = re.compile(
    r'<form id="(indikator-[^"]+)" method="post" action="(/uppfoljning/\d+/\d+/indikator/(\d+)/)"'
)
# The hidden versions of the indicator rows, each naming its row's form.
ROW_VERSION = re.compile(
    r'<input type="hidden" name="(version_(?:[TKM]|forecast))" form="([^"]+)" value="([^"]*)">'
)
GOAL_FORM = re.compile(r'<form method="post" action="(/uppfoljning/\d+/\d+/mal/(\d+)/)"')
VERSION = re.compile(r'<input type="hidden" name="(version(?:_[TKM]|_forecast)?)"([^>]*)>')
VALUE_INPUT = re.compile(r'<input class="ds-input value" id="[^"]+" name="([TKM])" form="([^"]+)"')
RADIO = re.compile(r'<input type="radio" name="value" value="(\d+)"')


@events.test_start.add_listener
def _open(environment, **_kwargs):
    global _log
    os.makedirs(os.path.dirname(LOG_FILE), exist_ok=True)
    _log = open(LOG_FILE, "a", encoding="utf-8")  # noqa: SIM115 (closed at test_stop)


@events.test_stop.add_listener
def _close(environment, **_kwargs):
    if _log:
        _log.close()


def _record(entry: dict) -> None:
    _log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    _log.flush()


def _versions(fragment: str) -> dict[str, str]:
    """The hidden version fields of one indicator row or one goal form."""
    found = {}
    for name, rest in VERSION.findall(fragment):
        value = re.search(r'value="([^"]*)"', rest)
        found[name] = value.group(1) if value else ""
    return found


class Reporter(FastHttpUser):
    """An enhetschef reporting on the deadline day."""

    wait_time = between(0.5, 1.0)

    def on_start(self):
        person = next_person()
        self.person = person
        self.followup_url = f"/uppfoljning/{person['unit']}/{person['period']}/"
        self.overview_url = f"/oversikt/?period={person['period']}&enhet={person['namnd']}"
        sign_in(self, person)
        self.csrf = next((c.value for c in self.client.cookiejar if "csrf" in c.name), "")
        self.rows = {}  # indicator pk -> (url, genders, versions)
        self.goals = {}  # goal pk -> (url, scale pks, version)

    # -- the steps ------------------------------------------------------------------------------

    @task
    def deadline_day(self):
        self.client.get("/", name="/ (Mitt uppdrag)")
        self._pause()
        self._open_followup()
        self._pause()
        for indicator in random.sample(sorted(self.rows), k=min(ROWS_PER_ROUND, len(self.rows))):
            self._save_outcomes(indicator)
            self._pause()
        for goal in random.sample(sorted(self.goals), k=min(GOALS_PER_ROUND, len(self.goals))):
            self._assess(goal)
            self._pause()
        self.client.get(self.overview_url, name="/oversikt/?enhet=<nämnd>")

    def _pause(self):
        time.sleep(self.wait_time())

    def _open_followup(self):
        page = self.client.get(self.followup_url, name="/uppfoljning/<enhet>/<period>/")
        text = page.text
        header = CSRF_HEADER.search(text)
        if header:
            self.csrf = header.group(1)
        genders: dict[str, list[str]] = {}
        for gender, form_id in VALUE_INPUT.findall(text):
            genders.setdefault(form_id, []).append(gender)
        versions: dict[str, dict[str, str]] = {}
        for name, form_id, value in ROW_VERSION.findall(text):
            versions.setdefault(form_id, {})[name] = value
        self.rows = {}
        for form_id, url, pk in INDICATOR_FORM.findall(text):
            self.rows[int(pk)] = (url, genders.get(form_id, ["T"]), versions.get(form_id, {}))
        self.goals = {}
        for match in GOAL_FORM.finditer(text):
            url, pk = match.group(1), int(match.group(2))
            end = text.find("</form>", match.end())
            form = text[match.end() : end]
            self.goals[pk] = (url, RADIO.findall(form), _versions(form).get("version", ""))

    def _htmx(self, url: str, data: dict, name: str):
        return self.client.post(
            url,
            data=data,
            headers={
                "HX-Request": "true",
                "X-CSRFToken": self.csrf,
                "Referer": self.host + self.followup_url,
            },
            name=name,
            catch_response=True,
        )

    def _save_outcomes(self, indicator: int):
        url, genders, versions = self.rows[indicator]
        serial = next(_serial)
        # A value no one else writes: the person's number and a running number.
        total = f"{self.person['number']}.{serial % 1000:03d}"
        values = {"T": total}
        if "K" in genders:
            values["K"] = f"{self.person['number'] + 1}.{serial % 1000:03d}"
            values["M"] = f"{self.person['number'] - 1}.{serial % 1000:03d}"
        data = {
            **values,
            "forecast": total,
            "comment": f"Last {serial}",
            **{f"version_{k}": versions.get(f"version_{k}", "") for k in [*values, "forecast"]},
        }
        entry = {
            "kind": "outcome",
            "user": self.person["username"],
            "unit": self.person["unit"],
            "period": self.person["period"],
            "indicator": indicator,
            "values": values,
            "forecast": total,
            "comment": data["comment"],
        }
        # Sent, before the answer: a save in flight when the run stops may be stored unanswered.
        _record({**entry, "confirmed": False})
        with self._htmx(url, data, "/uppfoljning/…/indikator/<id>/ (htmx)") as response:
            if response.status_code != 200 or 'class="saved"' not in response.text:
                response.failure(f"outcome not saved ({response.status_code})")
                return
            _record({**entry, "confirmed": True})
            # As htmx swaps the row: the next save carries the row's new versions.
            self.rows[indicator] = (url, genders, _versions(response.text))

    def _assess(self, goal: int):
        url, scale, version = self.goals[goal]
        if not scale:
            return
        value = random.choice(scale)
        serial = next(_serial)
        analysis = f"Analys {self.person['username']} {serial}"
        data = {
            "version": version,
            "value": value,
            "analysis": analysis,
            # Filled in as a careful chef does: a motivation in case the choice differs from the
            # suggestion, and an åtgärd in case the goal is not fully met.
            "motivation": "Bedömningen bygger på utfallen i perioden.",
            "action_what": "Följa upp på arbetsplatsträffen",
            "action_who": "Enhetschef",
            "action_due": "2026-12-31",
            "next_year": "Fortsätta arbetet.",
        }
        entry = {
            "kind": "assessment",
            "user": self.person["username"],
            "period": self.person["period"],
            "goal": goal,
            "value": int(value),
            "analysis": html.unescape(analysis),
        }
        _record({**entry, "confirmed": False})
        with self._htmx(url, data, "/uppfoljning/…/mal/<id>/ (htmx)") as response:
            if response.status_code != 200 or 'class="saved"' not in response.text:
                response.failure(f"assessment not saved ({response.status_code})")
                return
            _record({**entry, "confirmed": True})
            new = _versions(response.text).get("version", "")
            self.goals[goal] = (url, scale, new)
