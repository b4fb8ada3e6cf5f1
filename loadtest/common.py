"""What the load scenarios share (imported by loadtest/locustfile.py and loadtest/ceiling.py):
the people prepare.py made, one to each simulated user, their sign-in through the form, and the
request log that loadtest/report.py reads ($LOAD_DIR/requests.csv, every request with its end
time). Importing this module registers the request log's listeners."""

import json
import os
import re
import threading
import time

from locust import events
from locust.exception import StopUser

LOAD_DIR = os.environ.get("LOAD_DIR", "/tmp/styr-load")
USERS_FILE = os.environ.get("LOAD_USERS", os.path.join(LOAD_DIR, "users.json"))
REQUESTS_FILE = os.path.join(LOAD_DIR, "requests.csv")
PASSWORD = os.environ.get("LOAD_PASSWORD", "deadline-day-2026")

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_people = iter(())
_people_lock = threading.Lock()
_requests = None


@events.test_start.add_listener
def _open(environment, **_kwargs):
    global _people, _requests
    with open(USERS_FILE, encoding="utf-8") as f:
        _people = iter(json.load(f)["people"])
    os.makedirs(LOAD_DIR, exist_ok=True)
    _requests = open(REQUESTS_FILE, "w", encoding="utf-8")  # noqa: SIM115 (closed at test_stop)
    _requests.write("event,end,name,ms,ok\n")


@events.request.add_listener
def _request(request_type, name, response_time, exception, **_kwargs):
    if _requests:
        ok = 0 if exception else 1
        line = f"request,{time.time():.3f},{request_type} {name},{response_time:.1f},{ok}\n"
        _requests.write(line)


@events.spawning_complete.add_listener
def _spawned(user_count, **_kwargs):
    if _requests:
        _requests.write(f"spawned,{time.time():.3f},{user_count},0,1\n")


@events.test_stop.add_listener
def _close(environment, **_kwargs):
    if _requests:
        _requests.close()


def next_person() -> dict:
    """The next load person; a user beyond the prepared people stops."""
    with _people_lock:
        person = next(_people, None)
    if person is None:
        raise StopUser()
    return person


def sign_in(user, person: dict, then: str = "/") -> None:
    """Signs `person` in through the form with its CSRF token, as a browser does; a refused
    sign-in is a failure and stops the user."""
    page = user.client.get("/logga-in/", name="/logga-in/ (form)")
    token = CSRF_INPUT.search(page.text)
    with user.client.post(
        "/logga-in/",
        data={
            "username": person["username"],
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "next": then,
        },
        headers={"Referer": user.host + "/logga-in/"},
        name="/logga-in/ (sign in)",
        catch_response=True,
    ) as response:
        # The form answers with the page it redirected to; a refused sign-in shows the form again.
        if response.status_code != 200 or 'name="password"' in response.text:
            response.failure(f"sign-in failed for {person['username']}")
            raise StopUser()
