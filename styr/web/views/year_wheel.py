"""Årshjulet: the year's periods and deadlines."""

import datetime

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styr.followup.models import ReportingPeriod

from ..year_wheel import year_events
from .common import chosen_municipality_id


@require_GET
def year_wheel(request):
    municipality_id = chosen_municipality_id(request)
    today = datetime.date.today()
    years = sorted(
        set(
            ReportingPeriod.objects.filter(municipality_id=municipality_id).values_list(
                "year", flat=True
            )
        )
        | {today.year}
    )
    chosen = request.GET.get("ar", "")
    year = int(chosen) if chosen.isdigit() and int(chosen) in years else today.year
    return TemplateResponse(
        request,
        "web/year_wheel.html",
        {
            "title": _("The year's cycle %(year)s") % {"year": year},
            "year": year,
            "years": years,
            "today": today,
            "months": year_events(municipality_id=municipality_id, year=year, today=today),
        },
    )
