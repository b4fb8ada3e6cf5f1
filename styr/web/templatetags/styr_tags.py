from decimal import Decimal

from django import template

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
