"""The one permission policy: every role, on a unit inside, above and outside its subtree."""

import pytest
from django.core.exceptions import PermissionDenied

from styr.access.policy import Action, can, units_visible_to, visible_to
from styr.followup.models import Measurement
from styr.followup.services import measurement_report, period_close
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Goal, Indicator

# Granted on Avdelningen för äldreomsorg, Södermalm.  ROS-1 belongs to an enhet below it,
# SOD-ALD-1 to the avdelning itself, SOD-NM-1 to the nämnd above, HAL-NM-1 to another nämnd.
INSIDE, OWN, ABOVE, OUTSIDE = "ROS-1", "SOD-ALD-1", "SOD-NM-1", "HAL-NM-1"

EXPECTED = {
    # role: {action: set of goals where it is allowed}
    Role.READER: {Action.VIEW: {INSIDE, OWN, ABOVE}},
    Role.REPORTER: {Action.VIEW: {INSIDE, OWN, ABOVE}, Action.REPORT: {INSIDE, OWN}},
    Role.PLANNER: {Action.VIEW: {INSIDE, OWN, ABOVE}, Action.PLAN: {INSIDE, OWN}},
    Role.APPROVER: {Action.VIEW: {INSIDE, OWN, ABOVE}, Action.APPROVE: {INSIDE}},
    Role.ADMINISTRATOR: {
        Action.VIEW: {INSIDE, OWN, ABOVE},
        Action.REPORT: {INSIDE, OWN},
        Action.PLAN: {INSIDE, OWN},
        Action.APPROVE: {INSIDE},
        Action.ADMINISTER: {INSIDE, OWN},
    },
}


def grant(preset, user, unit_code: str, role: str) -> None:
    RoleGrant.objects.create(
        municipality=preset.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=preset.municipality, code=unit_code),
        role=role,
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_the_matrix(stockholm, django_user_model, role, action):
    user = django_user_model.objects.create_user("anna", password="x")
    grant(stockholm, user, "SOD-ALD", role)
    allowed = EXPECTED[role].get(action, set())
    for code in (INSIDE, OWN, ABOVE, OUTSIDE):
        goal = stockholm.get(Goal, code)
        assert can(user, action, goal) == (code in allowed), (role, action, code)


def test_a_superuser_may_do_everything_and_a_stranger_nothing(stockholm, django_user_model):
    boss = django_user_model.objects.create_superuser("chef", password="x")
    stranger = django_user_model.objects.create_user("okänd", password="x")
    goal = stockholm.get(Goal, OUTSIDE)
    assert all(can(boss, action, goal) for action in Action)
    assert not any(can(stranger, action, goal) for action in Action)


def test_a_grant_in_another_municipality_gives_nothing_here(preset_factory, django_user_model):
    stockholm, huddinge = preset_factory("stockholm"), preset_factory("huddinge")
    user = django_user_model.objects.create_user("anna", password="x")
    grant(huddinge, user, "KF", Role.ADMINISTRATOR)
    assert not can(user, Action.VIEW, stockholm.get(Goal, INSIDE))
    assert can(user, Action.VIEW, huddinge.get(Goal, "GSN-1"))


def test_periods_are_administered_only_from_the_top(stockholm, django_user_model):
    top = django_user_model.objects.create_user("kf-admin", password="x")
    grant(stockholm, top, "KF", Role.ADMINISTRATOR)
    nämnd = django_user_model.objects.create_user("sdn-admin", password="x")
    grant(stockholm, nämnd, "SDN-SOD", Role.ADMINISTRATOR)
    period = stockholm.period("t1")
    assert can(top, Action.ADMINISTER, period)
    assert not can(nämnd, Action.ADMINISTER, period)
    assert can(nämnd, Action.VIEW, period)
    with pytest.raises(PermissionDenied):
        period_close(period=period, acting_user=nämnd)
    period_close(period=period, acting_user=top)


def test_what_a_user_sees_is_what_the_policy_allows(stockholm, django_user_model):
    user = django_user_model.objects.create_user("anna", password="x")
    grant(stockholm, user, "SOD-ALD", Role.READER)
    goals = set(visible_to(user, Goal.objects.all()).values_list("code", flat=True))
    assert {INSIDE, OWN, ABOVE, "VO-1", "IM-1"} <= goals
    assert OUTSIDE not in goals and "UTN-NM-1" not in goals
    for goal in Goal.objects.all():
        assert (goal.code in goals) == can(user, Action.VIEW, goal), goal.code
    units = set(units_visible_to(user).values_list("code", flat=True))
    assert units == {"KF", "SDN-SOD", "SDF-SOD", "SOD-ALD", "SOD-ROSENLUND", "SOD-HEMTJANST"}


def test_a_reporter_outside_the_subtree_is_refused_and_nothing_changes(
    stockholm, django_user_model
):
    user = django_user_model.objects.create_user("anna", password="x")
    grant(stockholm, user, "SOD-ROSENLUND", Role.REPORTER)
    period = stockholm.period("t1")
    with pytest.raises(PermissionDenied) as error:
        measurement_report(
            indicator=stockholm.get(Indicator, "HAL-I1"),
            period=period,
            values={"T": 1},
            acting_user=user,
        )
    assert "Du får inte" in str(error.value)
    assert not Measurement.objects.exists()
    measurement_report(
        indicator=stockholm.get(Indicator, "ROS-I1"),
        period=period,
        values={"T": 1},
        acting_user=user,
    )
    assert Measurement.objects.get().reported_by == user
