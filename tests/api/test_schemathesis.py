"""Schemathesis against the live API: every operation in the OpenAPI description is called over
real HTTP with generated requests, valid and invalid, as a signed-in integration (a read-write
API key). No request may give a server error, and every answer must be one the description
declares: its status code, its content type and its body's schema.

The number of examples is bounded and the generation derandomized, so CI runs the same requests
each time."""

import json
from dataclasses import dataclass
from urllib.request import urlopen

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from styr.followup.models import Measurement
from styr.followup.services import OutcomeInput, assessment_submit, outcomes_report_many
from styr.governance.models import AssessmentValue
from styr.organisation.models import Role
from styr.planning.models import Goal, Indicator

EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The description the live server serves (the last test here checks that it is this one), built
# in-process so that pytest can name one test per operation.
DESCRIPTION = json.loads(json.dumps(api.get_openapi_schema(), default=str))
schema = schemathesis.openapi.from_dict(
    DESCRIPTION,
    config=schemathesis.Config.from_dict(
        {"generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"}}
    ),
)


@pytest.fixture
def integration(live_server, stockholm, person, bearer):
    """Data to read, a read-write API key of a reporter for Södermalm, and real objects that
    generated writes can be pointed at."""
    period = stockholm.period("t1")
    outcomes_report_many(
        period=period,
        outcomes=[
            OutcomeInput(stockholm.get(Indicator, "SOD-I1"), {"T": "80", "K": "82", "M": "77"}),
            OutcomeInput(stockholm.get(Indicator, "SOD-I6"), {"T": "-1,5"}),
        ],
    )
    reporter = person(Role.REPORTER, "SDN-SOD")
    assessment_submit(
        goal=stockholm.get(Goal, "SOD-NM-1"),
        period=period,
        value=stockholm.scale("uppfyllt"),
        analysis="Fler anhöriga svarar och de är nöjdare.",
        motivation="Svaren är bättre än nyckeltalen visar.",
        acting_user=reporter,
    )
    return Integration(
        call={"base_url": live_server.url, "headers": bearer(reporter)},
        goals=[stockholm.get(Goal, code).pk for code in ("SOD-NM-1", "SOD-NM-2")],
        indicators=["SOD-I1", "SOD-I6", stockholm.get(Indicator, "SOD-I1").pk],
        periods=[period.pk, stockholm.period("t2").pk],
        values=list(
            AssessmentValue.objects.filter(municipality=stockholm.municipality).values_list(
                "key", flat=True
            )
        ),
    )


@dataclass
class Integration:
    call: dict
    goals: list[int]
    indicators: list[int | str]
    periods: list[int]
    values: list[str]

    def aim(self, case) -> None:
        """Point a valid generated write at real objects, picked by what was generated, so that
        it reaches the services' rules instead of stopping at 404 (the same pick every run)."""
        if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
            return
        if case.operation.label == "POST /api/v1/assessments" and isinstance(case.body, dict):
            case.body["goal"] = pick(self.goals, case.body.get("analysis"))
            case.body["period"] = pick(self.periods, case.body.get("motivation"))
            case.body["value"] = pick(self.values, case.body.get("value"))
        elif case.operation.label == "POST /api/v1/outcomes/bulk" and isinstance(case.body, list):
            for row in case.body:
                if isinstance(row, dict):
                    row["indicator"] = pick(self.indicators, row.get("value"))
                    row["unit"] = "SDN-SOD"
                    row["period"] = pick(self.periods, row.get("comment"))


def pick(options: list, seed) -> object:
    return options[len(str(seed)) % len(options)]


@schema.parametrize()
# The data and the key are made once per operation and shared by its examples, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_it_describes_itself(case, integration):
    integration.aim(case)
    case.call_and_validate(checks=CHECKS, **integration.call)


def test_what_schemathesis_found_is_refused_with_4xx_and_not_a_crash(
    client, stockholm, person, bearer
):
    """Inputs that once crashed the server (500): a year no date has, an id or an offset larger
    than the database's integers, text with NUL (PostgreSQL cannot hold it), a body that is not
    JSON. Now each is refused as the description says, in Swedish."""
    headers = bearer(person())
    for path in (
        "/api/v1/goals?year=0",
        "/api/v1/goals?year=99999999999999",
        f"/api/v1/outcomes?period={2**70}",
        f"/api/v1/outcomes?offset={10**22}",
        "/api/v1/goals?level=a%00b",
        "/api/v1/indicators?focus_area=%00",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 422, path
        assert response.json()["detail"] == "Begäran ser inte ut som API:et beskriver; se errors."
    period = stockholm.period("t1").pk
    row = {"indicator": "SOD-I6", "unit": "SDN-SOD", "period": period, "value": 1}
    for body in ([{**row, "comment": "a\x00b"}], [{**row, "period": 2**70}]):
        response = client.post(
            "/api/v1/outcomes/bulk", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 422, body
    response = client.post(
        "/api/v1/outcomes/bulk", data=b"\x00", content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Begärans innehåll är inte giltig JSON."}
    assert not Measurement.objects.exists()


def test_the_live_server_serves_the_description_tested(live_server, db):
    with urlopen(f"{live_server.url}/api/v1/openapi.json") as response:
        assert json.load(response) == DESCRIPTION
