"""One report, as plain data: what a plan or a follow-up period's report says, independent of the
format it is written in. `report_build` in selectors.py fills it; render_html, render_pdf and
render_docx only lay it out, so the three formats always carry the same content.

Numbers are kept as Decimals and written in Swedish by `number_text` (decimal comma, a space
between thousands), the same way in every format.
"""

import base64
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from styr.governance.styrmodell.schema import GOAL_PARTS


def number_text(value: Decimal | None) -> str:
    """A value as Swedish writes it: as many decimals as it has, no more; "–" when missing."""
    if value is None:
        return "–"
    value = Decimal(value).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    decimals = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


@dataclass
class MunicipalityInfo:
    name: str
    colour: str
    logo: bytes = b""
    logo_type: str = ""

    @property
    def has_logo(self) -> bool:
        return bool(self.logo)

    @property
    def logo_uri(self) -> str:
        return _data_uri(self.logo, self.logo_type or "image/png") if self.logo else ""


@dataclass
class SummaryCount:
    label: str
    colour: str
    count: int


@dataclass
class Summary:
    """The fulfilment at the top: goals per value on the model's scale."""

    counts: list[SummaryCount]
    assessed: int
    total: int


@dataclass
class LabelledText:
    label: str
    text: str


@dataclass
class CorrectiveActionLine:
    description: str
    responsible: str
    due_on: datetime.date


@dataclass
class AssessmentBlock:
    label: str
    colour: str
    analysis: str
    motivation: str
    next_year: str
    corrective_actions: list[CorrectiveActionLine] = field(default_factory=list)


@dataclass
class IndicatorRow:
    """One line of an indicator's table: total, women or men."""

    label: str
    outcome: Decimal | None
    target: Decimal | None
    forecast: Decimal | None
    last_year: Decimal | None

    @property
    def outcome_text(self) -> str:
        return number_text(self.outcome)

    @property
    def target_text(self) -> str:
        return number_text(self.target)

    @property
    def forecast_text(self) -> str:
        return number_text(self.forecast)

    @property
    def last_year_text(self) -> str:
        return number_text(self.last_year)


@dataclass
class SeriesPoint:
    """An outcome over the year, for the chart: one point per period reported so far."""

    period: str
    total: Decimal | None
    women: Decimal | None = None
    men: Decimal | None = None


@dataclass
class Chart:
    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return _data_uri(self.png, "image/png")


@dataclass
class KoladaLine:
    """An indicator's Kolada KPI in its latest year: the own value against the comparison group's
    mean and Riket, the rank among all kommuner and its quartile in words, and the source."""

    year: int
    own: Decimal | None
    group_mean: Decimal | None
    riket: Decimal | None
    rank: str  # "12 av 290", or "–"
    colour: str  # the dot's colour; the words say the same
    colour_text: str
    source: str  # "Källa: Kolada, hämtat …"

    @property
    def text(self) -> str:
        return _(
            "Kolada %(year)s: own value %(own)s, comparison group %(group)s, Sweden %(riket)s; "
            "rank %(rank)s, %(words)s."
        ) % {
            "year": self.year,
            "own": number_text(self.own),
            "group": number_text(self.group_mean),
            "riket": number_text(self.riket),
            "rank": self.rank,
            "words": self.colour_text.lower(),
        }


@dataclass
class IndicatorTable:
    code: str
    name: str
    measure: str
    gender_split: bool
    rows: list[IndicatorRow]
    target: Decimal | None
    series: list[SeriesPoint] = field(default_factory=list)
    chart: Chart | None = None
    kolada: KoladaLine | None = None


@dataclass
class ActivityLine:
    code: str
    title: str
    responsible: str
    end: datetime.date
    status: str  # "" when not reported for the period
    comment: str


@dataclass
class GoalBlock:
    level: str
    code: str
    title: str
    unit: str
    texts: list[LabelledText]
    assessment: AssessmentBlock | None
    indicators: list[IndicatorTable]
    activities: list[ActivityLine]


@dataclass
class UnitGroup:
    """The goals of one unit inside a section; a report for one unit has a single group."""

    unit: str
    goals: list[GoalBlock]


@dataclass
class Section:
    title: str
    description: str
    groups: list[UnitGroup]
    anchor: str = ""


@dataclass
class UnitText:
    """What one unit wrote in a free-text section; `unit` is empty in a single unit's report."""

    unit: str
    text: str


@dataclass
class GoalLine:
    """A goal of a unit further down, in a consolidated report's table of the units."""

    code: str
    title: str
    level: str
    assessment: str  # "" when not assessed (or in a plan)
    colour: str


@dataclass
class UnitRollup:
    unit: str
    goals: list[GoalLine]
    counts: list[SummaryCount]  # per value on the scale; empty in a plan

    @property
    def not_assessed(self) -> int:
        return len(self.goals) - sum(c.count for c in self.counts)


# The parts of a report, in the order the municipality's layout gives (styr.reports.layout).
# Each has a `kind` for the renderers, a heading and an introductory text from the layout.


@dataclass
class SummaryPart:
    heading: str
    intro: str
    summary: Summary
    anchor: str = "sammanfattning"
    kind: str = "summary"


@dataclass
class TextPart:
    heading: str
    intro: str
    texts: list[UnitText]
    anchor: str = ""
    kind: str = "text"


@dataclass
class GoalsPart:
    heading: str
    intro: str
    sections: list[Section]
    anchor: str = ""
    kind: str = "goals"


@dataclass
class UnitsPart:
    heading: str
    intro: str
    units: list[UnitRollup]
    scale: list[SummaryCount]  # the scale's labels and colours, for the table's columns
    anchor: str = ""
    kind: str = "units"


def money_text(value: Decimal | None) -> str:
    """Kronor as Swedish writes them, in whole kronor: "1 234 567 kr"."""
    if value is None:
        return "–"
    whole = Decimal(value).quantize(Decimal(1))
    return formats.number_format(whole, 0, use_l10n=True, force_grouping=True) + "\xa0kr"


def deviation_words(deviation: Decimal) -> str:
    """A deviation in words, never only in colour."""
    if deviation > 0:
        return _("better than budget")
    if deviation < 0:
        return _("worse than budget")
    return _("on budget")


@dataclass
class EconomyRow:
    """One line of the budget follow-up: an account group, a unit below, or the result."""

    label: str
    kind: str  # income | cost, in words; empty for a result
    budget: Decimal
    outcome: Decimal
    forecast: Decimal
    deviation: Decimal

    @property
    def budget_text(self) -> str:
        return money_text(self.budget)

    @property
    def outcome_text(self) -> str:
        return money_text(self.outcome)

    @property
    def forecast_text(self) -> str:
        return money_text(self.forecast)

    @property
    def deviation_text(self) -> str:
        return money_text(self.deviation)

    @property
    def deviation_words(self) -> str:
        return deviation_words(self.deviation)

    @property
    def colour(self) -> str:
        return "#1a7f37" if self.deviation > 0 else "#c62828" if self.deviation < 0 else "#6b6b6b"


@dataclass
class ForecastComment:
    unit: str
    account_group: str
    text: str


@dataclass
class ActionPlanLine:
    unit: str
    month: str
    measures: str
    responsible: str
    due_on: datetime.date
    expected_effect: Decimal

    @property
    def expected_effect_text(self) -> str:
        return money_text(self.expected_effect)


@dataclass
class EconomyPart:
    heading: str
    intro: str
    month: str  # "augusti": outcome to date through this month
    groups: list[EconomyRow]
    result: EconomyRow | None
    units: list[EconomyRow]  # the units below, each its subtree's result
    comments: list[ForecastComment]
    action_plans: list[ActionPlanLine]
    anchor: str = ""
    kind: str = "economy"
    includes_below: bool = False  # a single unit's figures that sum the units below it

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.action_plans


@dataclass
class MatrixCellLine:
    score: int
    colour: str  # green | yellow | orange | red
    colour_label: str  # the same in Swedish words
    risks: list[str]


@dataclass
class MatrixRowLine:
    consequence: str  # "4 – allvarlig"
    cells: list[MatrixCellLine]


@dataclass
class RiskLine:
    label: str
    title: str
    area: str
    probability: int
    consequence: int
    score: int
    colour_label: str
    response: str


@dataclass
class ControlResultLine:
    point: str
    month: str
    performed_on: datetime.date
    result: str
    deviation: bool
    deviation_description: str
    measures: str


@dataclass
class ControlPointLine:
    label: str
    what: str
    method: str
    responsible: str
    frequency: str
    risk: str
    latest: ControlResultLine | None


@dataclass
class ControlPlanBlock:
    unit: str
    state: str  # "Antagen 12 mars 2026 (§ 5)" or "Utkast"
    probability_labels: list[str]
    matrix: list[MatrixRowLine]
    risks: list[RiskLine]
    points: list[ControlPointLine]
    deviations: list[ControlResultLine]


@dataclass
class InternalControlPart:
    heading: str
    intro: str
    plans: list[ControlPlanBlock]
    anchor: str = ""
    kind: str = "internal_control"


@dataclass
class JudgementLine:
    levels: str
    goals: int
    assessed: int
    met: int
    share: Decimal
    min_share: Decimal
    reached: bool

    @property
    def share_text(self) -> str:
        return number_text((self.share * 100).quantize(Decimal(1))) + "\xa0%"

    @property
    def min_share_text(self) -> str:
        return number_text((self.min_share * 100).quantize(Decimal(1))) + "\xa0%"

    @property
    def reached_text(self) -> str:
        return _("met") if self.reached else _("not met")

    @property
    def complete(self) -> bool:
        return self.assessed == self.goals


@dataclass
class JudgementBlock:
    name: str
    verdict: str  # "God ekonomisk hushållning: uppnås"
    reached: bool
    complete: bool
    decided: bool  # the goals not yet assessed, if any, cannot change it
    parts: list[JudgementLine]

    @property
    def colour(self) -> str:
        return "#1a7f37" if self.reached else "#c62828"


@dataclass
class OverallJudgementsPart:
    heading: str
    intro: str
    judgements: list[JudgementBlock]
    anchor: str = ""
    kind: str = "overall"


@dataclass
class Report:
    title: str
    unit: str
    year: int
    period: str | None  # None: the plan
    consolidated: bool
    generated: datetime.datetime
    version: str
    municipality: MunicipalityInfo
    parts: list
    intro: str = ""
    # Whether values are those recorded when the period was decided, or today's.
    as_decided: bool = False
    # What each goal shows (the layout's goal_parts): texts, assessment, indicators, charts …
    goal_parts: frozenset[str] = frozenset(GOAL_PARTS)

    @property
    def has_live_parts(self) -> bool:
        """Parts that show today's figures even in a decided period's report."""
        return any(p.kind in ("economy", "internal_control", "overall") for p in self.parts)

    @property
    def charts(self) -> bool:
        return "charts" in self.goal_parts

    @property
    def shows_assessment(self) -> bool:
        return self.period is not None and "assessment" in self.goal_parts

    @property
    def is_plan(self) -> bool:
        return self.period is None

    @property
    def sections(self) -> list[Section]:
        return [s for p in self.parts if p.kind == "goals" for s in p.sections]

    @property
    def summary(self) -> Summary | None:
        return next((p.summary for p in self.parts if p.kind == "summary"), None)

    @property
    def goal_count(self) -> int:
        return sum(len(g.goals) for s in self.sections for g in s.groups)

    @property
    def contents(self) -> list[tuple[str, str]]:
        """(anchor, heading) of every top-level heading, in order: the table of contents."""
        entries = []
        for part in self.parts:
            if part.heading:
                entries.append((part.anchor, part.heading))
            if part.kind == "goals":
                entries += [(s.anchor, s.title) for s in part.sections]
        return entries


def _data_uri(content: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"
