"""Intern kontroll: the risk matrix, the plan's rules said in Swedish, the permission policy,
no lost updates, the lock of an adopted plan, the web pages and the demo."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from styr.core.versioning import ConflictError
from styr.governance.services import governance_model_load
from styr.internal_control.demo import demo_internal_control
from styr.internal_control.models import ControlPlan, ControlPoint, ControlResult, Risk
from styr.internal_control.selectors import colour_of, plan_counts, plan_followup, risk_matrix
from styr.internal_control.services import (
    control_point_save,
    plan_adopt,
    result_save,
    risk_save,
)
from styr.organisation.models import OrgUnit, Role, RoleGrant

YEAR = 2026


@pytest.fixture
def municipality(example_text, db):
    return governance_model_load(name="exempel.yaml", text=example_text).municipality


@pytest.fixture
def bun(municipality):
    return OrgUnit.objects.get(municipality=municipality, code="BUN")


@pytest.fixture
def person(municipality, django_user_model):
    def make(name, unit_code, role):
        user = django_user_model.objects.create_user(name)
        RoleGrant.objects.create(
            municipality=municipality,
            user=user,
            unit=OrgUnit.objects.get(municipality=municipality, code=unit_code),
            role=role,
        )
        return user

    return make


def a_risk(unit, probability=2, consequence=3, **kwargs):
    return risk_save(
        unit=unit,
        year=YEAR,
        title=kwargs.pop("title", "Inköp utanför avtal"),
        probability=probability,
        consequence=consequence,
        **kwargs,
    )


def a_point(risk, **kwargs):
    return control_point_save(
        risk=risk,
        what="Att inköp görs enligt avtal",
        method="Stickprov på 20 fakturor",
        responsible="Ekonom",
        frequency="Två gånger per år",
        months=[10, 4],
        **kwargs,
    )


def messages_of(raised) -> str:
    return " ".join(raised.value.messages)


# --- The matrix ----------------------------------------------------------------------------------


def test_each_risk_sits_in_its_cell_and_the_cells_are_coloured_by_score(bun):
    low = a_risk(bun, 1, 1, title="Låg")
    middle = a_risk(bun, 2, 3, title="Mellan")
    high = a_risk(bun, 3, 3, title="Hög")
    top = a_risk(bun, 4, 4, title="Högst")
    rows = risk_matrix(ControlPlan.objects.get(unit=bun, year=YEAR))

    assert [row.consequence for row in rows] == [4, 3, 2, 1]
    assert all([c.probability for c in row.cells] == [1, 2, 3, 4] for row in rows)
    placed = {
        (c.probability, c.consequence): [r.title for r in c.risks]
        for row in rows
        for c in row.cells
    }
    assert placed[(1, 1)] == [low.title]
    assert placed[(2, 3)] == [middle.title]
    assert placed[(3, 3)] == [high.title]
    assert placed[(4, 4)] == [top.title]
    assert sum(len(v) for v in placed.values()) == 4
    colours = {(c.probability, c.consequence): c.colour for row in rows for c in row.cells}
    assert colours[(1, 1)] == colours[(3, 1)] == colours[(1, 3)] == "green"
    assert colours[(2, 2)] == colours[(2, 3)] == colours[(4, 1)] == "yellow"
    assert colours[(4, 2)] == colours[(3, 3)] == "orange"
    assert colours[(4, 3)] == colours[(4, 4)] == "red"
    assert top.score == 16


def test_the_colour_rule_covers_every_score():
    found = {p * k: colour_of(p * k)[0] for p in range(1, 5) for k in range(1, 5)}
    assert found == {
        1: "green",
        2: "green",
        3: "green",
        4: "yellow",
        6: "yellow",
        8: "orange",
        9: "orange",
        12: "red",
        16: "red",
    }
    assert colour_of(12)[1] == "röd"


def test_an_empty_year_still_draws_the_whole_matrix():
    rows = risk_matrix(None)
    assert len(rows) == 4 and all(len(row.cells) == 4 for row in rows)
    assert not any(c.risks for row in rows for c in row.cells)


# --- Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "consequence", "message"),
    [
        (0, 2, "Sannolikheten anges som ett heltal från 1 till 4."),
        (5, 2, "Sannolikheten anges som ett heltal från 1 till 4."),
        (2, None, "Konsekvensen anges som ett heltal från 1 till 4."),
        (2, 7, "Konsekvensen anges som ett heltal från 1 till 4."),
    ],
)
def test_probability_and_consequence_are_on_the_scale(bun, probability, consequence, message):
    with pytest.raises(ValidationError) as raised:
        a_risk(bun, probability, consequence)
    assert message in messages_of(raised)
    assert not Risk.objects.exists()
    assert not ControlPlan.objects.exists()


def test_a_deviation_needs_a_description(bun):
    point = a_point(a_risk(bun))
    with pytest.raises(ValidationError) as raised:
        result_save(
            point=point,
            month=4,
            performed_on=datetime.date(YEAR, 4, 20),
            result="Tre fakturor saknade avtal.",
            deviation=True,
        )
    assert "En avvikelse måste beskrivas." in messages_of(raised)
    assert not ControlResult.objects.exists()


def test_a_control_point_names_what_how_who_and_when(bun):
    risk = a_risk(bun)
    with pytest.raises(ValidationError) as raised:
        control_point_save(risk=risk, what="", method=" ", responsible="", frequency="")
    text = messages_of(raised)
    for message in (
        "Ange vad som kontrolleras.",
        "Ange hur kontrollen görs.",
        "Ange vem som gör kontrollen.",
        "Ange när och hur ofta kontrollen görs.",
    ):
        assert message in text
    assert not ControlPoint.objects.exists()


def test_numbers_and_months_are_kept_in_order(bun):
    first = a_risk(bun)
    second = a_risk(bun, title="Personuppgifter")
    point = a_point(second)
    assert (first.label, second.label, point.label) == ("R1", "R2", "K1")
    assert point.months == [4, 10]
    assert point.month_names == "april, oktober"


# --- Permissions ---------------------------------------------------------------------------------


def test_an_outsider_is_refused_and_nothing_is_written(bun, person, municipality):
    outsider = person("ute", "KF", Role.READER)
    with pytest.raises(PermissionDenied):
        a_risk(bun, acting_user=outsider)
    assert not ControlPlan.objects.exists()

    risk = a_risk(bun)
    point = a_point(risk)
    reporter = person("rapportor", "BUN", Role.REPORTER)
    with pytest.raises(PermissionDenied):
        a_risk(bun, acting_user=reporter)  # reporting is not planning
    with pytest.raises(PermissionDenied):
        risk_save(risk=risk, title="Ny", probability=1, consequence=1, acting_user=reporter)
    planner = person("planerare", "BUN", Role.PLANNER)
    with pytest.raises(PermissionDenied):
        result_save(
            point=point,
            month=4,
            performed_on=datetime.date(YEAR, 4, 2),
            result="OK",
            acting_user=planner,
        )
    with pytest.raises(PermissionDenied):
        plan_adopt(
            plan=risk.plan,
            adopted_on=datetime.date(YEAR, 2, 1),
            reference="§ 3",
            acting_user=planner,
        )
    assert Risk.objects.get().title == "Inköp utanför avtal"
    assert not ControlResult.objects.exists()
    assert ControlPlan.objects.get().state == ControlPlan.State.DRAFT

    # Those with the right may.
    a_risk(bun, title="Delegering", acting_user=planner)
    row = result_save(
        point=point,
        month=4,
        performed_on=datetime.date(YEAR, 4, 2),
        result="OK",
        acting_user=reporter,
    )
    assert row.reported_by == reporter
    history = Risk.history.filter(title="Delegering").get()
    assert history.history_user == planner


# --- No lost updates -----------------------------------------------------------------------------


def test_a_risk_saved_by_someone_else_in_between_is_not_overwritten(bun):
    risk = a_risk(bun)
    seen = risk.version
    risk_save(risk=Risk.objects.get(), title="Först", probability=3, consequence=3)
    with pytest.raises(ConflictError):
        risk_save(
            risk=Risk.objects.get(),
            title="Sen",
            probability=1,
            consequence=1,
            seen_version=seen,
        )
    assert Risk.objects.get().title == "Först"


def test_a_result_saved_by_someone_else_in_between_is_not_overwritten(bun):
    point = a_point(a_risk(bun))
    row = result_save(point=point, month=4, performed_on=datetime.date(YEAR, 4, 2), result="A")
    seen = row.version
    result_save(row=ControlResult.objects.get(), month=4, performed_on=row.performed_on, result="B")
    with pytest.raises(ConflictError):
        result_save(
            row=ControlResult.objects.get(),
            month=4,
            performed_on=row.performed_on,
            result="C",
            seen_version=seen,
        )
    assert ControlResult.objects.get().result == "B"


# --- An adopted plan -----------------------------------------------------------------------------


def test_an_adopted_plan_is_locked_but_its_controls_are_reported(bun, person):
    risk = a_risk(bun)
    plan = risk.plan
    with pytest.raises(ValidationError) as raised:
        plan_adopt(plan=plan, adopted_on=datetime.date(YEAR, 2, 1), reference="")
    assert "Planen har inga kontrollmoment ännu" in messages_of(raised)
    assert "Ange paragraf för beslutet." in messages_of(raised) or raised.value.message_dict.get(
        "reference"
    )
    point = a_point(risk)
    admin = person("admin", "BUN", Role.ADMINISTRATOR)
    plan_adopt(
        plan=plan, adopted_on=datetime.date(YEAR, 2, 1), reference="BUN § 12", acting_user=admin
    )
    plan.refresh_from_db()
    assert plan.adopted and plan.reference == "BUN § 12"

    locked = "kan inte längre ändras"
    with pytest.raises(ValidationError) as raised:
        a_risk(bun, title="Ny risk")
    assert locked in messages_of(raised)
    with pytest.raises(ValidationError) as raised:
        risk_save(risk=risk, title="Ändrad", probability=1, consequence=1)
    assert locked in messages_of(raised)
    with pytest.raises(ValidationError) as raised:
        a_point(risk)
    assert locked in messages_of(raised)
    with pytest.raises(ValidationError):
        plan_adopt(plan=plan, adopted_on=datetime.date(YEAR, 3, 1), reference="BUN § 20")
    assert Risk.objects.count() == 1 and ControlPoint.objects.count() == 1
    assert Risk.objects.get().title == "Inköp utanför avtal"

    result_save(
        point=point,
        month=4,
        performed_on=datetime.date(YEAR, 4, 24),
        result="17 av 20 rätt",
        deviation=True,
        deviation_description="Tre inköp utan avtal",
        measures="Information till beställarna",
    )
    assert ControlResult.objects.count() == 1


# --- Follow-up and counts ------------------------------------------------------------------------


def test_the_followup_gives_each_point_its_latest_result_and_deviations(bun, municipality):
    risk = a_risk(bun)
    first, second = a_point(risk), a_point(risk)
    result_save(
        point=first,
        month=10,
        performed_on=datetime.date(YEAR, 10, 20),
        result="Allt rätt",
    )
    result_save(
        point=first,
        month=4,
        performed_on=datetime.date(YEAR, 4, 20),
        result="Fel hittade",
        deviation=True,
        deviation_description="Två fakturor utan avtal",
        measures="Utbildning",
    )
    rows = plan_followup(risk.plan)
    assert [r.point for r in rows] == [first, second]
    assert rows[0].latest.result == "Allt rätt"
    assert [d.measures for d in rows[0].deviations] == ["Utbildning"]
    assert rows[1].latest is None and rows[1].deviations == []

    school = OrgUnit.objects.get(municipality=municipality, code="SKOLA-1")
    a_risk(school)
    counts = {p.unit.code: p for p in plan_counts(unit=bun, year=YEAR)}
    assert set(counts) == {"BUN", "SKOLA-1"}
    assert (
        counts["BUN"].risk_count,
        counts["BUN"].point_count,
        counts["BUN"].result_count,
        counts["BUN"].deviation_count,
    ) == (1, 2, 2, 1)
    assert (counts["SKOLA-1"].risk_count, counts["SKOLA-1"].point_count) == (1, 0)


# --- The web -------------------------------------------------------------------------------------


def page_url(unit, name="web:internal_control"):
    return reverse(name, args=[unit.pk, YEAR])


def test_the_page_draws_the_matrix_as_a_table(client, bun, person):
    a_risk(bun, 4, 4, title="Inköp utanför avtal")
    a_point(Risk.objects.get())
    client.force_login(person("läsare", "BUN", Role.READER))
    response = client.get(page_url(bun))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Riskmatris 2026, Barn- och utbildningsnämnden" in html
    assert '<th scope="row">4 – allvarlig</th>' in html
    assert '<th scope="col">1 – osannolik</th>' in html
    assert "Riskvärde 16 (röd)" in html and "Riskvärde 1 (grön)" in html
    assert "R1 Inköp utanför avtal" in html
    assert "1–3 grön, 4–6 gul, 8–9 orange, 12–16 röd" in html
    assert "Att inköp görs enligt avtal" in html and "april, oktober" in html
    assert "Lägg till en risk" not in html  # a reader only reads


def test_the_unit_page_links_to_internal_control(client, bun, person):
    client.force_login(person("läsare", "BUN", Role.READER))
    response = client.get(reverse("web:unit", args=[bun.pk]))
    assert page_url(bun) in response.content.decode()


def test_a_planner_adds_and_edits_risks_and_control_points(client, bun, person):
    client.force_login(person("planerare", "BUN", Role.PLANNER))
    url = page_url(bun, "web:internal_control_risk")
    refused = client.post(url, {"title": "Inköp", "probability": "", "consequence": "3"})
    assert refused.status_code == 400
    assert "Sannolikheten anges som ett heltal från 1 till 4." in refused.content.decode()
    assert not Risk.objects.exists()

    saved = client.post(
        url,
        {"title": "Inköp", "probability": "3", "consequence": "4", "response": "control"},
    )
    assert saved.status_code == 302 and saved.url == page_url(bun)
    risk = Risk.objects.get()
    assert (risk.title, risk.score) == ("Inköp", 12)

    edit = client.get(f"{url}?risk={risk.pk}")
    assert f'name="version" value="{risk.version}"' in edit.content.decode()
    fields = {"title": "Inköp utan avtal", "probability": "2", "consequence": "4"}
    fields |= {"response": "control", "version": str(risk.version)}
    assert client.post(f"{url}?risk={risk.pk}", fields).status_code == 302
    stale = client.post(f"{url}?risk={risk.pk}", {**fields, "title": "Gammal"})
    assert stale.status_code == 400
    assert "Din ändring sparades inte" in stale.content.decode()
    assert Risk.objects.get().title == "Inköp utan avtal"

    point_url = page_url(bun, "web:internal_control_point")
    saved = client.post(
        point_url,
        {
            "risk": risk.pk,
            "what": "Avtalstrohet",
            "method": "Stickprov",
            "responsible": "Ekonom",
            "frequency": "Två gånger per år",
            "months": ["4", "10"],
        },
    )
    assert saved.status_code == 302
    assert ControlPoint.objects.get().months == [4, 10]
    page = client.get(page_url(bun)).content.decode()
    assert "Avtalstrohet" in page and "R1 Inköp utan avtal" in page


def test_a_reporter_reports_a_result_with_a_deviation(client, bun, person):
    point = a_point(a_risk(bun))
    client.force_login(person("rapportör", "BUN", Role.REPORTER))
    url = page_url(bun, "web:internal_control_result")
    form = client.get(f"{url}?moment={point.pk}")
    assert form.status_code == 200
    fields = {
        "control_point": point.pk,
        "month": "4",
        "performed_on": f"{YEAR}-04-24",
        "result": "17 av 20 rätt",
        "deviation": "on",
    }
    refused = client.post(url, fields)
    assert refused.status_code == 400
    assert "En avvikelse måste beskrivas." in refused.content.decode()
    assert not ControlResult.objects.exists()

    fields |= {"deviation_description": "Tre inköp utan avtal", "measures": "Information"}
    assert client.post(url, fields).status_code == 302
    page = client.get(page_url(bun)).content.decode()
    assert "Tre inköp utan avtal" in page and "Information" in page


def test_the_administrator_adopts_the_plan_on_the_page(client, bun, person):
    point = a_point(a_risk(bun))
    client.force_login(person("admin", "BUN", Role.ADMINISTRATOR))
    url = page_url(bun, "web:internal_control_adopt")
    refused = client.post(url, {"adopted_on": f"{YEAR}-02-01", "reference": ""})
    assert refused.status_code == 400
    assert ControlPlan.objects.get().state == ControlPlan.State.DRAFT
    done = client.post(url, {"adopted_on": f"{YEAR}-02-01", "reference": "BUN § 12"})
    assert done.status_code == 302
    plan = point.plan
    plan.refresh_from_db()
    assert plan.adopted
    page = client.get(page_url(bun)).content.decode()
    assert "BUN § 12" in page and "Lägg till en risk" not in page
    locked = client.post(
        page_url(bun, "web:internal_control_risk"),
        {"title": "Ny", "probability": "1", "consequence": "1", "response": "accept"},
    )
    assert locked.status_code == 400 and "kan inte längre ändras" in locked.content.decode()


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_gives_a_namnd_a_plan_with_a_deviation(preset_factory):
    municipality = preset_factory("lomma").municipality
    plan = demo_internal_control(municipality=municipality, year=YEAR)
    assert plan.unit.type.is_political and plan.unit.parent_id is not None
    assert plan.risks.count() == 5 and plan.control_points.count() == 5
    results = ControlResult.objects.filter(control_point__plan=plan)
    assert results.count() == 3 and results.filter(deviation=True).count() == 1
    assert any(c.risks for row in risk_matrix(plan) for c in row.cells if c.colour == "red")
    assert demo_internal_control(municipality=municipality, year=YEAR) == plan
    assert ControlPlan.objects.count() == 1 and Risk.objects.count() == 5


def test_the_plan_is_followed_up_at_the_models_periods(bun, municipality, client, person):
    from styr.followup.services import periods_generate
    from styr.internal_control.selectors import followup_by_period

    periods_generate(municipality=municipality, year=YEAR)
    point = a_point(a_risk(bun))  # controlled in april and october
    result_save(
        point=point,
        month=4,
        performed_on=datetime.date(YEAR, 4, 24),
        result="Tre fel",
        deviation=True,
        deviation_description="Tre inköp utan avtal",
    )
    rows = followup_by_period(point.plan)
    assert rows
    for row in rows:
        expected_planned = (row.period.month >= 4) + (row.period.month >= 10)
        assert row.planned == expected_planned
        assert row.performed == (1 if row.period.month >= 4 else 0)
        assert row.deviations == (1 if row.period.month >= 4 else 0)
    year_end = rows[-1]
    assert year_end.period.month == 12 and (year_end.planned, year_end.performed) == (2, 1)

    client.force_login(person("läsare", "BUN", Role.READER))
    html = client.get(page_url(bun)).content.decode()
    assert "Vid uppföljningsperioderna" in html and year_end.period.name in html


def test_a_risk_of_another_units_plan_is_not_reached_through_this_unit(
    client, bun, municipality, person
):
    school = OrgUnit.objects.get(municipality=municipality, code="SKOLA-1")
    other = a_risk(school, title="Skolans risk")
    client.force_login(person("planerare", "BUN", Role.PLANNER))
    url = page_url(bun, "web:internal_control_risk")
    assert client.get(f"{url}?risk={other.pk}").status_code == 404
    fields = {"title": "Kapad", "probability": "1", "consequence": "1", "response": "accept"}
    assert client.post(f"{url}?risk={other.pk}", fields).status_code == 404
    assert Risk.objects.get(pk=other.pk).title == "Skolans risk"


def test_the_overview_of_plans_below_shows_only_what_the_person_may_see(
    client, bun, municipality, person
):
    kf = OrgUnit.objects.get(municipality=municipality, code="KF")
    other = OrgUnit.objects.create(
        municipality=municipality, code="SN", name="Socialnämnden", type=bun.type, parent=kf
    )
    a_risk(bun, title="Nämndens risk")
    a_risk(other, title="Socialnämndens risk")
    client.force_login(person("läsare", "KF", Role.READER))
    html = client.get(page_url(kf)).content.decode()
    assert "Barn- och utbildningsnämnden" in html and "Socialnämnden" in html

    client.force_login(person("skolläsare", "SKOLA-1", Role.READER))
    html = client.get(page_url(kf)).content.decode()
    assert "Barn- och utbildningsnämnden" in html  # above the person's own unit
    assert "Socialnämnden" not in html
