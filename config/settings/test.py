"""Test settings: fast hashing, the same database selection as everywhere (DATABASE_URL)."""

import json

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Single sign-on against a fake identity provider: the tests answer its addresses with
# requests-mock, so nothing leaves the machine.
OIDC_ENABLED = True
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "styr.accounts.oidc.StyrOIDCBackend"]  # noqa: F405
OIDC_RP_CLIENT_ID = "styr-test"
OIDC_RP_CLIENT_SECRET = "fake-identity-provider-secret-for-tests-only"
OIDC_RP_SIGN_ALGO = "HS256"
OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.test/authorize"
OIDC_OP_TOKEN_ENDPOINT = "https://idp.test/token"
OIDC_OP_USER_ENDPOINT = "https://idp.test/userinfo"
OIDC_GROUP_ROLES = json.dumps(
    {
        "styr-rapportorer-sodermalm": [
            {"municipality": "0180", "unit": "SDN-SOD", "role": "reporter"}
        ],
        "styr-lasare-stockholm": [{"municipality": "0180", "unit": "KF", "role": "reader"}],
    }
)
