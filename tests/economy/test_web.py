import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from styr.economy.models import ActionPlan, BudgetForecast, BudgetLine
from styr.organisation.models import Role, RoleGrant

from .conftest import csv_file

GOOD = [
    "SKOLA-1;40 Personal;1;1 200 000;budget",
    "SKOLA-1;40 Personal;1;400 000;utfall",
    "SN;Lokaler;1;500 000;budget",
]


def signed_in(client, django_user_model, world, code, role, name):
    user = django_user_model.objects.create_user(name)
    RoleGrant.objects.create(
        municipality=world.municipality, user=user, unit=world.unit(code), role=role
    )
    client.force_login(user)
    return user


@pytest.fixture
def controller(client, django_user_model, world):
    signed_in(client, django_user_model, world, "KF", Role.ADMINISTRATOR, "controller")
    return client


def upload(client, world, rows, name="bok.csv"):
    return client.post(
        reverse("web:economy_import"),
        {
            "kommun": world.municipality.pk,
            "year": 2026,
            "file": SimpleUploadedFile(name, csv_file(rows)),
        },
    )


def test_the_controller_reads_in_a_file_and_sees_each_namnd(controller, world):
    assert controller.get(reverse("web:economy_import")).status_code == 200
    response = upload(controller, world, GOOD)
    assert response.status_code == 200
    assert "3 rader lästes: 3 nya belopp" in response.content.decode()
    page = controller.get(reverse("web:economy", args=[world.unit("KF").pk, 2026]) + "?manad=3")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Barn- och utbildningsnämnden" in text and "Socialnämnden" in text
    assert "Enheterna under: prognos mot budget" in text
    assert "enligt budget" in text


def test_a_bad_file_names_every_bad_cell_and_changes_nothing(controller, world):
    response = upload(controller, world, [GOOD[0], "OKAND;;13;x;annat"])
    text = response.content.decode()
    assert response.status_code == 422
    assert "har 5 fel och lästes inte in" in text
    for column in ("A (Enhet)", "B (Kontogrupp)", "C (Månad)", "D (Belopp)", "E (Typ)"):
        assert column in text
    assert not BudgetLine.objects.exists()


def test_a_namnd_administrator_may_not_read_in_the_file(client, django_user_model, world):
    signed_in(client, django_user_model, world, "BUN", Role.ADMINISTRATOR, "namnd")
    assert upload(client, world, GOOD).status_code == 403
    assert not BudgetLine.objects.exists()


def test_a_reporter_reports_the_forecast_and_the_action_plan(
    client, django_user_model, world, controller
):
    upload(controller, world, GOOD)
    signed_in(client, django_user_model, world, "SKOLA-1", Role.REPORTER, "rektor")
    url = reverse("web:economy", args=[world.unit("SKOLA-1").pk, 2026])
    page = client.get(url + "?manad=3")
    assert "Lämna helårsprognos för 40 Personal." in page.content.decode()
    group = BudgetLine.objects.filter(unit__code="SKOLA-1").first().account_group
    refused = client.post(
        url, {"form": "forecast", "manad": 3, "account_group": group.pk, "forecast": "1 400 000"}
    )
    assert refused.status_code == 422
    assert "skriv en kommentar till avvikelsen" in refused.content.decode()
    saved = client.post(
        url,
        {
            "form": "forecast",
            "manad": 3,
            "account_group": group.pk,
            "forecast": "1 400 000",
            "comment": "Fler elever med stödbehov.",
        },
    )
    assert saved.status_code == 302
    assert BudgetForecast.objects.get().comment == "Fler elever med stödbehov."
    page = client.get(url + "?manad=3").content.decode()
    assert "sämre än budget" in page and "skriv en åtgärdsplan" in page
    saved = client.post(
        url,
        {
            "form": "plan",
            "manad": 3,
            "measures": "Vikarier ersätts inte.",
            "responsible": "Rektor",
            "due_on": "2026-06-30",
            "expected_effect": "200 000",
        },
    )
    assert saved.status_code == 302
    assert ActionPlan.objects.get().responsible == "Rektor"
    page = client.get(url + "?manad=3").content.decode()
    assert "Vikarier ersätts inte." in page
    assert "Allt som månaden kräver är rapporterat." in page


def test_a_reader_sees_but_may_not_report(client, django_user_model, world, controller):
    upload(controller, world, GOOD)
    signed_in(client, django_user_model, world, "SKOLA-1", Role.READER, "lasare")
    url = reverse("web:economy", args=[world.unit("SKOLA-1").pk, 2026])
    page = client.get(url)
    assert page.status_code == 200
    assert "Spara prognosen" not in page.content.decode()
    assert client.post(url, {"form": "forecast", "forecast": "1"}).status_code == 403


def test_the_command_reads_in_the_file_all_or_nothing(world, tmp_path, capsys):
    good = tmp_path / "bok.csv"
    good.write_bytes(csv_file(GOOD))
    call_command("import_accounting", municipality=world.municipality.code, file=str(good))
    assert "3 rader lästes: 3 nya belopp" in capsys.readouterr().out
    call_command(
        "import_accounting", municipality=world.municipality.code, file=str(good), year=2026
    )
    assert "0 nya belopp, 0 ändrade, 3 oförändrade" in capsys.readouterr().out
    bad = tmp_path / "fel.csv"
    bad.write_bytes(csv_file(["SKOLA-1;40 Personal;1;mycket;budget"]))
    with pytest.raises(CommandError) as refused:
        call_command("import_accounting", municipality=world.municipality.code, file=str(bad))
    assert "ingenting ändrades" in str(refused.value)
    assert "rad 2, kolumn D (Belopp)" in capsys.readouterr().err


def test_the_admin_shows_the_economy_read_only(client, django_user_model, world, controller):
    from styr.economy.models import AccountGroup, EconomyRules

    upload(controller, world, GOOD)
    admin_user = django_user_model.objects.create_superuser("super", "s@example.org", "x")
    client.force_login(admin_user)
    for model in (EconomyRules, AccountGroup, BudgetLine):
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200
        obj = model.objects.first()
        assert client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"{name}_add")).status_code == 403


def test_a_forecast_saved_by_someone_else_meanwhile_is_not_overwritten(
    client, django_user_model, world, controller
):
    upload(controller, world, GOOD)
    signed_in(client, django_user_model, world, "SKOLA-1", Role.REPORTER, "rektor")
    url = reverse("web:economy", args=[world.unit("SKOLA-1").pk, 2026])
    group = BudgetLine.objects.filter(unit__code="SKOLA-1").first().account_group
    post = {"form": "forecast", "manad": 3, "account_group": group.pk, "forecast": "1 210 000"}
    assert client.post(url, post).status_code == 302
    seen = BudgetForecast.objects.get().version
    assert client.post(url, {**post, "version": seen, "forecast": "1 200 000"}).status_code == 302
    stale = client.post(url, {**post, "version": seen, "forecast": "1 190 000"})
    assert stale.status_code == 422
    assert "Din ändring sparades inte" in stale.content.decode()
    assert 'value="1 190 000"' in stale.content.decode()  # what they wrote is kept
    assert BudgetForecast.objects.get().forecast == 1200000


def test_the_units_below_show_only_those_the_person_may_see(
    client, django_user_model, world, controller
):
    upload(controller, world, GOOD)
    signed_in(client, django_user_model, world, "SKOLA-1", Role.READER, "lasare")
    page = client.get(reverse("web:economy", args=[world.unit("KF").pk, 2026])).content.decode()
    assert "Barn- och utbildningsnämnden" in page
    assert "Socialnämnden" not in page
