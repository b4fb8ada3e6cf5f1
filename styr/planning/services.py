"""Writes for planning: goals, created and revised by planners within the model's rules."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from styr.access.policy import Action, require
from styr.core.history import records_acting_user
from styr.core.versioning import save_if_unchanged
from styr.governance.models import GoalLevel, GovernanceModel
from styr.governance.services import goal_validity
from styr.organisation.models import OrgUnit

from .models import Goal, GoalFocusArea, GoalLink


def _check_goal(*, level: GoalLevel, unit: OrgUnit, title: str, texts: dict, parents) -> dict:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors.setdefault("title", []).append(_("Give the goal a title."))
    if not level.owner_unit_types.filter(pk=unit.type_id).exists():
        errors.setdefault("unit", []).append(
            _("Goals at the level %(level)s cannot be owned by a %(type)s.")
            % {"level": level.name, "type": unit.type.name}
        )
    allowed = set(level.parent_levels.values_list("pk", flat=True))
    for parent in parents:
        if parent.level_id not in allowed or parent.municipality_id != unit.municipality_id:
            errors.setdefault("parents", []).append(
                _("“%(parent)s” is not at a level a %(level)s may link to.")
                % {"parent": parent.title, "level": level.name}
            )
    if level.parent_required and not parents:
        errors.setdefault("parents", []).append(
            _("A %(level)s must be linked to a goal above it (the röda tråd).")
            % {"level": level.name}
        )
    for field in level.text_fields:
        if field.get("required") and not (texts.get(field["key"]) or "").strip():
            errors.setdefault(f"text_{field['key']}", []).append(
                _("%(label)s is required at this level.") % {"label": field["label"]}
            )
    return errors


def _refuse_if_plan_locked(unit: OrgUnit, years) -> None:
    from styr.workflow.services import plan_lock_message

    message = plan_lock_message(unit_id=unit.pk, years=years)
    if message:
        raise ValidationError(message)


@transaction.atomic
@records_acting_user
def goal_create(
    *,
    level: GoalLevel,
    unit: OrgUnit,
    year: int,
    title: str,
    description: str = "",
    texts: dict | None = None,
    parents=(),
    focus_areas=(),
    acting_user=None,
) -> Goal:
    """A new goal at a level the model allows for the unit, linked into the röda tråd."""
    require(acting_user, Action.PLAN, unit)
    texts = {k: v.strip() for k, v in (texts or {}).items() if v and v.strip()}
    parents = list(parents)
    errors = _check_goal(level=level, unit=unit, title=title, texts=texts, parents=parents)
    if errors:
        raise ValidationError(errors)
    model = GovernanceModel.objects.get(municipality_id=unit.municipality_id)
    valid_from, valid_to = goal_validity(level=level, year=year, model=model)
    _refuse_if_plan_locked(unit, range(valid_from.year, (valid_to or valid_from).year + 1))
    taken = set(
        Goal.objects.filter(
            municipality_id=unit.municipality_id, code__startswith=f"{unit.code}-"
        ).values_list("code", flat=True)
    )
    number = 1
    while f"{unit.code}-{number}" in taken:
        number += 1
    goal = Goal(
        municipality_id=unit.municipality_id,
        code=f"{unit.code[:34]}-{number}",
        level=level,
        unit=unit,
        title=title.strip(),
        description=description.strip(),
        texts=texts,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    goal.full_clean()
    goal.save()
    for parent in parents:
        GoalLink.objects.create(municipality_id=unit.municipality_id, goal=goal, parent=parent)
    for area in focus_areas:
        GoalFocusArea.objects.create(
            municipality_id=unit.municipality_id, goal=goal, focus_area=area
        )
    return goal


@transaction.atomic
@records_acting_user
def goal_update(
    *,
    goal: Goal,
    title: str,
    description: str = "",
    texts: dict | None = None,
    parents=(),
    seen_version: int | None = None,
    acting_user=None,
) -> Goal:
    """Revise a goal's title, texts and links; refused if someone else saved it in between."""
    require(acting_user, Action.PLAN, goal)
    texts = {k: v.strip() for k, v in (texts or {}).items() if v and v.strip()}
    parents = list(parents)
    errors = _check_goal(
        level=goal.level, unit=goal.unit, title=title, texts=texts, parents=parents
    )
    if errors:
        raise ValidationError(errors)
    end = goal.valid_to or datetime.date(goal.valid_from.year, 12, 31)
    _refuse_if_plan_locked(goal.unit, range(goal.valid_from.year, end.year + 1))
    goal.title, goal.description, goal.texts = title.strip(), description.strip(), texts
    goal.full_clean()
    save_if_unchanged(goal, seen_version=seen_version)
    current = set(goal.parent_links.values_list("parent_id", flat=True))
    wanted = {p.pk for p in parents}
    for link in goal.parent_links.filter(parent_id__in=current - wanted):
        link.delete()
    for parent_id in wanted - current:
        GoalLink.objects.create(
            municipality_id=goal.municipality_id, goal=goal, parent_id=parent_id
        )
    return goal
