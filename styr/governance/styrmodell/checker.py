"""Check a styrmodell file: its shape (schema.py) and the rules that tie its parts together.

`check_text` returns every problem it finds, each naming the file, line and field in Swedish, and
the validated file when there are none. Nothing here touches the database.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from pydantic import ValidationError

from .schema import GoalLevelSpec, OrgUnitSpec, StyrmodellFile
from .source import Path, Problem, SourceFile, read_source


@dataclass
class CheckResult:
    source: SourceFile
    problems: list[Problem]
    spec: StyrmodellFile | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_text(name: str, text: str) -> CheckResult:
    source, problems = read_source(name, text)
    if problems:
        return CheckResult(source, problems)
    try:
        spec = StyrmodellFile.model_validate(source.data)
    except ValidationError as error:
        return CheckResult(source, [_schema_problem(source, item) for item in error.errors()])
    problems = list(_Rules(source, spec).check())
    return CheckResult(source, problems, None if problems else spec)


# --- Shape errors from the schema, in Swedish --------------------------------------------------


def _schema_problem(source: SourceFile, error: dict) -> Problem:
    path: Path = tuple(part for part in error["loc"] if not _is_pydantic_marker(part))
    return source.problem(path, _schema_message(error))


def _is_pydantic_marker(part) -> bool:
    # pydantic adds markers such as "[key]" or "function-before[...]" for some validators.
    return isinstance(part, str) and (part.startswith("function-") or part == "[key]")


def _schema_message(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    messages = {
        "missing": _("the field is missing but is required."),
        "extra_forbidden": _("unknown field. Check the spelling against docs/styrmodell.md."),
        "string_type": _("must be text. Put codes and numbers meant as text in quotation marks."),
        "bool_type": _("must be true or false."),
        "bool_parsing": _("must be true or false."),
        "int_type": _("must be a whole number."),
        "int_parsing": _("must be a whole number."),
        "int_from_float": _("must be a whole number."),
        "float_type": _("must be a number."),
        "float_parsing": _("must be a number."),
        "decimal_type": _("must be a number."),
        "decimal_parsing": _("must be a number."),
        "finite_number": _("must be a number."),
        "list_type": _("must be a list."),
        "dict_type": _("must be a mapping of fields (key: value)."),
        "model_type": _("must be a mapping of fields (key: value)."),
        "model_attributes_type": _("must be a mapping of fields (key: value)."),
        "date_type": _("must be a date written YYYY-MM-DD."),
        "date_parsing": _("must be a date written YYYY-MM-DD."),
        "date_from_datetime_parsing": _("must be a date written YYYY-MM-DD."),
        "string_too_short": _("must not be empty."),
    }
    if kind in messages:
        return messages[kind]
    if kind == "literal_error":
        return _("must be one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind == "string_pattern_mismatch":
        return _schema_pattern_message(ctx.get("pattern", ""))
    if kind == "decimal_max_places":
        return _("may have at most %(places)s decimals.") % {"places": ctx.get("decimal_places")}
    if kind in {"decimal_max_digits", "decimal_whole_digits"}:
        return _("is too large a number.")
    if kind == "string_too_long":
        return _("is too long (at most %(max)s characters).") % {"max": ctx.get("max_length")}
    if kind == "too_short":
        return _("must have at least %(min)s item(s).") % {"min": ctx.get("min_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    return _("invalid value (%(detail)s).") % {"detail": error.get("msg", kind)}


def _schema_pattern_message(pattern: str) -> str:
    if pattern == r"^\d{4}$":
        return _('must be four digits in quotation marks, e.g. "0180".')
    if pattern.startswith("^#"):
        return _('must be a colour written "#RRGGBB", e.g. "#1a7f37".')
    return _("may only contain letters, digits, hyphen, full stop and underscore (no spaces).")


# --- Rules across the file ---------------------------------------------------------------------


def _walk_units(
    units: list[OrgUnitSpec], path: Path, parent: OrgUnitSpec | None = None
) -> Iterator[tuple[OrgUnitSpec, Path, OrgUnitSpec | None]]:
    for index, unit in enumerate(units):
        unit_path = (*path, index)
        yield unit, unit_path, parent
        yield from _walk_units(unit.children, (*unit_path, "children"), unit)


class _Rules:
    def __init__(self, source: SourceFile, spec: StyrmodellFile):
        self.source = source
        self.spec = spec
        self.unit_types = {t.key: t for t in spec.unit_types}
        self.levels = {lvl.key: lvl for lvl in spec.goal_levels}
        self.level_order = {lvl.key: i for i, lvl in enumerate(spec.goal_levels)}
        self.focus_areas = {f.key for f in spec.focus_areas} | self._builtin_focus_keys()
        self.scale = {v.key for v in spec.assessment.scale}
        self.units = {
            u.code: (u, p) for u, p, _parent in _walk_units(spec.organisation, ("organisation",))
        }
        self.goals = {g.code: g for g in spec.goals}
        self.indicators = {i.code: i for i in spec.indicators}
        self.problems: list[Problem] = []

    def _builtin_focus_keys(self) -> set[str]:
        from styr.governance.agenda2030 import focus_area_keys

        return set(focus_area_keys()) if "agenda2030" in self.spec.builtin_focus_areas else set()

    def add(self, path: Path, message: str) -> None:
        self.problems.append(self.source.problem(path, message))

    def check(self) -> list[Problem]:
        self._unique_keys()
        self._unit_types()
        self._goal_levels()
        self._periods()
        self._assessment()
        self._organisation()
        self._goals()
        self._indicators()
        self._activities_and_assignments()
        self._reports()
        return sorted(self.problems, key=lambda p: (p.line or 0, p.field))

    def _unique_keys(self) -> None:
        lists = {
            "unit_types": ("key", self.spec.unit_types),
            "goal_levels": ("key", self.spec.goal_levels),
            "focus_areas": ("key", self.spec.focus_areas),
            "periods": ("key", self.spec.periods),
            "activity_statuses": ("key", self.spec.activity_statuses),
            "goals": ("code", self.spec.goals),
            "indicators": ("code", self.spec.indicators),
            "activities": ("code", self.spec.activities),
            "assignments": ("code", self.spec.assignments),
        }
        for name, (attr, items) in lists.items():
            self._no_duplicates(((getattr(x, attr), (name, i, attr)) for i, x in enumerate(items)))
        self._no_duplicates(
            (
                (v.key, ("assessment", "scale", i, "key"))
                for i, v in enumerate(self.spec.assessment.scale)
            )
        )
        self._no_duplicates(
            (
                (u.code, (*p, "code"))
                for u, p, _ in _walk_units(self.spec.organisation, ("organisation",))
            )
        )

    def _reports(self) -> None:
        reports = self.spec.reports
        if reports is None:
            return
        self._no_duplicates(
            ((t.key, ("reports", "texts", i, "key")) for i, t in enumerate(reports.texts))
        )
        texts = {t.key for t in reports.texts}
        unit_types = {t.key for t in self.spec.unit_types}
        layouts = [("plan", reports.plan), ("period", reports.period)]
        layouts += [(key, layout) for key, layout in reports.periods.items()]
        periods = {p.key for p in self.spec.periods}
        for key in reports.periods:
            self._ref(("reports", "periods", key), key, periods, _("The period"))
        for name, layout in layouts:
            if layout is None:
                continue
            where = ("reports", name)
            if name not in ("plan", "period"):
                where = ("reports", "periods", name)
            for unit_type in layout.titles:
                self._ref((*where, "titles", unit_type), unit_type, unit_types, _("The unit type"))
            for i, part in enumerate(layout.parts):
                if part.part == "text" and part.key is None:
                    message = _("A text part must name its text (key).")
                    self.add((*where, "parts", i, "key"), message)
                elif part.part == "text":
                    self._ref((*where, "parts", i, "key"), part.key, texts, _("The report text"))
                elif part.key is not None:
                    self.add((*where, "parts", i, "key"), _("Only a text part names a key."))

    def _no_duplicates(self, keyed: Iterable[tuple[str, Path]]) -> None:
        pairs = list(keyed)
        counts = Counter(key for key, _path in pairs)
        reported = set()
        for key, path in pairs:
            if counts[key] > 1 and key in reported:
                self.add(
                    path, _("%(key)s is used more than once; it must be unique.") % {"key": key}
                )
            reported.add(key)

    def _ref(self, path: Path, value: str | None, known, what: str) -> bool:
        if value is None or value in known:
            return True
        self.add(
            path,
            _("%(what)s %(value)s does not exist in the file.") % {"what": what, "value": value},
        )
        return False

    def _unit_types(self) -> None:
        for i, unit_type in enumerate(self.spec.unit_types):
            for j, parent in enumerate(unit_type.parents):
                self._ref(
                    ("unit_types", i, "parents", j), parent, self.unit_types, _("The unit type")
                )

    def _goal_levels(self) -> None:
        for i, level in enumerate(self.spec.goal_levels):
            path = ("goal_levels", i)
            for j, owner in enumerate(level.owners):
                self._ref((*path, "owners", j), owner, self.unit_types, _("The unit type"))
            self._ref((*path, "decided_by"), level.decided_by, self.unit_types, _("The unit type"))
            if level.validity == "years" and level.years is None:
                self.add(
                    (*path, "years"), _("validity: years needs the number of years (years: N).")
                )
            for j, parent in enumerate(level.parents):
                if not self._ref((*path, "parents", j), parent, self.levels, _("The goal level")):
                    continue
                if self.level_order[parent] >= i:
                    self.add(
                        (*path, "parents", j),
                        _("the parent level %(parent)s must come above %(level)s in goal_levels.")
                        % {"parent": parent, "level": level.key},
                    )
            if level.parent_required and not level.parents:
                self.add(
                    (*path, "parent_required"),
                    _("a parent is required but no parent levels are given."),
                )
            self._no_duplicates(
                ((f.key, (*path, "text_fields", j, "key")) for j, f in enumerate(level.text_fields))
            )

    def _periods(self) -> None:
        for i, period in enumerate(self.spec.periods):
            path = ("periods", i)
            self._ref((*path, "decided_by"), period.decided_by, self.unit_types, _("The unit type"))
            for type_key in period.deadlines:
                self._ref(
                    (*path, "deadlines", type_key), type_key, self.unit_types, _("The unit type")
                )
            for type_key, days in period.deadlines.items():
                unit_type = self.unit_types.get(type_key)
                for parent in unit_type.parents if unit_type else []:
                    parent_days = period.deadlines.get(parent)
                    if parent_days is not None and days > parent_days:
                        self.add(
                            (*path, "deadlines", type_key),
                            _(
                                "a %(child)s must report before the %(parent)s above it, but its "
                                "deadline is %(days)s days after the period and the %(parent)s's "
                                "is %(parent_days)s."
                            )
                            % {
                                "child": type_key,
                                "parent": parent,
                                "days": days,
                                "parent_days": parent_days,
                            },
                        )

    def _assessment(self) -> None:
        for i, overall in enumerate(self.spec.assessment.overall):
            for j, part in enumerate(overall.all_of):
                for k, level in enumerate(part.levels):
                    self._ref(
                        ("assessment", "overall", i, "all_of", j, "levels", k),
                        level,
                        self.levels,
                        _("The goal level"),
                    )
        rule = self.spec.assessment.rule
        for i, threshold in enumerate(rule.thresholds):
            self._ref(
                ("assessment", "rule", "thresholds", i, "value"),
                threshold.value,
                self.scale,
                _("The scale value"),
            )
        self._ref(
            ("assessment", "rule", "otherwise"), rule.otherwise, self.scale, _("The scale value")
        )
        shares = [t.min_share for t in rule.thresholds]
        if shares != sorted(shares, reverse=True):
            self.add(
                ("assessment", "rule", "thresholds"),
                _("the thresholds must be written best first, with falling min_share."),
            )
        if not any(v.met for v in self.spec.assessment.scale):
            self.add(
                ("assessment", "scale"),
                _("at least one scale value must count as met (met: true)."),
            )

    def _organisation(self) -> None:
        for unit, path, parent in _walk_units(self.spec.organisation, ("organisation",)):
            if not self._ref((*path, "type"), unit.type, self.unit_types, _("The unit type")):
                continue
            allowed = self.unit_types[unit.type].parents
            if parent is None and allowed:
                self.add(
                    (*path, "type"),
                    _("a %(type)s must be placed under a %(parents)s.")
                    % {"type": unit.type, "parents": " / ".join(allowed)},
                )
            if parent is not None and parent.type in self.unit_types and parent.type not in allowed:
                self.add(
                    (*path, "type"),
                    _("a %(type)s cannot be placed under a %(parent)s.")
                    % {"type": unit.type, "parent": parent.type},
                )
            self._dates_in_order(path, unit.valid_from, unit.valid_to, "valid_to")

    def _dates_in_order(self, path: Path, start, end, end_field: str) -> None:
        if start and end and end < start:
            self.add(
                (*path, end_field),
                _("the end date %(end)s is before the start date %(start)s.")
                % {"end": end, "start": start},
            )

    def _goals(self) -> None:
        for i, goal in enumerate(self.spec.goals):
            path = ("goals", i)
            level = self.levels.get(goal.level)
            self._ref((*path, "level"), goal.level, self.levels, _("The goal level"))
            unit_ok = self._ref((*path, "unit"), goal.unit, self.units, _("The unit"))
            if level and unit_ok:
                unit_type = self.units[goal.unit][0].type
                if unit_type not in level.owners:
                    self.add(
                        (*path, "unit"),
                        _(
                            "a %(level)s cannot be owned by %(unit)s, a %(type)s; "
                            "the level allows %(owners)s."
                        )
                        % {
                            "level": level.name,
                            "unit": goal.unit,
                            "type": unit_type,
                            "owners": ", ".join(level.owners),
                        },
                    )
            for j, parent_code in enumerate(goal.parents):
                if not self._ref((*path, "parents", j), parent_code, self.goals, _("The goal")):
                    continue
                parent_level = self.goals[parent_code].level
                if level and parent_level not in level.parents:
                    self.add(
                        (*path, "parents", j),
                        _(
                            "a %(level)s cannot be linked to %(parent)s, "
                            "a goal at the level %(parent_level)s."
                        )
                        % {
                            "level": level.name,
                            "parent": parent_code,
                            "parent_level": parent_level,
                        },
                    )
            if level and level.parent_required and not goal.parents:
                self.add(
                    (*path, "parents"),
                    _("a %(level)s must be linked to a parent goal (the röda tråd).")
                    % {"level": level.name},
                )
            for j, key in enumerate(goal.focus_areas):
                self._ref((*path, "focus_areas", j), key, self.focus_areas, _("The focus area"))
            for j, code in enumerate(goal.directed_to):
                self._ref((*path, "directed_to", j), code, self.units, _("The unit"))
            if goal.directed_to and level and not level.directed:
                self.add(
                    (*path, "directed_to"),
                    _("goals at the level %(level)s are not directed to units.")
                    % {"level": level.name},
                )
            if level:
                self._goal_texts(path, goal.texts, level, goal.status)
            self._dates_in_order(path, goal.valid_from, goal.valid_to, "valid_to")

    def _goal_texts(
        self, path: Path, texts: dict[str, str], level: GoalLevelSpec, status: str
    ) -> None:
        fields = {f.key: f for f in level.text_fields}
        for key in texts:
            if key not in fields:
                self.add(
                    (*path, "texts", key),
                    _("the level %(level)s has no text field %(key)s; it has %(fields)s.")
                    % {"level": level.name, "key": key, "fields": ", ".join(fields) or "–"},
                )
        if status == "draft":
            return
        for key, text_field in fields.items():
            if text_field.required and not texts.get(key, "").strip():
                self.add(
                    (*path, "texts"),
                    _("the text %(label)s is required at this level.")
                    % {"label": text_field.label},
                )

    def _indicators(self) -> None:
        per_goal = Counter()
        followed_up = {subject for period in self.spec.periods for subject in period.follows_up}
        for i, indicator in enumerate(self.spec.indicators):
            path = ("indicators", i)
            self._ref((*path, "unit"), indicator.unit, self.units, _("The unit"))
            if (
                self._ref(
                    (*path, "contributes_to"),
                    indicator.contributes_to,
                    self.indicators,
                    _("The indicator"),
                )
                and indicator.contributes_to == indicator.code
            ):
                self.add((*path, "contributes_to"), _("an indicator cannot contribute to itself."))
            self._ref(
                (*path, "focus_area"), indicator.focus_area, self.focus_areas, _("The focus area")
            )
            if indicator.subject not in followed_up:
                self.add(
                    (*path, "subject"),
                    _(
                        "no period follows up %(subject)s, so the indicator would never be "
                        "reported. Add %(subject)s to a period's follows_up."
                    )
                    % {"subject": indicator.subject},
                )
            if indicator.source == "kolada" and not indicator.kolada_kpi:
                self.add(
                    (*path, "kolada_kpi"),
                    _("an indicator from Kolada needs its KPI id (kolada_kpi)."),
                )
            self._no_duplicates(
                (
                    (f"{t.kind} {t.year}", (*path, "targets", j))
                    for j, t in enumerate(indicator.targets)
                )
            )
            for j, target in enumerate(indicator.targets):
                self._target(((*path, "targets", j)), target)
            for j, code in enumerate(indicator.goals):
                if not self._ref((*path, "goals", j), code, self.goals, _("The goal")):
                    continue
                per_goal[code] += 1
                level = self.levels.get(self.goals[code].level)
                if level:
                    self._indicator_level_rules(path, indicator, level)
        for code, count in per_goal.items():
            level = self.levels.get(self.goals[code].level)
            if level and level.max_indicators is not None and count > level.max_indicators:
                index = self.spec.goals.index(self.goals[code])
                self.add(
                    ("goals", index),
                    _(
                        "the goal %(code)s has %(count)s indicators, "
                        "but a %(level)s may have at most %(max)s."
                    )
                    % {
                        "code": code,
                        "count": count,
                        "level": level.name,
                        "max": level.max_indicators,
                    },
                )

    def _target(self, path: Path, target) -> None:
        if target.value is None and target.change is None:
            self.add(path, _("a target needs a value, or change: increase or decrease."))
        if target.value is not None and target.change is not None:
            self.add(path, _("give either a value or a change, not both."))
        if target.kind == "baseline" and target.value is None:
            self.add((*path, "value"), _("a baseline needs a value."))

    def _indicator_level_rules(self, path: Path, indicator, level: GoalLevelSpec) -> None:
        has_baseline = any(t.kind == "baseline" for t in indicator.targets)
        if level.change_target_needs_baseline and not has_baseline:
            for j, target in enumerate(indicator.targets):
                if target.change is not None:
                    self.add(
                        (*path, "targets", j),
                        _(
                            "a target that only says increase or decrease needs a baseline "
                            "(kind: baseline) at the level %(level)s."
                        )
                        % {"level": level.name},
                    )
        if (
            level.indicators_need_milestones
            and indicator.kind == "indicator"
            and not any(t.kind == "milestone" for t in indicator.targets)
        ):
            self.add(
                (*path, "targets"),
                _("indicators at the level %(level)s need milestones (kind: milestone).")
                % {"level": level.name},
            )

    def _activities_and_assignments(self) -> None:
        for i, activity in enumerate(self.spec.activities):
            path = ("activities", i)
            self._ref((*path, "unit"), activity.unit, self.units, _("The unit"))
            self._dates_in_order(path, activity.start, activity.end, "end")
            for j, code in enumerate(activity.goals):
                self._ref((*path, "goals", j), code, self.goals, _("The goal"))
        for i, assignment in enumerate(self.spec.assignments):
            path = ("assignments", i)
            if self._ref((*path, "issuer"), assignment.issuer, self.units, _("The unit")):
                issuer_type = self.unit_types.get(self.units[assignment.issuer][0].type)
                if issuer_type and not issuer_type.political:
                    self.add(
                        (*path, "issuer"),
                        _("an assignment is given by a political body (KF, KS or a nämnd)."),
                    )
            self._ref((*path, "assignee"), assignment.assignee, self.units, _("The unit"))
            if assignment.issuer == assignment.assignee:
                self.add((*path, "assignee"), _("an assignment is given to another unit."))
            self._dates_in_order(path, assignment.decided_on, assignment.due, "due")
            for j, code in enumerate(assignment.goals):
                self._ref((*path, "goals", j), code, self.goals, _("The goal"))
