"""The public view (insyn): nothing while the municipality has it off; when it is on, anyone reads
the adopted plans and the decided follow-ups as they were decided, and nothing else."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.followup.demo import demo_followup
from styr.followup.models import Assessment, ReportingPeriod
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal
from styr.workflow.models import Submission, WorkflowStep

DRAFT_TITLE = "Ett utkast som nämnden inte har beslutat"


def unit(stockholm, code: str) -> OrgUnit:
    return OrgUnit.objects.get(municipality=stockholm.municipality, code=code)


def adopt(stockholm, code: str, year: int = 2026, state=Submission.State.ADOPTED) -> Submission:
    return Submission.objects.create(
        municipality=stockholm.municipality,
        unit=unit(stockholm, code),
        kind=Submission.Kind.PLAN,
        year=year,
        state=state,
        adopted_on=datetime.date(year - 1, 12, 10) if state == Submission.State.ADOPTED else None,
        adopted_reference="§ 14" if state == Submission.State.ADOPTED else "",
    )


@pytest.fixture
def told(stockholm):
    """The demo's story: 2025 and tertial 1 2026 decided; tertial 2 2026 reported, not decided.
    The plans of 2026 are adopted from KF down to Rosenlund; Hägersten-Älvsjö's is only
    submitted; Södermalm has a draft goal."""
    demo_followup(municipality=stockholm.municipality, year=2026, today=datetime.date(2026, 11, 27))
    for code in ("KF", "SDN-SOD", "SDF-SOD", "SOD-ALD", "SOD-ROSENLUND"):
        adopt(stockholm, code)
    adopt(stockholm, "SDN-HAL", state=Submission.State.SUBMITTED)
    nm1 = stockholm.get(Goal, "SOD-NM-1")
    Goal.objects.create(
        municipality=stockholm.municipality,
        code="SOD-NM-UTKAST",
        level=nm1.level,
        unit=nm1.unit,
        title=DRAFT_TITLE,
        status=Goal.Status.DRAFT,
        valid_from=nm1.valid_from,
        valid_to=nm1.valid_to,
    )
    return stockholm


@pytest.fixture
def public(told):
    told.municipality.public_view = True
    told.municipality.save(update_fields=["public_view"])
    return told


def period(stockholm, key: str, year: int = 2026) -> ReportingPeriod:
    return ReportingPeriod.objects.get(
        municipality=stockholm.municipality, definition__key=key, year=year
    )


def urls(stockholm) -> dict[str, str]:
    base = f"/insyn/{stockholm.municipality.code}/"
    sod = unit(stockholm, "SDN-SOD")
    return {
        "home": base,
        "plan": f"{base}enheter/{sod.pk}/2026/",
        "goal": f"{base}mal/{stockholm.get(Goal, 'SOD-NM-1').pk}/",
        "followup": f"{base}uppfoljning/{sod.pk}/{period(stockholm, 't1').pk}/",
    }


def read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_everything_is_404_while_the_public_view_is_off(told, client):
    for url in urls(told).values():
        assert client.get(url).status_code == 404, url


def test_the_start_page_shows_the_vision_the_adopted_plans_and_the_decided_periods(public, client):
    text = read(client, urls(public)["home"])
    assert "Stockholms stad" in text  # the municipality's own look
    assert "Ett Stockholm för alla" in text  # the vision
    sod = unit(public, "SDN-SOD")
    assert f'href="/insyn/0180/enheter/{sod.pk}/2026/"' in text
    assert "Hägersten-Älvsjö stadsdelsnämnd" not in text  # its plan is only submitted
    assert "Tertialrapport 1 2026" in text and "Verksamhetsberättelse 2025" in text
    assert "Tertialrapport 2 2026" not in text  # reported but not decided
    assert 'href="/insyn/0180/"' in text  # the brand leads to the public start page


def test_an_adopted_plan_shows_its_goals_texts_and_targets_and_no_draft(public, client):
    text = read(client, urls(public)["plan"])
    assert "Plan 2026 för Södermalms stadsdelsnämnd" in text
    assert "Fastställd 10 december 2025 (§ 14)" in text
    assert "Förbättrad uppföljningsdialog med de anhöriga" in text
    assert "Förväntat resultat" in text and "minst 82 procent" in text
    assert DRAFT_TITLE not in text
    assert f'href="/insyn/0180/mal/{public.get(Goal, "VO-1").pk}/"' in text  # KF's plan is public
    assert "Tertialrapport 1 2026" in text and "Tertialrapport 2 2026" not in text


def test_a_plan_that_is_not_adopted_is_not_public(public, client):
    base = f"/insyn/{public.municipality.code}/enheter"
    assert client.get(f"{base}/{unit(public, 'SDN-HAL').pk}/2026/").status_code == 404
    assert client.get(f"{base}/{unit(public, 'SDN-SOD').pk}/2027/").status_code == 404
    assert client.get(f"{base}/{unit(public, 'UTN').pk}/2026/").status_code == 404


def test_a_goal_shows_the_decided_assessments_only(public, client):
    text = read(client, urls(public)["goal"])
    assert "Förbättrad uppföljningsdialog med de anhöriga" in text
    assert "Tertialrapport 1 2026" in text and "Verksamhetsberättelse 2025" not in text
    assert "Tertialrapport 2 2026" not in text
    goal = public.get(Goal, "SOD-NM-1")
    decided = Assessment.objects.get(goal=goal, period=period(public, "t1"))
    assert decided.analysis.split(".")[0] in text
    # The goal above it and the unit goal below it are public, with their public pages.
    assert f"/insyn/0180/mal/{public.get(Goal, 'VO-1').pk}/" in text
    assert f"/insyn/0180/mal/{public.get(Goal, 'ROS-1').pk}/" in text


def test_draft_and_undecided_goals_are_not_public(public, client):
    base = f"/insyn/{public.municipality.code}/mal"
    draft = Goal.objects.get(municipality=public.municipality, code="SOD-NM-UTKAST")
    assert client.get(f"{base}/{draft.pk}/").status_code == 404
    hal = public.get(Goal, "HAL-NM-1")
    newer = Goal.objects.create(
        municipality=public.municipality,
        code="HAL-NM-NY",
        level=hal.level,
        unit=hal.unit,
        title="Ett nytt nämndmål som ingen har beslutat",
        valid_from=hal.valid_from,
        valid_to=hal.valid_to,
    )
    assert client.get(f"{base}/{newer.pk}/").status_code == 404
    # Assessed in a decided follow-up, so part of a public report, though its plan is not adopted.
    assert client.get(f"{base}/{hal.pk}/").status_code == 200


def test_a_decided_follow_up_shows_what_was_reported_then(public, client):
    goal = public.get(Goal, "SOD-NM-1")
    decided = Assessment.objects.get(goal=goal, period=period(public, "t1"))
    before = decided.analysis
    # Changed behind the lock after the decision: the public still reads what was decided.
    decided.analysis = "En text som skrevs efter beslutet."
    decided.save()
    for url in (urls(public)["followup"], urls(public)["goal"]):
        text = read(client, url)
        assert before.split(".")[0] in text, url
        assert "En text som skrevs efter beslutet." not in text, url
    text = read(client, urls(public)["followup"])
    assert "Tertialrapport 1 2026 för Södermalms stadsdelsnämnd" in text
    assert "Förbättrad uppföljningsdialog med de anhöriga" in text
    sdf = unit(public, "SDF-SOD")
    assert f"/insyn/0180/uppfoljning/{sdf.pk}/{period(public, 't1').pk}/" in text


def test_an_undecided_follow_up_is_not_public(public, client):
    sod = unit(public, "SDN-SOD")
    url = f"/insyn/{public.municipality.code}/uppfoljning/{sod.pk}/{period(public, 't2').pk}/"
    assert client.get(url).status_code == 404


def test_no_edit_links_no_menu_and_no_internal_comments(public, django_user_model, client):
    submission = Submission.objects.get(unit=unit(public, "SDN-SOD"), kind=Submission.Kind.PLAN)
    WorkflowStep.objects.create(
        municipality=public.municipality,
        submission=submission,
        from_state=Submission.State.APPROVED,
        to_state=Submission.State.ADOPTED,
        comment="Intern kommentar från godkännaren",
    )
    user = django_user_model.objects.create_user("karin", first_name="Karin", last_name="Chef")
    RoleGrant.objects.create(
        municipality=public.municipality,
        user=user,
        unit=unit(public, "SDN-SOD"),
        role=Role.ADMINISTRATOR,
    )
    client.force_login(user)  # even a signed-in planner reads the public pages as a visitor
    for url in urls(public).values():
        text = read(client, url)
        assert "/planering/" not in text and "Redigera" not in text, url
        assert "Logga ut" not in text and "Karin Chef" not in text, url
        assert "Intern kommentar" not in text, url
        assert "<form" not in text, url


def test_the_public_pages_are_open_without_signing_in(public, client):
    for url in urls(public).values():
        assert client.get(url).status_code == 200, url


def test_the_number_of_queries_does_not_grow_with_the_data(public, client):
    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {name: queries(url) for name, url in urls(public).items()}
    nm1 = public.get(Goal, "SOD-NM-1")
    t1 = period(public, "t1")
    value = Assessment.objects.filter(goal=nm1, period=t1).get().value
    for i in range(20):
        extra = Goal.objects.create(
            municipality=public.municipality,
            code=f"SOD-NM-EXTRA-{i}",
            level=nm1.level,
            unit=nm1.unit,
            title=f"Extra nämndmål {i}",
            texts=nm1.texts,
            valid_from=nm1.valid_from,
            valid_to=nm1.valid_to,
        )
        # Below the goal whose page is counted, in the plan and in the decided follow-up.
        extra.parents.add(nm1, through_defaults={"municipality": public.municipality})
        Assessment.objects.create(
            municipality=public.municipality, goal=extra, period=t1, value=value, analysis="Ok."
        )
    after = {name: queries(url) for name, url in urls(public).items()}
    assert after == before
