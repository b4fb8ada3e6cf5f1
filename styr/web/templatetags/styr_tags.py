from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    """A value from a dict by a key that is not a valid attribute name (e.g. "T")."""
    return mapping.get(key) if mapping else None


@register.simple_tag
def trend_chart(trend, scale) -> dict:
    """The overview's trend as chart data: one stacked series per scale value, in its colour.
    The table next to it carries the same numbers for those who do not see the chart."""
    return {
        "type": "stacked",
        "periods": [point.period.name for point, _counts in trend],
        "series": [
            {"label": value.label, "colour": value.colour, "data": [c[i] for _p, c in trend]}
            for i, value in enumerate(scale)
        ],
    }


@register.filter
def input_number(value) -> str:
    """A stored figure as a person types it into a field: decimal comma, no trailing zeros, no
    thousands separator (85.5000 → "85,5"); empty for none."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


@register.simple_tag
def followup_labels() -> dict[str, str]:
    """The fixed texts of the follow-up screen's rows (indicators, activities, goals), translated
    once per screen: a {% translate %} in a row costs several times a variable, and the screen
    has some 70 rows. The row partials fetch them themselves when drawn alone (an htmx save)."""
    return {
        "total": _("Total"),
        "women": _("Women"),
        "men": _("Men"),
        "forecast": _("Forecast for the year"),
        "comment": _("Comment"),
        "save": _("Save"),
        "status": _("Status"),
        "activity_comment": _("Comment (required on deviation)"),
        "suggested": _("Suggested assessment"),
        "none_yet": _("none yet"),
        "assessment": _("Assessment"),
        "analysis": _("Analysis"),
        "motivation": _("Motivation (when you differ from the suggestion)"),
        "action": _("Action (when the goal is not fully met)"),
        "what": _("What"),
        "who": _("Who"),
        "due": _("By when (YYYY-MM-DD)"),
        "next_year": _("How the unit will work on the goal next year"),
        "save_assessment": _("Save the assessment"),
    }
