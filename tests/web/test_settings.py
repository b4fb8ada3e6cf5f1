"""Inställningar: a controller (administratör of the whole organisation) sets the municipality's
colour, logo and public view, checks and loads a styrmodell file, runs the periods and reads the
organisation; everyone else is refused, and bad input changes nothing."""

import datetime
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from styr.followup.models import ReportingPeriod
from styr.governance.models import GovernanceModel
from styr.governance.services import PRESET_DIR
from styr.organisation.models import Municipality, OrgUnit, Role, RoleGrant
from styr.organisation.services import municipality_settings_update

PAGES = [
    "/installningar/",
    "/installningar/kommunen/",
    "/installningar/styrmodellen/",
    "/installningar/perioder/?ar=2026",
    "/installningar/organisationen/",
]


def png(width: int = 1, height: int = 1, padding: int = 0) -> bytes:
    """A real PNG image (one white pixel by default); `padding` makes it larger."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b"")
        + chunk(b"IEND", b"")
    )


def grant(stockholm, user, code: str, role=Role.ADMINISTRATOR) -> None:
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code=code),
        role=role,
    )


@pytest.fixture
def controller(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user(
        "controller", first_name="Cecilia", last_name="Controller"
    )
    grant(stockholm, user, "KF")
    client.force_login(user)
    return user


@pytest.fixture
def stockholm_text() -> str:
    return (PRESET_DIR / "stockholm.yaml").read_text(encoding="utf-8")


def upload(name: str, content: bytes | str) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


# --- Who may -----------------------------------------------------------------------------------


def test_a_controller_has_the_settings_in_the_menu_and_on_every_page(stockholm, controller, client):
    assert 'href="/installningar/"' in client.get("/").content.decode()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Inställningar" in response.content.decode()


def test_a_superuser_is_a_controller_too(stockholm, django_user_model, client):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get("/installningar/kommunen/").status_code == 200


@pytest.mark.parametrize(
    "code, role",
    [
        ("SDN-SOD", Role.ADMINISTRATOR),
        ("KF", Role.APPROVER),
        ("KF", Role.PLANNER),
        ("KF", Role.READER),
    ],
)
def test_anyone_but_a_controller_is_refused(stockholm, django_user_model, client, code, role):
    """An administratör of one nämnd administers its users but not the municipality's settings;
    a role on the whole organisation other than administratör is no controller either."""
    user = django_user_model.objects.create_user("annan")
    grant(stockholm, user, code, role)
    client.force_login(user)
    assert 'href="/installningar/"' not in client.get("/").content.decode()
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    period = stockholm.period("t1")
    for url in (
        "/installningar/kommunen/",
        "/installningar/styrmodellen/las-in/",
        "/installningar/perioder/skapa/",
        f"/installningar/perioder/{period.pk}/stang/",
        f"/installningar/perioder/{period.pk}/beslut/",
    ):
        assert client.post(url, {"colour": "#000000", "ar": "2027"}).status_code == 403, url
    assert stockholm.municipality.colour == Municipality.objects.get().colour
    assert not ReportingPeriod.objects.filter(year=2027).exists()
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.OPEN


def test_a_visitor_is_sent_to_sign_in(stockholm, client):
    response = client.get("/installningar/")
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


# --- Kommunen ----------------------------------------------------------------------------------


def test_the_colour_logo_and_public_view_are_saved_with_history(stockholm, controller, client):
    image = png()
    response = client.post(
        "/installningar/kommunen/",
        {"colour": "#8A1538", "public_view": "on", "logo": upload("logga.png", image)},
    )
    assert response.status_code == 302
    municipality = Municipality.objects.get(pk=stockholm.municipality.pk)
    assert (municipality.colour, municipality.public_view) == ("#8A1538", True)
    assert bytes(municipality.logo) == image and municipality.logo_type == "image/png"
    logo = client.get(f"/kommun/{municipality.code}/logotyp/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    # Every page wears it now.
    home = client.get("/").content.decode()
    assert "--brand: #8A1538" in home and f"/kommun/{municipality.code}/logotyp/" in home
    # Who changed what is kept.
    record = municipality.history.order_by("-history_date").first()
    assert record.history_user == controller
    assert record.history_change_reason == (
        "färgen ändrades, den offentliga visningen slogs på, ny logotyp"
    )
    page = client.get("/installningar/kommunen/").content.decode()
    assert "Cecilia Controller" in page and "Färgen ändrades" in page
    # Removing the logo is a change of its own.
    assert (
        client.post(
            "/installningar/kommunen/",
            {"colour": "#8A1538", "public_view": "on", "remove_logo": "on"},
        ).status_code
        == 302
    )
    municipality.refresh_from_db()
    assert municipality.logo_type == "" and not municipality.logo
    assert client.get(f"/kommun/{municipality.code}/logotyp/").status_code == 404


def test_an_svg_logo_is_accepted(stockholm, controller, client):
    svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'
    response = client.post(
        "/installningar/kommunen/", {"colour": "#1E4B7A", "logo": upload("logga.svg", svg)}
    )
    assert response.status_code == 302
    assert Municipality.objects.get().logo_type == "image/svg+xml"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("logga.png", b"GIF89a\x01\x00\x01\x00", "Filen är inte en PNG-, JPEG- eller SVG-bild"),
        ("logga.png", "Hej, jag är en textfil.", "Filen är inte en PNG-, JPEG- eller SVG-bild"),
        ("logga.png", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "Filen är en JPEG-bild men namnet"),
        ("logga.gif", png(), "Filen är en PNG-bild men namnet"),
        ("logga.png", png(padding=210 * 1024), "Logotypen får vara högst 200 kB"),
        (
            "logga.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "En SVG-logotyp får inte innehålla skript",
        ),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_changes(
    stockholm, controller, client, name, content, message
):
    before = Municipality.objects.get()
    history = before.history.count()
    response = client.post(
        "/installningar/kommunen/",
        {"colour": "#8A1538", "public_view": "on", "logo": upload(name, content)},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text and "Inget sparades" in text
    after = Municipality.objects.get()
    assert (after.colour, after.public_view, after.logo_type) == (
        before.colour,
        before.public_view,
        "",
    )
    assert after.history.count() == history


def test_a_bad_colour_is_refused(stockholm, controller, client):
    response = client.post("/installningar/kommunen/", {"colour": "blå"})
    assert response.status_code == 400
    assert "Skriv färgen som #RRGGBB." in response.content.decode()
    assert Municipality.objects.get().colour == "#1E4B7A"


def test_the_service_refuses_anyone_but_a_controller(stockholm, django_user_model):
    from django.core.exceptions import PermissionDenied

    user = django_user_model.objects.create_user("namnd-admin")
    grant(stockholm, user, "SDN-SOD")
    with pytest.raises(PermissionDenied):
        municipality_settings_update(
            municipality=stockholm.municipality, colour="#000000", acting_user=user
        )
    assert Municipality.objects.get().colour == "#1E4B7A"


# --- Styrmodellen ------------------------------------------------------------------------------


def test_the_model_page_shows_the_whole_model(stockholm, controller, client):
    text = client.get("/installningar/styrmodellen/").content.decode()
    for words in (
        "Integrerad ledning och styrning (ILS)",
        "Ett Stockholm för alla",
        "Enhetstyper",
        "KF:s inriktningsmål",  # a goal level
        "Nämndmål",
        "Förväntat resultat (krävs)",  # a required text field
        "ett överordnat mål krävs",
        "Tertialrapport 2",  # a period, its months and deadlines per unit type
        "Enhet: 10 dagar",
        "Uppfylls helt",  # the scale's prognosis label
        "annars",  # the rule
        "Aktivitetsstatus",
        "Ladda ned den nuvarande filen",
    ):
        assert words in text, words


def test_the_current_file_can_be_downloaded(stockholm, controller, client, stockholm_text):
    response = client.get("/installningar/styrmodellen/fil/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="stockholm.yaml"'
    assert response.content.decode() == stockholm_text


def test_a_file_with_problems_shows_each_with_its_line_and_changes_nothing(
    stockholm, controller, client, stockholm_text
):
    broken = stockholm_text.replace("through_month: 8", "through_month: 13").replace(
        "  name: Integrerad ledning och styrning (ILS)", "  name: Ny styrmodell"
    )
    broken = broken.replace("    kind: final", "    kind: slutlig")
    line_of = {
        words: broken.splitlines().index(words) + 1
        for words in ("    through_month: 13", "    kind: slutlig")
    }
    response = client.post("/installningar/styrmodellen/", {"file": upload("ny.yaml", broken)})
    text = response.content.decode()
    assert response.status_code == 400
    assert "ny.yaml har 2 fel och lästes inte in" in text and "Inget har ändrats" in text
    assert f'<td class="number">{line_of["    through_month: 13"]}</td>' in text
    assert "periods[1].through_month" in text and "Ska vara högst 12." in text
    assert f'<td class="number">{line_of["    kind: slutlig"]}</td>' in text
    assert "periods[2].kind" in text
    model = GovernanceModel.objects.get()
    assert model.name == "Integrerad ledning och styrning (ILS)"
    assert model.source_text == stockholm_text


def test_a_file_that_is_not_yaml_or_not_text_is_refused(stockholm, controller, client):
    response = client.post(
        "/installningar/styrmodellen/", {"file": upload("trasig.yaml", "format: 1\n  - x: [")}
    )
    assert response.status_code == 400 and "Filen är inte giltig YAML" in response.content.decode()
    response = client.post(
        "/installningar/styrmodellen/", {"file": upload("bild.yaml", b"\xff\xfe\x00bad")}
    )
    assert response.status_code == 400
    assert "Filen går inte att läsa som UTF-8-text" in response.content.decode()


def test_a_file_for_another_municipality_is_refused(stockholm, controller, client):
    huddinge = (PRESET_DIR / "huddinge.yaml").read_text(encoding="utf-8")
    response = client.post(
        "/installningar/styrmodellen/", {"file": upload("huddinge.yaml", huddinge)}
    )
    assert response.status_code == 400
    assert "Filen gäller kommun 0126, inte 0180." in response.content.decode()
    assert not Municipality.objects.filter(code="0126").exists()


def test_a_good_file_is_checked_then_loaded_on_confirmation(
    stockholm, controller, client, stockholm_text
):
    new_text = stockholm_text.replace(
        "  name: Integrerad ledning och styrning (ILS)", "  name: Stockholms styrmodell 2027"
    ).replace("name: Rosenlunds vård- och omsorgsboende", "name: Rosenlunds äldreboende")
    checked = client.post(
        "/installningar/styrmodellen/", {"file": upload("stockholm-2027.yaml", new_text)}
    )
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "stockholm-2027.yaml har inga fel" in text
    assert "Styrmodell: 1 ändrad" in text and "Enheter: 1 ändrad" in text
    assert "Läs in stockholm-2027.yaml" in text
    # Checking tried the load and kept nothing.
    assert GovernanceModel.objects.get().name == "Integrerad ledning och styrning (ILS)"
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    assert rosenlund.name == "Rosenlunds vård- och omsorgsboende"

    checksum = checked.context["checksum"]
    assert client.post("/installningar/styrmodellen/las-in/", {"sha256": "fel"}).status_code == 302
    assert GovernanceModel.objects.get().name == "Integrerad ledning och styrning (ILS)"
    loaded = client.post("/installningar/styrmodellen/las-in/", {"sha256": checksum})
    assert loaded.status_code == 302
    model = GovernanceModel.objects.get()
    assert model.name == "Stockholms styrmodell 2027" and model.source_text == new_text
    assert model.source_name == "stockholm-2027.yaml"
    rosenlund.refresh_from_db()
    assert rosenlund.name == "Rosenlunds äldreboende"
    assert rosenlund.history.order_by("-history_date").first().history_user == controller
    page = client.get(loaded["Location"]).content.decode()
    assert "stockholm-2027.yaml är inläst." in page
    # The confirmation is used once.
    again = client.post("/installningar/styrmodellen/las-in/", {"sha256": checksum})
    assert (
        "Filen som skulle läsas in finns inte kvar"
        in client.get(again["Location"]).content.decode()
    )


def test_the_same_file_again_would_change_nothing(stockholm, controller, client, stockholm_text):
    checked = client.post(
        "/installningar/styrmodellen/", {"file": upload("stockholm.yaml", stockholm_text)}
    )
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "En inläsning skulle inte ändra något" in text and "Läs in stockholm.yaml" not in text


# --- Perioder och tidsfrister ------------------------------------------------------------------


def test_the_periods_of_a_year_with_their_deadlines(stockholm, controller, client):
    text = client.get("/installningar/perioder/?ar=2026").content.decode()
    assert "Tertialrapport 1 2026" in text and "Verksamhetsberättelse 2026" in text
    # Tertial 2 ends on 31 August; units have ten days, the nämnder 28.
    assert "Enhet: 10 september 2026" in text and "Nämnd: 28 september 2026" in text
    assert "Skapa perioderna" not in text


def test_a_controller_creates_the_periods_of_a_year(stockholm, controller, client):
    assert (
        "Perioderna för 2027 har inte skapats än"
        in client.get("/installningar/perioder/?ar=2027").content.decode()
    )
    response = client.post("/installningar/perioder/skapa/", {"ar": "2027"})
    assert response.status_code == 302
    assert (
        ReportingPeriod.objects.filter(municipality=stockholm.municipality, year=2027).count() == 3
    )
    page = client.get(response["Location"]).content.decode()
    assert "3 nya perioder för 2027 skapades." in page and "Tertialrapport 1 2027" in page
    again = client.post("/installningar/perioder/skapa/", {"ar": "2027"})
    assert "Alla perioder för 2027 finns redan." in client.get(again["Location"]).content.decode()


def test_a_controller_closes_reopens_and_decides_a_period(stockholm, controller, client):
    period = stockholm.period("t1")
    base = f"/installningar/perioder/{period.pk}/"
    assert client.post(base + "stang/").status_code == 302
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.CLOSED
    assert period.history.order_by("-history_date").first().history_user == controller
    assert "Öppna igen" in client.get("/installningar/perioder/?ar=2026").content.decode()
    assert client.post(base + "oppna/").status_code == 302
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.OPEN

    page = client.get(base + "beslut/").content.decode()
    assert "låses perioden för gott" in page
    too_early = client.post(
        base + "beslut/", {"decided_on": "2026-04-15", "decision_reference": "KS 2026-04-15 § 3"}
    )
    assert too_early.status_code == 400
    assert "kan inte beslutas innan den har tagit slut" in too_early.content.decode()
    assert client.post(base + "beslut/", {"decided_on": "2026-06-01"}).status_code == 400
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.OPEN

    decided = client.post(
        base + "beslut/", {"decided_on": "2026-06-10", "decision_reference": "KS 2026-06-10 § 87"}
    )
    assert decided.status_code == 302
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.DECIDED
    assert period.decided_on == datetime.date(2026, 6, 10)
    assert period.history.order_by("-history_date").first().history_user == controller
    # A decided period is locked; the refusal is said in Swedish and nothing changes.
    refused = client.post(base + "stang/")
    page = client.get(refused["Location"]).content.decode()
    assert "är låst" in page and "KS 2026-06-10 § 87" in page
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.DECIDED


def test_a_period_of_another_municipality_is_not_found(
    stockholm, controller, client, preset_factory
):
    lomma = preset_factory("lomma")
    period = lomma.periods[0]
    assert client.post(f"/installningar/perioder/{period.pk}/stang/").status_code == 404
    assert client.get(f"/installningar/perioder/{period.pk}/beslut/").status_code == 404
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.OPEN


# --- Organisationen ----------------------------------------------------------------------------


def test_the_organisation_shows_units_goals_and_people(stockholm, controller, client):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    text = client.get("/installningar/organisationen/?ar=2026").content.decode()
    assert f'href="/enheter/{rosenlund.pk}/"' in text
    assert "Rosenlunds vård- och omsorgsboende" in text and "<code>SOD-ROSENLUND</code>" in text
    assert "Cecilia Controller: administratör" in text
    assert 'href="/anvandare/"' in text
    assert "Organisationen ändras genom att läsa in styrmodellfilen" in text
    goals = rosenlund.goals.in_force(2026).count()
    assert goals and f"<code>SOD-ROSENLUND</code>, {goals} mål" in text


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_gives_each_municipality_a_colour_of_its_own():
    from styr.core.management.commands.demo import DEMO_COLOURS
    from styr.governance.services import PRESETS

    assert set(DEMO_COLOURS) == set(PRESETS)
    assert len(set(DEMO_COLOURS.values())) == len(PRESETS)


def test_the_system_may_set_a_colour_without_a_user(stockholm):
    municipality_settings_update(municipality=stockholm.municipality, colour="#0A3E7A")
    municipality = Municipality.objects.get()
    assert municipality.colour == "#0A3E7A"
    assert municipality.history.order_by("-history_date").first().history_user is None
