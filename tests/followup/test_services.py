"""Reporting in a period: outcomes per gender, forecasts, statuses, assessments — and the locks."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from styr.followup.models import ActivityReport, Assessment, Measurement, ReportingPeriod
from styr.followup.services import (
    CorrectiveActionInput,
    activity_report,
    assessment_submit,
    assignment_report,
    measurement_report,
    period_close,
    period_decide,
    period_reopen,
    periods_generate,
)
from styr.planning.models import Activity, Assignment, Goal, Indicator


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_periods_follow_each_model_and_are_generated_once(preset_factory):
    expected = {
        "stockholm": ["Tertialrapport 1", "Tertialrapport 2", "Verksamhetsberättelse"],
        "lomma": ["Kvartalsrapport", "Delårsrapport", "Årsredovisning"],
    }
    for name, names in expected.items():
        preset = preset_factory(name)
        assert [p.definition.name for p in preset.periods] == names
        again = periods_generate(municipality=preset.municipality, year=2026)
        assert [p.pk for p in again] == [p.pk for p in preset.periods]
    svenljunga = preset_factory("svenljunga")
    months = [(p.definition.name, p.month) for p in svenljunga.periods]
    assert ("Delårsrapport", 4) in months and ("Delårsbokslut", 8) in months
    assert ("Årsbokslut", 12) in months
    assert sum(1 for name, _m in months if name == "Månadsrapport") == 8


def test_deadlines_put_units_before_their_forvaltning_and_nämnd(stockholm):
    t1 = stockholm.period("t1")
    assert t1.ends_on == datetime.date(2026, 4, 30)
    enhet, forvaltning, namnd = (t1.deadline_for(k) for k in ("enhet", "forvaltning", "namnd"))
    assert enhet < forvaltning < namnd


def test_outcome_per_gender_derives_the_total_when_additive(stockholm):
    indicator = stockholm.get(Indicator, "SOD-I2")
    indicator.gender_split = indicator.additive = True
    indicator.save()
    report = measurement_report(
        indicator=indicator, period=stockholm.period("t1"), values={"K": "7", "M": "5"}
    )
    assert report.values == {"K": Decimal(7), "M": Decimal(5), "T": Decimal(12)}
    total = Measurement.objects.get(indicator=indicator, gender="T")
    assert total.source == Measurement.Source.DERIVED
    with pytest.raises(ValidationError) as error:
        measurement_report(
            indicator=indicator, period=stockholm.period("t1"), values={"T": 13, "K": 7, "M": 5}
        )
    assert "kvinnor plus män (12)" in messages(error.value)


def test_a_share_split_by_gender_takes_the_total_as_entered(stockholm):
    indicator = stockholm.get(Indicator, "SOD-I1")  # a share: women and men do not add up
    report = measurement_report(
        indicator=indicator,
        period=stockholm.period("t1"),
        values={"T": "80,5", "K": 82, "M": 77},
        forecast="83",
        comment="Fler svar än förra året.",
    )
    assert report.values["T"] == Decimal("80.5")
    assert report.forecast.value == Decimal(83)
    assert report.forecast.comment == "Fler svar än förra året."


def test_an_indicator_not_split_by_gender_refuses_women_and_men(stockholm):
    indicator = stockholm.get(Indicator, "SOD-I6")
    with pytest.raises(ValidationError) as error:
        measurement_report(indicator=indicator, period=stockholm.period("t1"), values={"K": 1})
    assert "inte uppdelad på kön" in messages(error.value)
    assert not Measurement.objects.exists()


def test_a_value_that_is_not_a_number_changes_nothing(stockholm):
    indicator = stockholm.get(Indicator, "SOD-I6")
    with pytest.raises(ValidationError) as error:
        measurement_report(indicator=indicator, period=stockholm.period("t1"), values={"T": "tre"})
    assert "Skriv ett tal" in messages(error.value)
    assert not Measurement.objects.exists()


def test_a_deviating_activity_status_needs_a_comment(stockholm):
    activity = stockholm.get(Activity, "SOD-A2")
    with pytest.raises(ValidationError) as error:
        activity_report(
            activity=activity, period=stockholm.period("t1"), status=stockholm.status("senarelagd")
        )
    assert "kommentar" in messages(error.value)
    report = activity_report(
        activity=activity,
        period=stockholm.period("t1"),
        status=stockholm.status("senarelagd"),
        comment="Enkätleverantören blev försenad.",
    )
    assert report.status.key == "senarelagd"


def test_an_assignment_is_followed_up_like_an_activity(stockholm):
    assignment = stockholm.get(Assignment, "SOD-U1")
    report = assignment_report(
        assignment=assignment, period=stockholm.period("t2"), status=stockholm.status("pagar")
    )
    assert report.period.definition.key == "t2"


def test_a_decided_period_refuses_every_change_and_keeps_what_was_reported(stockholm):
    period = stockholm.period("t1")
    indicator = stockholm.get(Indicator, "SOD-I6")
    measurement_report(indicator=indicator, period=period, values={"T": "0,5"})
    period_decide(period=period, decided_on=datetime.date(2026, 6, 10), reference="SDN § 45")
    with pytest.raises(ValidationError) as error:
        measurement_report(indicator=indicator, period=period, values={"T": "2"})
    assert "är låst" in messages(error.value) and "SDN § 45" in messages(error.value)
    assert Measurement.objects.get(indicator=indicator).value == Decimal("0.5")
    with pytest.raises(ValidationError):
        activity_report(
            activity=stockholm.get(Activity, "SOD-A1"),
            period=period,
            status=stockholm.status("genomford"),
        )
    with pytest.raises(ValidationError):
        period_reopen(period=period)
    assert ReportingPeriod.objects.get(pk=period.pk).state == ReportingPeriod.State.DECIDED


def test_a_closed_period_takes_no_reports_until_reopened(stockholm):
    period = period_close(period=stockholm.period("t1"))
    activity = stockholm.get(Activity, "SOD-A1")
    done = stockholm.status("genomford")
    with pytest.raises(ValidationError) as error:
        activity_report(activity=activity, period=period, status=done)
    assert "stängd" in messages(error.value)
    period_reopen(period=period)
    activity_report(activity=activity, period=period, status=done)
    assert ActivityReport.objects.count() == 1


def test_a_period_is_not_decided_before_it_ends_or_without_a_reference(stockholm):
    period = stockholm.period("t2")
    with pytest.raises(ValidationError):
        period_decide(period=period, decided_on=datetime.date(2026, 7, 1), reference="KF § 1")
    with pytest.raises(ValidationError):
        period_decide(period=period, decided_on=datetime.date(2026, 10, 1), reference=" ")
    assert ReportingPeriod.objects.get(pk=period.pk).state == ReportingPeriod.State.OPEN


def test_assessment_that_differs_from_the_suggestion_needs_motivation_and_actions(stockholm):
    period = stockholm.period("t1")
    goal = stockholm.get(Goal, "HAL-NM-1")
    indicator = stockholm.get(Indicator, "HAL-I1")
    # 13 people against an årsmål of at most 14: the suggestion is uppfyllt.
    measurement_report(indicator=indicator, period=period, values={"T": 13})
    partly = stockholm.scale("delvis")
    with pytest.raises(ValidationError) as error:
        assessment_submit(goal=goal, period=period, value=partly, analysis="Sjukfrånvaro i vår.")
    text = messages(error.value)
    assert "skiljer sig från förslaget (Uppfyllt)" in text
    assert "minst en åtgärd" in text
    assert not Assessment.objects.exists()

    assessment = assessment_submit(
        goal=goal,
        period=period,
        value=partly,
        analysis="Sjukfrånvaro i vår.",
        motivation="Utfallet är ett enstaka bra månadsvärde.",
        corrective_actions=[
            CorrectiveActionInput(
                "Fasta scheman i arbetslagen", "Enhetschef", datetime.date(2026, 9, 1)
            )
        ],
    )
    assert assessment.suggested_value.key == "uppfyllt"
    assert assessment.value.key == "delvis"
    assert assessment.corrective_actions.get().responsible == "Enhetschef"


def test_the_final_period_asks_how_the_work_goes_on_next_year(stockholm):
    period = stockholm.period("vb")
    goal = stockholm.get(Goal, "HAL-NM-1")
    measurement_report(
        indicator=stockholm.get(Indicator, "HAL-I1"), period=period, values={"T": 18}
    )
    action = CorrectiveActionInput("Ny schemamodell", "Enhetschef", datetime.date(2027, 3, 1))
    kwargs = {
        "goal": goal,
        "period": period,
        "value": stockholm.scale("ej_uppfyllt"),
        "analysis": "Kontinuiteten försämrades under hösten.",
        "corrective_actions": [action],
    }
    with pytest.raises(ValidationError) as error:
        assessment_submit(**kwargs)
    assert "nästa år" in messages(error.value)
    assessment = assessment_submit(**kwargs, next_year="Målet finns kvar 2027 med nya arbetssätt.")
    assert assessment.next_year.startswith("Målet finns kvar")
