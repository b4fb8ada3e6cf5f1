"""God ekonomisk hushållning (Lomma): the year's overall judgement from the financial goals and the
riktade mål by the model's rule — on its page, in the command line, and counted right."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.followup.selectors import OverallJudgement, OverallPart, overall_judgements
from styr.followup.services import (
    CorrectiveActionInput,
    assessment_submit,
    measurement_report,
    periods_generate,
)
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator, IndicatorGoal, Target

ACTION = [CorrectiveActionInput("Åtgärd", "Chef", datetime.date(2026, 12, 1))]
FINANCIAL = ("FM-1", "FM-2", "FM-3")
DIRECTED = ("RM-1", "RM-2", "RM-3")


def assess(preset, period, assessments: dict[str, str]) -> None:
    for code, key in assessments.items():
        assessment_submit(
            goal=preset.get(Goal, code),
            period=period,
            value=preset.scale(key),
            analysis="Analys.",
            motivation="Bedömt.",
            next_year="Arbetet fortsätter.",
            corrective_actions=ACTION,
        )


def all_met(codes=FINANCIAL + DIRECTED) -> dict[str, str]:
    return dict.fromkeys(codes, "uppfyllt")


@pytest.fixture
def lomma(preset_factory):
    return preset_factory("lomma")


@pytest.fixture
def reader(lomma, django_user_model, client):
    user = django_user_model.objects.create_user("politiker")
    RoleGrant.objects.create(
        municipality=lomma.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=lomma.municipality, code="KF"),
        role=Role.READER,
    )
    client.force_login(user)
    return user


def page(client, period) -> str:
    response = client.get(f"/samlad-bedomning/{period.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# --- The rule ------------------------------------------------------------------------------------


def test_the_verdict_flips_between_incomplete_not_reached_and_reached(lomma):
    year = lomma.period("ar")
    [judgement] = overall_judgements(period=year)
    assert judgement.verdict == (
        "God ekonomisk hushållning kan inte bedömas ännu – 6 mål saknar bedömning"
    )
    assess(lomma, year, {**all_met(), "FM-2": "ej_uppfyllt", "RM-3": "delvis"})
    [judgement] = overall_judgements(period=year)
    assert judgement.complete and judgement.state == "not_reached"
    assert judgement.verdict == "God ekonomisk hushållning uppnås inte"
    assess(lomma, year, {"FM-2": "uppfyllt", "RM-3": "uppfyllt"})
    [judgement] = overall_judgements(period=year)
    assert judgement.verdict == "God ekonomisk hushållning uppnås"
    assert judgement.rule == (
        "God ekonomisk hushållning uppnås när minst 75 % av finansiella mål och minst 75 % av "
        "riktade mål är uppfyllda."
    )


def judgement_of(*parts: tuple[int, int, int], share="0.75", prognosis=False) -> OverallJudgement:
    """A judgement over parts given as (goals, assessed, met), each needing `share` met."""
    return OverallJudgement(
        key="gek",
        name="God ekonomisk hushållning",
        parts=[
            OverallPart(levels=["Mål"], goals=g, assessed=a, met=m, min_share=Decimal(share))
            for g, a, m in parts
        ],
        prognosis=prognosis,
    )


def test_reached_as_soon_as_the_missing_assessments_cannot_lower_it():
    # 3 of 4 met is exactly the 75 % required; the fourth can only add to it.
    judgement = judgement_of((4, 3, 3), (3, 3, 3))
    assert not judgement.complete and judgement.decided and judgement.reached
    assert judgement.state == "reached"
    assert judgement.verdict == (
        "God ekonomisk hushållning uppnås – 1 mål saknar ännu bedömning men kan inte ändra det"
    )
    prognosis = judgement_of((4, 3, 3), (8, 6, 6), prognosis=True)
    assert prognosis.state == "reached"
    assert prognosis.verdict == (
        "God ekonomisk hushållning bedöms uppnås – 3 mål saknar ännu bedömning men kan inte "
        "ändra det"
    )


def test_not_reached_as_soon_as_the_missing_ones_could_not_lift_it():
    # 1 of 3 not met: even if the other two are, 2 of 3 (67 %) is less than 75 %.
    judgement = judgement_of((3, 1, 0), (3, 0, 0))
    assert not judgement.complete and judgement.decided and not judgement.reached
    assert judgement.state == "not_reached"
    assert judgement.verdict == (
        "God ekonomisk hushållning uppnås inte – 5 mål saknar ännu bedömning men kan inte ändra det"
    )
    assert judgement_of((3, 1, 0), (3, 0, 0), prognosis=True).verdict == (
        "God ekonomisk hushållning bedöms inte uppnås – 5 mål saknar ännu bedömning men kan inte "
        "ändra det"
    )


def test_still_open_while_the_missing_ones_could_go_either_way():
    judgement = judgement_of((3, 0, 0), (3, 0, 0))
    assert not judgement.decided and judgement.state == "incomplete"
    assert judgement.verdict == (
        "God ekonomisk hushållning kan inte bedömas ännu – 6 mål saknar bedömning"
    )
    # The boundary: 2 met and 1 not of 4 reaches exactly 75 % only if the last one is met.
    judgement = judgement_of((4, 3, 2), (3, 3, 3))
    assert not judgement.decided and judgement.state == "incomplete"
    assert judgement.verdict == (
        "God ekonomisk hushållning kan inte bedömas ännu – 1 mål saknar bedömning"
    )


def test_one_part_out_of_reach_decides_it_though_another_is_open():
    judgement = judgement_of((3, 1, 0), (3, 1, 1))
    assert not judgement.parts[1].reached and judgement.parts[1].reachable
    assert judgement.decided and judgement.state == "not_reached"
    assert judgement.verdict == (
        "God ekonomisk hushållning uppnås inte – 4 mål saknar ännu bedömning men kan inte ändra det"
    )


def test_both_bounds_round_the_share_like_the_share_shown():
    # Two thirds is shown as 67 %, which is enough for 67 %: reachable, and reached once met.
    assert judgement_of((3, 2, 1), share="0.67").state == "incomplete"
    assert judgement_of((3, 2, 2), share="0.67").state == "reached"
    assert judgement_of((3, 3, 2), share="0.67").verdict == "God ekonomisk hushållning uppnås"
    assert judgement_of((3, 3, 1), share="0.67").verdict == "God ekonomisk hushållning uppnås inte"
    # A level without goals in force is never reached, as before.
    assert judgement_of((0, 0, 0)).state == "not_reached"


def test_a_prognosis_says_what_is_expected(lomma):
    delar = lomma.period("delar")
    assess(lomma, delar, all_met())
    [judgement] = overall_judgements(period=delar, with_goals=True)
    assert judgement.verdict == "God ekonomisk hushållning bedöms uppnås"
    assert judgement.parts[0].items[0].assessment_label == "Bedöms uppfyllas"
    assess(lomma, delar, {"RM-1": "ej_uppfyllt"})
    [judgement] = overall_judgements(period=delar)
    assert judgement.verdict == "God ekonomisk hushållning bedöms inte uppnås"


def test_a_riktat_mal_directed_to_several_namnder_counts_once(lomma):
    rm3 = lomma.get(Goal, "RM-3")
    assert rm3.directed_to.count() == 2  # Miljö- och byggnadsnämnden and Tekniska nämnden
    year = lomma.period("ar")
    assess(lomma, year, {"RM-1": "uppfyllt", "RM-2": "ej_uppfyllt", "RM-3": "uppfyllt"})
    [judgement] = overall_judgements(period=year, with_goals=True)
    directed = judgement.parts[1]
    assert (directed.goals, directed.assessed, directed.met) == (3, 3, 2)
    assert [item.goal.code for item in directed.items] == ["RM-1", "RM-2", "RM-3"]


def test_only_goals_in_force_in_the_periods_year_count(lomma):
    # RM-2 holds through 2026; RM-1 and RM-3 into 2027.
    later = next(
        p
        for p in periods_generate(municipality=lomma.municipality, year=2027)
        if p.definition.key == "ar"
    )
    assess(lomma, later, {"RM-1": "uppfyllt", "RM-3": "uppfyllt"})
    [judgement] = overall_judgements(period=later, with_goals=True)
    directed = judgement.parts[1]
    assert (directed.goals, directed.met) == (2, 2)
    assert [item.goal.code for item in directed.items] == ["RM-1", "RM-3"]


def test_a_draft_goal_does_not_count(lomma):
    Goal.objects.filter(pk=lomma.get(Goal, "RM-2").pk).update(status=Goal.Status.DRAFT)
    [judgement] = overall_judgements(period=lomma.period("ar"))
    assert judgement.parts[1].goals == 2


# --- The page ------------------------------------------------------------------------------------


def report_key_figures(lomma, period) -> None:
    measurement_report(
        indicator=lomma.get(Indicator, "I-FM1"), period=period, values={"T": "2,4"}, forecast="2,1"
    )
    measurement_report(
        indicator=lomma.get(Indicator, "I-FM3"), period=period, values={"T": "65"}, forecast="72,5"
    )


def test_the_page_shows_verdict_rule_goals_and_key_figures(lomma, reader, client):
    delar = lomma.period("delar")
    report_key_figures(lomma, delar)
    assess(lomma, delar, {**all_met(FINANCIAL), "RM-1": "uppfyllt", "RM-2": "delvis"})
    html = page(client, delar)
    assert "God ekonomisk hushållning, Delårsrapport 2026" in html
    # RM-3 is not assessed, but with RM-2 only partly met the riktade mål cannot reach 75 %.
    assert (
        "God ekonomisk hushållning bedöms inte uppnås – 1 mål saknar ännu bedömning men kan inte "
        "ändra det" in html
    )
    assert "minst 75 % av finansiella mål och minst 75 % av riktade mål" in html
    assert "Delårsrapport 2026 är en prognos" in html
    # Each financial goal with its key figures: outcome, forecast for the year, target, unit.
    assert lomma.get(Goal, "FM-1").title in html
    assert "Soliditet inklusive pensionsåtagande" in html
    assert "2,4 %" in html and "2,1 %" in html and "2 %" in html
    assert "65 %" in html and "72,5 %" in html and "70 %" in html
    assert "öka från 35 % (2025)" in html  # soliditeten ska öka: against the baseline
    assert "Prognos helår" in html
    # Assessments in the scale's prognosis words, with the riktat mål's nämnder.
    assert "Bedöms uppfyllas" in html and "Bedöms delvis uppfyllas" in html
    assert "Inte bedömt" in html
    assert "Riktat till" in html and "Tekniska nämnden" in html
    assert "3 av 3 mål bedöms uppfyllas (100 %)" in html
    assert "1 av 3 mål bedöms uppfyllas (33 %)" in html
    assert "kravet är inte uppfyllt" in html


def test_the_year_end_page_says_uppnas_in_the_scales_words(lomma, reader, client):
    year = lomma.period("ar")
    assess(lomma, year, {**all_met(), "FM-3": "ej_uppfyllt"})
    html = page(client, year)
    assert "God ekonomisk hushållning uppnås" in html
    assert "Ej uppfyllt" in html and "Uppfyllt" in html
    assert "Prognos helår" not in html
    assert "2 av 3 mål uppfyllda (67 %)" in html


def test_a_model_without_overall_judgements_says_so(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("admin", is_superuser=True)
    client.force_login(user)
    assert "Styrmodellen har inga samlade bedömningar." in page(client, stockholm.period("t2"))


def test_another_municipalitys_period_is_not_found(lomma, stockholm, reader, client):
    assert client.get(f"/samlad-bedomning/{stockholm.period('t2').pk}/").status_code == 404


def test_links_from_kf_and_the_overview_only_when_the_model_has_judgements(
    lomma, stockholm, reader, client
):
    kf = OrgUnit.objects.get(municipality=lomma.municipality, code="KF")
    link = f"/samlad-bedomning/{lomma.period('ar').pk}/"
    assert link in client.get(f"/enheter/{kf.pk}/?ar=2026").content.decode()
    assert link in client.get(f"/uppfoljning/{kf.pk}/{lomma.period('ar').pk}/").content.decode()
    deep = OrgUnit.objects.filter(municipality=lomma.municipality, depth__gte=2).first()
    assert "/samlad-bedomning/" not in client.get(f"/enheter/{deep.pk}/?ar=2026").content.decode()
    assess(lomma, lomma.period("delar"), {"FM-1": "uppfyllt"})
    overview = client.get("/oversikt/").content.decode()
    assert f"/samlad-bedomning/{lomma.period('delar').pk}/" in overview
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=reader,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="KF"),
        role=Role.READER,
    )
    kf_stockholm = OrgUnit.objects.get(municipality=stockholm.municipality, code="KF")
    assert "/samlad-bedomning/" not in client.get(f"/enheter/{kf_stockholm.pk}/").content.decode()


def add_financial_goals(lomma, count: int) -> None:
    """More financial goals, each with an indicator, a target, an outcome and an assessment."""
    base = lomma.get(Goal, "FM-1")
    period = lomma.period("delar")
    for n in range(count):
        goal = Goal.objects.create(
            municipality=lomma.municipality,
            code=f"FM-X{n}",
            level=base.level,
            unit=base.unit,
            title=f"Extra finansiellt mål {n}",
            valid_from=datetime.date(2026, 1, 1),
        )
        indicator = Indicator.objects.create(
            municipality=lomma.municipality, code=f"I-X{n}", name=f"Nyckeltal {n}", unit=base.unit
        )
        IndicatorGoal.objects.create(
            municipality=lomma.municipality, indicator=indicator, goal=goal
        )
        Target.objects.create(
            municipality=lomma.municipality, indicator=indicator, year=2026, value=n
        )
        measurement_report(indicator=indicator, period=period, values={"T": n}, forecast=n)
        assess(lomma, period, {goal.code: "uppfyllt"})


def test_the_page_reads_in_a_fixed_number_of_queries(lomma, reader, client):
    delar = lomma.period("delar")
    report_key_figures(lomma, delar)
    assess(lomma, delar, all_met())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, delar)
        return len(captured)

    before = queries()
    add_financial_goals(lomma, 5)
    assert "Extra finansiellt mål 4" in page(client, delar)
    assert queries() == before


def test_the_page_gives_the_verdict_as_soon_as_it_is_decided(lomma, reader, client):
    year = lomma.period("ar")
    add_unassessed_financial_goal(lomma)  # 3 of 4 financial goals met is exactly 75 %
    assess(lomma, year, {**all_met(), "FM-1": "ej_uppfyllt"})
    html = page(client, year)
    # 2 of 4 met, 1 not: 75 % only if FM-4 is met — still open.
    assert 'data-state="incomplete"' in html
    assert "God ekonomisk hushållning kan inte bedömas ännu – 1 mål saknar bedömning" in html
    assess(lomma, year, {"FM-1": "uppfyllt"})
    html = page(client, year)
    assert 'data-state="reached"' in html and "#1a7f37" in html
    assert (
        "God ekonomisk hushållning uppnås – 1 mål saknar ännu bedömning men kan inte ändra det"
        in html
    )
    assert "kan inte bedömas ännu" not in html
    assess(lomma, year, {"RM-2": "ej_uppfyllt"})
    html = page(client, year)
    assert 'data-state="not_reached"' in html
    assert (
        "God ekonomisk hushållning uppnås inte – 1 mål saknar ännu bedömning men kan inte ändra "
        "det" in html
    )


def add_unassessed_financial_goal(lomma) -> None:
    base = lomma.get(Goal, "FM-1")
    Goal.objects.create(
        municipality=lomma.municipality,
        code="FM-4",
        level=base.level,
        unit=base.unit,
        title="Ett fjärde finansiellt mål",
        valid_from=datetime.date(2026, 1, 1),
    )


# --- The command line ----------------------------------------------------------------------------


def test_the_command_prints_the_verdict_and_its_parts(lomma, capsys):
    delar, year = lomma.period("delar"), lomma.period("ar")
    report_key_figures(lomma, delar)
    assess(lomma, delar, all_met())
    assess(lomma, year, {**all_met(), "RM-2": "ej_uppfyllt"})
    call_command("overall", municipality="1262", year=2026, period="delar")
    out = capsys.readouterr().out
    assert "Delårsrapport 2026" in out
    assert "God ekonomisk hushållning bedöms uppnås" in out
    assert "minst 75 % av finansiella mål och minst 75 % av riktade mål" in out
    assert (
        "Finansiella mål: 3 av 3 bedöms uppfyllas (100 %), minst 75 % krävs – kravet är uppfyllt"
        in out
    )
    assert "FM-1" in out and "Bedöms uppfyllas" in out
    assert "utfall 2,4 %, prognos 2,1 %, målvärde 2 %" in out
    call_command("overall", municipality="1262", year=2026)
    out = capsys.readouterr().out
    assert "Delårsrapport 2026" in out and "Årsredovisning 2026" in out
    assert "God ekonomisk hushållning uppnås inte" in out
    assert "Riktade mål: 2 av 3 uppfyllda (67 %), minst 75 % krävs – kravet är inte uppfyllt" in out


def test_the_command_gives_the_verdict_as_soon_as_it_is_decided(lomma, capsys):
    year = lomma.period("ar")
    add_unassessed_financial_goal(lomma)
    assess(lomma, year, {**all_met(), "FM-1": "ej_uppfyllt"})

    def verdict() -> str:
        call_command("overall", municipality="1262", year=2026, period="ar")
        return capsys.readouterr().out.splitlines()[1].strip()

    assert verdict() == "God ekonomisk hushållning kan inte bedömas ännu – 1 mål saknar bedömning"
    assess(lomma, year, {"FM-1": "uppfyllt"})
    assert verdict() == (
        "God ekonomisk hushållning uppnås – 1 mål saknar ännu bedömning men kan inte ändra det"
    )
    assess(lomma, year, {"RM-2": "ej_uppfyllt"})
    assert verdict() == (
        "God ekonomisk hushållning uppnås inte – 1 mål saknar ännu bedömning men kan inte ändra det"
    )


def test_the_command_refuses_an_unknown_municipality_or_period(lomma):
    with pytest.raises(CommandError, match="Ingen kommun har koden 9999"):
        call_command("overall", municipality="9999", year=2026)
    with pytest.raises(
        CommandError, match=r"ingen period tertial under 2026\. Det finns: ar, delar, kvartal"
    ):
        call_command("overall", municipality="1262", year=2026, period="tertial")
