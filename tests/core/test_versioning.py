"""No lost updates: the second of two people saving the same thing is refused with a message that
shows what the first one changed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from styr.core.versioning import ConflictError
from styr.followup.models import Assessment, Measurement
from styr.followup.services import CorrectiveActionInput, assessment_submit, measurement_report
from styr.planning.models import Goal, Indicator


def signed_in(django_user_model, name: str) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser(name, password="x"))
    return client


def form_data(page) -> dict:
    """The change form as the browser would send it back: every input, textarea and select."""
    html = page.content.decode()
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_two_people_editing_the_same_goal_in_the_admin(stockholm, django_user_model):
    goal = stockholm.get(Goal, "SOD-NM-1")
    url = reverse("admin:planning_goal_change", args=[goal.pk])
    anna, bo = signed_in(django_user_model, "anna"), signed_in(django_user_model, "bo")
    annas_form, bos_form = form_data(anna.get(url)), form_data(bo.get(url))
    assert annas_form["seen_version"] == bos_form["seen_version"] == str(goal.version)

    annas_form["title"] = "Bättre dialog med anhöriga"
    assert anna.post(url, annas_form).status_code == 302
    bos_form["title"] = "Anhöriga får veta mer"
    refused = bo.post(url, bos_form)
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "anna sparade detta efter att du öppnade det" in text
    assert "Förbättrad uppföljningsdialog med de anhöriga → Bättre dialog med anhöriga" in text
    assert Goal.objects.get(pk=goal.pk).title == "Bättre dialog med anhöriga"


def test_the_second_outcome_is_refused_and_the_first_kept(stockholm, django_user_model):
    anna = django_user_model.objects.create_superuser("anna", password="x")
    bo = django_user_model.objects.create_superuser("bo", password="x")
    indicator, t1 = stockholm.get(Indicator, "SOD-I6"), stockholm.period("t1")
    measurement_report(indicator=indicator, period=t1, values={"T": 1}, acting_user=anna)
    seen = {"T": Measurement.objects.get(indicator=indicator).version}
    measurement_report(
        indicator=indicator, period=t1, values={"T": 2}, seen_versions=seen, acting_user=anna
    )
    with pytest.raises(ConflictError) as error:
        measurement_report(
            indicator=indicator, period=t1, values={"T": 3}, seen_versions=seen, acting_user=bo
        )
    assert "anna sparade detta" in error.value.messages[0]
    assert "utfall: 1" in error.value.messages[0] and "→ 2" in error.value.messages[0]
    assert Measurement.objects.get(indicator=indicator).value == 2


def test_an_outcome_someone_else_entered_first_is_not_overwritten(stockholm, django_user_model):
    anna = django_user_model.objects.create_superuser("anna", password="x")
    indicator, t1 = stockholm.get(Indicator, "SOD-I6"), stockholm.period("t1")
    measurement_report(indicator=indicator, period=t1, values={"T": 1}, acting_user=anna)
    with pytest.raises(ConflictError) as error:
        measurement_report(
            indicator=indicator, period=t1, values={"T": 5}, seen_versions={"T": None}
        )
    assert "anna rapporterade ett värde här" in error.value.messages[0]


def test_two_assessments_of_the_same_goal(stockholm, django_user_model):
    anna = django_user_model.objects.create_superuser("anna", password="x")
    goal, t1 = stockholm.get(Goal, "ALN-NM-1"), stockholm.period("t1")
    common = {
        "goal": goal,
        "period": t1,
        "analysis": "Analys.",
        "corrective_actions": [CorrectiveActionInput("Åtgärd", "Chef", t1.ends_on)],
    }
    assessment_submit(
        **common, value=stockholm.scale("delvis"), seen_version=None, acting_user=anna
    )
    with pytest.raises(ConflictError):
        assessment_submit(**common, value=stockholm.scale("ej_uppfyllt"), seen_version=None)
    assert Assessment.objects.get(goal=goal).value.key == "delvis"
