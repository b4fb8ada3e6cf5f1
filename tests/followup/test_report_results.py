"""What a report returns is what is stored: the caller draws it without reading it back."""

import datetime

from styr.followup.models import Assessment, Forecast, Measurement
from styr.followup.services import CorrectiveActionInput, assessment_submit, measurement_report
from styr.planning.models import Goal, Indicator


def stored_values(indicator, period) -> dict:
    return dict(
        Measurement.objects.filter(period=period, indicator=indicator).values_list(
            "gender", "value"
        )
    )


def test_an_outcome_report_returns_the_rows_as_stored(stockholm):
    indicator = stockholm.get(Indicator, "ROS-I2")
    period = stockholm.period("t2")
    first = measurement_report(
        indicator=indicator,
        period=period,
        values={"T": "85,5", "K": "88", "M": "80"},
        forecast="90",
        comment=" Bra. ",
    )
    assert first.values == stored_values(indicator, period)
    assert {g: str(v) for g, v in first.values.items()} == {
        g: str(v) for g, v in stored_values(indicator, period).items()
    }  # to the same decimal places
    second = measurement_report(
        indicator=indicator, period=period, values={"T": "86", "K": "88", "M": ""}, forecast="91"
    )
    assert second.values == stored_values(indicator, period) == {"T": 86, "K": 88}
    for gender, row in second.measurements.items():
        stored = Measurement.objects.get(pk=row.pk)
        assert (gender, row.value, row.version) == (stored.gender, stored.value, stored.version)
    forecast = Forecast.objects.get(indicator=indicator, period=period)
    assert (second.forecast.pk, second.forecast.version) == (forecast.pk, forecast.version)
    assert second.forecast.value == forecast.value == 91 and forecast.comment == ""
    cleared = measurement_report(indicator=indicator, period=period, values={"T": "", "K": ""})
    assert cleared.values == cleared.measurements == {} == stored_values(indicator, period)


def test_an_assessment_comes_back_with_its_åtgärder_in_their_order(
    stockholm, django_assert_num_queries
):
    goal = stockholm.get(Goal, "ROS-2")
    period = stockholm.period("t2")
    actions = [
        CorrectiveActionInput("Senare", "Chefen", datetime.date(2026, 11, 30)),
        CorrectiveActionInput("Först", "Teamet", datetime.date(2026, 10, 31)),
    ]
    assessment = assessment_submit(
        goal=goal,
        period=period,
        value=stockholm.scale("delvis"),
        analysis="Analys.",
        motivation="Motivering.",
        corrective_actions=actions,
    )
    with django_assert_num_queries(0):
        drawn = [(a.pk, a.description, a.due_on) for a in assessment.corrective_actions.all()]
        first = assessment.corrective_actions.first()
    stored = Assessment.objects.get(pk=assessment.pk).corrective_actions.all()
    assert drawn == [(a.pk, a.description, a.due_on) for a in stored]
    assert first.description == "Först"
