from pathlib import Path

import pytest
from django.utils import translation

from styr.followup.models import ReportingPeriod
from styr.followup.services import periods_generate
from styr.governance.models import ActivityStatus, AssessmentValue
from styr.governance.services import governance_model_load_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILE = ROOT / "docs" / "exempel-styrmodell.yaml"


@pytest.fixture(autouse=True)
def swedish():
    """Everything a user reads is Swedish; the tests read it the same way."""
    with translation.override("sv"):
        yield


@pytest.fixture
def example_text() -> str:
    return EXAMPLE_FILE.read_text(encoding="utf-8")


class Preset:
    """A loaded preset with its 2026 periods, and short ways to reach its objects by code."""

    def __init__(self, name: str):
        self.municipality = governance_model_load_file(name_or_path=name).municipality
        self.periods = periods_generate(municipality=self.municipality, year=2026)

    def period(self, key: str, month: int | None = None) -> ReportingPeriod:
        matches = [p for p in self.periods if p.definition.key == key]
        return next(p for p in matches if month is None or p.month == month)

    def scale(self, key: str) -> AssessmentValue:
        return AssessmentValue.objects.get(municipality=self.municipality, key=key)

    def status(self, key: str) -> ActivityStatus:
        return ActivityStatus.objects.get(municipality=self.municipality, key=key)

    def get(self, model, code: str):
        return model.objects.get(municipality=self.municipality, code=code)


@pytest.fixture
def stockholm(db) -> Preset:
    return Preset("stockholm")


@pytest.fixture
def preset_factory(db):
    return Preset
