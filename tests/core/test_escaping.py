"""Every free-text field is shown escaped: a script typed into any text of any object never runs
on any admin page that shows it."""

import datetime

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from styr.followup.services import (
    CorrectiveActionInput,
    activity_report,
    assessment_submit,
    measurement_report,
)
from styr.planning.models import Activity, Goal, Indicator

PAYLOAD = "<script>alert(1)</script>"


def poison(model) -> None:
    """Put the payload into every free-text field of every row of the model."""
    values = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField) and field.name == "texts":
            continue
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if field.unique or field.name in {"code", "key", "path", "password", "username"}:
            continue
        if field.max_length and field.max_length < len(PAYLOAD):
            continue
        values[field.name] = PAYLOAD
    if values:
        model.objects.update(**values)


@pytest.fixture
def everything(stockholm, django_user_model, client):
    t1 = stockholm.period("t1")
    measurement_report(
        indicator=stockholm.get(Indicator, "SOD-I1"),
        period=t1,
        values={"T": 1},
        forecast=2,
        comment="x",
    )
    activity_report(
        activity=stockholm.get(Activity, "SOD-A1"),
        period=t1,
        status=stockholm.status("senarelagd"),
        comment="x",
    )
    assessment_submit(
        goal=stockholm.get(Goal, "SOD-NM-1"),
        period=t1,
        value=stockholm.scale("delvis"),
        analysis="x",
        motivation="x",
        corrective_actions=[CorrectiveActionInput("x", "x", datetime.date(2026, 6, 1))],
    )
    Goal.objects.update(texts={"forvantat_resultat": PAYLOAD})
    client.force_login(django_user_model.objects.create_superuser("controller", password="x"))
    return client


MODELS = [m for m in admin.site._registry if m._meta.app_label != "auth"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_script_in_any_text_is_shown_escaped(everything, model):
    poison(model)
    opts = model._meta
    pages = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
    obj = model.objects.first()
    if obj is not None:
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        if hasattr(obj, "history"):
            pages.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
            )
    for url in pages:
        page = everything.get(url)
        assert page.status_code == 200, url
        assert PAYLOAD not in page.content.decode(), url
