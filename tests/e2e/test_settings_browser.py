"""A controller in a real browser: opens Inställningar from the menu, gives the municipality a
logo and a colour and sees every page's header change, and each settings page passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from styr.governance.services import PRESET_DIR
from styr.organisation.models import Municipality, OrgUnit, Role, RoleGrant

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40" viewBox="0 0 80 40">'
    b'<rect width="80" height="40" fill="#ffffff"/><circle cx="20" cy="20" r="15" fill="#8a1538"/>'
    b"</svg>"
)


@pytest.fixture
def controller(stockholm, django_user_model):
    user = django_user_model.objects.create_user(
        "cecilia", password="cecilias-lösenord-1", first_name="Cecilia", last_name="Controller"
    )
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="KF"),
        role=Role.ADMINISTRATOR,
    )
    return user


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/logga-in/")
    page.get_by_label("Användarnamn eller e-post").fill("cecilia")
    page.get_by_label("Lösenord").fill("cecilias-lösenord-1")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mitt uppdrag")).to_be_visible()


def test_a_controller_gives_the_municipality_a_logo_and_a_colour(
    page, live_server, stockholm, controller
):
    sign_in(page, live_server)
    header = page.locator("header.site-header")
    expect(header.locator(".brand img")).to_have_count(0)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Inställningar"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Inställningar för Stockholms stad"
    )
    page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Kommunen"
    ).click()

    page.get_by_label("Färg").fill("#8A1538")
    page.get_by_label("Ny logotyp").set_input_files(
        {"name": "logga.svg", "mimeType": "image/svg+xml", "buffer": LOGO}
    )
    page.get_by_label("Offentlig visning").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Kommunens inställningar är sparade")
    screenshot(page, "installningar-kommunen")

    # The header wears the new colour (with white text on it) and the logo, on every page.
    expect(header).to_have_attribute(
        "style", re.compile(r"--brand: #8A1538; --brand-text: #ffffff")
    )
    page.get_by_role("link", name="Översikt").first.click()
    expect(header).to_have_attribute("style", re.compile("#8A1538"))
    logo = header.locator(".brand img")
    expect(logo).to_be_visible()
    assert page.evaluate("() => document.querySelector('header .brand img').naturalWidth") == 80
    screenshot(page, "installningar-sidhuvud")
    municipality = Municipality.objects.get()
    assert (municipality.colour, municipality.logo_type, municipality.public_view) == (
        "#8A1538",
        "image/svg+xml",
        True,
    )


def test_a_bad_logo_is_refused_in_words(page, live_server, stockholm, controller):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/installningar/kommunen/")
    page.get_by_label("Ny logotyp").set_input_files(
        {"name": "logga.png", "mimeType": "image/png", "buffer": b"GIF89a not a png"}
    )
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Filen är inte en PNG-, JPEG- eller SVG-bild")
    assert Municipality.objects.get().logo_type == ""


def test_the_settings_pages_pass_axe(page, live_server, stockholm, controller):
    sign_in(page, live_server)
    period = stockholm.period("t1")
    found = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    for path in (
        "/installningar/",
        "/installningar/kommunen/",
        "/installningar/styrmodellen/",
        "/installningar/perioder/?ar=2026",
        "/installningar/perioder/?ar=2027",
        f"/installningar/perioder/{period.pk}/beslut/",
        "/installningar/organisationen/",
    ):
        page.goto(f"{live_server.url}{path}")
        check(path)
        if path.startswith("/installningar/perioder/?ar=2026"):
            screenshot(page, "installningar-perioder")
    screenshot(page, "installningar-organisationen")

    # The model page with a checked file's problems, and with what a good file would change.
    text = (PRESET_DIR / "stockholm.yaml").read_text(encoding="utf-8")
    for name, content in (
        ("trasig.yaml", text.replace("through_month: 8", "through_month: 13")),
        ("ny.yaml", text.replace("(ILS)", "(ILS) 2027")),
    ):
        page.goto(f"{live_server.url}/installningar/styrmodellen/")
        page.get_by_label("Styrmodellfil (YAML)").set_input_files(
            {"name": name, "mimeType": "application/yaml", "buffer": content.encode()}
        )
        page.get_by_role("button", name="Kontrollera filen").click()
        expect(page.locator("#check-heading")).to_contain_text(name)
        check(name)
    screenshot(page, "installningar-styrmodellen")
    page.get_by_role("button", name="Läs in ny.yaml").click()
    expect(page.get_by_role("status")).to_contain_text("ny.yaml är inläst")
    assert found == {}, found
