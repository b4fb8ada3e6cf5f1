"""Documents for download: a unit's plan or a period's report as Word, PDF or a web page."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from styr.access.policy import units_visible_to
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.reports.documents import report_document

from .common import access


class ReportForm(forms.Form):
    period = forms.IntegerField(required=False, min_value=1)
    format = forms.ChoiceField(
        choices=[("docx", "Word"), ("pdf", "PDF"), ("html", gettext_lazy("web page"))],
        required=False,
    )
    samlad = forms.BooleanField(required=False)


def sees_subtree(user, unit: OrgUnit) -> bool:
    """The units above one's own are visible for the röda tråd, but not their other branches:
    a report over a subtree needs every unit in it."""
    subtree = OrgUnit.objects.in_subtree(unit)
    return units_visible_to(user, subtree).count() == subtree.count()


def require_subtree(user, unit: OrgUnit) -> None:
    if not sees_subtree(user, unit):
        raise PermissionDenied(
            _("You may read this unit but not every unit below it: choose its own report.")
        )


@require_GET
def report(request, unit_pk: int, year: int):
    unit = access(request.user, OrgUnit, unit_pk)
    if not 2000 <= year <= 2100:
        raise Http404
    form = ReportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("The report cannot be made: choose Word, PDF or web page."),
            content_type="text/plain; charset=utf-8",
        )
    period = None
    if form.cleaned_data["period"]:
        period = access(
            request.user,
            ReportingPeriod,
            form.cleaned_data["period"],
            municipality_id=unit.municipality_id,
            year=year,
        )
    consolidated = form.cleaned_data["samlad"]
    if consolidated:
        require_subtree(request.user, unit)
    document = report_document(
        unit=unit,
        year=year,
        period=period,
        consolidated=consolidated,
        document_format=form.cleaned_data["format"] or "pdf",
    )
    response = HttpResponse(document.content, content_type=document.content_type)
    # A download in every format: the web page carries its own styles, which the site's
    # Content-Security-Policy would block if it were shown here.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.file_name
    )
    return response
