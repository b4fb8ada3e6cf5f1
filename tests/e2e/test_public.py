"""The public view in a real browser: a visitor who is not signed in follows a decided plan down to
a goal and its decided follow-up, never meets a draft goal or an undecided period, and every public
page passes axe-core with no serious or critical violations."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from styr.followup.demo import demo_followup
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal
from styr.workflow.models import Submission

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT_TITLE = "Ett utkast som nämnden inte har beslutat"


@pytest.fixture
def published(stockholm):
    """The demo's story (2025 and tertial 1 2026 decided, tertial 2 2026 only reported), the
    plans of 2026 adopted from KF down to Rosenlund, a draft goal, and the public view on."""
    municipality = stockholm.municipality
    demo_followup(municipality=municipality, year=2026, today=datetime.date(2026, 11, 27))
    for code in ("KF", "SDN-SOD", "SDF-SOD", "SOD-ALD", "SOD-ROSENLUND"):
        Submission.objects.create(
            municipality=municipality,
            unit=OrgUnit.objects.get(municipality=municipality, code=code),
            kind=Submission.Kind.PLAN,
            year=2026,
            state=Submission.State.ADOPTED,
            adopted_on=datetime.date(2025, 12, 10),
            adopted_reference="§ 14",
        )
    goal = stockholm.get(Goal, "SOD-NM-1")
    Goal.objects.create(
        municipality=municipality,
        code="SOD-NM-UTKAST",
        level=goal.level,
        unit=goal.unit,
        title=DRAFT_TITLE,
        status=Goal.Status.DRAFT,
        valid_from=goal.valid_from,
        valid_to=goal.valid_to,
    )
    municipality.public_view = True
    municipality.save(update_fields=["public_view"])
    return stockholm


def check(page, name: str, found: dict) -> None:
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    expect(page.get_by_text(DRAFT_TITLE)).to_have_count(0)
    expect(page.get_by_text("Tertialrapport 2 2026")).to_have_count(0)
    violations = axe_violations(page)
    if violations:
        found[page.url] = violations
    screenshot(page, name)


def test_a_visitor_follows_a_decided_plan_down_to_a_goal_and_its_follow_up(
    page, live_server, published
):
    found: dict = {}
    page.goto(f"{live_server.url}/insyn/0180/")
    expect(page).to_have_url(re.compile(r"/insyn/0180/$"))  # not sent to the sign-in page
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Beslutade planer och uppföljningar i Stockholms stad"
    )
    expect(page.get_by_role("link", name="Tertialrapport 1 2026")).to_be_visible()
    check(page, "insyn-start", found)

    page.get_by_role("link", name="Plan 2026 – Södermalms stadsdelsnämnd").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Plan 2026 för Södermalms stadsdelsnämnd"
    )
    expect(page.get_by_text("Fastställd 10 december 2025 (§ 14).")).to_be_visible()
    check(page, "insyn-plan", found)

    page.get_by_role("link", name="Förbättrad uppföljningsdialog med de anhöriga").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Förbättrad uppföljningsdialog med de anhöriga"
    )
    expect(page.get_by_role("heading", name=re.compile("^Tertialrapport 1 2026:"))).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Tertialrapport 1 2026")
    check(page, "insyn-mal", found)

    page.get_by_role(
        "link", name="Hela uppföljningen: Tertialrapport 1 2026 för Södermalms stadsdelsnämnd"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tertialrapport 1 2026 för Södermalms stadsdelsnämnd"
    )
    expect(page.get_by_text(re.compile("^Beslutad 19 juni 2026"))).to_be_visible()
    check(page, "insyn-uppfoljning", found)
    assert found == {}

    # The undecided period is not there even by its address.
    unit = OrgUnit.objects.get(municipality=published.municipality, code="SDN-SOD")
    undecided = ReportingPeriod.objects.get(
        municipality=published.municipality, definition__key="t2", year=2026
    )
    response = page.goto(f"{live_server.url}/insyn/0180/uppfoljning/{unit.pk}/{undecided.pk}/")
    assert response.status == 404


def test_the_public_view_is_not_there_while_it_is_off(page, live_server, stockholm):
    response = page.goto(f"{live_server.url}/insyn/0180/")
    assert response.status == 404
