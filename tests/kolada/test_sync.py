"""Fetching from Kolada into Styr: values with where and when they came from, the municipality's
own values as outcomes, nothing written twice, and a person's outcome left alone."""

import datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from styr.followup.models import Measurement
from styr.followup.services import measurement_report
from styr.kolada import client as client_module
from styr.kolada.client import KoladaClient
from styr.kolada.models import RIKET, KoladaKpi, KoladaSync, KoladaValue
from styr.kolada.services import kolada_sync
from styr.planning.models import Indicator

BASE = "https://api.kolada.se/v3"
FIXTURES = Path(__file__).parent / "fixtures" / "sync"
AREAS = ["0180", "0380", "0001", RIKET]


def kolada_answering(values: dict, calls: list | None = None) -> KoladaClient:
    """A client on a transport that answers /data/kpi/{kpis}/year/{years} the way Kolada does,
    from values[(kpi, area, year)] = {"T": …, "K": …, "M": …}, one row a page."""

    def handler(request: httpx.Request) -> httpx.Response:
        if calls is not None:
            calls.append(str(request.url))
        parts = request.url.path.split("/")  # ['', 'v3', 'data', 'kpi', K, 'year', Y]
        kpis, years = parts[4].split(","), [int(y) for y in parts[6].split(",")]
        rows = [
            {
                "kpi": kpi,
                "municipality": area,
                "period": year,
                "values": [
                    {"gender": g, "value": v, "count": 1, "status": "", "isdeleted": False}
                    for g, v in by_gender.items()
                ],
            }
            for (kpi, area, year), by_gender in sorted(values.items())
            if kpi in kpis and year in years
        ]
        page = int(request.url.params.get("page", "1"))
        url = request.url.copy_remove_param("page")
        return httpx.Response(
            200,
            json={
                "values": rows[page - 1 : page],
                "count": len(rows),
                "next_url": str(url.copy_add_param("page", page + 1)) if page < len(rows) else None,
                "previous_url": None,
            },
        )

    return KoladaClient(transport=httpx.MockTransport(handler), requests_per_second=0)


def kolada_down() -> KoladaClient:
    return KoladaClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503)),
        max_retries=1,
        sleep=lambda seconds: None,
        requests_per_second=0,
    )


def example(changes: dict | None = None) -> dict:
    """U23471 (Stockholm's KF-I1, split by gender) for 2025 and 2026 in four areas."""
    values = {}
    for area in AREAS:
        for year in (2025, 2026):
            values[("U23471", area, year)] = {"T": 80.5, "K": 82.0, "M": 79.0}
    values[("U23471", "0180", 2026)] = {"T": 84.0, "K": 86.0, "M": 82.0}
    values.update(changes or {})
    return values


def sync(stockholm, client, **options) -> KoladaSync:
    return kolada_sync(
        municipality=stockholm.municipality,
        kpis=["U23471"],
        years=[2025, 2026],
        client=client,
        **options,
    )


def outcomes(stockholm) -> dict[str, tuple[Decimal, str]]:
    rows = Measurement.objects.filter(
        indicator=stockholm.get(Indicator, "KF-I1"), period=stockholm.period("vb")
    )
    return {m.gender: (m.value, m.source) for m in rows}


def test_values_are_stored_with_where_and_when_they_came_from(stockholm):
    KoladaKpi.objects.create(
        id="U23471",
        title="Brukarbedömning särskilt boende äldreomsorg - helhetssyn, andel (%)",
        is_divided_by_gender=True,
        publication_date=datetime.date(2026, 4, 28),
        fetched_at=timezone.now(),
    )
    before = timezone.now()

    run = sync(stockholm, kolada_answering(example()))

    assert (run.state, run.new, run.changed, run.unchanged) == ("done", 24, 0, 0)
    value = KoladaValue.objects.get(kpi="U23471", area="0180", year=2026, gender="K")
    assert value.value == Decimal("86")
    assert value.source == BASE
    assert value.fetched_at >= before
    assert value.published_on == datetime.date(2026, 4, 28)
    assert KoladaValue.objects.filter(area=RIKET).count() == 6
    # Stockholm's own values are KF-I1's outcome in the year's final period (Verksamhetsberättelse).
    assert outcomes(stockholm) == {
        "T": (Decimal("84"), "kolada"),
        "K": (Decimal("86"), "kolada"),
        "M": (Decimal("82"), "kolada"),
    }
    stored = KoladaSync.objects.get()
    assert (stored.state, stored.new, stored.first_year, stored.last_year) == (
        "done",
        24,
        2025,
        2026,
    )
    assert stored.kpis == ["U23471"] and stored.finished_at is not None


def test_the_municipality_s_linked_kpis_are_fetched_when_none_are_given(stockholm):
    calls = []
    kolada_sync(
        municipality=stockholm.municipality,
        years=[2026],
        client=kolada_answering(example(), calls),
    )
    linked = set(
        Indicator.objects.filter(municipality=stockholm.municipality)
        .exclude(kolada_kpi="")
        .values_list("kolada_kpi", flat=True)
    )
    assert {url.split("/")[6] for url in calls} == linked
    assert all("/year/2026" in url for url in calls)


def test_a_second_run_changes_nothing_and_leaves_no_history(stockholm):
    sync(stockholm, kolada_answering(example()))
    value_history = KoladaValue.history.count()
    outcome_history = Measurement.history.count()

    again = sync(stockholm, kolada_answering(example()))

    assert (again.new, again.changed, again.unchanged) == (0, 0, 24)
    assert KoladaValue.history.count() == value_history
    assert Measurement.history.count() == outcome_history
    assert KoladaSync.objects.count() == 2


def test_a_value_kolada_revised_is_counted_changed_with_its_history(stockholm):
    sync(stockholm, kolada_answering(example()))

    revised = sync(
        stockholm,
        kolada_answering(example({("U23471", "0180", 2026): {"T": 85, "K": 86, "M": 82}})),
    )

    assert (revised.new, revised.changed, revised.unchanged) == (0, 1, 23)
    value = KoladaValue.objects.get(kpi="U23471", area="0180", year=2026, gender="T")
    assert value.value == 85
    assert [h.value for h in value.history.order_by("history_date", "pk")] == [84, 85]
    assert value.history.order_by("-history_date", "-pk").first().history_type == "~"
    assert outcomes(stockholm)["T"] == (Decimal("85"), "kolada")


def test_an_outcome_a_person_entered_is_not_overwritten(stockholm):
    indicator = stockholm.get(Indicator, "KF-I1")
    measurement_report(
        indicator=indicator, period=stockholm.period("vb"), values={"T": 70, "K": 71, "M": 69}
    )

    run = sync(stockholm, kolada_answering(example()))

    assert run.skipped == 3
    assert outcomes(stockholm)["T"] == (Decimal("70"), "manual")
    assert "hoppade över (inmatade av en person): 3" in _summary(run)
    assert run.new == 24  # Kolada's values are stored all the same, for the comparison

    again = sync(stockholm, kolada_answering(example()), overwrite=True)

    assert again.skipped == 0
    assert outcomes(stockholm)["T"] == (Decimal("84"), "kolada")


def _summary(run) -> str:
    from styr.kolada.services import sync_summary

    return sync_summary(run)


def test_when_kolada_is_down_the_run_fails_with_a_message_and_nothing_is_written(stockholm):
    run = sync(stockholm, kolada_down())

    assert run.state == "failed"
    assert "Kolada" in run.error and "Försök igen" in run.error
    assert KoladaValue.objects.count() == 0
    assert not Measurement.objects.filter(source="kolada").exists()
    stored = KoladaSync.objects.get()
    assert stored.state == "failed" and stored.error == run.error


def test_a_failure_on_a_later_kpi_writes_nothing_of_the_earlier(stockholm):
    answers = kolada_answering(example())

    def handler(request):
        if "/U21401/" in request.url.path:
            return httpx.Response(503)
        return answers._http._transport.handle_request(request)

    client = KoladaClient(
        transport=httpx.MockTransport(handler),
        max_retries=0,
        sleep=lambda s: None,
        requests_per_second=0,
    )
    run = kolada_sync(
        municipality=stockholm.municipality,
        kpis=["U23471", "U21401"],
        years=[2026],
        client=client,
    )
    assert run.state == "failed"
    assert KoladaValue.objects.count() == 0


def test_the_command_shows_progress_and_a_summary(stockholm, capsys):
    call_command(
        "kolada", "sync", "--municipality", "0180", "--kpi", "U23471", "--years", "2025-2026",
        "--demo",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "[0/2] " in out and "U23471" in out
    assert "Nya: 1872, ändrade: 0, oförändrade: 0, hoppade över (inmatade av en person): 0" in out
    assert KoladaValue.objects.filter(kpi="U23471", area="0180").count() == 6


def test_the_command_tells_when_kolada_is_down_without_a_traceback(stockholm, monkeypatch):
    monkeypatch.setattr(client_module, "KoladaClient", lambda **kwargs: kolada_down())
    with pytest.raises(CommandError) as error:
        call_command("kolada", "sync", "--municipality", "0180", "--years", "2026")
    assert "Kolada" in str(error.value) and "Försök igen" in str(error.value)


def test_the_command_refuses_years_it_cannot_read(stockholm):
    with pytest.raises(CommandError):
        call_command("kolada", "sync", "--municipality", "0180", "--years", "tjugo")


def test_a_page_as_kolada_sends_it_missing_and_deleted_values_included(stockholm):
    page = (FIXTURES / "data_U23471_2026.json").read_bytes()
    client = KoladaClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=page)),
        requests_per_second=0,
    )

    run = kolada_sync(
        municipality=stockholm.municipality, kpis=["U23471"], years=[2026], client=client
    )

    assert (run.new, run.changed, run.unchanged) == (6, 0, 0)  # the deleted row is left out
    missing = KoladaValue.objects.get(area="0180", gender="M")
    assert (missing.value, missing.count, missing.status) == (None, 0, "Saknas")
    assert not KoladaValue.objects.filter(area="0380").exists()
    assert outcomes(stockholm) == {"T": (Decimal("84"), "kolada"), "K": (Decimal("86"), "kolada")}


def test_the_settings_page_chooses_the_group_fetches_and_shows_the_runs(
    stockholm, django_user_model, client
):
    from django_tasks_db.models import DBTaskResult

    from styr.kolada.catalogue import comparison_groups
    from styr.organisation.models import OrgUnit, Role, RoleGrant

    user = django_user_model.objects.create_user("controller")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="KF"),
        role=Role.ADMINISTRATOR,
    )
    client.force_login(user)
    sync(stockholm, kolada_down())

    page = client.get("/installningar/kolada/").content.decode()
    assert "Liknande kommuner, övergripande, Stockholm" in page
    assert "Kolada svarar inte just nu" in page  # the failed run, with its reason

    refused = client.post("/installningar/kolada/", {"kolada_group": "G0"}, follow=True)
    assert "Välj en av jämförelsegrupperna" in refused.content.decode()
    stockholm.municipality.refresh_from_db()
    assert stockholm.municipality.kolada_group == ""
    groups = [g.id for g in comparison_groups("0180")]
    client.post("/installningar/kolada/", {"kolada_group": groups[-1]})
    stockholm.municipality.refresh_from_db()
    assert stockholm.municipality.kolada_group == groups[-1]
    assert stockholm.municipality.history.first().history_user == user

    response = client.post("/installningar/kolada/hamta/")
    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "styr.kolada.tasks.kolada_sync_task"


def test_the_nightly_run_fetches_and_books_the_next_night(stockholm, monkeypatch):
    from zoneinfo import ZoneInfo

    from django_tasks_db.models import DBTaskResult

    from styr.kolada.tasks import kolada_sync_task, next_night

    monkeypatch.setattr(client_module, "KoladaClient", lambda **kwargs: kolada_answering(example()))
    kolada_sync_task.call(stockholm.municipality.pk, kpis=["U23471"], years=[2026], schedule=True)

    assert KoladaSync.objects.get().state == "done"
    assert outcomes(stockholm)["T"] == (Decimal("84"), "kolada")
    queued = DBTaskResult.objects.get()
    assert queued.run_after == next_night()
    assert queued.run_after.astimezone(ZoneInfo("Europe/Stockholm")).hour == 3
    assert queued.args_kwargs["kwargs"]["schedule"] is True


def test_the_next_night_is_three_in_the_morning_local_time():
    from zoneinfo import ZoneInfo

    from styr.kolada.tasks import next_night

    stockholm_time = ZoneInfo("Europe/Stockholm")
    evening = datetime.datetime(2026, 3, 28, 22, 0, tzinfo=stockholm_time)
    assert next_night(evening) == datetime.datetime(2026, 3, 29, 3, 0, tzinfo=stockholm_time)
    early = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=stockholm_time)
    assert next_night(early) == datetime.datetime(2026, 3, 29, 3, 0, tzinfo=stockholm_time)
