from django.conf import settings


def sign_in(request) -> dict:
    """Whether single sign-on is offered, how long a locked sign-in stays locked, and whether the
    signed-in person administers users or, as a controller, a whole municipality's settings (so
    the menu offers them)."""
    from styr.access.policy import administered_depth

    user = getattr(request, "user", None)
    # Both from the shallowest unit administered; a root unit makes a controller.
    depth = administered_depth(user) if user and user.is_authenticated else None
    administers = depth is not None
    return {
        "oidc_enabled": settings.OIDC_ENABLED,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "administers_users": administers,
        "is_controller": depth == 0,
    }


def theme(request) -> dict:
    """The municipality whose name, logo and colour the pages wear: the signed-in person's first
    municipality. A public page passes its own `theme` in the context, which takes precedence."""
    from django.utils.functional import SimpleLazyObject

    from styr.access.policy import role_grants
    from styr.organisation.models import Municipality
    from styr.web.selectors import user_municipality_ids

    def first_municipality():
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated):
            return None
        if not user.is_superuser:
            # The municipalities come with the request's grants (without the logo).
            municipalities = [g.municipality for g in role_grants(user)]
            return min(municipalities, key=lambda m: m.pk, default=None)
        ids = user_municipality_ids(user)
        return Municipality.objects.filter(pk=ids[0]).defer("logo").first() if ids else None

    return {"theme": SimpleLazyObject(first_municipality)}
