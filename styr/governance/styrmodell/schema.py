"""The shape of a styrmodell file (format 1). docs/styrmodell.md describes it for people.

Shape only: every field, its type and allowed values. Rules that relate one part of the file to
another (a goal's level must exist, a parent level must be above …) live in checker.py.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

Key = Annotated[str, StringConstraints(pattern=r"^[\w.-]+$", min_length=1, max_length=50)]
Code = Annotated[str, StringConstraints(pattern=r"^[\w.-]+$", min_length=1, max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
Month = Annotated[int, Field(ge=1, le=12)]
# As the database stores target values: at most 18 digits, 4 of them after the decimal point.
TargetValue = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]


def _one_or_many(value):
    return [value] if isinstance(value, int) and not isinstance(value, bool) else value


Months = Annotated[list[Month], BeforeValidator(_one_or_many), Field(min_length=1)]

FOLLOW_UP_SUBJECTS = (
    "goals",
    "indicators",
    "activities",
    "assignments",
    "budget",
    "personnel",
    "internal_control",
)
BUILTIN_FOCUS_AREA_SETS = ("agenda2030",)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class MunicipalitySpec(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    name: Text


class ModelSpec(Strict):
    name: Text
    vision: str = ""
    first_mandate_year: int = Field(default=2023, ge=1970, le=2100)


class UnitTypeSpec(Strict):
    key: Key
    name: Text
    plural: str = ""
    political: bool = False
    parents: list[Key] = []


class TextFieldSpec(Strict):
    key: Key
    label: Text
    required: bool = False
    help: str = ""


class GoalLevelSpec(Strict):
    key: Key
    name: Text
    plural: Text
    description: str = ""
    owners: list[Key] = Field(min_length=1)
    decided_by: Key | None = None
    validity: Literal["mandate_period", "year", "years", "open"] = "year"
    years: int | None = Field(default=None, ge=1, le=10)
    parents: list[Key] = []
    parent_required: bool = False
    text_fields: list[TextFieldSpec] = []
    max_indicators: int | None = Field(default=None, ge=0, le=50)
    directed: bool = False
    change_target_needs_baseline: bool = False
    indicators_need_milestones: bool = False


class FocusAreaSpec(Strict):
    key: Key
    group: Text
    name: Text
    description: str = ""
    colour: Colour | None = None


class PeriodSpec(Strict):
    key: Key
    name: Text
    through_month: Months
    kind: Literal["prognosis", "final"]
    follows_up: list[Literal[FOLLOW_UP_SUBJECTS]] = Field(min_length=1)  # type: ignore[valid-type]
    deadlines: dict[Key, Annotated[int, Field(ge=0, le=120)]] = {}
    decided_by: Key | None = None


class ScaleValueSpec(Strict):
    key: Key
    label: Text
    prognosis_label: str = ""
    colour: Colour
    met: bool = False


class ThresholdSpec(Strict):
    value: Key
    min_share: float = Field(ge=0, le=1)


class AssessmentRuleSpec(Strict):
    basis: Literal["indicators", "indicators_and_activities"] = "indicators_and_activities"
    thresholds: list[ThresholdSpec] = Field(min_length=1)
    otherwise: Key
    tolerance_percent: float = Field(default=0, ge=0, le=100)


class OverallPartSpec(Strict):
    levels: list[Key] = Field(min_length=1)
    min_share: float = Field(ge=0, le=1)


class OverallSpec(Strict):
    """A judgement over whole levels, e.g. Lomma's god ekonomisk hushållning: reached when the
    financial goals and the riktade mål are each "huvudsakligen" met."""

    key: Key
    name: Text
    all_of: list[OverallPartSpec] = Field(min_length=1)


class AssessmentSpec(Strict):
    scale: list[ScaleValueSpec] = Field(min_length=2)
    rule: AssessmentRuleSpec
    overall: list[OverallSpec] = []


class ActivityStatusSpec(Strict):
    key: Key
    label: Text
    deviation: bool = False
    done: bool = False


class OrgUnitSpec(Strict):
    code: Code
    name: Text
    type: Key
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    children: list["OrgUnitSpec"] = []


class TargetSpec(Strict):
    year: int = Field(ge=1990, le=2100)
    kind: Literal["annual", "milestone", "baseline"] = "annual"
    value: TargetValue | None = None
    change: Literal["increase", "decrease"] | None = None
    comment: str = ""


class GoalSpec(Strict):
    code: Code
    level: Key
    unit: Code
    title: Text
    description: str = ""
    texts: dict[Key, str] = {}
    parents: list[Code] = []
    focus_areas: list[Key] = []
    directed_to: list[Code] = []
    year: int | None = Field(default=None, ge=1990, le=2100)
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    status: Literal["draft", "active", "closed"] = "active"


class IndicatorSpec(Strict):
    code: Code
    name: Text
    description: str = ""
    unit: Code
    measure: str = ""
    direction: Literal["increase", "decrease", "none"] = "increase"
    frequency: Literal["month", "quarter", "tertial", "half_year", "year"] = "year"
    gender_split: bool = False
    additive: bool = False
    kind: Literal["indicator", "information"] = "indicator"
    # Which follow-up subject the indicator belongs to: a personnel key figure (sjukfrånvaro …)
    # is reported in every period whose follows_up includes personnel.
    subject: Literal["indicators", "personnel"] = "indicators"
    focus_area: Key | None = None  # the perspective it is followed up under
    source: Literal["manual", "import", "kolada"] = "manual"
    kolada_kpi: Code | None = None
    goals: list[Code] = []
    contributes_to: Code | None = None
    targets: list[TargetSpec] = []


class ActivitySpec(Strict):
    code: Code
    title: Text
    description: str = ""
    unit: Code
    responsible: Text
    origin: str = ""
    start: datetime.date
    end: datetime.date
    goals: list[Code] = []


class AssignmentSpec(Strict):
    code: Code
    title: Text
    description: str = ""
    issuer: Code
    assignee: Code
    decided_on: datetime.date | None = None
    due: datetime.date | None = None
    goals: list[Code] = []


REPORT_PARTS = ("summary", "text", "goals", "units", "economy", "internal_control", "overall")
GOAL_PARTS = ("texts", "assessment", "indicators", "charts", "activities", "corrective_actions")


class ReportTextSpec(Strict):
    """A free-text section the units write in Styr for their reports ("Viktiga händelser")."""

    key: Key
    heading: Text
    help: str = ""


class ReportPartSpec(Strict):
    part: Literal[REPORT_PARTS]  # type: ignore[valid-type]
    key: Key | None = None  # the text's key, for part: text
    heading: str = ""
    intro: str = ""


class ReportLayoutSpec(Strict):
    """How one kind of report is laid out: its title, introduction, parts in order, what each goal
    shows, and how deep a consolidated report shows the units' goals in full."""

    title: str = ""
    titles: dict[Key, Text] = {}  # per unit type, e.g. {enhet: Enhetsplan}
    intro: str = ""
    parts: list[ReportPartSpec] = []
    goal_parts: list[Literal[GOAL_PARTS]] | None = None  # type: ignore[valid-type]
    detail_depth: int = Field(default=1, ge=0, le=10)


class ReportsSpec(Strict):
    texts: list[ReportTextSpec] = []
    plan: ReportLayoutSpec | None = None
    period: ReportLayoutSpec | None = None  # every follow-up period's report …
    periods: dict[Key, ReportLayoutSpec] = {}  # … unless a period has its own


class EconomySpec(Strict):
    """The monthly budget follow-up: its months and when a deviation needs a comment.

    `deviation_months` (Lomma's 31/5 and 31/10): months in which only the units whose latest
    earlier forecast was worse than the budget report an updated forecast and åtgärdsplan."""

    months: Months = list(range(1, 13))
    deviation_months: Annotated[list[Month], BeforeValidator(_one_or_many)] = []
    comment_threshold_percent: Decimal | None = Field(default=None, ge=0, le=1000)
    comment_threshold_kronor: Decimal | None = Field(default=None, ge=0)

    @field_validator("deviation_months")
    @classmethod
    def _deviation_months_follow_a_forecast(cls, value: list[int], info: ValidationInfo):
        from django.utils.translation import gettext as _

        months = info.data.get("months")
        if not months:
            return value  # `months` itself is wrong and named already
        clash = sorted(set(value) & set(months))
        if clash:
            raise PydanticCustomError(
                "deviation_month_in_months",
                _("%(months)s is already in months: a deviation month is another month")
                % {"months": ", ".join(map(str, clash))},
            )
        early = sorted(m for m in set(value) if m < min(months))
        if early:
            raise PydanticCustomError(
                "deviation_month_too_early",
                _(
                    "%(months)s comes before the first month in months, so no earlier forecast "
                    "can have shown a deviation"
                )
                % {"months": ", ".join(map(str, early))},
            )
        return value


class StyrmodellFile(Strict):
    format: Literal[1]
    municipality: MunicipalitySpec
    model: ModelSpec
    plan_year: int = Field(ge=1990, le=2100)
    unit_types: list[UnitTypeSpec] = Field(min_length=1)
    goal_levels: list[GoalLevelSpec] = Field(min_length=1)
    focus_areas: list[FocusAreaSpec] = []
    builtin_focus_areas: list[Literal[BUILTIN_FOCUS_AREA_SETS]] = []  # type: ignore[valid-type]
    periods: list[PeriodSpec] = Field(min_length=1)
    assessment: AssessmentSpec
    activity_statuses: list[ActivityStatusSpec] = Field(min_length=1)
    organisation: list[OrgUnitSpec] = []
    goals: list[GoalSpec] = []
    indicators: list[IndicatorSpec] = []
    activities: list[ActivitySpec] = []
    assignments: list[AssignmentSpec] = []
    reports: ReportsSpec | None = None
    economy: EconomySpec | None = None
