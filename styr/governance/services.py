"""Load a styrmodell file into the database.

The file is checked first; a file with problems changes nothing. Loading is one transaction and
idempotent: every row is found by its natural key (municipality + key or code) and written only
when a value differs, so loading the same file twice changes nothing.

What the file lists, it decides: an object's fields, its links and its targets become what the
file says. What the file does not list is treated by kind:
- the model's structure (unit types, goal levels, focus areas, periods, scale values, activity
  statuses) is removed when nothing uses it, and the load is refused when something does;
- content (units, goals, indicators, activities, assignments) is never deleted, so follow-up data
  hanging off it is never lost; the summary names what was left as it was.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from styr.economy.services import economy_rules_load
from styr.organisation.models import Municipality, OrgUnit, UnitType, UnitTypeParent
from styr.planning.models import (
    Activity,
    ActivityGoal,
    Assignment,
    AssignmentGoal,
    Goal,
    GoalDirectedTo,
    GoalFocusArea,
    GoalLink,
    Indicator,
    IndicatorGoal,
    Target,
)

from . import agenda2030
from .models import (
    ActivityStatus,
    AssessmentValue,
    FocusArea,
    GoalLevel,
    GoalLevelOwnerType,
    GoalLevelParent,
    GovernanceModel,
    PeriodDefinition,
)
from .styrmodell.checker import check_text
from .styrmodell.schema import GoalLevelSpec, GoalSpec, OrgUnitSpec, StyrmodellFile
from .styrmodell.source import Problem

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
PRESETS = ("stockholm", "huddinge", "svenljunga", "lomma")


class ModelFileError(Exception):
    """The file was refused; nothing was changed. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class LoadSummary:
    municipality: Municipality
    counts: Counter = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)

    def record(self, kind: str, status: str) -> None:
        self.counts[(kind, status)] += 1

    @property
    def changed(self) -> bool:
        return any(n for (_kind, status), n in self.counts.items() if status != "unchanged")


def resolve_model_file(name_or_path: str) -> Path:
    """A preset's name (stockholm, huddinge, …) or a path to a file."""
    if name_or_path in PRESETS:
        return PRESET_DIR / f"{name_or_path}.yaml"
    return Path(name_or_path)


def governance_model_load_file(*, name_or_path: str, acting_user=None) -> LoadSummary:
    path = resolve_model_file(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        message = _("The file does not exist. Give a path or one of the presets: %(presets)s.") % {
            "presets": ", ".join(PRESETS)
        }
        raise ModelFileError([Problem(str(path), None, "", message)]) from error
    except (OSError, UnicodeDecodeError) as error:
        message = _("The file cannot be read as UTF-8 text (%(error)s).") % {"error": error}
        raise ModelFileError([Problem(str(path), None, "", message)]) from error
    return governance_model_load(name=str(path), text=text, acting_user=acting_user)


def governance_model_load(
    *,
    name: str,
    text: str,
    acting_user=None,
    municipality_code: str | None = None,
    dry_run: bool = False,
) -> LoadSummary:
    """Check and load; `municipality_code` refuses a file for another municipality, and
    `dry_run` does the whole load and then rolls it back, to learn whether it would succeed."""
    result = check_text(name, text)
    if not result.ok:
        raise ModelFileError(result.problems)
    if municipality_code and result.spec.municipality.code != municipality_code:
        message = _("The file is for municipality %(file_code)s, not %(code)s.") % {
            "file_code": result.spec.municipality.code,
            "code": municipality_code,
        }
        raise ModelFileError([result.source.problem(("municipality", "code"), message)])
    try:
        with transaction.atomic():
            summary = _Loader(result.spec, name, text).load()
            if dry_run:
                transaction.set_rollback(True)
            return summary
    except ValidationError as error:
        raise ModelFileError(_validation_problems(name, error)) from error


def _validation_problems(name: str, error: ValidationError) -> list[Problem]:
    if hasattr(error, "error_dict"):
        return [
            Problem(name, None, field_name, " ".join(str(m) for m in messages))
            for field_name, messages in error.message_dict.items()
        ]
    return [Problem(name, None, "", " ".join(error.messages))]


def goal_validity(
    *, level: GoalLevel | GoalLevelSpec, year: int, model: GovernanceModel
) -> tuple[datetime.date, datetime.date | None]:
    """When a goal holds, by its level's rule, for goals set in `year`."""
    validity = level.validity
    if validity == GoalLevel.Validity.MANDATE_PERIOD:
        first, last = model.mandate_period(year)
        return datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    if validity == GoalLevel.Validity.YEARS:
        years = level.validity_years if isinstance(level, GoalLevel) else level.years
        return datetime.date(year, 1, 1), datetime.date(year + (years or 1) - 1, 12, 31)
    if validity == GoalLevel.Validity.UNTIL_FURTHER:
        return datetime.date(year, 1, 1), None
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class _Loader:
    def __init__(self, spec: StyrmodellFile, name: str, text: str):
        self.spec = spec
        self.name = name
        self.text = text

    # -- generic helpers ------------------------------------------------------------------------

    def upsert(self, model: type[models.Model], kind: str, lookup: dict, values: dict):
        """Find by natural key, write only what differs, validate before writing."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            status = "created"
        else:
            changed = {k: v for k, v in values.items() if _differs(getattr(obj, k), v)}
            if not changed:
                self.summary.record(kind, "unchanged")
                return obj
            for key, value in changed.items():
                setattr(obj, key, value)
            status = "updated"
        obj.full_clean()
        obj.save()
        self.summary.record(kind, status)
        return obj

    def sync_links(self, through, owner_field: str, owner, target_field: str, targets) -> None:
        """Make the owner's links exactly `targets`, touching only what differs."""
        wanted = {t.pk: t for t in targets}
        existing = set(
            through.objects.filter(**{owner_field: owner}).values_list(
                f"{target_field}_id", flat=True
            )
        )
        stale = existing - set(wanted)
        if stale:
            through.objects.filter(**{owner_field: owner, f"{target_field}__in": stale}).delete()
        through.objects.bulk_create(
            through(
                municipality=self.municipality, **{owner_field: owner, target_field: wanted[pk]}
            )
            for pk in set(wanted) - existing
        )
        if stale or set(wanted) - existing:
            self.summary.record("link", "updated")

    def remove_unlisted(self, model, kind: str, listed: set[str], in_use) -> None:
        for obj in model.objects.filter(municipality=self.municipality).exclude(key__in=listed):
            uses = in_use(obj)
            if uses:
                raise ValidationError(
                    _(
                        "%(kind)s %(key)s is no longer in the file but is used by %(uses)s; "
                        "put it back or move what uses it first."
                    )
                    % {"kind": kind, "key": obj.key, "uses": uses}
                )
            obj.delete()
            self.summary.record(kind, "deleted")

    # -- the load -------------------------------------------------------------------------------

    def load(self) -> LoadSummary:
        spec = self.spec
        self.municipality = Municipality.objects.filter(code=spec.municipality.code).first()
        if self.municipality is None:
            self.municipality = Municipality(
                code=spec.municipality.code, name=spec.municipality.name
            )
            self.municipality.full_clean()
            self.municipality.save()
        elif self.municipality.name != spec.municipality.name:
            self.municipality.name = spec.municipality.name
            self.municipality.save()
        self.summary = LoadSummary(self.municipality)
        tenant = {"municipality": self.municipality}
        self.model = self.upsert(
            GovernanceModel,
            "model",
            tenant,
            {
                "name": spec.model.name,
                "vision": spec.model.vision,
                "first_mandate_year": spec.model.first_mandate_year,
                "assessment_rule": {
                    **spec.assessment.rule.model_dump(),
                    "overall": [o.model_dump() for o in spec.assessment.overall],
                },
                "report_layouts": spec.reports.model_dump(exclude_defaults=True)
                if spec.reports
                else {},
                "source_name": Path(self.name).name,
                "source_sha256": hashlib.sha256(self.text.encode()).hexdigest(),
                "source_text": self.text,
            },
        )
        economy_rules_load(municipality=self.municipality, spec=spec.economy)
        self.load_unit_types()
        self.load_goal_levels()
        self.load_focus_areas()
        self.load_periods()
        self.load_scales()
        self.load_organisation()
        self.load_goals()
        self.load_indicators()
        self.load_activities()
        self.load_assignments()
        return self.summary

    def load_unit_types(self) -> None:
        tenant = {"municipality": self.municipality}
        self.unit_types = {}
        for order, spec in enumerate(self.spec.unit_types):
            self.unit_types[spec.key] = self.upsert(
                UnitType,
                "unit_type",
                {**tenant, "key": spec.key},
                {
                    "name": spec.name,
                    "name_plural": spec.plural,
                    "is_political": spec.political,
                    "order": order,
                },
            )
        for spec in self.spec.unit_types:
            self.sync_links(
                UnitTypeParent,
                "child",
                self.unit_types[spec.key],
                "parent",
                [self.unit_types[key] for key in spec.parents],
            )
        self.remove_unlisted(
            UnitType,
            _("The unit type"),
            set(self.unit_types),
            lambda obj: _count_uses(obj.units.count(), _("units")),
        )

    def load_goal_levels(self) -> None:
        tenant = {"municipality": self.municipality}
        self.levels = {}
        for order, spec in enumerate(self.spec.goal_levels):
            self.levels[spec.key] = self.upsert(
                GoalLevel,
                "goal_level",
                {**tenant, "key": spec.key},
                {
                    "model": self.model,
                    "name": spec.name,
                    "name_plural": spec.plural,
                    "description": spec.description,
                    "order": order,
                    "decided_by": self.unit_types[spec.decided_by] if spec.decided_by else None,
                    "validity": spec.validity,
                    "validity_years": spec.years,
                    "parent_required": spec.parent_required,
                    "text_fields": [f.model_dump() for f in spec.text_fields],
                    "max_indicators": spec.max_indicators,
                    "directed": spec.directed,
                    "change_target_needs_baseline": spec.change_target_needs_baseline,
                    "indicators_need_milestones": spec.indicators_need_milestones,
                },
            )
        for spec in self.spec.goal_levels:
            level = self.levels[spec.key]
            self.sync_links(
                GoalLevelOwnerType,
                "level",
                level,
                "unit_type",
                [self.unit_types[key] for key in spec.owners],
            )
            self.sync_links(
                GoalLevelParent,
                "level",
                level,
                "parent",
                [self.levels[key] for key in spec.parents],
            )
        self.remove_unlisted(
            GoalLevel,
            _("The goal level"),
            set(self.levels),
            lambda obj: _count_uses(obj.goals.count(), _("goals")),
        )

    def load_focus_areas(self) -> None:
        tenant = {"municipality": self.municipality}
        rows = [
            (spec.key, spec.group, spec.name, spec.description, spec.colour or "")
            for spec in self.spec.focus_areas
        ]
        if "agenda2030" in self.spec.builtin_focus_areas:
            rows += [
                (key, agenda2030.GROUP, name, "", colour) for key, name, colour in agenda2030.GOALS
            ]
        self.focus_areas = {}
        for order, (key, group, name, description, colour) in enumerate(rows):
            self.focus_areas[key] = self.upsert(
                FocusArea,
                "focus_area",
                {**tenant, "key": key},
                {
                    "model": self.model,
                    "group": group,
                    "name": name,
                    "description": description,
                    "colour": colour,
                    "order": order,
                },
            )
        self.remove_unlisted(
            FocusArea,
            _("The focus area"),
            set(self.focus_areas),
            lambda obj: _count_uses(
                GoalFocusArea.objects.filter(focus_area=obj).count(), _("goals")
            ),
        )

    def load_periods(self) -> None:
        tenant = {"municipality": self.municipality}
        listed = set()
        for order, spec in enumerate(self.spec.periods):
            listed.add(spec.key)
            self.upsert(
                PeriodDefinition,
                "period",
                {**tenant, "key": spec.key},
                {
                    "model": self.model,
                    "name": spec.name,
                    "through_months": spec.through_month,
                    "kind": spec.kind,
                    "follows_up": list(spec.follows_up),
                    "deadlines": dict(spec.deadlines),
                    "decided_by": self.unit_types[spec.decided_by] if spec.decided_by else None,
                    "order": order,
                },
            )
        self.remove_unlisted(PeriodDefinition, _("The period"), listed, lambda obj: "")

    def load_scales(self) -> None:
        tenant = {"municipality": self.municipality}
        listed = set()
        for order, spec in enumerate(self.spec.assessment.scale):
            listed.add(spec.key)
            self.upsert(
                AssessmentValue,
                "assessment_value",
                {**tenant, "key": spec.key},
                {
                    "model": self.model,
                    "label": spec.label,
                    "prognosis_label": spec.prognosis_label,
                    "colour": spec.colour,
                    "is_met": spec.met,
                    "order": order,
                },
            )
        self.remove_unlisted(AssessmentValue, _("The scale value"), listed, lambda obj: "")
        listed = set()
        for order, spec in enumerate(self.spec.activity_statuses):
            listed.add(spec.key)
            self.upsert(
                ActivityStatus,
                "activity_status",
                {**tenant, "key": spec.key},
                {
                    "model": self.model,
                    "label": spec.label,
                    "is_deviation": spec.deviation,
                    "is_done": spec.done,
                    "order": order,
                },
            )
        self.remove_unlisted(ActivityStatus, _("The activity status"), listed, lambda obj: "")

    def load_organisation(self) -> None:
        self.units = {}

        def walk(specs: list[OrgUnitSpec], parent: OrgUnit | None) -> None:
            for spec in specs:
                unit = self.upsert(
                    OrgUnit,
                    "unit",
                    {"municipality": self.municipality, "code": spec.code},
                    {
                        "name": spec.name,
                        "type": self.unit_types[spec.type],
                        "parent": parent,
                        "valid_from": spec.valid_from,
                        "valid_to": spec.valid_to,
                    },
                )
                self.units[spec.code] = unit
                walk(spec.children, unit)

        walk(self.spec.organisation, None)
        self.note_kept(OrgUnit, set(self.units), _("units"))
        self.all_units = {u.code: u for u in OrgUnit.objects.filter(municipality=self.municipality)}

    def note_kept(self, model, listed: set[str], what: str) -> None:
        kept = model.objects.filter(municipality=self.municipality).exclude(code__in=listed)
        codes = sorted(kept.values_list("code", flat=True))
        if codes:
            self.summary.kept.append(
                _("%(count)s %(what)s not in the file were kept as they were: %(codes)s")
                % {"count": len(codes), "what": what, "codes": ", ".join(codes)}
            )

    def load_goals(self) -> None:
        self.goals = {}
        for spec in self.spec.goals:
            self.goals[spec.code] = self.upsert(
                Goal,
                "goal",
                {"municipality": self.municipality, "code": spec.code},
                self._goal_values(spec),
            )
        for spec in self.spec.goals:
            goal = self.goals[spec.code]
            self.sync_links(GoalLink, "goal", goal, "parent", [self.goals[c] for c in spec.parents])
            self.sync_links(
                GoalFocusArea,
                "goal",
                goal,
                "focus_area",
                [self.focus_areas[k] for k in spec.focus_areas],
            )
            self.sync_links(
                GoalDirectedTo,
                "goal",
                goal,
                "unit",
                [self.all_units[c] for c in spec.directed_to],
            )
        self.note_kept(Goal, set(self.goals), _("goals"))

    def _goal_values(self, spec: GoalSpec) -> dict:
        level = self.levels[spec.level]
        valid_from, valid_to = goal_validity(
            level=level, year=spec.year or self.spec.plan_year, model=self.model
        )
        return {
            "level": level,
            "unit": self.all_units[spec.unit],
            "title": spec.title,
            "description": spec.description,
            "texts": dict(spec.texts),
            "valid_from": spec.valid_from or valid_from,
            "valid_to": spec.valid_to or valid_to,
            "status": spec.status,
        }

    def load_indicators(self) -> None:
        indicators = {}
        existing = set(
            Indicator.objects.filter(municipality=self.municipality).values_list("code", flat=True)
        )
        for spec in self.spec.indicators:
            indicators[spec.code] = self.upsert(
                Indicator,
                "indicator",
                {"municipality": self.municipality, "code": spec.code},
                {
                    "name": spec.name,
                    "description": spec.description,
                    "unit": self.all_units[spec.unit],
                    "measure": spec.measure,
                    "direction": spec.direction,
                    "frequency": spec.frequency,
                    "gender_split": spec.gender_split,
                    "additive": spec.additive,
                    "kind": spec.kind,
                    "subject": spec.subject,
                    "focus_area": self.focus_areas[spec.focus_area] if spec.focus_area else None,
                    "source": spec.source,
                    "kolada_kpi": spec.kolada_kpi or "",
                },
            )
        for spec in self.spec.indicators:
            indicator = indicators[spec.code]
            contributes_to = indicators.get(spec.contributes_to) if spec.contributes_to else None
            if indicator.contributes_to_id != (contributes_to.pk if contributes_to else None):
                indicator.contributes_to = contributes_to
                indicator.save(update_fields=["contributes_to", "updated_at"])
                # A new indicator was already counted as new; only count changes to old ones.
                if spec.code in existing:
                    self.summary.record("indicator", "updated")
            self.sync_links(
                IndicatorGoal,
                "indicator",
                indicator,
                "goal",
                [self.goals[c] for c in spec.goals],
            )
            self.load_targets(indicator, spec.targets)
        self.note_kept(Indicator, set(indicators), _("indicators"))

    def load_targets(self, indicator: Indicator, specs) -> None:
        listed = set()
        for spec in specs:
            listed.add((spec.kind, spec.year))
            self.upsert(
                Target,
                "target",
                {
                    "municipality": self.municipality,
                    "indicator": indicator,
                    "kind": spec.kind,
                    "year": spec.year,
                },
                {"value": spec.value, "change": spec.change or "", "comment": spec.comment},
            )
        for target in indicator.targets.all():
            if (target.kind, target.year) not in listed:
                target.delete()
                self.summary.record("target", "deleted")

    def load_activities(self) -> None:
        listed = set()
        for spec in self.spec.activities:
            listed.add(spec.code)
            activity = self.upsert(
                Activity,
                "activity",
                {"municipality": self.municipality, "code": spec.code},
                {
                    "title": spec.title,
                    "description": spec.description,
                    "unit": self.all_units[spec.unit],
                    "responsible": spec.responsible,
                    "origin": spec.origin,
                    "start": spec.start,
                    "end": spec.end,
                },
            )
            self.sync_links(
                ActivityGoal, "activity", activity, "goal", [self.goals[c] for c in spec.goals]
            )
        self.note_kept(Activity, listed, _("activities"))

    def load_assignments(self) -> None:
        listed = set()
        for spec in self.spec.assignments:
            listed.add(spec.code)
            assignment = self.upsert(
                Assignment,
                "assignment",
                {"municipality": self.municipality, "code": spec.code},
                {
                    "title": spec.title,
                    "description": spec.description,
                    "issuer": self.all_units[spec.issuer],
                    "assignee": self.all_units[spec.assignee],
                    "decided_on": spec.decided_on,
                    "due": spec.due,
                },
            )
            self.sync_links(
                AssignmentGoal,
                "assignment",
                assignment,
                "goal",
                [self.goals[c] for c in spec.goals],
            )
        self.note_kept(Assignment, listed, _("assignments"))


def _count_uses(count: int, what: str) -> str:
    return f"{count} {what}" if count else ""


def _differs(current, new) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    if isinstance(current, Decimal) and isinstance(new, int | float) and not isinstance(new, bool):
        # Decimal from the database against a number from the file.
        return current != Decimal(str(new))
    return current != new
