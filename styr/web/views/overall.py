"""The year's overall judgements for a period, e.g. Lomma's god ekonomisk hushållning: the verdict
by the model's rule, and the goals and key figures it rests on."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styr.followup.models import ReportingPeriod
from styr.followup.selectors import overall_judgements

from .common import access


@require_GET
def overall(request, period_pk: int):
    period = access(request.user, ReportingPeriod, period_pk)
    judgements = overall_judgements(period=period, with_goals=True)
    others = (
        ReportingPeriod.objects.filter(municipality_id=period.municipality_id)
        .filter(year__in=[period.year - 1, period.year])
        .select_related("definition")
        .order_by("-year", "-month", "definition__order")
    )
    names = ", ".join(j.name for j in judgements) or _("Overall judgement")
    return TemplateResponse(
        request,
        "overall/overall.html",
        {
            "title": _("%(names)s, %(period)s") % {"names": names, "period": period.name},
            "period": period,
            "judgements": judgements,
            "others": [
                p for p in others if p.pk != period.pk and "goals" in p.definition.follows_up
            ],
        },
    )
