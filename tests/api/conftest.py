import pytest

from styr.api_tokens.services import api_token_create
from styr.organisation.models import OrgUnit, Role, RoleGrant


@pytest.fixture
def person(stockholm, django_user_model):
    """A person who may report for Södermalms stadsdelsnämnd and below."""

    def make(role=Role.REPORTER, unit="SDN-SOD", username=None):
        user = django_user_model.objects.create_user(username or f"{role}-{unit}".lower())
        RoleGrant.objects.create(
            municipality=stockholm.municipality,
            user=user,
            unit=OrgUnit.objects.get(municipality=stockholm.municipality, code=unit),
            role=role,
        )
        return user

    return make


@pytest.fixture
def reporter(person):
    return person()


@pytest.fixture
def bearer():
    """Request headers with a new API key of `user`."""

    def make(user, scope="read_write"):
        _row, token = api_token_create(user=user, name="BI", scope=scope)
        return {"Authorization": f"Bearer {token}"}

    return make
