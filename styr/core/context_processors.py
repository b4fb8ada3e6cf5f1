from django.conf import settings


def sign_in(request) -> dict:
    """Whether single sign-on is offered, and how long a locked sign-in stays locked."""
    return {
        "oidc_enabled": settings.OIDC_ENABLED,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
