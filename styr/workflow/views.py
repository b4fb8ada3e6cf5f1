from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .selectors import notifications_for
from .services import notifications_mark_read


@require_GET
def notifications(request):
    items = list(notifications_for(user=request.user)[:200])
    return TemplateResponse(
        request,
        "workflow/notifications.html",
        {"title": _("Notifications"), "notifications": items},
    )


@require_POST
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return redirect("workflow:notifications")
