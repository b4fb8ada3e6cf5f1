"""A municipality's administratör invites people, grants and revokes roles and deactivates
accounts — only within the units they administer, and every step is kept in the history."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from styr.organisation.models import OrgUnit, Role, RoleGrant

XSS = "<script>alert('x')</script>"


def unit(preset, code):
    return OrgUnit.objects.get(municipality=preset.municipality, code=code)


@pytest.fixture
def admin_of_södermalm(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("admin-sod", password="x", email="a@s.se")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=unit(stockholm, "SDN-SOD"),
        role=Role.ADMINISTRATOR,
    )
    client.force_login(user)
    return user


@pytest.fixture
def chef(stockholm, django_user_model):
    user = django_user_model.objects.create_user("chef", first_name=XSS, email="chef@s.se")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=unit(stockholm, "SOD-ROSENLUND"),
        role=Role.REPORTER,
    )
    return user


def test_the_page_shows_the_people_of_the_administered_units(
    stockholm, admin_of_södermalm, chef, client, django_user_model
):
    outsider = django_user_model.objects.create_user("hal-chef")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=outsider,
        unit=unit(stockholm, "HAL-HEMTJANST"),
        role=Role.REPORTER,
    )
    page = client.get(reverse("accounts:users"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Användare och roller" in text
    assert "Rosenlunds vård- och omsorgsboende" in text and "hal-chef" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text and XSS not in text


def test_an_invitation_creates_the_account_grants_the_role_and_sends_a_link(
    stockholm, admin_of_södermalm, client, django_user_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invite"),
            {
                "email": "Ny.Chef@Stockholm.se",
                "first_name": "Ny",
                "last_name": "Chef",
                "unit": unit(stockholm, "SOD-HEMTJANST").pk,
                "role": Role.REPORTER,
            },
        )
    assert response.status_code == 302
    person = django_user_model.objects.get(email="ny.chef@stockholm.se")
    assert not person.has_usable_password()
    grant = RoleGrant.objects.get(user=person)
    assert (grant.unit.code, grant.role, grant.granted_by) == (
        "SOD-HEMTJANST",
        "reporter",
        admin_of_södermalm,
    )
    [message] = mail.outbox
    assert message.subject == "Välkommen till Styr" and "rapportör" in message.body
    link = re.search(r"http://testserver(/konto/losenord/\S+/)", message.body).group(1)
    client.logout()
    set_password = client.get(link, follow=True)
    assert set_password.status_code == 200
    assert 'name="new_password1"' in set_password.content.decode()


def test_grant_and_revoke_are_kept_in_the_history(stockholm, admin_of_södermalm, chef, client):
    client.post(
        reverse("accounts:grant"),
        {"user": chef.pk, "unit": unit(stockholm, "SOD-ALD").pk, "role": Role.PLANNER},
    )
    grant = RoleGrant.objects.get(user=chef, role=Role.PLANNER)
    client.post(reverse("accounts:revoke", args=[grant.pk]))
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    kinds = list(
        RoleGrant.history.filter(id=grant.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user__username")
    )
    assert kinds == [("+", "admin-sod"), ("-", "admin-sod")]


def test_nothing_outside_the_administered_units(stockholm, admin_of_södermalm, chef, client):
    refused = client.post(
        reverse("accounts:grant"),
        {"user": chef.pk, "unit": unit(stockholm, "SDN-HAL").pk, "role": Role.ADMINISTRATOR},
    )
    assert refused.status_code == 400
    assert not RoleGrant.objects.filter(user=chef, unit__code="SDN-HAL").exists()
    elsewhere = RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=chef,
        unit=unit(stockholm, "UTN"),
        role=Role.READER,
    )
    assert client.post(reverse("accounts:revoke", args=[elsewhere.pk])).status_code == 404
    # The chef now has a role outside Södermalm too, so only a wider administrator may close
    # the account.
    assert client.post(reverse("accounts:deactivate", args=[chef.pk])).status_code == 403
    chef.refresh_from_db()
    assert chef.is_active


def test_a_deactivated_person_cannot_sign_in(stockholm, admin_of_södermalm, chef, client):
    chef.set_password("chefs-lösenord-1")
    chef.save()
    assert client.post(reverse("accounts:deactivate", args=[chef.pk])).status_code == 302
    chef.refresh_from_db()
    assert not chef.is_active
    assert [r.is_active for r in chef.history.order_by("history_date")][-1] is False
    client.logout()
    login = client.post("/admin/login/", {"username": "chef", "password": "chefs-lösenord-1"})
    assert "_auth_user_id" not in client.session and login.status_code == 200


@pytest.mark.parametrize("role", [Role.READER, Role.REPORTER, Role.PLANNER, Role.APPROVER])
def test_other_roles_may_not_administer(stockholm, django_user_model, client, chef, role):
    user = django_user_model.objects.create_user("vanlig")
    RoleGrant.objects.create(
        municipality=stockholm.municipality, user=user, unit=unit(stockholm, "KF"), role=role
    )
    client.force_login(user)
    assert client.get(reverse("accounts:users")).status_code == 403
    assert client.post(reverse("accounts:deactivate", args=[chef.pk])).status_code == 403
    assert chef.__class__.objects.get(pk=chef.pk).is_active
