"""How a municipality's reports are laid out: the model file's `reports` part (styrmodell schema
`ReportsSpec`, stored on GovernanceModel.report_layouts) read with Styr's defaults for whatever it
leaves out. The title, introduction, parts in order, what each goal shows and how deep a
consolidated report goes all come from here, so a municipality changes them without code.

Parts of a report:
- summary: the fulfilment summary (goals per value on the scale); follow-up reports only.
- text: a free-text section the unit writes in Styr, named by its key in `texts`.
- goals: the goals per focus area, in full, for the unit and (consolidated) the units down to
  `detail_depth` levels below it.
- units: for a consolidated report, the units deeper than that: a table per unit of its goals and
  their assessments rather than every goal in full. This is what keeps a nämnd's report readable.
- economy: the budget follow-up at the period's month (budget, outcome, forecast and deviation per
  account group, the forecast comments, the units below, the åtgärdsplaner); follow-up reports only.
- internal_control: the year's internkontrollplan with its risk matrix, the kontrollmoment and
  their results; consolidated, the plans of the units below too. Follow-up reports only.
- overall: the model's overall judgements (Lomma's god ekonomisk hushållning); follow-up only.

Without a parts list a period's report has `economy` when its period follows up `budget`,
`internal_control` when it follows up `internal_control`, and `overall` when the model has overall
judgements, the period follows up goals and the report is for the top unit.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from styr.governance.models import GovernanceModel
from styr.governance.styrmodell.schema import GOAL_PARTS, ReportsSpec

PLAN_INTRO_KEY = "inledning"


@dataclass(frozen=True)
class TextSection:
    key: str
    heading: str
    help: str = ""


@dataclass(frozen=True)
class Part:
    part: str  # summary | text | goals | units | economy | internal_control | overall
    key: str | None = None
    heading: str = ""
    intro: str = ""


@dataclass(frozen=True)
class Layout:
    title: str
    intro: str
    parts: tuple[Part, ...]
    goal_parts: frozenset[str]
    detail_depth: int

    def shows(self, goal_part: str) -> bool:
        return goal_part in self.goal_parts

    @property
    def text_keys(self) -> list[str]:
        return [p.key for p in self.parts if p.part == "text"]


def default_texts() -> list[TextSection]:
    return [
        TextSection(
            PLAN_INTRO_KEY,
            _("Introduction"),
            _("The unit's mission and what the year's plan concentrates on."),
        ),
        TextSection(
            "viktiga_handelser",
            _("Important events"),
            _("What has happened during the period that the reader should know about."),
        ),
        TextSection(
            "ekonomi",
            _("Economy"),
            _("The financial result and forecast, and the reasons for any deviation."),
        ),
        TextSection(
            "framtid",
            _("The future"),
            _("Challenges and changes ahead that affect the work."),
        ),
    ]


# The follow-up subject (the period's follows_up) a part needs.
SUBJECT_OF = {"economy": "budget", "internal_control": "internal_control"}

# Parts that read what a follow-up period reports; a plan has none of them.
FOLLOW_UP_PARTS = frozenset({"summary", "economy", "internal_control", "overall"})


def _default_parts(
    is_plan: bool, follows_up: frozenset[str] = frozenset(), overall: bool = False
) -> tuple[Part, ...]:
    if is_plan:
        return (Part("text", PLAN_INTRO_KEY), Part("goals"), Part("units"))
    parts = [Part("summary")]
    if overall:
        parts.append(Part("overall"))
    parts += [Part("text", "viktiga_handelser"), Part("goals"), Part("units")]
    parts.append(Part("text", "ekonomi"))
    if "budget" in follows_up:
        parts.append(Part("economy"))
    if "internal_control" in follows_up:
        parts.append(Part("internal_control"))
    parts.append(Part("text", "framtid"))
    return tuple(parts)


def _stored(municipality_id: int) -> tuple[ReportsSpec, dict]:
    """The model's reports part and its assessment rule (for the overall judgements): one query."""
    stored = (
        GovernanceModel.objects.filter(municipality_id=municipality_id)
        .values_list("report_layouts", "assessment_rule")
        .first()
    )
    layouts, rule = stored or ({}, {})
    return ReportsSpec.model_validate(layouts or {}), rule or {}


def _spec(municipality_id: int) -> ReportsSpec:
    return _stored(municipality_id)[0]


def report_texts(municipality_id: int) -> dict[str, TextSection]:
    """The free-text sections the model names (or Styr's defaults), by key."""
    spec = _spec(municipality_id)
    if spec.texts:
        return {t.key: TextSection(t.key, t.heading, t.help) for t in spec.texts}
    return {t.key: t for t in default_texts()}


def report_layout(
    *, municipality_id: int, unit_type: str, period=None, top_unit: bool = False
) -> Layout:
    """The layout of a unit's plan (no period) or of a period's report. `top_unit`: the report
    is for the organisation's top unit, where the model's overall judgements belong."""
    spec, rule = _stored(municipality_id)
    chosen = spec.plan
    if period is not None:
        chosen = spec.periods.get(period.definition.key) or spec.period
        follows_up = frozenset(period.definition.follows_up or ())
        overall = top_unit and bool(rule.get("overall")) and "goals" in follows_up
        parts = _default_parts(False, follows_up, overall)
    else:
        parts = _default_parts(True)
    title = pgettext("report title", "Business plan") if period is None else ""
    intro, goal_parts, depth = "", frozenset(GOAL_PARTS), 1
    if chosen is not None:
        if chosen.parts:
            parts = tuple(Part(p.part, p.key, p.heading, p.intro) for p in chosen.parts)
        title = chosen.titles.get(unit_type) or chosen.title or title
        intro = chosen.intro
        if chosen.goal_parts is not None:
            goal_parts = frozenset(chosen.goal_parts)
        depth = chosen.detail_depth
    if period is not None:
        # The budget and the internal control appear only where the period follows them up,
        # also when the model names them: nothing is reported for them in other periods.
        parts = tuple(
            p for p in parts if p.part not in SUBJECT_OF or SUBJECT_OF[p.part] in follows_up
        )
    if period is not None and not title:
        title = period_title(period)
    if period is None:
        # A plan has nothing to sum up or follow up yet.
        parts = tuple(p for p in parts if p.part not in FOLLOW_UP_PARTS)
    return Layout(title, intro, parts, goal_parts, depth)


def period_title(period) -> str:
    """ "Tertialrapport 2"; a period that recurs names its month: "Månadsrapport mars"."""
    return period.name.removesuffix(f" {period.year}")


def text_sections(*, municipality_id: int, unit_type: str, period=None) -> list[TextSection]:
    """The free-text sections a unit writes for this plan or period's report, in report order."""
    texts = report_texts(municipality_id)
    layout = report_layout(municipality_id=municipality_id, unit_type=unit_type, period=period)
    return [texts[key] for key in dict.fromkeys(layout.text_keys) if key in texts]
