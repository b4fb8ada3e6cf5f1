"""An indicator against other municipalities in Kolada: the whole comparison over the years, the
comparison group's members and a chart. Readable by all who may see the indicator."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styr.access.policy import visible_to
from styr.kolada.selectors import kpi_comparison
from styr.planning.models import Indicator

from .common import access


def _number(value):
    return float(value) if value is not None else None


def comparison_chart(comparison) -> dict:
    """The chart's data (charts.js, type "lines"): the own municipality, women and men when
    there are values, the comparison group's mean and Riket."""
    years = comparison.years
    series = [
        {
            "label": comparison.municipality,
            "data": [_number(y.own) for y in years],
            "colour": "#1f4e79",
        },
    ]
    if any(y.women is not None or y.men is not None for y in years):
        series += [
            {"label": _("Women"), "data": [_number(y.women) for y in years], "colour": "#b4436c"},
            {"label": _("Men"), "data": [_number(y.men) for y in years], "colour": "#e08a00"},
        ]
    series += [
        {
            "label": _("Comparison group, mean"),
            "data": [_number(y.group_mean) for y in years],
            "colour": "#6a3d9a",
            "dash": True,
        },
        {
            "label": _("Sweden"),
            "data": [_number(y.riket) for y in years],
            "colour": "#1a7f37",
            "dash": True,
        },
    ]
    return {"type": "lines", "periods": [str(y.year) for y in years], "series": series}


@require_GET
def kolada_indicator(request, pk: int):
    indicator = access(request.user, Indicator, pk)
    comparison = kpi_comparison(indicator=indicator)
    return TemplateResponse(
        request,
        "web/kolada_indicator.html",
        {
            "title": indicator.name,
            "indicator": indicator,
            "goals": visible_to(request.user, indicator.goals.order_by("code")),
            "comparison": comparison,
            "chart": comparison_chart(comparison) if comparison and comparison.years else None,
        },
    )
