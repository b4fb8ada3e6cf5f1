from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """A value from a dict by a key that is not a valid attribute name (e.g. "T")."""
    return mapping.get(key) if mapping else None
