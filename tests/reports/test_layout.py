"""A municipality lays out its reports in its model file — the parts in its order, its headings,
introductions and document names, what each goal shows, how deep a consolidated report goes —
and the free texts its units write appear where the layout puts them, in every format."""

import datetime
import io
import re

import docx
import pytest
from django.utils import timezone

from styr.followup.demo import demo_followup
from styr.followup.services import period_decide
from styr.governance.models import GovernanceModel
from styr.governance.styrmodell.checker import check_text
from styr.governance.styrmodell.schema import ReportsSpec
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal
from styr.reports.render_docx import report_docx
from styr.reports.render_html import report_html
from styr.reports.selectors import report_build
from styr.reports.texts import report_text_save
from tests.conftest import EXAMPLE_FILE


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]


def layout_set(preset, layouts: dict) -> None:
    GovernanceModel.objects.filter(municipality=preset.municipality).update(
        report_layouts=ReportsSpec.model_validate(layouts).model_dump(exclude_defaults=True)
    )


@pytest.fixture
def chef(stockholm, django_user_model):
    user = django_user_model.objects.create_user("chef")
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND")
    RoleGrant.objects.create(
        municipality=stockholm.municipality, user=user, unit=unit, role=Role.REPORTER
    )
    return user


def test_the_checker_names_a_layout_that_points_nowhere():
    text = EXAMPLE_FILE.read_text(encoding="utf-8") + (
        "\nreports:\n"
        "  texts:\n"
        "    - {key: ekonomi, heading: Ekonomi}\n"
        "  plan:\n"
        "    titles: {stadsdel: Stadsdelsplan}\n"
        "  periods:\n"
        "    t9:\n"
        "      parts:\n"
        "        - {part: text, key: framtid}\n"
        "        - {part: text}\n"
    )
    result = check_text("kommun.yaml", text)
    messages = [(p.field, p.message) for p in result.problems]
    assert any("stadsdel" in m and "titles" in f for f, m in messages)
    assert any("t9" in m for _f, m in messages)
    assert any("framtid" in m for _f, m in messages)
    assert any("key" in f and "textdel" in m for f, m in messages)
    assert all(p.line for p in result.problems)


def test_svenljungas_report_follows_its_own_order_and_names(preset_factory):
    svenljunga = preset_factory("svenljunga")
    period = svenljunga.period("delarsrapport")
    bun = svenljunga.get(OrgUnit, "BUN")
    html = report_html(report_build(unit=bun, year=2026, period=period), charts=False)

    found = headings(html)[1:]  # after "Innehåll"
    order = ["Sammanfattning av måluppfyllelsen", "Viktiga händelser", "Verksamhet"]
    assert found[:3] == order
    # The delårsrapport follows up the budget: its figures follow the unit's text on the economy.
    assert found[-4:] == ["Personal", "Ekonomi", "Budgetuppföljning", "Framtid"]
    assert "tre perspektiv: verksamhet, personal och" in html
    # The unit writes nothing yet: the reader is told so, not shown an empty heading.
    assert html.count("Inget har skrivits ännu.") == 5

    # The plan of a verksamhet is an enhetsplan; a nämnd's is a verksamhetsplan.
    grundskola = svenljunga.get(OrgUnit, "BUF-GR")
    plan = report_build(unit=grundskola, year=2026)
    assert plan.title == "Enhetsplan"
    assert report_build(unit=bun, year=2026).title == "Verksamhetsplan"


def test_a_units_texts_are_in_the_report_where_the_layout_puts_them(stockholm, chef):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    t2 = stockholm.period("t2")
    for key, text in (
        ("viktiga_handelser", "Ny enhetschef från mars.\n\nTvå nya avdelningar öppnade."),
        ("framtid", "Fler äldre flyttar in 2027."),
    ):
        report_text_save(
            user=chef, unit=rosenlund, year=2026, period=t2, key=key, text=text, seen_version=None
        )
    report = report_build(unit=rosenlund, year=2026, period=t2)
    html = report_html(report, charts=False)
    assert "<p>Ny enhetschef från mars.</p>" in html
    assert "Fler äldre flyttar in 2027." in html
    found = headings(html)
    assert found.index("Viktiga händelser") < found.index("Framtid")

    document = docx.Document(io.BytesIO(report_docx(report)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    heading = paragraphs.index(("Heading 1", "Viktiga händelser"))
    assert paragraphs[heading + 1] == ("Normal", "Ny enhetschef från mars.")
    assert paragraphs[heading + 2] == ("Normal", "Två nya avdelningar öppnade.")
    assert ("Heading 1", "Ekonomi") in paragraphs  # the section is there, unwritten


def test_a_decided_report_keeps_the_texts_it_was_decided_with(stockholm, chef, admin_user):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    t1 = stockholm.period("t1")
    row = report_text_save(
        user=chef,
        unit=rosenlund,
        year=2026,
        period=t1,
        key="viktiga_handelser",
        text="Det som beslutades.",
        seen_version=None,
    )
    period_decide(
        period=t1, decided_on=datetime.date(2026, 5, 20), reference="KS § 7", acting_user=admin_user
    )
    # Changed afterwards behind the locks' back (say by a database fix): the decided report
    # still shows what was decided.
    row.text = "Ändrat efteråt."
    row.save()
    report = report_build(unit=rosenlund, year=2026, period=t1)
    assert report.as_decided
    html = report_html(report, charts=False)
    assert "Det som beslutades." in html and "Ändrat efteråt." not in html
    assert timezone.now() > row.updated_at


def test_what_each_goal_shows_comes_from_the_layout(stockholm):
    demo_followup(municipality=stockholm.municipality, year=2026, today=datetime.date(2026, 11, 27))
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    layout_set(
        stockholm,
        {
            "period": {
                "title": "Uppföljning",
                "parts": [
                    {"part": "goals", "heading": "Våra mål", "intro": "Kort om målen."},
                    {"part": "summary"},
                ],
                "goal_parts": ["assessment"],
            }
        },
    )
    report = report_build(unit=rosenlund, year=2026, period=stockholm.period("t2"))
    html = report_html(report)
    assert report.title == "Uppföljning"
    assert "<h1>Uppföljning 2026</h1>" in html
    found = headings(html)
    assert found[1] == "Våra mål" and found[-1] == "Måluppfyllelse"
    assert "Kort om målen." in html
    assert "Uppfylls" in html  # the assessments are there …
    assert "<img" not in html and "Årsmål" not in html  # … the indicators and charts are not
    assert "Viktiga händelser" not in html


def test_a_nämnd_report_shows_the_units_further_down_as_tables(stockholm):
    demo_followup(municipality=stockholm.municipality, year=2026, today=datetime.date(2026, 11, 27))
    sodermalm = stockholm.get(OrgUnit, "SDN-SOD")
    t2 = stockholm.period("t2")
    rosenlund_goal = stockholm.get(Goal, "ROS-1")

    report = report_build(unit=sodermalm, year=2026, period=t2, consolidated=True)
    [units] = [p for p in report.parts if p.kind == "units"]
    rollup = next(u for u in units.units if u.unit == rosenlund_goal.unit.name)
    line = next(g for g in rollup.goals if g.code == "ROS-1")
    assert line.title == rosenlund_goal.title and line.assessment.startswith("Uppfylls")
    assert sum(c.count for c in rollup.counts) + rollup.not_assessed == len(rollup.goals)
    in_full = {g.code for s in report.sections for group in s.groups for g in group.goals}
    assert "ROS-1" not in in_full and "SOD-NM-1" in in_full

    # A municipality that wants every unit in full says so.
    layout_set(stockholm, {"period": {"detail_depth": 5}})
    report = report_build(unit=sodermalm, year=2026, period=t2, consolidated=True)
    in_full = {g.code for s in report.sections for group in s.groups for g in group.goals}
    assert "ROS-1" in in_full
    assert not [p for p in report.parts if p.kind == "units"]
