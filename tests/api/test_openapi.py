"""The API describes itself: the OpenAPI document builds, validates and names every endpoint."""

import json

from openapi_spec_validator import validate

from config.api import api


def test_the_openapi_description_builds_and_validates():
    schema = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    validate(schema)
    assert {
        "/api/v1/municipalities",
        "/api/v1/units",
        "/api/v1/goals",
        "/api/v1/indicators",
        "/api/v1/periods",
        "/api/v1/outcomes",
        "/api/v1/outcomes/bulk",
        "/api/v1/assessments",
    } <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_the_description_and_its_docs_page_are_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Styr API"
    assert client.get("/api/v1/docs").status_code == 200
