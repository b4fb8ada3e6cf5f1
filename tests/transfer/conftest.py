import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from styr.accounts.demo import demo_people_create
from styr.economy.demo import demo_economy
from styr.followup.demo import demo_followup
from styr.internal_control.demo import demo_internal_control
from styr.organisation.models import Municipality, OrgUnit
from styr.organisation.services import municipality_settings_update
from styr.reports.models import ReportDocument, ReportText
from styr.transfer.services import _rows_of, exported_models
from styr.workflow.demo import demo_plans_adopt
from tests.conftest import Preset

TODAY = datetime.date(2026, 9, 20)
# A 1×1 PNG: the logo must come back byte for byte.
LOGO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
DOCUMENT = bytes(range(256)) * 4


def demo_municipality(name: str) -> Municipality:
    """A preset with what `styr demo` gives it: follow-up, decided plans, budget follow-up,
    internal control, people with roles, a logo, a report text and a stored document."""
    preset = Preset(name)
    municipality = preset.municipality
    municipality_settings_update(
        municipality=municipality, colour="#123456", logo=LOGO, logo_name="logo.png"
    )
    demo_followup(municipality=municipality, year=2026, today=TODAY)
    demo_plans_adopt(municipality=municipality, year=2026)
    demo_economy(municipality=municipality, year=2026, today=TODAY)
    demo_internal_control(municipality=municipality, year=2026)
    demo_people_create(municipality=municipality, password="styr-demo")
    unit = OrgUnit.objects.filter(municipality=municipality, depth=0).get()
    period = preset.periods[0]
    ReportText.objects.create(
        municipality=municipality,
        unit=unit,
        year=2026,
        period=period,
        key="events",
        text="Viktigt år.",
    )
    ReportDocument.objects.create(
        municipality=municipality,
        unit=unit,
        year=2026,
        period=period,
        format="pdf",
        state=ReportDocument.State.DONE,
        file_name="rapport.pdf",
        content_type="application/pdf",
        content=DOCUMENT,
    )
    municipality.refresh_from_db()
    return municipality


def wipe(municipality: Municipality, *, usernames: list[str] = ()) -> None:
    """Remove every row of the municipality, its history and the given people, without
    leaving new history behind: as if the database never had them."""
    for model in reversed(exported_models()):
        _rows_of(model, municipality)._raw_delete(connection.alias)
    users = get_user_model().objects.filter(username__in=usernames)
    ids = list(users.values_list("pk", flat=True))
    users.delete()
    history = get_user_model().history.model.objects.filter(id__in=ids)
    history._raw_delete(connection.alias)


@pytest.fixture
def svenljunga(db) -> Municipality:
    return demo_municipality("svenljunga")
