"""Writes for the organisation: role grants, and the municipality's own settings."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from styr.access.policy import units_administered_by
from styr.core.history import acting_as

from .models import Municipality, OrgUnit, Role, RoleGrant


@transaction.atomic
def role_grants_sync(*, user, wanted: list[dict]) -> None:
    """Make the user's roles from single sign-on exactly `wanted` ({municipality, unit, role});
    grants made by hand are kept. Unknown units or roles in the mapping are skipped, not guessed."""
    units = {
        (m_code, u_code): unit
        for m_code, u_code, unit in (
            (unit.municipality.code, unit.code, unit)
            for unit in OrgUnit.objects.filter(
                code__in={g.get("unit") for g in wanted},
                municipality__in=Municipality.objects.filter(
                    code__in={g.get("municipality") for g in wanted}
                ),
            ).select_related("municipality")
        )
    }
    keep = set()
    with acting_as(user):
        for grant in wanted:
            unit = units.get((grant.get("municipality"), grant.get("unit")))
            if unit is None or grant.get("role") not in Role.values:
                continue
            row, _created = RoleGrant.objects.get_or_create(
                municipality=unit.municipality,
                user=user,
                unit=unit,
                role=grant["role"],
                defaults={"source": RoleGrant.Source.SSO},
            )
            keep.add(row.pk)
        for stale in RoleGrant.objects.filter(user=user, source=RoleGrant.Source.SSO).exclude(
            pk__in=keep
        ):
            stale.delete()


# --- The municipality's own settings -------------------------------------------------------------

LOGO_MAX_BYTES = 200 * 1024
LOGO_TYPES = {
    "image/png": ("PNG", (".png",)),
    "image/jpeg": ("JPEG", (".jpg", ".jpeg")),
    "image/svg+xml": ("SVG", (".svg",)),
}


def _logo_type(content: bytes) -> str | None:
    """The image type by the file's first bytes, whatever its name says."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    try:
        head = content[:4096].decode("utf-8").lstrip("\ufeff \t\r\n")
    except UnicodeDecodeError:
        return None
    if head.startswith("<") and "<svg" in head:
        return "image/svg+xml"
    return None


def logo_too_large(size: int) -> str:
    return _("The logo may be at most %(max)s kB; this file is %(size)s kB.") % {
        "max": LOGO_MAX_BYTES // 1024,
        "size": -(-size // 1024),
    }


def logo_check(*, content: bytes, name: str) -> str:
    """The logo's content type, or a ValidationError in Swedish saying what is wrong with it."""
    if not content:
        raise ValidationError({"logo": _("The file is empty.")})
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationError({"logo": logo_too_large(len(content))})
    content_type = _logo_type(content)
    if content_type is None:
        raise ValidationError(
            {"logo": _("The file is not a PNG, JPEG or SVG image. Choose a logo in one of them.")}
        )
    kind, suffixes = LOGO_TYPES[content_type]
    if not name.lower().endswith(suffixes):
        raise ValidationError(
            {
                "logo": _(
                    "The file is a %(kind)s image but its name does not say so (%(name)s). "
                    "Name it %(suffix)s."
                )
                % {"kind": kind, "name": name, "suffix": " / ".join(suffixes)}
            }
        )
    if content_type == "image/svg+xml" and b"<script" in content.lower():
        raise ValidationError(
            {"logo": _("An SVG logo may not contain scripts. Save it without them.")}
        )
    return content_type


def require_controller(user, municipality: Municipality) -> None:
    """The municipality's settings belong to those who administer its whole organisation."""
    if user is None:
        return  # the system itself: the demo, a command
    if not units_administered_by(user).filter(municipality=municipality, depth=0).exists():
        raise PermissionDenied(
            _("Only the administrators of the whole of %(municipality)s may change its settings.")
            % {"municipality": municipality.name}
        )


@transaction.atomic
def municipality_settings_update(
    *,
    municipality: Municipality,
    colour: str | None = None,
    public_view: bool | None = None,
    logo: bytes | None = None,
    logo_name: str = "",
    remove_logo: bool = False,
    acting_user=None,
) -> Municipality:
    """Change the municipality's colour, logo and public view; None leaves a value as it is.
    Nothing is saved unless all of it is valid, and every save keeps a history row naming who
    did it (the logo itself is kept out of the history, its type and the reason are not)."""
    require_controller(acting_user, municipality)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    reasons = []
    if colour is not None and colour.lower() != municipality.colour.lower():
        municipality.colour = colour
        reasons.append(_("colour changed"))
    if public_view is not None and public_view != municipality.public_view:
        municipality.public_view = public_view
        reasons.append(_("public view turned on") if public_view else _("public view turned off"))
    if logo is not None:
        municipality.logo_type = logo_check(content=logo, name=logo_name)
        municipality.logo = logo
        reasons.append(_("new logo"))
    elif remove_logo and municipality.logo_type:
        municipality.logo, municipality.logo_type = b"", ""
        reasons.append(_("logo removed"))
    if not reasons:
        return municipality
    municipality.full_clean()
    municipality._change_reason = ", ".join(reasons)[:100]
    with acting_as(acting_user):
        municipality.save()
    return municipality
