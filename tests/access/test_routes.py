"""Every route, for every role and for a visitor who is not signed in: allowed where the role
allows, refused otherwise. A route that is not in this matrix fails the first test, so a new
endpoint cannot arrive without someone deciding who may use it."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from styr.api_tokens.services import api_token_create
from styr.followup.models import ReportingPeriod
from styr.followup.services import periods_generate
from styr.governance.services import governance_model_load
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Activity, Goal, Indicator
from styr.reports.models import ReportDocument
from styr.workflow.models import Submission

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]

# name -> (method, object key, {role: status}). Roles are granted on the example file's
# Barn- och utbildningsnämnd; "inside" objects belong to its subtree, "outside" ones to another
# nämnd.
SIGN_IN = 302  # not signed in: sent to the sign-in page
ADMIN_ONLY = {ANONYMOUS: SIGN_IN, "reader": 403, "reporter": 403, "planner": 403, "approver": 403}
SIGNED_IN = {**dict.fromkeys(Role.values, 200), ANONYMOUS: SIGN_IN}
# Reporting: those who may report are sent back to the screen (422 when the empty form is
# refused); those who may only read get 403.
REPORTERS = {ANONYMOUS: SIGN_IN, "reader": 403, "planner": 403, "approver": 403}
REPORTERS_422 = {**REPORTERS, "reporter": 422, "administrator": 422}
REPORTERS = {**REPORTERS, "reporter": 302, "administrator": 302}
PLANNERS = {ANONYMOUS: SIGN_IN, "reader": 403, "reporter": 403, "approver": 403, "planner": 200}
PLANNERS["administrator"] = 200
MATRIX = {
    "home": ("get", None, SIGNED_IN),
    "web:red_thread": ("get", None, SIGNED_IN),
    "web:red_thread_branch": ("get", "goal_inside", SIGNED_IN),
    "web:red_thread_branch@outside": (
        "get",
        "goal_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:overview": ("get", None, SIGNED_IN),
    "web:year_wheel": ("get", None, SIGNED_IN),
    # The year's overall judgements (god ekonomisk hushållning): all who see the municipality.
    "web:overall": ("get", "period", SIGNED_IN),
    # A report on its way: all who see the unit read it; each step is for its role.
    "web:submission": ("get", "submission_inside", SIGNED_IN),
    "web:submission@outside": (
        "get",
        "submission_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:submission_step": (
        "post",
        "submission_approve_inside",
        {**dict.fromkeys(ROLES, 403), ANONYMOUS: 302, "approver": 302, "administrator": 302},
    ),
    "web:followup_hand_in": ("post", "followup_inside", REPORTERS),
    "web:goal": ("get", "goal_inside", SIGNED_IN),
    "web:goal@outside": ("get", "goal_outside", {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302}),
    # An indicator against other municipalities in Kolada: all who see the indicator.
    "web:kolada_indicator": ("get", "planned_indicator_inside", SIGNED_IN),
    "web:unit": ("get", "unit_inside", SIGNED_IN),
    "web:unit@outside": ("get", "unit_outside", {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302}),
    "web:followup": ("get", "followup_inside", SIGNED_IN),
    "web:followup@outside": (
        "get",
        "followup_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    # Documents: everyone who sees the unit may download its report.
    "web:report": ("get", "report_inside", SIGNED_IN),
    "web:report@outside": ("get", "report_outside", {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302}),
    # A report's free texts: all who see the unit read them; those who report write them (an
    # empty form is refused with 400).
    "web:report_texts": ("get", "report_inside", SIGNED_IN),
    "web:report_texts@outside": (
        "get",
        "report_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:report_texts@save": (
        "post",
        "report_inside",
        {**REPORTERS, "reporter": 400, "administrator": 400},
    ),
    # Documents made in the background: the same; ordering with an empty form is refused (400).
    "web:documents": ("get", "unit_inside", SIGNED_IN),
    "web:documents@outside": ("get", "unit_outside", {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302}),
    "web:document_request": (
        "post",
        "unit_inside",
        {**dict.fromkeys(Role.values, 400), ANONYMOUS: 302},
    ),
    "web:document_request@outside": (
        "post",
        "unit_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:document_status": ("get", "document_inside", SIGNED_IN),
    "web:document_status@outside": (
        "get",
        "document_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:document_download": ("get", "document_inside", SIGNED_IN),
    "web:document_download@outside": (
        "get",
        "document_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    # Ekonomi: all who see the unit read its budget follow-up; those who report save forecasts
    # and åtgärdsplaner (an empty form is refused with 422). Reading in the accounting file is
    # the controllers' (an administratör of the root unit).
    "web:economy": ("get", "report_inside", SIGNED_IN),
    "web:economy@outside": ("get", "report_outside", {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302}),
    "web:economy@save": ("post", "report_inside", REPORTERS_422),
    "web:economy_import": ("get", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:followup_indicator": ("post", "indicator_inside", REPORTERS),
    "web:followup_activity": ("post", "activity_inside", REPORTERS_422),
    "web:followup_goal": ("post", "goal_report_inside", REPORTERS_422),
    # The Excel import: the template and the upload are for those who may report.
    "web:import_template": (
        "get",
        "followup_inside",
        {**REPORTERS, "reporter": 200, "administrator": 200},
    ),
    "web:import_template@outside": (
        "get",
        "followup_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:import_outcomes": ("post", "followup_inside", REPORTERS_422),
    "web:plan_goal_new": ("get", None, PLANNERS),
    "web:plan_goal_edit": ("get", "goal_inside", PLANNERS),
    "web:plan_indicator_new": ("get", "goal_inside", PLANNERS),
    "web:plan_indicator_new@outside": (
        "get",
        "goal_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:plan_indicator_edit": ("get", "planned_indicator_inside", PLANNERS),
    "web:plan_activity_new": ("get", "goal_inside", PLANNERS),
    "web:plan_activity_edit": ("get", "planned_activity_inside", PLANNERS),
    # Intern kontroll: all who see the unit read it; planners write the risks and control points,
    # reporters the results, the administratör records the adoption (an empty form: 400).
    "web:internal_control": ("get", "report_inside", SIGNED_IN),
    "web:internal_control@outside": (
        "get",
        "report_outside",
        {**dict.fromkeys(ROLES, 404), ANONYMOUS: 302},
    ),
    "web:internal_control_risk": ("get", "report_inside", PLANNERS),
    "web:internal_control_point": ("get", "report_inside", PLANNERS),
    "web:internal_control_result": (
        "get",
        "report_inside",
        {**REPORTERS, "reporter": 200, "administrator": 200},
    ),
    "web:internal_control_adopt": ("post", "report_inside", {**ADMIN_ONLY, "administrator": 400}),
    "accounts:users": ("get", None, {**ADMIN_ONLY, "administrator": 200}),
    "accounts:invite": ("post", None, {**ADMIN_ONLY, "administrator": 400}),
    "accounts:grant": ("post", None, {**ADMIN_ONLY, "administrator": 400}),
    "accounts:revoke": ("post", "grant_inside", {**ADMIN_ONLY, "administrator": 302}),
    "accounts:revoke@outside": ("post", "grant_outside", {**ADMIN_ONLY, "administrator": 404}),
    "accounts:deactivate": ("post", "user_inside", {**ADMIN_ONLY, "administrator": 302}),
    "accounts:deactivate@outside": (
        "post",
        "user_outside",
        {**ADMIN_ONLY, "administrator": 404},
    ),
    # Inställningar are the controllers': an administratör of the root unit. The roles here are
    # granted on a nämnd, so even its administratör is refused.
    "web:settings": ("get", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_municipality": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_model": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_model_load": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_model_file": ("get", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_periods": ("get", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_periods_generate": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_period_close": ("post", "period", {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_period_reopen": ("post", "period", {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_period_decide": ("post", "period", {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_organisation": ("get", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_kolada": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_kolada_sync": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    "web:settings_kolada_kkik": ("post", None, {**ADMIN_ONLY, "administrator": 403}),
    # The municipality's logo is not secret (404 while it has none).
    "web:logo": ("get", "municipality_code", dict.fromkeys(ROLES, 404)),
    "web:search": ("get", None, SIGNED_IN),
    # The public view: open to everyone, signed in or not, while the municipality has turned it
    # on; 404 for everyone while it is off (the default).
    "web:public_home": ("get", "public_on", dict.fromkeys(ROLES, 200)),
    "web:public_home@off": ("get", "public_off", dict.fromkeys(ROLES, 404)),
    "web:public_unit": ("get", "public_on", dict.fromkeys(ROLES, 200)),
    "web:public_unit@off": ("get", "public_off", dict.fromkeys(ROLES, 404)),
    "web:public_goal": ("get", "public_on", dict.fromkeys(ROLES, 200)),
    "web:public_goal@off": ("get", "public_off", dict.fromkeys(ROLES, 404)),
    "web:public_followup": ("get", "public_on", dict.fromkeys(ROLES, 200)),
    "web:public_followup@off": ("get", "public_off", dict.fromkeys(ROLES, 404)),
    "web:public_data": ("get", "public_on", dict.fromkeys(ROLES, 200)),
    "web:public_data@off": ("get", "public_off", dict.fromkeys(ROLES, 404)),
    "web:public_data_file": ("get", "public_on", dict.fromkeys(ROLES, 200)),
    "web:public_data_file@off": ("get", "public_off", dict.fromkeys(ROLES, 404)),
    # Each person's own messages: everyone signed in, whatever the role.
    "workflow:notifications": ("get", None, {**dict.fromkeys(Role.values, 200), ANONYMOUS: 302}),
    "workflow:notifications_read": (
        "post",
        None,
        {**dict.fromkeys(Role.values, 302), ANONYMOUS: 302},
    ),
    # Open to everyone: the way in and out.
    "login": ("get", None, {**dict.fromkeys(Role.values, 302), ANONYMOUS: 200}),
    "logout": ("post", None, dict.fromkeys(ROLES, 302)),
    # Open to everyone: the way in, and choosing a password from an invitation link.
    "password_reset_confirm": ("get", "reset_token", dict.fromkeys(ROLES, 302)),
    "password_reset_complete": ("get", None, dict.fromkeys(ROLES, 200)),
    "oidc_authentication_init": ("get", None, dict.fromkeys(ROLES, 302)),
    "oidc_authentication_callback": ("get", None, dict.fromkeys(ROLES, 302)),
    "oidc_logout": ("post", None, dict.fromkeys(ROLES, 302)),
    # The admin is for superusers (and staff); roles on units do not open it.
    "admin:*": ("get", None, dict.fromkeys(ROLES, SIGN_IN)),
    # Each person's own API keys: everyone signed in (a nameless key is refused with 400);
    # another person's key is 404 to all.
    "api_tokens:tokens": ("get", None, SIGNED_IN),
    "api_tokens:tokens@create": ("post", None, {**dict.fromkeys(Role.values, 400), ANONYMOUS: 302}),
    "api_tokens:revoke": (
        "post",
        "token_outside",
        {**dict.fromkeys(Role.values, 404), ANONYMOUS: 302},
    ),
    # The API is one entry: its endpoints answer 401 (not a sign-in page) to whoever is not
    # signed in, and scope every row by role; tests/api checks each endpoint's permissions.
    # Its OpenAPI description is open to all.
    "api:*": ("get", "api_units", {**dict.fromkeys(Role.values, 200), ANONYMOUS: 401}),
    "api:*@schema": ("get", "api_schema", dict.fromkeys(ROLES, 200)),
}


def route_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in ("admin", "api"):
                names.add(f"{pattern.namespace}:*")
                continue
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else repr(pattern.pattern))
    return names


def test_every_route_is_in_the_matrix():
    declared = {name.split("@")[0] for name in MATRIX}
    assert route_names(get_resolver()) == declared


@pytest.fixture
def world(example_text, django_user_model):
    municipality = governance_model_load(name="exempel.yaml", text=example_text).municipality
    kf = OrgUnit.objects.get(municipality=municipality, code="KF")
    other = OrgUnit.objects.create(
        municipality=municipality,
        code="SN",
        name="Socialnämnden",
        type=kf.children.get().type,
        parent=kf,
    )

    def grant(user, code, role):
        return RoleGrant.objects.create(
            municipality=municipality,
            user=user,
            unit=OrgUnit.objects.get(municipality=municipality, code=code),
            role=role,
        )

    periods_generate(municipality=municipality, year=2026)
    period = ReportingPeriod.objects.filter(municipality=municipality).first()
    school = OrgUnit.objects.get(municipality=municipality, code="SKOLA-1")
    goal_outside = Goal.objects.create(
        municipality=municipality,
        code="SN-1",
        level=Goal.objects.get(municipality=municipality, code="BUN-1").level,
        unit=other,
        title="Ett mål utanför",
        valid_from=datetime.date(2026, 1, 1),
    )
    inside = django_user_model.objects.create_user("inne")
    outside = django_user_model.objects.create_user("ute")
    report = Submission.objects.create(
        municipality=municipality, unit=school, kind="report", year=period.year, period=period
    )
    report_outside = Submission.objects.create(
        municipality=municipality, unit=other, kind="report", year=period.year, period=period
    )
    documents = [
        ReportDocument.objects.create(
            municipality=municipality,
            unit=unit,
            year=2026,
            format="pdf",
            state=ReportDocument.State.DONE,
            file_name="Plan 2026.pdf",
            content_type="application/pdf",
            content=b"%PDF-",
        )
        for unit in (school, other)
    ]
    return {
        "document_inside": documents[0],
        "document_outside": documents[1],
        "submission_inside": report,
        "submission_outside": report_outside,
        "municipality": municipality,
        "grant": grant,
        "grant_inside": grant(inside, "SKOLA-1", Role.READER),
        "grant_outside": grant(outside, other.code, Role.READER),
        "user_inside": inside,
        "goal_inside": Goal.objects.get(municipality=municipality, code="SKOLA-1-1"),
        "goal_report_inside": Goal.objects.get(municipality=municipality, code="SKOLA-1-1"),
        "goal_outside": goal_outside,
        "unit_inside": school,
        "unit_outside": other,
        "period": period,
        "indicator_inside": Indicator.objects.get(municipality=municipality, code="BUN-I1"),
        "activity_inside": Activity.objects.get(municipality=municipality, code="A-1"),
        "planned_indicator_inside": Indicator.objects.get(municipality=municipality, code="BUN-I1"),
        "planned_activity_inside": Activity.objects.get(municipality=municipality, code="A-1"),
        "user_outside": outside,
        "token_outside": api_token_create(user=outside, name="BI", scope="read")[0],
    }


def url_for(name: str, key: str | None, world) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    route = name.split("@")[0]
    if route == "admin:*":
        return reverse("admin:index")
    if route == "api:*":
        return "/api/v1/units" if key == "api_units" else "/api/v1/openapi.json"
    if route == "home":
        return "/"
    if key == "reset_token":
        user = world["user_inside"]
        return reverse(
            route,
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    period = world["period"].pk
    if key == "followup_inside":
        return reverse(route, args=[world["unit_inside"].pk, period])
    if key == "followup_outside":
        return reverse(route, args=[world["unit_outside"].pk, period])
    if key in ("report_inside", "report_outside"):
        unit = world["unit_inside" if key == "report_inside" else "unit_outside"]
        return reverse(route, args=[unit.pk, world["period"].year]) + f"?period={period}"
    if key in ("indicator_inside", "activity_inside", "goal_report_inside"):
        item = world[key]
        return reverse(route, args=[item.unit_id, period, item.pk])
    if key in ("public_on", "public_off"):
        return public_url(route, world, on=key == "public_on")
    if key == "submission_approve_inside":
        return reverse(route, args=[world["submission_inside"].pk, "approve"])
    if key == "municipality_code":
        return reverse(route, args=[world["municipality"].code])
    if key is not None:
        return reverse(route, args=[world[key].pk])
    return reverse(route)


def public_url(route: str, world, on: bool) -> str:
    """A page of the public view, with an adopted plan and a decided follow-up to show."""
    from styr.followup.services import period_decide
    from styr.workflow.models import Submission

    municipality, school, period = world["municipality"], world["unit_inside"], world["period"]
    municipality.public_view = on
    municipality.save(update_fields=["public_view"])
    Submission.objects.create(
        municipality=municipality,
        unit=school,
        kind=Submission.Kind.PLAN,
        year=2026,
        state=Submission.State.ADOPTED,
        adopted_on=datetime.date(2025, 12, 10),
        adopted_reference="§ 12",
    )
    period_decide(period=period, decided_on=period.ends_on, reference="KF § 1")
    args = {
        "web:public_home": [],
        "web:public_unit": [school.pk, 2026],
        "web:public_goal": [world["goal_inside"].pk],
        "web:public_followup": [school.pk, period.pk],
        "web:public_data": [],
        "web:public_data_file": ["goals", "csv"],
    }[route]
    return reverse(route, args=[municipality.code, *args])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_the_route_matrix(name, role, world, client):
    method, key, expected = MATRIX[name]
    if role != ANONYMOUS:
        user = get_user_model().objects.create_user(f"som-{role}")
        world["grant"](user, "BUN", role)
        client.force_login(user)
    response = getattr(client, method)(url_for(name, key, world))
    assert response.status_code == expected[role], (name, role, response.status_code)
