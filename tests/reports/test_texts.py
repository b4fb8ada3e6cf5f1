"""The free texts a unit writes for its plan and its reports: saved with history, never silently
overwritten, refused where the person or the period does not allow it, and read for the reports
as they stand or as they stood."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from styr.core.versioning import ConflictError
from styr.followup.services import period_close, period_decide
from styr.governance.models import GovernanceModel
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.reports.models import ReportText
from styr.reports.texts import report_text_save, report_texts_read
from styr.workflow.models import Submission


def unit(stockholm, code="SOD-ROSENLUND") -> OrgUnit:
    return OrgUnit.objects.get(municipality=stockholm.municipality, code=code)


@pytest.fixture
def person(stockholm, django_user_model):
    def make(username, role=Role.REPORTER, code="SOD-ROSENLUND", first_name=""):
        user = django_user_model.objects.create_user(username, first_name=first_name)
        RoleGrant.objects.create(
            municipality=stockholm.municipality, user=user, unit=unit(stockholm, code), role=role
        )
        return user

    return make


def save(stockholm, user, text, *, key="viktiga_handelser", seen_version=None, period="t2"):
    return report_text_save(
        user=user,
        unit=unit(stockholm),
        year=2026,
        period=stockholm.period(period) if period else None,
        key=key,
        text=text,
        seen_version=seen_version,
    )


def test_a_text_is_saved_with_its_history_and_read_back(stockholm, person):
    chef = person("chef", first_name="Karin")
    first = save(stockholm, chef, "Ny chef från mars.\r\n")
    second = save(stockholm, chef, "Ny chef från april.", seen_version=first.version)
    texts = report_texts_read(
        unit_ids=[unit(stockholm).pk], year=2026, period=stockholm.period("t2")
    )
    assert texts == {(unit(stockholm).pk, "viktiga_handelser"): "Ny chef från april."}
    assert [r.text for r in second.history.order_by("history_date")] == [
        "Ny chef från mars.",
        "Ny chef från april.",
    ]
    assert second.history.first().history_user == chef
    # The plan's texts and another period's are apart from the period's.
    assert report_texts_read(unit_ids=[unit(stockholm).pk], year=2026) == {}
    t1 = stockholm.period("t1")
    assert report_texts_read(unit_ids=[unit(stockholm).pk], year=2026, period=t1) == {}


def test_a_text_can_be_cleared_and_the_history_keeps_it(stockholm, person):
    chef = person("chef")
    row = save(stockholm, chef, "Något som inte stämde.")
    cleared = save(stockholm, chef, "  ", seen_version=row.version)
    assert ReportText.objects.get(pk=row.pk).text == ""
    assert cleared.history.order_by("history_date").first().text == "Något som inte stämde."
    # A cleared text is no text in the report.
    period = stockholm.period("t2")
    assert report_texts_read(unit_ids=[unit(stockholm).pk], year=2026, period=period) == {}


def test_the_reader_reads_many_units_in_one_query(stockholm, django_assert_num_queries):
    period = stockholm.period("t2")
    codes = ["SOD-ROSENLUND", "SOD-HEMTJANST", "SOD-ALD"]
    for code in codes:
        for key in ("viktiga_handelser", "ekonomi"):
            report_text_save(
                user=None,
                unit=unit(stockholm, code),
                year=2026,
                period=period,
                key=key,
                text=f"{key} på {code}",
            )
    ids = [unit(stockholm, code).pk for code in codes]
    with django_assert_num_queries(1):
        texts = report_texts_read(unit_ids=ids, year=2026, period=period)
    assert len(texts) == 6
    assert texts[(ids[1], "ekonomi")] == "ekonomi på SOD-HEMTJANST"


def test_as_of_reads_the_text_as_it_stood_then(stockholm, person, django_assert_num_queries):
    chef = person("chef")
    period = stockholm.period("t2")
    row = save(stockholm, chef, "Som det stod när perioden beslutades.")
    then = timezone.now()
    save(stockholm, chef, "Ändrat efteråt.", seen_version=row.version)
    ids = [unit(stockholm).pk]
    with django_assert_num_queries(1):
        old = report_texts_read(unit_ids=ids, year=2026, period=period, as_of=then)
    assert old == {(ids[0], "viktiga_handelser"): "Som det stod när perioden beslutades."}
    before = then - datetime.timedelta(days=1)
    assert report_texts_read(unit_ids=ids, year=2026, period=period, as_of=before) == {}
    assert report_texts_read(unit_ids=ids, year=2026, period=period) == {
        (ids[0], "viktiga_handelser"): "Ändrat efteråt."
    }


def test_two_people_never_silently_overwrite_each_other(stockholm, person):
    karin = person("karin", first_name="Karin")
    olle = person("olle", first_name="Olle")
    # Both open the empty section; Karin saves first.
    row = save(stockholm, karin, "Karins text.")
    with pytest.raises(ConflictError) as error:
        save(stockholm, olle, "Olles text.", seen_version=None)
    assert "Karin" in " ".join(error.value.messages)
    # Both open Karin's text; Karin saves again first.
    save(stockholm, karin, "Karins andra text.", seen_version=row.version)
    with pytest.raises(ConflictError) as error:
        save(stockholm, olle, "Olles text.", seen_version=row.version)
    message = " ".join(error.value.messages)
    assert "sparade detta efter att du öppnade" in message and "Karins andra text." in message
    assert ReportText.objects.get().text == "Karins andra text."


def test_a_section_the_layout_does_not_name_is_refused(stockholm, person):
    chef = person("chef")
    with pytest.raises(ValidationError) as error:
        save(stockholm, chef, "Text", key="personal")
    assert "personal" in " ".join(error.value.messages)
    # The plan has its own sections: the introduction, not the period's.
    planner = person("planerare", role=Role.PLANNER)
    with pytest.raises(ValidationError):
        save(stockholm, planner, "Text", key="viktiga_handelser", period=None)
    assert not ReportText.objects.exists()


def test_someone_outside_the_unit_or_without_the_right_role_is_refused(stockholm, person):
    outsider = person("ute", code="HAL-HEMTJANST")
    reader = person("läsare", role=Role.READER)
    for user in (outsider, reader):
        with pytest.raises(PermissionDenied):
            save(stockholm, user, "Text")
    # The plan's texts are planning: a reporter may not write them, a planner may.
    with pytest.raises(PermissionDenied):
        save(stockholm, person("chef"), "Text", key="inledning", period=None)
    assert not ReportText.objects.exists()
    planner = person("planerare", role=Role.PLANNER)
    save(stockholm, planner, "Enhetens uppdrag.", key="inledning", period=None)
    assert report_texts_read(unit_ids=[unit(stockholm).pk], year=2026) == {
        (unit(stockholm).pk, "inledning"): "Enhetens uppdrag."
    }


def test_a_closed_decided_or_handed_in_period_takes_no_texts(stockholm, person):
    chef = person("chef")
    t1 = period_close(period=stockholm.period("t1"))
    with pytest.raises(ValidationError) as error:
        save(stockholm, chef, "Text", period="t1")
    assert "stängd" in " ".join(error.value.messages)
    period_decide(period=t1, decided_on=datetime.date(2026, 6, 10), reference="SDN § 45")
    with pytest.raises(ValidationError) as error:
        save(stockholm, chef, "Text", period="t1")
    assert "SDN § 45" in " ".join(error.value.messages)
    Submission.objects.create(
        municipality=stockholm.municipality,
        unit=unit(stockholm),
        kind=Submission.Kind.REPORT,
        year=2026,
        period=stockholm.period("t2"),
        state=Submission.State.SUBMITTED,
    )
    with pytest.raises(ValidationError):
        save(stockholm, chef, "Text")
    assert not ReportText.objects.exists()


# --- The page -------------------------------------------------------------------------------


def page_url(stockholm, period="t2") -> str:
    url = f"/rapporter/{unit(stockholm).pk}/2026/texter/"
    return f"{url}?period={stockholm.period(period).pk}" if period else url


def test_the_page_shows_the_layouts_sections_and_saves(stockholm, person, client):
    GovernanceModel.objects.filter(municipality=stockholm.municipality).update(
        report_layouts={
            "texts": [
                {"key": "personal", "heading": "Personal och arbetsmiljö", "help": "Om sjuktal."},
                {"key": "ekonomi", "heading": "Ekonomi i korthet"},
            ],
            "period": {
                "parts": [
                    {"part": "text", "key": "personal"},
                    {"part": "goals"},
                    {"part": "text", "key": "ekonomi"},
                ]
            },
        }
    )
    client.force_login(person("chef"))
    page = client.get(page_url(stockholm)).content.decode()
    assert page.index("Personal och arbetsmiljö") < page.index("Ekonomi i korthet")
    assert "Om sjuktal." in page and "Viktiga händelser" not in page
    response = client.post(
        page_url(stockholm), {"key": "personal", "text": "Sjuktalen sjönk.", "version": ""}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "”Personal och arbetsmiljö” har sparats." in page
    assert "Sjuktalen sjönk." in page and "Senast ändrad av chef" in page
    assert ReportText.objects.get(key="personal").text == "Sjuktalen sjönk."


def test_the_page_shows_a_conflict_and_keeps_the_persons_text(stockholm, person, client):
    karin = person("karin", first_name="Karin")
    row = save(stockholm, karin, "Karins text.")
    save(stockholm, karin, "Karins nya text.", seen_version=row.version)
    client.force_login(person("olle"))
    response = client.post(
        page_url(stockholm),
        {"key": "viktiga_handelser", "text": "Olles text.", "version": str(row.version)},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Texten sparades inte" in page and "Din ändring sparades inte" in page
    assert "Karins nya text." in page  # what the other person wrote, in the message
    assert "Olles text.</textarea>" in page
    assert ReportText.objects.get().text == "Karins nya text."


def test_a_reader_reads_the_texts_but_cannot_write(stockholm, person, client):
    save(stockholm, person("chef"), "Ny chef från mars.")
    client.force_login(person("läsare", role=Role.READER))
    page = client.get(page_url(stockholm)).content.decode()
    assert "Ny chef från mars." in page and "<textarea" not in page
    refused = client.post(page_url(stockholm), {"key": "viktiga_handelser", "text": "X"})
    assert refused.status_code == 403
    assert ReportText.objects.get().text == "Ny chef från mars."


def test_the_plans_texts_are_linked_from_the_unit_and_the_reports_from_the_follow_up(
    stockholm, person, client
):
    client.force_login(person("chef"))
    the_unit = unit(stockholm)
    page = client.get(f"/enheter/{the_unit.pk}/?ar=2026").content.decode()
    assert f'href="/rapporter/{the_unit.pk}/2026/texter/"' in page
    period = stockholm.period("t2")
    page = client.get(f"/uppfoljning/{the_unit.pk}/{period.pk}/").content.decode()
    assert f'href="/rapporter/{the_unit.pk}/2026/texter/?period={period.pk}"' in page
    # The plan's page: the introduction, read-only for a reporter.
    page = client.get(page_url(stockholm, period=None)).content.decode()
    assert "Inledning" in page and "<textarea" not in page


def test_the_page_says_why_a_closed_period_takes_no_texts(stockholm, person, client):
    client.force_login(person("chef"))
    period_close(period=stockholm.period("t2"))
    page = client.get(page_url(stockholm)).content.decode()
    assert "är stängd för rapportering" in page and "<textarea" not in page
    refused = client.post(page_url(stockholm), {"key": "ekonomi", "text": "Mitt utkast."})
    text = refused.content.decode()
    assert refused.status_code == 400 and "Texten sparades inte" in text
    assert "Mitt utkast.</textarea>" in text  # kept, to copy
    assert not ReportText.objects.exists()
