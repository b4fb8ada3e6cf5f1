"""Every route, for every role and for a visitor who is not signed in: allowed where the role
allows, refused otherwise. A route that is not in this matrix fails the first test, so a new
endpoint cannot arrive without someone deciding who may use it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from styr.governance.services import governance_model_load
from styr.organisation.models import OrgUnit, Role, RoleGrant

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]

# name -> (method, object key, {role: status}). Roles are granted on the example file's
# Barn- och utbildningsnämnd; "inside" objects belong to its subtree, "outside" ones to another
# nämnd.
SIGN_IN = 302  # not signed in: sent to the sign-in page
ADMIN_ONLY = {ANONYMOUS: SIGN_IN, "reader": 403, "reporter": 403, "planner": 403, "approver": 403}
MATRIX = {
    "home": ("get", None, dict.fromkeys(ROLES, 302)),
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
    # Each person's own messages: everyone signed in, whatever the role.
    "workflow:notifications": ("get", None, {**dict.fromkeys(Role.values, 200), ANONYMOUS: 302}),
    "workflow:notifications_read": (
        "post",
        None,
        {**dict.fromkeys(Role.values, 302), ANONYMOUS: 302},
    ),
    # Open to everyone: the way in, and choosing a password from an invitation link.
    "password_reset_confirm": ("get", "reset_token", dict.fromkeys(ROLES, 302)),
    "password_reset_complete": ("get", None, dict.fromkeys(ROLES, 200)),
    "oidc_authentication_init": ("get", None, dict.fromkeys(ROLES, 302)),
    "oidc_authentication_callback": ("get", None, dict.fromkeys(ROLES, 302)),
    "oidc_logout": ("post", None, dict.fromkeys(ROLES, 302)),
    # The admin is for superusers (and staff); roles on units do not open it.
    "admin:*": ("get", None, dict.fromkeys(ROLES, SIGN_IN)),
}


def route_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                names.add("admin:*")
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

    inside = django_user_model.objects.create_user("inne")
    outside = django_user_model.objects.create_user("ute")
    return {
        "grant": grant,
        "grant_inside": grant(inside, "SKOLA-1", Role.READER),
        "grant_outside": grant(outside, other.code, Role.READER),
        "user_inside": inside,
        "user_outside": outside,
    }


def url_for(name: str, key: str | None, world) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    route = name.split("@")[0]
    if route == "admin:*":
        return reverse("admin:index")
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
    if key in ("grant_inside", "grant_outside"):
        return reverse(route, args=[world[key].pk])
    if key in ("user_inside", "user_outside"):
        return reverse(route, args=[world[key].pk])
    return reverse(route)


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
