import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from styr.planning.models import GoalLink, IndicatorGoal, Target
from tests.governance.factories import GoalLevelFactory
from tests.organisation.factories import MunicipalityFactory, OrgUnitFactory
from tests.planning.factories import ActivityFactory, GoalFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


def test_a_goal_level_is_allowed_only_for_its_owner_unit_types():
    goal = GoalFactory()
    other_unit = OrgUnitFactory(municipality=goal.municipality)  # a unit of another type
    goal.unit = other_unit
    with pytest.raises(ValidationError) as raised:
        goal.full_clean()
    assert "unit" in raised.value.message_dict


def test_a_goal_may_only_link_to_a_parent_at_an_allowed_level():
    parent = GoalFactory()
    child_level = GoalLevelFactory(model=parent.level.model, owners=[parent.unit.type])
    child = GoalFactory(unit=parent.unit, level=child_level)
    link = GoalLink(municipality=child.municipality, goal=child, parent=parent)
    with pytest.raises(ValidationError):
        link.full_clean()
    child_level.parent_levels.add(
        parent.level, through_defaults={"municipality": child.municipality}
    )
    link.full_clean()


def test_a_goal_cannot_be_its_own_parent():
    goal = GoalFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalLink.objects.create(municipality=goal.municipality, goal=goal, parent=goal)


def test_goal_texts_must_be_the_levels():
    goal = GoalFactory()
    goal.level.text_fields = [{"key": "arbetssatt", "label": "Arbetssätt"}]
    goal.level.save()
    goal.texts = {"arbetssatt": "Så här.", "okant": "?"}
    with pytest.raises(ValidationError) as raised:
        goal.full_clean()
    assert "okant" in str(raised.value)


def test_activity_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(start=datetime.date(2026, 6, 1), end=datetime.date(2026, 1, 1))


def test_a_target_needs_a_value_or_a_change():
    indicator = IndicatorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(municipality=indicator.municipality, indicator=indicator, year=2026)
    Target.objects.create(
        municipality=indicator.municipality, indicator=indicator, year=2026, change="increase"
    )


def test_a_baseline_is_a_value():
    indicator = IndicatorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            municipality=indicator.municipality,
            indicator=indicator,
            year=2025,
            kind="baseline",
            change="increase",
        )


def test_the_level_limits_the_number_of_indicators():
    goal = GoalFactory()
    goal.level.max_indicators = 1
    goal.level.save()
    first, second = IndicatorFactory(unit=goal.unit), IndicatorFactory(unit=goal.unit)
    IndicatorGoal.objects.create(municipality=goal.municipality, indicator=first, goal=goal)
    link = IndicatorGoal(municipality=goal.municipality, indicator=second, goal=goal)
    with pytest.raises(ValidationError) as raised:
        link.full_clean()
    assert "1" in str(raised.value)


def test_a_row_cannot_point_into_another_municipality():
    goal = GoalFactory()
    stranger_unit = OrgUnitFactory(municipality=MunicipalityFactory())
    indicator = IndicatorFactory(unit=goal.unit)
    indicator.unit = stranger_unit
    with pytest.raises(ValidationError) as raised:
        indicator.full_clean()
    assert "unit" in raised.value.message_dict


def test_kolada_source_needs_a_kpi_id():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(source="kolada", kolada_kpi="")
