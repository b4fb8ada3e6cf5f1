"""What every page module shares: fetching through the policy, the person's municipality, and
turning service errors into messages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from styr.access.policy import Action, can

from .. import selectors


def access(user, model, pk, action=Action.VIEW, **lookup):
    """The object if the user may see it (404 alike for missing and hidden), and 403 if they may
    see it but not do `action` to it. `model` may also be a queryset (to select related rows)."""
    queryset = model if isinstance(model, QuerySet) else model.objects
    try:
        # get(), not first(): one row by primary key needs no ORDER BY (nor its joins).
        obj = queryset.get(pk=pk, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if not can(user, Action.VIEW, obj):
        raise Http404
    if action != Action.VIEW and not can(user, action, obj):
        raise PermissionDenied(_("You may read this but not change it."))
    return obj


def chosen_municipality_id(request) -> int:
    ids = selectors.user_municipality_ids(request.user)
    if not ids:
        raise PermissionDenied(_("You have no role in any municipality yet."))
    chosen = request.GET.get("kommun")
    return int(chosen) if chosen and chosen.isdigit() and int(chosen) in ids else ids[0]


def error_messages(error: Exception) -> list[str]:
    return list(getattr(error, "messages", [str(error)]))


def form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            target = field if field in form.fields else None
            for text in texts:
                form.add_error(target, text)
    else:
        for message in error.messages:
            form.add_error(None, message)
