"""Fixtures shared by the web tests."""

import pytest

from styr.organisation.models import OrgUnit, Role, RoleGrant


@pytest.fixture
def chef(stockholm, django_user_model, client):
    user = django_user_model.objects.create_user("chef", first_name="Karin", last_name="Chef")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND"),
        role=Role.REPORTER,
    )
    client.force_login(user)
    return user
