"""User administration for a municipality's administratör: invite, grant and revoke roles on
units, deactivate. Every step checks the permission policy and is kept in the history."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from styr.access.policy import Action, can, require
from styr.core.history import records_acting_user
from styr.organisation.models import OrgUnit, Role, RoleGrant


@transaction.atomic
@records_acting_user
def role_grant(*, user, unit: OrgUnit, role: str, acting_user=None) -> RoleGrant:
    require(acting_user, Action.ADMINISTER, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    grant, _created = RoleGrant.objects.get_or_create(
        municipality_id=unit.municipality_id,
        user=user,
        unit=unit,
        role=role,
        defaults={"granted_by": acting_user},
    )
    return grant


@transaction.atomic
@records_acting_user
def role_revoke(*, grant: RoleGrant, acting_user=None) -> None:
    require(acting_user, Action.ADMINISTER, grant.unit)
    grant.delete()


@transaction.atomic
@records_acting_user
def user_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    unit: OrgUnit,
    role: str,
    base_url: str,
    acting_user=None,
):
    """Create the account (or find it by e-mail), grant the role and send a link to choose a
    password. The account has no password until the person chooses one."""
    require(acting_user, Action.ADMINISTER, unit)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Give a valid e-mail address.")}) from None
    users = get_user_model().objects
    user = users.filter(email__iexact=email).first()
    if user is None:
        user = users.create_user(
            username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
        )  # no password given: unusable until the person chooses one
    role_grant(user=user, unit=unit, role=role, acting_user=acting_user)
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    text = _(
        "You have been given access to Styr, %(municipality)s's system for goals and results, "
        "as %(role)s for %(unit)s. Choose your password here: %(link)s"
    ) % {
        "municipality": unit.municipality.name,
        "role": Role(role).label,
        "unit": unit.name,
        "link": link,
    }
    transaction.on_commit(
        lambda: send_mail(
            _("Welcome to Styr"), text, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True
        )
    )
    return user


@transaction.atomic
@records_acting_user
def user_deactivate(*, user, acting_user=None) -> None:
    """Close the account. Only someone who administers every unit the person has a role on may."""
    grants = list(RoleGrant.objects.filter(user=user).select_related("unit"))
    if acting_user is not None and not (
        getattr(acting_user, "is_superuser", False)
        or (grants and all(can(acting_user, Action.ADMINISTER, g.unit) for g in grants))
    ):
        raise PermissionDenied(_("You may only deactivate people in the units you administer."))
    if user == acting_user:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = False
    user.save()
