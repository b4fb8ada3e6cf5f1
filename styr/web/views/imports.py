"""Outcomes from Excel: the import template of a unit's follow-up, and reading a filled-in file
back. Both need the right to report for the unit; the import checks every row through the same
policy and rules as the follow-up screen, and saves all or nothing."""

from django import forms
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from styr.access.policy import Action
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.reports.excel import import_template_xlsx
from styr.reports.imports import ImportRejected, outcomes_import

from .common import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 20 * 1024 * 1024


class OutcomesFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel or CSV file"),
        help_text=gettext_lazy(
            "The import template filled in, or a CSV file with the same columns."
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("Choose an Excel file (.xlsx) or a CSV file."))
        if file.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return file


def _scope(request, unit_pk: int, period_pk: int):
    unit = access(request.user, OrgUnit, unit_pk, Action.REPORT)
    period = access(request.user, ReportingPeriod, period_pk, municipality_id=unit.municipality_id)
    return unit, period


@require_GET
def import_template(request, unit_pk: int, period_pk: int):
    unit, period = _scope(request, unit_pk, period_pk)
    name = slugify(f"utfall {unit.code} {period.name}") or "utfall"
    response = HttpResponse(import_template_xlsx(unit=unit, period=period), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_POST
def import_outcomes(request, unit_pk: int, period_pk: int):
    unit, period = _scope(request, unit_pk, period_pk)
    form = OutcomesFileForm(request.POST, request.FILES)
    context = {
        "title": _("Outcomes from a file: %(unit)s, %(period)s")
        % {"unit": unit.name, "period": period.name},
        "unit": unit,
        "period": period,
        "form": form,
    }
    if not form.is_valid():
        return TemplateResponse(request, "web/import_result.html", context, status=422)
    upload = form.cleaned_data["file"]
    context["file_name"] = upload.name
    try:
        context["summary"] = outcomes_import(
            municipality=unit.municipality,
            period=period,
            file_name=upload.name,
            data=upload.read(),
            acting_user=request.user,
        )
    except ImportRejected as rejected:
        context["problems"] = rejected.problems
        return TemplateResponse(request, "web/import_result.html", context, status=422)
    return TemplateResponse(request, "web/import_result.html", context)
