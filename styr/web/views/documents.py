"""A unit's documents made in the background: the list with the decided versions, ordering a
new one, how far it has come, and the finished file. Who may read the unit may order its
report, as with the direct download; a report over the units below needs all of them."""

import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.reports.models import ReportDocument
from styr.reports.services import document_request as document_order

from .common import access
from .reports import require_subtree, sees_subtree

FORMATS = [
    ("pdf", "PDF"),
    ("docx", "Word"),
    ("html", gettext_lazy("web page")),
    ("xlsx", "Excel"),
]
FORMAT_LABELS = dict(FORMATS)


class DocumentForm(forms.Form):
    """What to make: the plan of a year or a period's report (one list, grouped by year)."""

    report = forms.ChoiceField(
        label=gettext_lazy("Report"), widget=forms.Select(attrs={"class": "ds-input"})
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=FORMATS,
        initial="pdf",
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    consolidated = forms.BooleanField(
        label=gettext_lazy("Together with the units below"), required=False
    )

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {
            str(p.pk): p
            for p in ReportingPeriod.objects.filter(municipality_id=unit.municipality_id)
            .select_related("definition")
            .order_by("-year", "month", "definition__order")
        }
        this_year = datetime.date.today().year
        years = sorted({this_year, *(p.year for p in self.periods.values())}, reverse=True)
        self.fields["report"].choices = [
            (
                str(year),
                [(f"plan-{year}", _("Plan %(year)s") % {"year": year})]
                + [(pk, p.name) for pk, p in self.periods.items() if p.year == year],
            )
            for year in years
        ]
        self.fields["report"].initial = f"plan-{this_year}"
        if not unit.children.exists():
            del self.fields["consolidated"]

    def clean_report(self) -> tuple[int, ReportingPeriod | None]:
        value = self.cleaned_data["report"]
        if value.startswith("plan-"):
            return int(value.removeprefix("plan-")), None
        period = self.periods[value]
        return period.year, period


def _labelled(document: ReportDocument) -> ReportDocument:
    document.format_label = FORMAT_LABELS.get(document.format, document.format)
    return document


def _document(request, pk: int) -> ReportDocument:
    """The document if the user may read its unit (and the units below, for a consolidated
    one)."""
    document = access(request.user, ReportDocument, pk)
    if document.consolidated:
        require_subtree(request.user, document.unit)
    return _labelled(document)


def _page(request, unit: OrgUnit, form: DocumentForm, status: int = 200):
    documents = (
        ReportDocument.objects.filter(unit=unit)
        .defer("content")
        .select_related("period__definition", "requested_by")
        .order_by("-created_at", "-pk")
    )
    if not sees_subtree(request.user, unit):
        documents = documents.filter(consolidated=False)
    return TemplateResponse(
        request,
        "web/documents.html",
        {
            "title": _("Documents: %(unit)s") % {"unit": unit.name},
            "unit": unit,
            "form": form,
            "documents": [_labelled(d) for d in documents],
        },
        status=status,
    )


@require_GET
def documents(request, unit_pk: int):
    unit = access(request.user, OrgUnit, unit_pk)
    return _page(request, unit, DocumentForm(unit=unit))


@require_POST
def document_request(request, unit_pk: int):
    unit = access(request.user, OrgUnit, unit_pk)
    form = DocumentForm(request.POST, unit=unit)
    if not form.is_valid():
        return _page(request, unit, form, status=400)
    consolidated = form.cleaned_data.get("consolidated", False)
    if consolidated:
        require_subtree(request.user, unit)
    year, period = form.cleaned_data["report"]
    document_order(
        user=request.user,
        unit=unit,
        year=year,
        period=period,
        consolidated=consolidated,
        document_format=form.cleaned_data["format"],
    )
    messages.success(
        request, _("The document has been ordered. It is listed below when it is finished.")
    )
    return redirect("web:documents", unit_pk=unit.pk)


@require_GET
def document_status(request, pk: int):
    return TemplateResponse(request, "web/document_row.html", {"document": _document(request, pk)})


@require_GET
def document_download(request, pk: int):
    document = _document(request, pk)
    if document.state != ReportDocument.State.DONE:
        raise Http404
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.file_name
    )
    return response
