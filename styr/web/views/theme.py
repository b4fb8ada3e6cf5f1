"""The municipality's logo, for its pages and its public view: not secret, so open to all."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from styr.organisation.models import Municipality


@login_not_required
@require_GET
def logo(request, code: str):
    municipality = Municipality.objects.filter(code=code).only("logo", "logo_type").first()
    if municipality is None or not municipality.logo:
        raise Http404
    response = HttpResponse(bytes(municipality.logo), content_type=municipality.logo_type)
    # An uploaded SVG opened on its own must not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
