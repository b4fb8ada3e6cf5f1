"""Writes for planning: goals, indicators with their targets, and activities, created and revised
by planners within the model's rules."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from styr.access.policy import Action, require
from styr.core.history import records_acting_user
from styr.core.versioning import save_if_unchanged
from styr.governance.models import FocusArea, GoalLevel, GovernanceModel
from styr.governance.services import goal_validity
from styr.organisation.models import OrgUnit

from .models import (
    Activity,
    ActivityGoal,
    Goal,
    GoalFocusArea,
    GoalLink,
    Indicator,
    IndicatorGoal,
    Target,
)


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


def goal_years(goal: Goal) -> range:
    """The years a goal holds (its first year only when it holds until further notice)."""
    end = goal.valid_to or datetime.date(goal.valid_from.year, 12, 31)
    return range(goal.valid_from.year, end.year + 1)


def _next_free_code(model, unit: OrgUnit, infix: str) -> str:
    """The unit's code, the infix and the first free number, as the presets write them (ROS-I1)."""
    prefix = f"{unit.code[:34]}-{infix}"
    taken = set(
        model.objects.filter(
            municipality_id=unit.municipality_id, code__startswith=prefix
        ).values_list("code", flat=True)
    )
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


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
    goal = Goal(
        municipality_id=unit.municipality_id,
        code=_next_free_code(Goal, unit, ""),
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
    _refuse_if_plan_locked(goal.unit, goal_years(goal))
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


# --- Indicators and their targets -----------------------------------------------------------------

INDICATOR_FIELDS = (
    "name",
    "description",
    "measure",
    "direction",
    "frequency",
    "gender_split",
    "additive",
    "kind",
    "subject",
    "focus_area",
    "source",
    "kolada_kpi",
    "contributes_to",
)


def _in_goal_subtree(goal: Goal, unit: OrgUnit) -> bool:
    return unit.municipality_id == goal.municipality_id and unit.path.startswith(goal.unit.path)


def _target_label(row: dict) -> str:
    kind = dict(Target.Kind.choices).get(row.get("kind"), row.get("kind"))
    year = row.get("year")
    return f"{str(kind).capitalize()} {year}" if year else str(kind).capitalize()


def _clean_targets(targets) -> list[dict]:
    rows = []
    for target in targets:
        rows.append(
            {
                "kind": target.get("kind") or Target.Kind.ANNUAL,
                "year": target.get("year"),
                "value": None if target.get("value") is None else Decimal(str(target["value"])),
                "change": target.get("change") or "",
                "comment": (target.get("comment") or "").strip(),
            }
        )
    return rows


def _check_targets(rows: list[dict], kind: str) -> list[str]:
    errors = []
    seen = set()
    for row in rows:
        label = _target_label(row)
        if row["kind"] not in Target.Kind.values:
            errors.append(_("%(target)s: unknown kind of target.") % {"target": label})
            continue
        if row["year"] is None or not 1990 <= row["year"] <= 2100:
            errors.append(_("%(target)s: give a year between 1990 and 2100.") % {"target": label})
            continue
        if (row["kind"], row["year"]) in seen:
            errors.append(_("%(target)s is given twice.") % {"target": label})
        seen.add((row["kind"], row["year"]))
        if row["change"] and row["change"] not in Target.Change.values:
            errors.append(_("%(target)s: unknown change.") % {"target": label})
        if row["kind"] == Target.Kind.BASELINE and (row["value"] is None or row["change"]):
            errors.append(
                _("%(target)s: a baseline is a value, not increase or decrease.")
                % {"target": label}
            )
        elif row["value"] is None and not row["change"]:
            errors.append(
                _("%(target)s: give a value, or say increase or decrease.") % {"target": label}
            )
        elif row["value"] is not None and row["change"]:
            errors.append(
                _("%(target)s: give either a value or increase/decrease, not both.")
                % {"target": label}
            )
    if kind == Indicator.Kind.INFORMATION and any(
        row["kind"] != Target.Kind.BASELINE for row in rows
    ):
        errors.append(
            _(
                "A key figure is followed but has no targets: remove its annual targets and "
                "milestones, or make it an indicator."
            )
        )
    return errors


def _check_level_rules(rows: list[dict], kind: str, levels) -> list[str]:
    """What the goal levels of the indicator's goals ask of its targets."""
    errors = []
    has_baseline = any(row["kind"] == Target.Kind.BASELINE for row in rows)
    only_change = any(row["change"] and row["kind"] != Target.Kind.BASELINE for row in rows)
    has_milestone = any(row["kind"] == Target.Kind.MILESTONE for row in rows)
    for level in levels:
        if level.change_target_needs_baseline and only_change and not has_baseline:
            errors.append(
                _(
                    "At the level %(level)s, a target that only says increase or decrease needs "
                    "a baseline to measure the change from."
                )
                % {"level": level.name}
            )
        if (
            level.indicators_need_milestones
            and kind == Indicator.Kind.INDICATOR
            and not (has_milestone)
        ):
            errors.append(
                _("Indicators at the level %(level)s need at least one milestone.")
                % {"level": level.name}
            )
    return errors


def _check_indicator(*, indicator: Indicator, rows: list[dict], levels) -> dict:
    errors: dict[str, list[str]] = {}
    if not indicator.name.strip():
        errors.setdefault("name", []).append(_("Give the indicator a name."))
    if indicator.code and (
        Indicator.objects.filter(municipality_id=indicator.municipality_id, code=indicator.code)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        errors.setdefault("code", []).append(
            _("The code %(code)s is already used by another indicator.") % {"code": indicator.code}
        )
    if indicator.source == Indicator.Source.KOLADA and not indicator.kolada_kpi:
        errors.setdefault("kolada_kpi", []).append(
            _("An indicator from Kolada needs a Kolada KPI id.")
        )
    area = indicator.focus_area
    if area is not None and area.municipality_id != indicator.municipality_id:
        errors.setdefault("focus_area", []).append(
            _("The focus area belongs to another municipality.")
        )
    higher = indicator.contributes_to
    if higher is not None:
        if higher.municipality_id != indicator.municipality_id or not (
            indicator.unit.path.startswith(higher.unit.path)
        ):
            errors.setdefault("contributes_to", []).append(
                _("An indicator contributes to an indicator of its own unit or a unit above it.")
            )
        else:
            # Following the chain upwards must never come back to this indicator.
            step, seen = higher, set()
            while step is not None and step.pk not in seen:
                if indicator.pk is not None and step.pk == indicator.pk:
                    errors.setdefault("contributes_to", []).append(
                        _("An indicator cannot contribute to itself, not even through others.")
                    )
                    break
                seen.add(step.pk)
                step = step.contributes_to
    target_errors = _check_targets(rows, indicator.kind)
    if not target_errors:
        target_errors = _check_level_rules(rows, indicator.kind, levels)
    if target_errors:
        errors["targets"] = target_errors
    return errors


def _target_years(rows: list[dict]) -> set[int]:
    return {row["year"] for row in rows}


def _save_targets(indicator: Indicator, rows: list[dict]) -> set[int]:
    """Make the indicator's targets the rows given; the years whose targets changed."""
    existing = {(t.kind, t.year): t for t in indicator.targets.all()}
    wanted = {(row["kind"], row["year"]): row for row in rows}
    changed = set()
    for key, target in existing.items():
        if key not in wanted:
            target.delete()
            changed.add(target.year)
    for key, row in wanted.items():
        target = existing.get(key)
        if target is None:
            target = Target(
                municipality_id=indicator.municipality_id,
                indicator=indicator,
                kind=row["kind"],
                year=row["year"],
            )
        elif (target.value, target.change, target.comment) == (
            row["value"],
            row["change"],
            row["comment"],
        ):
            continue
        target.value, target.change, target.comment = row["value"], row["change"], row["comment"]
        target.full_clean()
        target.save()
        changed.add(row["year"])
    return changed


def _targets_differ(indicator: Indicator, rows: list[dict]) -> set[int]:
    """The years whose targets the rows would change, without changing anything."""
    existing = {(t.kind, t.year): (t.value, t.change, t.comment) for t in indicator.targets.all()}
    wanted = {(r["kind"], r["year"]): (r["value"], r["change"], r["comment"]) for r in rows}
    return {
        key[1] for key in existing.keys() | wanted.keys() if existing.get(key) != wanted.get(key)
    }


@transaction.atomic
@records_acting_user
def indicator_create(
    *,
    goal: Goal,
    name: str,
    unit: OrgUnit | None = None,
    code: str = "",
    description: str = "",
    measure: str = "",
    direction: str = Indicator.Direction.INCREASE,
    frequency: str = Indicator.Frequency.YEAR,
    gender_split: bool = False,
    additive: bool = False,
    kind: str = Indicator.Kind.INDICATOR,
    subject: str = Indicator.Subject.INDICATORS,
    focus_area: FocusArea | None = None,
    source: str = Indicator.Source.MANUAL,
    kolada_kpi: str = "",
    contributes_to: Indicator | None = None,
    targets=(),
    acting_user=None,
) -> Indicator:
    """A new indicator on a goal, owned by the goal's unit or a unit below it, with its targets
    (årsmål, etappmål, nollbasvärde) as the goal's level asks."""
    unit = unit or goal.unit
    require(acting_user, Action.PLAN, goal)
    require(acting_user, Action.PLAN, unit)
    if not _in_goal_subtree(goal, unit):
        raise ValidationError(
            {"unit": _("The indicator is owned by the goal's unit or a unit below it.")}
        )
    rows = _clean_targets(targets)
    indicator = Indicator(
        municipality_id=goal.municipality_id,
        unit=unit,
        code=code.strip(),
        name=name.strip(),
        description=description.strip(),
        measure=measure.strip(),
        direction=direction,
        frequency=frequency,
        gender_split=gender_split,
        additive=additive,
        kind=kind,
        subject=subject,
        focus_area=focus_area,
        source=source,
        kolada_kpi=kolada_kpi.strip(),
        contributes_to=contributes_to,
    )
    errors = _check_indicator(indicator=indicator, rows=rows, levels=[goal.level])
    limit = goal.level.max_indicators
    if limit is not None and IndicatorGoal.objects.filter(goal=goal).count() >= limit:
        errors.setdefault("__all__", []).append(
            _("A %(level)s may have at most %(limit)s indicators, and this goal has them already.")
            % {"level": goal.level.name, "limit": limit}
        )
    if errors:
        raise ValidationError(errors)
    years = set(goal_years(goal)) | _target_years(rows)
    for owner in {unit, goal.unit}:
        _refuse_if_plan_locked(owner, years)
    if not indicator.code:
        indicator.code = _next_free_code(Indicator, unit, "I")
    indicator.full_clean()
    indicator.save()
    link = IndicatorGoal(municipality_id=goal.municipality_id, indicator=indicator, goal=goal)
    link.full_clean()
    link.save()
    _save_targets(indicator, rows)
    return indicator


@transaction.atomic
@records_acting_user
def indicator_update(
    *,
    indicator: Indicator,
    name: str,
    description: str = "",
    measure: str = "",
    direction: str = Indicator.Direction.INCREASE,
    frequency: str = Indicator.Frequency.YEAR,
    gender_split: bool = False,
    additive: bool = False,
    kind: str = Indicator.Kind.INDICATOR,
    subject: str = Indicator.Subject.INDICATORS,
    focus_area: FocusArea | None = None,
    source: str = Indicator.Source.MANUAL,
    kolada_kpi: str = "",
    contributes_to: Indicator | None = None,
    targets=(),
    seen_version: int | None = None,
    acting_user=None,
) -> Indicator:
    """Revise an indicator and its targets (the targets given replace the ones it has); refused
    if someone else saved it in between, or if the plan of a year it touches has left the unit."""
    require(acting_user, Action.PLAN, indicator)
    rows = _clean_targets(targets)
    before = {field: getattr(indicator, field) for field in INDICATOR_FIELDS}
    wanted = {
        "name": name.strip(),
        "description": description.strip(),
        "measure": measure.strip(),
        "direction": direction,
        "frequency": frequency,
        "gender_split": gender_split,
        "additive": additive,
        "kind": kind,
        "subject": subject,
        "focus_area": focus_area,
        "source": source,
        "kolada_kpi": kolada_kpi.strip(),
        "contributes_to": contributes_to,
    }
    for field, value in wanted.items():
        setattr(indicator, field, value)
    goals = list(indicator.goals.select_related("level", "unit"))
    levels = {goal.level_id: goal.level for goal in goals}.values()
    errors = _check_indicator(indicator=indicator, rows=rows, levels=levels)
    if errors:
        raise ValidationError(errors)
    years = _targets_differ(indicator, rows)
    fields_changed = before != wanted
    if fields_changed:
        for goal in goals:
            years |= set(goal_years(goal))
    if not (years or fields_changed):
        return indicator  # nothing to save, and so nothing to lose
    _refuse_if_plan_locked(indicator.unit, years)
    indicator.full_clean()
    # The indicator's version covers its targets: a save of either is seen by the next person.
    save_if_unchanged(indicator, seen_version=seen_version)
    _save_targets(indicator, rows)
    return indicator


# --- Activities -----------------------------------------------------------------------------------


def _check_activity(*, activity: Activity) -> dict:
    errors: dict[str, list[str]] = {}
    if not activity.title.strip():
        errors.setdefault("title", []).append(_("Give the activity a title."))
    if not activity.responsible.strip():
        errors.setdefault("responsible", []).append(_("Say who is responsible."))
    if activity.start is None:
        errors.setdefault("start", []).append(_("Give a start date."))
    if activity.end is None:
        errors.setdefault("end", []).append(_("Give an end date."))
    if activity.start and activity.end and activity.end < activity.start:
        errors.setdefault("end", []).append(_("The end date cannot be before the start date."))
    if activity.code and (
        Activity.objects.filter(municipality_id=activity.municipality_id, code=activity.code)
        .exclude(pk=activity.pk)
        .exists()
    ):
        errors.setdefault("code", []).append(
            _("The code %(code)s is already used by another activity.") % {"code": activity.code}
        )
    return errors


def _activity_years(start: datetime.date, end: datetime.date) -> range:
    return range(start.year, end.year + 1)


@transaction.atomic
@records_acting_user
def activity_create(
    *,
    goal: Goal,
    title: str,
    responsible: str,
    start: datetime.date,
    end: datetime.date,
    unit: OrgUnit | None = None,
    code: str = "",
    description: str = "",
    origin: str = "",
    acting_user=None,
) -> Activity:
    """A new activity for a goal, carried out by the goal's unit or a unit below it."""
    unit = unit or goal.unit
    require(acting_user, Action.PLAN, goal)
    require(acting_user, Action.PLAN, unit)
    if not _in_goal_subtree(goal, unit):
        raise ValidationError(
            {"unit": _("The activity is owned by the goal's unit or a unit below it.")}
        )
    activity = Activity(
        municipality_id=goal.municipality_id,
        unit=unit,
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        responsible=responsible.strip(),
        origin=origin.strip(),
        start=start,
        end=end,
    )
    errors = _check_activity(activity=activity)
    if errors:
        raise ValidationError(errors)
    for owner in {unit, goal.unit}:
        _refuse_if_plan_locked(owner, _activity_years(start, end))
    if not activity.code:
        activity.code = _next_free_code(Activity, unit, "A")
    activity.full_clean()
    activity.save()
    ActivityGoal.objects.create(municipality_id=goal.municipality_id, activity=activity, goal=goal)
    return activity


@transaction.atomic
@records_acting_user
def activity_update(
    *,
    activity: Activity,
    title: str,
    responsible: str,
    start: datetime.date,
    end: datetime.date,
    description: str = "",
    origin: str = "",
    seen_version: int | None = None,
    acting_user=None,
) -> Activity:
    """Revise an activity; refused if someone else saved it in between."""
    require(acting_user, Action.PLAN, activity)
    years = set(_activity_years(activity.start, activity.end))
    activity.title, activity.description = title.strip(), description.strip()
    activity.responsible, activity.origin = responsible.strip(), origin.strip()
    activity.start, activity.end = start, end
    errors = _check_activity(activity=activity)
    if errors:
        raise ValidationError(errors)
    _refuse_if_plan_locked(activity.unit, years | set(_activity_years(start, end)))
    activity.full_clean()
    save_if_unchanged(activity, seen_version=seen_version)
    return activity
