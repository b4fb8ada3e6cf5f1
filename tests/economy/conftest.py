import pytest

from styr.governance.services import governance_model_load
from styr.organisation.models import OrgUnit

ECONOMY = """
economy:
  months: [2, 3, 4, 5, 8, 9, 10, 11]
  comment_threshold_percent: 2
  comment_threshold_kronor: 100000
"""


class World:
    def __init__(self, text: str):
        self.municipality = governance_model_load(
            name="exempel.yaml", text=text + ECONOMY
        ).municipality
        kf = self.unit("KF")
        self.other = OrgUnit.objects.create(
            municipality=self.municipality,
            code="SN",
            name="Socialnämnden",
            type=self.unit("BUN").type,
            parent=kf,
        )

    def unit(self, code: str) -> OrgUnit:
        return OrgUnit.objects.get(municipality=self.municipality, code=code)


@pytest.fixture
def world(db, example_text) -> World:
    return World(example_text)


def csv_file(rows: list[str]) -> bytes:
    """A CSV as Excel on a Swedish Windows saves it: semicolons, decimal comma, Windows-1252."""
    return "\r\n".join(["Enhet;Kontogrupp;Månad;Belopp;Typ", *rows]).encode("cp1252")
