"""A person's way through Styr, in a real browser: sign in, find the unit's goals, report an
outcome, assess a goal, see the roll-up change, follow the röda tråd — and every main page passes
axe-core with no serious or critical violations."""

import re

import pytest
from django.utils.timezone import now
from playwright.sync_api import expect

from styr.followup.models import Assessment, Measurement
from styr.internal_control.demo import demo_internal_control
from styr.kolada.models import KoladaValue
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chef(stockholm, django_user_model):
    user = django_user_model.objects.create_user(
        "karin", password="karins-lösenord-1", first_name="Karin", last_name="Chef"
    )
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND"),
        role=Role.REPORTER,
    )
    return user


def sign_in(page, live_server, username="karin", password="karins-lösenord-1"):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    page.get_by_label("Användarnamn eller e-post").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mitt uppdrag")).to_be_visible()


def test_a_chef_reports_a_period_and_sees_the_result(page, live_server, stockholm, chef):
    sign_in(page, live_server)
    screenshot(page, "mitt-uppdrag")
    page.get_by_role("link", name=re.compile("Tertialrapport 2 2026")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosenlunds")
    screenshot(page, "uppfoljning")

    # An outcome, saved row by row without leaving the page; a wrong value is refused in place
    # with its message, and nothing is saved.
    indicator = stockholm.get(Indicator, "ROS-I2")
    before = list(Measurement.objects.filter(indicator=indicator).values_list("value"))
    row = page.locator(f"#row-{indicator.pk}")
    row.get_by_label(re.compile("^Totalt")).fill("åttiosex")
    row.get_by_role("button", name=re.compile("^Spara")).click()
    expect(page.locator(f"#row-{indicator.pk}")).to_contain_text("Skriv ett tal")
    assert list(Measurement.objects.filter(indicator=indicator).values_list("value")) == before
    row = page.locator(f"#row-{indicator.pk}")
    row.get_by_label(re.compile("^Totalt")).fill("86,5")
    row.get_by_label(re.compile("^Kvinnor")).fill("90")
    row.get_by_label(re.compile("^Män")).fill("82")
    row.get_by_role("button", name=re.compile("^Spara")).click()
    expect(page.locator(f"#row-{indicator.pk}")).to_contain_text("Sparat")
    assert float(Measurement.objects.get(indicator=indicator, gender="T").value) == 86.5

    # A goal assessment, with the suggestion beside it.
    goal = stockholm.get(Goal, "ROS-1")
    card = page.locator(f"#goal-{goal.pk}")
    expect(card).to_contain_text("Föreslagen bedömning")
    card.get_by_label(re.compile("Uppfylls helt")).check()
    card.get_by_label("Analys").fill("Resultaten visades varje månad.")
    card.get_by_label(re.compile("^Motivering")).fill("Bedömt av enheten.")
    card.get_by_role("button", name="Spara bedömningen").click()
    expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("Sparat")
    assert Assessment.objects.get(goal=goal).value.key == "uppfyllt"

    # The roll-up has changed.
    page.get_by_role("link", name="Översikt").click()
    page.get_by_label("Period", exact=True).select_option(label="Tertialrapport 2 2026")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("caption")).to_contain_text("1 av")
    screenshot(page, "oversikt")

    # The röda tråd from KF down to the unit's activity.
    page.get_by_role("link", name="Röda tråden").click()
    expect(page.locator("summary", has_text="En stad som håller samman")).to_be_visible()
    for title in (
        "Äldre i Stockholms stad ges förutsättningar",
        "Kvaliteten inom stadens omsorgsverksamheter ska öka",
        "Förbättrad uppföljningsdialog med de anhöriga",
        "Vi åtar oss att månadsvis presentera",
    ):
        # Open each level by its summary, as a person does (the title itself is a link).
        page.locator("summary", has_text=title).first.locator(".level").click()
    expect(page.get_by_text("Presentera månadens resultat på anhörigträffen")).to_be_visible()
    screenshot(page, "roda-traden")
    page.get_by_role(
        "link", name="Vi åtar oss att månadsvis presentera våra resultat för de anhöriga"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vi åtar oss")
    screenshot(page, "mal")


def test_a_visitor_who_is_not_signed_in_sees_only_the_sign_in(page, live_server, stockholm):
    for path in ("/", "/roda-traden/", "/oversikt/", "/anvandare/"):
        page.goto(f"{live_server.url}{path}")
        expect(page).to_have_url(re.compile(r"/logga-in/"))
        expect(page.get_by_role("heading", name="Logga in i Styr")).to_be_visible()
    screenshot(page, "logga-in")


def test_the_main_pages_pass_axe(page, live_server, stockholm, chef):
    from styr.governance.models import GoalLevel

    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=chef,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND"),
        role=Role.PLANNER,
    )
    level = GoalLevel.objects.get(municipality=stockholm.municipality, key="atagande")
    page.goto(f"{live_server.url}/logga-in/")
    assert axe_violations(page) == []
    sign_in(page, live_server)
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")
    goal = stockholm.get(Goal, "ROS-1")
    demo_internal_control(municipality=stockholm.municipality, year=2026, unit=unit)
    linked = stockholm.get(Indicator, "KF-I1")  # Kolada's U23471, on goal VO-1
    KoladaValue.objects.bulk_create(
        KoladaValue(kpi="U23471", area=area, year=year, gender="T", value=value, fetched_at=now())
        for year in (2024, 2025)
        for area, value in (("0180", 80), ("0380", 75), ("0001", 77), ("0000", 78))
    )
    pages = [
        "/",
        "/roda-traden/",
        f"/mal/{goal.pk}/",
        f"/enheter/{unit.pk}/",
        f"/rapporter/{unit.pk}/dokument/",
        f"/uppfoljning/{unit.pk}/{stockholm.period('t2').pk}/",
        f"/rapporter/{unit.pk}/2026/texter/?period={stockholm.period('t2').pk}",
        "/oversikt/",
        "/sok/?q=anhöriga",
        "/arshjul/",
        "/meddelanden/",
        f"/planering/nytt-mal/?enhet={unit.pk}&niva={level.pk}&ar=2026",
        f"/planering/mal/{goal.pk}/",
        f"/planering/indikator/{stockholm.get(Indicator, 'ROS-I1').pk}/?mal={goal.pk}",
        f"/planering/mal/{goal.pk}/ny-aktivitet/",
        f"/mal/{stockholm.get(Goal, 'VO-1').pk}/",
        f"/kolada/indikator/{linked.pk}/",
        f"/ekonomi/{unit.pk}/2026/",
        f"/intern-kontroll/{unit.pk}/2026/",
        f"/intern-kontroll/{unit.pk}/2026/resultat/",
        f"/samlad-bedomning/{stockholm.period('t2').pk}/",
    ]
    found = {}
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_a_goal_page_draws_its_indicator_chart(page, live_server, stockholm, chef):
    from styr.followup.services import measurement_report

    indicator = stockholm.get(Indicator, "ROS-I2")
    for key, value in (("t1", 84), ("t2", 88)):
        measurement_report(indicator=indicator, period=stockholm.period(key), values={"T": value})
    sign_in(page, live_server)
    goal = stockholm.get(Goal, "ROS-2")
    page.goto(f"{live_server.url}/mal/{goal.pk}/")
    canvas = page.locator("canvas[data-chart]").first
    expect(canvas).to_be_visible()
    # Chart.js has drawn: the canvas has a chart attached and is not blank.
    assert page.evaluate("() => Object.keys(Chart.instances).length") >= 1
    expect(page.get_by_role("table").first).to_contain_text("88")
    screenshot(page, "mal-med-diagram")


def test_a_chef_writes_the_reports_texts_and_orders_the_document(
    page, live_server, stockholm, chef
):
    from django.core.management import call_command

    from styr.reports.models import ReportDocument, ReportText

    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")
    period = stockholm.period("t2")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/uppfoljning/{unit.pk}/{period.pk}/")
    page.get_by_role("link", name=re.compile("Texter till rapporten")).click()
    text = page.get_by_role("textbox", name=re.compile("Viktiga händelser"))
    text.fill("Ny enhetschef från mars.")
    page.get_by_role("button", name=re.compile("^Spara.*Viktiga händelser")).click()
    expect(page.get_by_text("har sparats")).to_be_visible()
    assert ReportText.objects.get(unit=unit, period=period, key="viktiga_handelser").text == (
        "Ny enhetschef från mars."
    )
    screenshot(page, "rapporttexter")

    # The document is made in the background; the row shows how far it has come and turns into
    # a download link by itself.
    page.goto(f"{live_server.url}/rapporter/{unit.pk}/dokument/")
    page.get_by_label("Rapport").select_option(label="Tertialrapport 2 2026")
    page.get_by_label("Format").select_option("docx")
    page.get_by_role("button", name="Beställ dokumentet").click()
    row = page.locator("tbody tr").first
    expect(row.locator("progress")).to_be_visible()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    expect(row.get_by_role("link", name=re.compile(r"\.docx$"))).to_be_visible(timeout=10_000)
    screenshot(page, "dokument")
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile(r"\.docx$")).click()
    assert download.value.suggested_filename.startswith("Tertialrapport 2 2026")
    assert ReportDocument.objects.get().state == ReportDocument.State.DONE


def test_a_politician_reads_god_ekonomisk_hushallning(page, live_server, preset_factory):
    """Lomma: from KF's page to the year's overall judgement, with its verdict, rule and goals."""
    import datetime

    from django.contrib.auth import get_user_model

    from styr.followup.services import CorrectiveActionInput, assessment_submit

    lomma = preset_factory("lomma")
    kf = OrgUnit.objects.get(municipality=lomma.municipality, code="KF")
    user = get_user_model().objects.create_user("olle", password="olles-lösenord-1")
    RoleGrant.objects.create(municipality=lomma.municipality, user=user, unit=kf, role=Role.READER)
    delar = lomma.period("delar")
    for code in ("FM-1", "FM-2", "FM-3", "RM-1", "RM-2"):
        assessment_submit(
            goal=lomma.get(Goal, code),
            period=delar,
            value=lomma.scale("uppfyllt" if code != "RM-2" else "delvis"),
            analysis="Analys.",
            motivation="Bedömt.",
            corrective_actions=[
                CorrectiveActionInput("Åtgärd", "Chef", datetime.date(2026, 12, 1))
            ],
        )
    sign_in(page, live_server, "olle", "olles-lösenord-1")
    page.goto(f"{live_server.url}/enheter/{kf.pk}/?ar=2026")
    page.get_by_role("link", name="Delårsrapport 2026").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "God ekonomisk hushållning, Delårsrapport 2026"
    )
    # RM-3 is not assessed, but with RM-2 only partly met it cannot change the verdict.
    expect(
        page.get_by_text("bedöms inte uppnås – 1 mål saknar ännu bedömning men kan inte ändra det")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Riktade mål")).to_be_visible()
    expect(page.get_by_text("Bedöms delvis uppfyllas")).to_be_visible()
    screenshot(page, "samlad-bedomning")
    assert axe_violations(page) == []


def test_a_person_makes_an_api_key_sees_it_once_and_revokes_it(page, live_server, stockholm, chef):
    from styr.api_tokens.models import ApiToken

    sign_in(page, live_server)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="API-nycklar").click()
    expect(page.get_by_role("heading", level=1, name="API-nycklar")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Du har inga API-nycklar.")
    assert axe_violations(page) == []

    form = page.get_by_role("group", name="Skapa en nyckel")
    form.get_by_label("Namn").fill("Statistikverktyget")
    form.get_by_label("Får").select_option(label="läsa")
    form.get_by_role("button", name="Skapa").click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("den visas bara den här gången")
    key = page.locator("#new-token").inner_text()
    token = ApiToken.objects.get(user=chef)
    assert (token.name, token.scope, token.revoked_at) == ("Statistikverktyget", "read", None)
    assert key.startswith(token.prefix) and len(key) > len(token.prefix)
    row = page.get_by_role("row", name=re.compile("Statistikverktyget"))
    expect(row).to_contain_text(f"{token.prefix}…")
    expect(row).to_contain_text("Läsa")
    assert axe_violations(page) == []
    screenshot(page, "api-nycklar")

    # Shown once: reloaded, the list keeps only its beginning, and no second key is made.
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Statistikverktyget"))).to_be_visible()
    assert ApiToken.objects.filter(user=chef).count() == 1
    expect(page.get_by_role("status")).to_have_count(0)
    assert key not in page.content()

    page.get_by_role("button", name="Återkalla Statistikverktyget").click()
    row = page.get_by_role("row", name=re.compile("Statistikverktyget"))
    expect(row).to_contain_text("Återkallad")
    expect(row.get_by_role("button")).to_have_count(0)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert axe_violations(page) == []
