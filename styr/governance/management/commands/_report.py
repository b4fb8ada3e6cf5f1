"""How the styrmodell commands tell a person what happened, in Swedish."""

from django.utils.translation import gettext as _

KIND_LABELS = {
    "model": _("styrmodell"),
    "unit_type": _("unit types"),
    "goal_level": _("goal levels"),
    "focus_area": _("focus areas"),
    "period": _("reporting periods"),
    "assessment_value": _("scale values"),
    "activity_status": _("activity statuses"),
    "unit": _("units"),
    "goal": _("goals"),
    "indicator": _("indicators"),
    "target": _("targets"),
    "activity": _("activities"),
    "assignment": _("assignments"),
}


def summary_lines(summary) -> list[str]:
    status_labels = {
        "created": _("new"),
        "updated": _("changed"),
        "unchanged": _("unchanged"),
        "deleted": _("removed"),
    }
    lines = []
    for kind, label in KIND_LABELS.items():
        parts = [
            f"{summary.counts[(kind, status)]} {status_label}"
            for status, status_label in status_labels.items()
            if summary.counts[(kind, status)]
        ]
        if parts:
            lines.append(f"  {label}: {', '.join(parts)}")
    link_changes = sum(n for (kind, status), n in summary.counts.items() if kind not in KIND_LABELS)
    if link_changes:
        lines.append("  " + _("links changed: %(count)s") % {"count": link_changes})
    return lines
