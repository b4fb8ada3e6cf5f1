"""The free texts of a unit's plan or a period's report ("Viktiga händelser", "Ekonomi",
"Framtid"): one form per section, so saving one never touches another."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from styr.access.policy import can
from styr.core.versioning import ConflictError
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.reports.texts import (
    report_text_action,
    report_text_entries,
    report_text_lock_message,
    report_text_save,
)

from .common import access, error_messages


def _page_url(unit: OrgUnit, year: int, period: ReportingPeriod | None) -> str:
    url = reverse("web:report_texts", args=[unit.pk, year])
    return f"{url}?period={period.pk}" if period is not None else url


@require_http_methods(["GET", "POST"])
def report_texts(request, unit_pk: int, year: int):
    unit = access(request.user, OrgUnit, unit_pk)
    if not 2000 <= year <= 2100:
        raise Http404
    period = None
    chosen = request.GET.get("period", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        period = access(
            request.user,
            ReportingPeriod,
            int(chosen),
            municipality_id=unit.municipality_id,
            year=year,
        )
    may_write = can(request.user, report_text_action(period), unit)
    entries = report_text_entries(unit=unit, year=year, period=period)
    headings = {e.section.key: e.section.heading for e in entries}
    failed = None  # the section whose save was refused, with the person's text kept
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("You may read this but not change it."))
        key = request.POST.get("key", "")
        seen = request.POST.get("version", "")
        try:
            saved = report_text_save(
                user=request.user,
                unit=unit,
                year=year,
                period=period,
                key=key,
                text=request.POST.get("text", ""),
                seen_version=int(seen) if seen.isdigit() else None,
            )
        except ValidationError as error:
            status = 409 if isinstance(error, ConflictError) else 400
            failed = {
                "key": key,
                "heading": headings.get(key, ""),
                "text": request.POST.get("text", ""),
                "version": seen,
                "errors": error_messages(error),
            }
        else:
            messages.success(
                request, _("“%(heading)s” has been saved.") % {"heading": headings[saved.key]}
            )
            return redirect(f"{_page_url(unit, year, period)}#text-{saved.key}")
    lock = report_text_lock_message(unit=unit, year=year, period=period) if may_write else None
    if period is None:
        title = _("Texts for the plan: %(unit)s, %(year)s") % {"unit": unit.name, "year": year}
    else:
        title = _("Texts for the report: %(unit)s, %(period)s") % {
            "unit": unit.name,
            "period": period.name,
        }
    return TemplateResponse(
        request,
        "web/report_texts.html",
        {
            "title": title,
            "unit": unit,
            "year": year,
            "page_url": _page_url(unit, year, period),
            "period": period,
            "entries": entries,
            "may_write": may_write and lock is None,
            "lock": lock,
            "failed": failed,
        },
        status=status,
    )
