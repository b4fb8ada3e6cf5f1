from django.conf import settings


def sign_in(request) -> dict:
    """Whether single sign-on is offered, how long a locked sign-in stays locked, and whether the
    signed-in person administers users (so the menu offers it)."""
    from styr.access.policy import units_administered_by

    user = getattr(request, "user", None)
    administers = bool(user and user.is_authenticated and units_administered_by(user).exists())
    return {
        "oidc_enabled": settings.OIDC_ENABLED,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "administers_users": administers,
    }
