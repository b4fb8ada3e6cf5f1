"""Search across the goals, indicators and activities a person may see."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import search as selectors


@require_GET
def search(request):
    query = (request.GET.get("q") or "").strip()[: selectors.MAX_QUERY]
    result = selectors.search(user=request.user, query=query)
    return TemplateResponse(
        request,
        "web/search.html",
        {"title": _("Search"), "query": query, "result": result},
    )
