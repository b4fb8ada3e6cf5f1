"""The issue's "done when", as a first-time visitor to the demo would try it: the demo's chef
signs in, finds the unit's goals, reports the period, and the demo's politician reads the
result at the nämnd."""

import re

import pytest
from playwright.sync_api import expect

from styr.accounts.demo import demo_people_create
from styr.followup.models import ActivityReport, Assessment, Measurement
from styr.planning.models import Activity, Goal, Indicator

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "demo-lösenord-1"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Användarnamn eller e-post").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mitt uppdrag")).to_be_visible()


def test_a_new_user_reports_a_period_and_the_politician_reads_it(page, live_server, stockholm):
    demo_people_create(municipality=stockholm.municipality, password=PASSWORD)

    # The chef finds the unit's goals from the start page.
    sign_in(page, live_server, "stockholms-chef")
    expect(page.locator("header")).to_contain_text("Stockholms stad")
    page.get_by_role("link", name="Rosenlunds vård- och omsorgsboende").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosenlunds vård- och omsorgsboende")
    page.get_by_role("link", name=re.compile("Vi åtar oss att månadsvis presentera")).click()
    expect(page.get_by_role("heading", level=2, name="Indikatorer")).to_be_visible()

    # …and reports the period: an outcome, an activity's status, the goal's assessment.
    page.get_by_role("link", name="Mitt uppdrag").click()
    page.get_by_role("link", name="Tertialrapport 2 2026").first.click()
    indicator = stockholm.get(Indicator, "ROS-I2")
    row = page.locator(f"#row-{indicator.pk}")
    row.get_by_label(re.compile("^Totalt")).fill("91")
    row.get_by_label(re.compile("^Kvinnor")).fill("93")
    row.get_by_label(re.compile("^Män")).fill("88")
    row.get_by_role("button", name=re.compile("^Spara")).click()
    expect(page.locator(f"#row-{indicator.pk}")).to_contain_text("Sparat")
    activity = stockholm.get(Activity, "ROS-A1")
    item = page.locator(f"#activity-{activity.pk}")
    item.get_by_label("Status").select_option(label="Pågår")
    item.get_by_role("button", name=re.compile("^Spara")).click()
    expect(page.locator(f"#activity-{activity.pk}")).to_contain_text("Sparat")
    goal = stockholm.get(Goal, "ROS-1")
    card = page.locator(f"#goal-{goal.pk}")
    card.get_by_label(re.compile("Uppfylls helt")).check()
    card.get_by_label("Analys").fill("Anhöriga fick resultaten varje månad.")
    card.get_by_label(re.compile("^Motivering")).fill("Alla träffar genomfördes.")
    card.get_by_role("button", name="Spara bedömningen").click()
    expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("Sparat")
    assert float(Measurement.objects.get(indicator=indicator, gender="T").value) == 91
    assert ActivityReport.objects.get(activity=activity).status.label == "Pågår"
    assert Assessment.objects.get(goal=goal).value.key == "uppfyllt"
    page.get_by_role("button", name="Logga ut").click()

    # The politician reads the result at the nämnd.
    sign_in(page, live_server, "stockholms-politiker")
    page.get_by_role("link", name=re.compile("Översikt för Södermalms stadsdelsnämnd")).click()
    page.get_by_label("Period", exact=True).select_option(label="Tertialrapport 2 2026")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Södermalms")
    expect(page.locator("caption").first).to_contain_text("1 av")
    expect(page.get_by_role("table").first).to_contain_text("Uppfyllt")
    assert axe_violations(page) == []
    screenshot(page, "oversikt-namnd")
    # …and from there down towards the unit that reported.
    page.get_by_role("link", name="Södermalms stadsdelsförvaltning").first.click()
    expect(page.locator("caption").first).to_contain_text("1 av")
