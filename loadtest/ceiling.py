"""The machine's ceiling at the deadline day's pace: the same 200 people and the same 0.5–1 s
pauses as loadtest/locustfile.py, each asking again and again for one of the cheapest things Styr
answers, so that the deadline day's figures can be read against what the machine does at all.

CEILING_PAGE=api (the default): signed in, GET /api/v1/municipalities — the session, the person,
the person's grants and the municipalities counted and read (five queries), answered with 0.1 kB
of JSON; the least a signed-in request costs. CEILING_PAGE=login: GET /logga-in/ without signing
in — a small page, no database.

    LOAD_SCENARIO=ceiling CEILING_PAGE=api LOAD_RUN_TIME=3m loadtest/run.sh

(run.sh: prepare.py, gunicorn, locust with this file, report.py; nothing is saved, so there is no
verify.py.)
"""

import os

from common import next_person, sign_in
from locust import FastHttpUser, between, task

PAGE = os.environ.get("CEILING_PAGE", "api")
if PAGE not in ("api", "login"):
    raise SystemExit("CEILING_PAGE must be api or login")


class Reader(FastHttpUser):
    wait_time = between(0.5, 1.0)

    def on_start(self):
        if PAGE == "api":
            sign_in(self, next_person(), then="/api/v1/municipalities")

    @task
    def cheapest(self):
        if PAGE == "api":
            self.client.get("/api/v1/municipalities", name="/api/v1/municipalities")
        else:
            self.client.get("/logga-in/", name="/logga-in/ (form)")
