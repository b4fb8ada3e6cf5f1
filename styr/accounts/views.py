"""User administration: thin views over accounts/services.py; the policy decides who may."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from styr.access.policy import units_administered_by
from styr.organisation.models import RoleGrant

from .forms import GrantForm, InviteForm
from .services import role_grant, role_revoke, user_deactivate, user_invite


def _administered(request):
    units = units_administered_by(request.user)
    if not units.exists():
        raise PermissionDenied(_("You do not administer any unit."))
    return units


def _people(units):
    return (
        get_user_model()
        .objects.filter(role_grants__unit__in=units)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _page(request, units, invite_form=None, grant_form=None, status=200):
    people = _people(units)
    grants = RoleGrant.objects.filter(unit__in=units).select_related("unit", "user")
    by_user = {}
    for grant in grants.order_by("unit__path", "role"):
        by_user.setdefault(grant.user_id, []).append(grant)
    context = {
        "title": _("Users and roles"),
        "people": [(person, by_user.get(person.pk, [])) for person in people],
        "invite_form": invite_form or InviteForm(units=units),
        "grant_form": grant_form or GrantForm(units=units, people=people),
    }
    return TemplateResponse(request, "accounts/users.html", context, status=status)


def _refused(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@require_GET
def users(request):
    return _page(request, _administered(request))


@require_POST
def invite(request):
    units = _administered(request)
    form = InviteForm(request.POST, units=units)
    if not form.is_valid():
        return _page(request, units, invite_form=form, status=400)
    data = form.cleaned_data
    try:
        person = user_invite(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            unit=data["unit"],
            role=data["role"],
            base_url=request.build_absolute_uri("/"),
            acting_user=request.user,
        )
    except ValidationError as error:
        _refused(request, error)
        return _page(request, units, invite_form=form, status=400)
    messages.success(request, _("%(email)s has been invited.") % {"email": person.email})
    return redirect("accounts:users")


@require_POST
def grant(request):
    units = _administered(request)
    form = GrantForm(
        request.POST, units=units, people=get_user_model().objects.filter(is_active=True)
    )
    if not form.is_valid():
        return _page(request, units, grant_form=form, status=400)
    data = form.cleaned_data
    role_grant(user=data["user"], unit=data["unit"], role=data["role"], acting_user=request.user)
    messages.success(request, _("The role has been granted."))
    return redirect("accounts:users")


@require_POST
def revoke(request, grant_id: int):
    units = _administered(request)
    role = get_object_or_404(RoleGrant, pk=grant_id, unit__in=units)
    role_revoke(grant=role, acting_user=request.user)
    messages.success(request, _("The role has been revoked."))
    return redirect("accounts:users")


@require_POST
def deactivate(request, user_id: int):
    units = _administered(request)
    person = get_object_or_404(_people(units), pk=user_id)
    try:
        user_deactivate(user=person, acting_user=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect("accounts:users")
    messages.success(request, _("%(name)s can no longer sign in.") % {"name": person})
    return redirect("accounts:users")
