from pathlib import Path

import pytest
from django.utils import translation

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
