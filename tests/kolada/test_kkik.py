"""Kommunens kvalitet i korthet: its 40 KPIs become indicators of the municipality, once."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from styr.kolada.models import KoladaKpi, KoladaValue
from styr.kolada.services import kkik_indicators_create, kkik_measure
from styr.planning.models import Indicator


def test_kkik_creates_forty_linked_indicators_once(stockholm):
    KoladaKpi.objects.create(
        id="U23471", title="…", is_divided_by_gender=True, fetched_at=timezone.now()
    )
    created = kkik_indicators_create(municipality=stockholm.municipality)

    assert len(created) == 40
    kkik = Indicator.objects.filter(municipality=stockholm.municipality, code__startswith="KKIK-")
    assert kkik.count() == 40
    indicator = kkik.get(code="KKIK-U23471")
    assert indicator.kolada_kpi == "U23471" and indicator.source == "kolada"
    assert indicator.name.startswith("Brukarbedömning särskilt boende äldreomsorg")
    assert (indicator.measure, indicator.frequency, indicator.direction) == ("%", "year", "none")
    assert indicator.gender_split  # the catalogue says so
    assert not kkik.get(code="KKIK-N11008").gender_split  # unknown: not split
    assert kkik.get(code="KKIK-N11008").measure == "kr/inskrivet barn"
    assert indicator.unit.parent_id is None  # the top unit
    assert indicator.history.count() == 1

    assert kkik_indicators_create(municipality=stockholm.municipality) == []
    assert kkik.count() == 40


def test_the_measure_is_read_from_the_end_of_the_title():
    assert kkik_measure("Elever i musik- eller kulturskola, 6-15 år, andel (%)") == "%"
    assert kkik_measure("Aktivitetstillfällen i bibliotek, antal/1000 inv 0-18 år") == (
        "antal/1000 inv 0-18 år"
    )
    assert kkik_measure('Hur nöjd är du? Andel som svarat "Helt", (%)') == "%"
    assert kkik_measure("Brukarbedömning boende LSS totalt - Brukaren trivs alltid hemma") == ""


def test_the_kkik_command_creates_and_fetches(stockholm, capsys):
    call_command("kolada", "kkik", "--municipality", "0180", "--years", "2025", "--demo")

    out = capsys.readouterr().out
    assert "KKiK: 40 nya indikatorer för Stockholms stad." in out
    assert "Nya: " in out
    assert KoladaValue.objects.filter(kpi="N11008", area="0180", year=2025).exists()
    assert not KoladaValue.objects.filter(year=datetime.date.today().year + 1).exists()


def test_a_controller_creates_kkik_from_the_settings_page(stockholm, django_user_model, client):
    from django_tasks_db.models import DBTaskResult

    from styr.organisation.models import OrgUnit, Role, RoleGrant

    user = django_user_model.objects.create_user("controller")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="KF"),
        role=Role.ADMINISTRATOR,
    )
    client.force_login(user)
    assert "Skapa KKiK-indikatorerna" in client.get("/installningar/kolada/").content.decode()

    page = client.post("/installningar/kolada/kkik/", follow=True).content.decode()
    assert "40 indikatorer för Kommunens kvalitet i korthet skapades" in page
    linked = Indicator.objects.filter(municipality=stockholm.municipality, code__startswith="KKIK-")
    assert linked.count() == 40 and all(i.kolada_kpi for i in linked)
    fetch = DBTaskResult.objects.get()
    assert fetch.task_path == "styr.kolada.tasks.kolada_sync_task"

    again = client.post("/installningar/kolada/kkik/", follow=True).content.decode()
    assert "0 indikatorer för Kommunens kvalitet i korthet skapades" in again
    assert linked.count() == 40 and DBTaskResult.objects.count() == 1
