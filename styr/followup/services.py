"""Writes for follow-up: periods and their states, and what a unit reports in a period.

Every function checks that the period may still be changed: a closed period takes no reports until
it is reopened, and a decided period is locked for good — what was reported stays as it was.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from styr.access.policy import Action, require, unit_of
from styr.core.bulk import history_insert, rows_update
from styr.core.history import object_changes, records_acting_user
from styr.core.versioning import UNCHECKED, ConflictError, conflict_message
from styr.governance.models import ActivityStatus, AssessmentValue, GoalLevel, GovernanceModel
from styr.organisation.models import Municipality
from styr.planning.models import Activity, Assignment, Goal, GoalLink, Indicator
from styr.workflow.models import Submission

from .models import (
    ActivityReport,
    Assessment,
    AssignmentReport,
    CorrectiveAction,
    Forecast,
    Gender,
    Measurement,
    ReportingPeriod,
)
from .rule import assessment_suggest

# --- Periods ---------------------------------------------------------------------------------


def periods_generate(*, municipality: Municipality, year: int) -> list[ReportingPeriod]:
    """The year's periods from the model's definitions; existing ones are kept as they are."""
    model = GovernanceModel.objects.get(municipality=municipality)
    existing = {
        (p.definition_id, p.month): p
        for p in ReportingPeriod.objects.filter(municipality=municipality, year=year)
    }
    periods = []
    with transaction.atomic():
        for definition in model.periods.order_by("order"):
            for month in definition.through_months:
                period = existing.get((definition.pk, month))
                if period is None:
                    period = ReportingPeriod.objects.create(
                        municipality=municipality, definition=definition, year=year, month=month
                    )
                periods.append(period)
    return sorted(periods, key=lambda p: (p.month, p.definition.order))


def _period_set_state(period: ReportingPeriod, state: str, acting_user) -> ReportingPeriod:
    require(acting_user, Action.ADMINISTER, period)
    refuse_if_decided(period)
    period.state = state
    period.save(update_fields=["state", "updated_at"])
    return period


@records_acting_user
def period_close(*, period: ReportingPeriod, acting_user=None) -> ReportingPeriod:
    return _period_set_state(period, ReportingPeriod.State.CLOSED, acting_user)


@records_acting_user
def period_reopen(*, period: ReportingPeriod, acting_user=None) -> ReportingPeriod:
    return _period_set_state(period, ReportingPeriod.State.OPEN, acting_user)


@records_acting_user
def period_decide(
    *, period: ReportingPeriod, decided_on: datetime.date, reference: str, acting_user=None
) -> ReportingPeriod:
    """Record the decision (e.g. "KF 2026-06-15 § 87"); from now on the period is locked."""
    require(acting_user, Action.ADMINISTER, period)
    refuse_if_decided(period)
    if not reference.strip():
        raise ValidationError(
            {"decision_reference": _("Give the body, meeting and paragraph of the decision.")}
        )
    if decided_on < period.ends_on:
        message = _("A period cannot be decided before it has ended (%(end)s).") % {
            "end": period.ends_on
        }
        raise ValidationError({"decided_on": message})
    period.state = ReportingPeriod.State.DECIDED
    period.decided_on = decided_on
    period.decision_reference = reference.strip()
    period.save(update_fields=["state", "decided_on", "decision_reference", "updated_at"])
    return period


def refuse_if_decided(period: ReportingPeriod) -> None:
    if period.is_decided:
        raise ValidationError(
            _(
                "%(period)s was decided on %(date)s (%(reference)s) and is locked; what was "
                "reported stays as it was."
            )
            % {
                "period": period.name,
                "date": period.decided_on,
                "reference": period.decision_reference,
            }
        )


def _refuse_unless_open(period: ReportingPeriod, subject: str | None, municipality_id: int) -> None:
    if period.municipality_id != municipality_id:
        raise ValidationError(_("The period belongs to another municipality."))
    refuse_if_decided(period)
    if period.state == ReportingPeriod.State.CLOSED:
        raise ValidationError(
            _("%(period)s is closed for reporting. Ask the controller to reopen it.")
            % {"period": period.name}
        )
    if subject is not None and subject not in period.definition.follows_up:
        raise ValidationError(_not_followed_up(period, subject))


def _not_followed_up(period: ReportingPeriod, subject: str) -> str:
    return _("%(period)s does not follow up %(what)s.") % {
        "period": period.name,
        "what": _follow_up_names().get(subject, subject),
    }


def refuse_if_handed_in(unit_id: int, period: ReportingPeriod) -> None:
    """A unit's report that has been submitted, approved or adopted is out of its hands."""
    handed_in = Submission.objects.filter(
        unit_id=unit_id, period=period, kind=Submission.Kind.REPORT
    ).exclude(state=Submission.State.DRAFT)
    # Asked on every save, and nearly always no: the submission itself only for the message.
    if handed_in.exists():
        _refuse_if_handed_in_by(handed_in.select_related("unit").first(), period)


def _refuse_if_handed_in_by(submission: Submission | None, period: ReportingPeriod) -> None:
    if submission is not None:
        raise ValidationError(
            _(
                "The report for %(period)s from %(unit)s is %(state)s and cannot be changed. "
                "Ask the approver to return it for revision."
            )
            % {
                "period": period.name,
                "unit": submission.unit.name,
                "state": submission.get_state_display(),
            }
        )


def _follow_up_names() -> dict[str, str]:
    return {
        "indicators": _("indicators"),
        "activities": _("activities"),
        "assignments": _("assignments"),
        "goals": _("goals"),
        "personnel": _("personnel key figures"),
    }


# --- Indicators --------------------------------------------------------------------------------


def _decimal(raw, field: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise ValidationError({field: _("Write a number, e.g. 12,5.")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("Write a number, e.g. 12,5.")})
    if value.as_tuple().exponent < -4 or abs(value) >= Decimal(10) ** 14:
        raise ValidationError({field: _("The number may have at most 4 decimals.")})
    return value


def outcome_number(raw, field: str = "value") -> Decimal | None:
    """A number as a person writes it (12,5 or 12.5), None for empty; refused like a report."""
    return _decimal(raw, field)


def _refuse_if_changed(model, row, seen_version: int | None) -> None:
    if row is None and seen_version is None:
        return
    if row is None:
        raise ConflictError(_("Someone else removed this after you opened it. Reload the page."))
    if row.version != seen_version:
        if seen_version is None:
            raise ConflictError(
                _("%(who)s reported a value here after you opened it. Reload to see it.")
                % {"who": object_changes(model, row.pk, since_version=row.version)[0]}
            )
        raise ConflictError(conflict_message(model, row.pk, seen_version))


def _outcome_numbers(
    indicator: Indicator, values: dict[str, object], source: str
) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """The outcome per gender as numbers, and the source of each; errors keyed by gender."""
    allowed = {g.value for g in Gender} if indicator.gender_split else {Gender.TOTAL.value}
    unknown = sorted(set(values) - allowed)
    if unknown:
        if indicator.gender_split:
            message = _("Give the outcome for T (total), K (women) and M (men).")
        else:
            message = _("“%(name)s” is not split by gender; give only the total.") % {
                "name": indicator.name
            }
        raise ValidationError(dict.fromkeys(unknown, message))
    numbers = {g: _decimal(values.get(g), g) for g in allowed if g in values}
    sources = dict.fromkeys(numbers, source)
    women, men = numbers.get(Gender.WOMEN), numbers.get(Gender.MEN)
    if indicator.gender_split and indicator.additive and women is not None and men is not None:
        total = women + men
        given = numbers.get(Gender.TOTAL)
        if given is not None and given != total:
            raise ValidationError(
                {
                    Gender.TOTAL: _(
                        "The total must be women plus men (%(total)s), or be left empty."
                    )
                    % {"total": total}
                }
            )
        numbers[Gender.TOTAL] = total
        sources[Gender.TOTAL] = Measurement.Source.DERIVED
    return numbers, sources


@dataclass
class IndicatorReport:
    """What is stored after a report: the outcome per gender (to the field's decimal places, as
    the database gives it back), the outcome rows themselves and the forecast row."""

    values: dict[str, Decimal]
    forecast: Forecast | None
    measurements: dict[str, Measurement]


_VALUE_PLACES = Decimal(1).scaleb(-Measurement._meta.get_field("value").decimal_places)


@transaction.atomic
@records_acting_user
def measurement_report(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    values: dict[str, object],
    forecast=None,
    comment: str = "",
    acting_user=None,
    source: str = Measurement.Source.MANUAL,
    seen_versions: dict[str, int | None] | None = None,
) -> IndicatorReport:
    """Report an indicator's outcome for a period, per gender, with a forecast and a comment.

    `values` maps T/K/M to a number or None (None clears what was there). For an indicator split by
    gender whose measure is additive, T is derived from K and M when both are given.
    `seen_versions` maps T/K/M (and "forecast") to the version the person saw, None for a row that
    did not exist then; when someone else has saved in between, nothing is saved.
    """
    require(acting_user, Action.REPORT, indicator)
    # A personnel key figure is reported where personnel is followed up, others with indicators.
    _refuse_unless_open(period, indicator.subject, indicator.municipality_id)
    refuse_if_handed_in(indicator.unit_id, period)
    numbers, sources = _outcome_numbers(indicator, values, source)

    # The rows as the unique indexes name them (municipality first); locked until the commit.
    owner = {
        "municipality_id": indicator.municipality_id,
        "period": period,
        "indicator": indicator,
        "unit_id": indicator.unit_id,
    }
    existing = {m.gender: m for m in Measurement.objects.select_for_update().filter(**owner)}
    forecast_row = Forecast.objects.select_for_update().filter(**owner).first()
    if seen_versions is not None:
        rows = {**existing, "forecast": forecast_row}
        for key, seen in seen_versions.items():
            _refuse_if_changed(Measurement if key != "forecast" else Forecast, rows.get(key), seen)
    for gender, number in numbers.items():
        row = existing.get(gender)
        if number is None:
            if row is not None:
                row.delete()
                del existing[gender]
            continue
        if row is None:
            existing[gender] = Measurement.objects.create(
                municipality_id=indicator.municipality_id,
                indicator=indicator,
                unit_id=indicator.unit_id,
                period=period,
                gender=gender,
                value=number,
                source=sources[gender],
                reported_by=acting_user,
            )
        elif row.value != number or row.source != sources[gender]:
            row.value, row.source, row.reported_by = number, sources[gender], acting_user
            row.save(update_fields=["value", "source", "reported_by", "updated_at"])

    forecast_value = _decimal(forecast, "forecast")
    if forecast_value is None and not comment.strip():
        if forecast_row is not None:
            forecast_row.delete()
        forecast_row = None
    elif forecast_row is None:
        forecast_row = Forecast.objects.create(
            municipality_id=indicator.municipality_id,
            indicator=indicator,
            unit_id=indicator.unit_id,
            period=period,
            value=forecast_value,
            comment=comment.strip(),
            reported_by=acting_user,
        )
    elif forecast_row.value != forecast_value or forecast_row.comment != comment.strip():
        forecast_row.value, forecast_row.comment = forecast_value, comment.strip()
        forecast_row.reported_by = acting_user
        forecast_row.save(update_fields=["value", "comment", "reported_by", "updated_at"])
    # `existing` is now what is stored: the rows were locked, and this is every write to them.
    by_gender = {str(gender): row for gender, row in existing.items()}
    stored = {gender: row.value.quantize(_VALUE_PLACES) for gender, row in by_gender.items()}
    return IndicatorReport(stored, forecast_row, by_gender)


# --- Many outcomes at once (imports) -----------------------------------------------------------


@dataclass
class OutcomeInput:
    """What a file reports for one indicator. A value left out, a forecast or a comment of None
    leaves what is stored as it is: an import adds and changes, it never clears."""

    indicator: Indicator
    values: dict[str, object]
    forecast: object = None
    comment: str | None = None


@dataclass
class OutcomeProblem:
    index: int  # the position in the list given
    field: str | None  # "T", "K", "M", "forecast", or None for the whole item
    message: str


class OutcomesInvalid(ValidationError):
    """Some of the outcomes cannot be reported; `problems` names every one of them."""

    def __init__(self, problems: list[OutcomeProblem]):
        super().__init__([p.message for p in problems])
        self.problems = problems


@dataclass
class OutcomesSummary:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class _CheckedOutcome:
    item: OutcomeInput
    numbers: dict[str, Decimal]
    sources: dict[str, str]
    forecast: Decimal | None


def _error_fields(error: ValidationError) -> list[tuple[str | None, str]]:
    if hasattr(error, "error_dict"):
        return [(field, text) for field, texts in error.message_dict.items() for text in texts]
    return [(None, text) for text in error.messages]


def _outcomes_check(
    period: ReportingPeriod, outcomes: list[OutcomeInput], acting_user, source: str
) -> tuple[list[_CheckedOutcome], list[OutcomeProblem]]:
    _refuse_unless_open(period, None, period.municipality_id)
    follows_up = period.definition.follows_up
    if not any(subject in follows_up for subject in Indicator.Subject.values):
        raise ValidationError(_not_followed_up(period, Indicator.Subject.INDICATORS))
    unit_ids = {o.indicator.unit_id for o in outcomes}
    handed_in = {
        s.unit_id: s
        for s in Submission.objects.filter(
            period=period, kind=Submission.Kind.REPORT, unit_id__in=unit_ids
        )
        .exclude(state=Submission.State.DRAFT)
        .select_related("unit")
    }
    allowed_units: dict[int, str | None] = {}
    checked, problems = [], []
    for index, item in enumerate(outcomes):
        indicator = item.indicator
        if indicator.municipality_id != period.municipality_id:
            problems.append(
                OutcomeProblem(index, None, _("The indicator belongs to another municipality."))
            )
            continue
        if indicator.subject not in follows_up:
            problems.append(
                OutcomeProblem(index, None, _not_followed_up(period, indicator.subject))
            )
            continue
        if indicator.unit_id not in allowed_units:
            refusal = None
            try:
                require(acting_user, Action.REPORT, indicator.unit)
                _refuse_if_handed_in_by(handed_in.get(indicator.unit_id), period)
            except (PermissionDenied, ValidationError) as error:
                refusal = " ".join(getattr(error, "messages", [str(error)]))
            allowed_units[indicator.unit_id] = refusal
        if allowed_units[indicator.unit_id] is not None:
            problems.append(OutcomeProblem(index, None, allowed_units[indicator.unit_id]))
            continue
        given = {g: v for g, v in item.values.items() if v is not None and str(v).strip()}
        bad_numbers = []
        for gender, raw in given.items():
            try:
                _decimal(raw, gender)
            except ValidationError as error:
                bad_numbers += [OutcomeProblem(index, f, t) for f, t in _error_fields(error)]
        forecast = None
        try:
            forecast = _decimal(item.forecast, "forecast")
        except ValidationError as error:
            bad_numbers += [OutcomeProblem(index, f, t) for f, t in _error_fields(error)]
        if bad_numbers:
            problems += bad_numbers
            continue
        try:
            numbers, sources = _outcome_numbers(indicator, given, source)
        except ValidationError as error:
            problems += [OutcomeProblem(index, f, t) for f, t in _error_fields(error)]
            continue
        checked.append(_CheckedOutcome(item, numbers, sources, forecast))
    return checked, problems


def outcomes_check(
    *,
    period: ReportingPeriod,
    outcomes: list[OutcomeInput],
    acting_user=None,
    source: str = Measurement.Source.IMPORT,
) -> list[OutcomeProblem]:
    """Every problem `outcomes_report_many` would refuse for, without writing anything."""
    return _outcomes_check(period, outcomes, acting_user, source)[1]


def _existing_by_key(model, period: ReportingPeriod, indicator_ids: list[int], key) -> dict:
    rows = {}
    for start in range(0, len(indicator_ids), 900):  # SQLite's limit on query parameters
        chunk = indicator_ids[start : start + 900]
        for row in model.objects.select_for_update().filter(
            municipality_id=period.municipality_id, period=period, indicator_id__in=chunk
        ):
            rows[key(row)] = row
    return rows


@transaction.atomic
@records_acting_user
def outcomes_report_many(
    *,
    period: ReportingPeriod,
    outcomes: list[OutcomeInput],
    acting_user=None,
    source: str = Measurement.Source.IMPORT,
) -> OutcomesSummary:
    """Report many indicators' outcomes, forecasts and comments at once: all or nothing.

    The rules are those of `measurement_report`; every problem is collected and raised together
    as `OutcomesInvalid`, and then nothing is written. A value equal to the stored one is not
    written again, so reporting the same thing twice leaves no new history. Rows are written in
    bulk, each with its history record (who, when, what).
    """
    checked, problems = _outcomes_check(period, outcomes, acting_user, source)
    if problems:
        raise OutcomesInvalid(problems)
    indicator_ids = sorted({c.item.indicator.pk for c in checked})
    measurements = _existing_by_key(
        Measurement, period, indicator_ids, lambda m: (m.indicator_id, m.gender)
    )
    forecasts = _existing_by_key(Forecast, period, indicator_ids, lambda f: f.indicator_id)
    now = timezone.now()
    summary = OutcomesSummary()
    new_measurements, changed_measurements, new_forecasts, changed_forecasts = [], [], [], []
    for outcome in checked:
        indicator = outcome.item.indicator
        for gender, number in outcome.numbers.items():
            row = measurements.get((indicator.pk, gender))
            if row is None:
                new_measurements.append(
                    Measurement(
                        municipality_id=indicator.municipality_id,
                        indicator=indicator,
                        unit_id=indicator.unit_id,
                        period=period,
                        gender=gender,
                        value=number,
                        source=outcome.sources[gender],
                        reported_by=acting_user,
                    )
                )
            elif row.value != number:
                row.value, row.source, row.reported_by = (
                    number,
                    outcome.sources[gender],
                    acting_user,
                )
                row.version += 1
                row.updated_at = now
                changed_measurements.append(row)
            else:
                summary.unchanged += 1
        if outcome.item.forecast is None and outcome.item.comment is None:
            continue
        row = forecasts.get(indicator.pk)
        value = (
            outcome.forecast if outcome.item.forecast is not None else getattr(row, "value", None)
        )
        comment = (
            outcome.item.comment.strip()
            if outcome.item.comment is not None
            else getattr(row, "comment", "")
        )
        if row is None:
            if value is not None or comment:
                new_forecasts.append(
                    Forecast(
                        municipality_id=indicator.municipality_id,
                        indicator=indicator,
                        unit_id=indicator.unit_id,
                        period=period,
                        value=value,
                        comment=comment,
                        reported_by=acting_user,
                    )
                )
        elif row.value != value or row.comment != comment:
            row.value, row.comment, row.reported_by = value, comment, acting_user
            row.version += 1
            row.updated_at = now
            changed_forecasts.append(row)
        else:
            summary.unchanged += 1
    for model, rows in ((Measurement, new_measurements), (Forecast, new_forecasts)):
        # PostgreSQL and SQLite return the new primary keys, which the history records need.
        model.objects.bulk_create(rows, batch_size=2000)
        history_insert(rows, model, kind="+", user=acting_user, when=now)
    written = ["reported_by", "updated_at", "version"]
    for model, rows, fields in (
        (Measurement, changed_measurements, [*written, "value", "source"]),
        (Forecast, changed_forecasts, [*written, "value", "comment"]),
    ):
        rows_update(rows, model, fields)
        history_insert(rows, model, kind="~", user=acting_user, when=now)
    summary.created = len(new_measurements) + len(new_forecasts)
    summary.changed = len(changed_measurements) + len(changed_forecasts)
    return summary


# --- Activities and assignments -----------------------------------------------------------------


def _status_report(model, subject: str, item, period, status, comment: str, acting_user):
    """Activities and assignments are followed up alike: a status, and a comment on deviation."""
    require(acting_user, Action.REPORT, item)
    _refuse_unless_open(period, subject, item.municipality_id)
    refuse_if_handed_in(unit_of(item).pk, period)
    if status.municipality_id != item.municipality_id:
        raise ValidationError({"status": _("The status belongs to another municipality.")})
    if status.is_deviation and not comment.strip():
        raise ValidationError(
            {
                "comment": _("Explain the deviation: a comment is required for “%(status)s”.")
                % {"status": status.label}
            }
        )
    report, _created = model.objects.update_or_create(
        municipality_id=item.municipality_id,
        period=period,
        **{model.subject_field: item},
        defaults={"status": status, "comment": comment.strip(), "reported_by": acting_user},
    )
    return report


@transaction.atomic
@records_acting_user
def activity_report(
    *,
    activity: Activity,
    period: ReportingPeriod,
    status: ActivityStatus,
    comment: str = "",
    acting_user=None,
) -> ActivityReport:
    return _status_report(
        ActivityReport, "activities", activity, period, status, comment, acting_user
    )


@transaction.atomic
@records_acting_user
def assignment_report(
    *,
    assignment: Assignment,
    period: ReportingPeriod,
    status: ActivityStatus,
    comment: str = "",
    acting_user=None,
) -> AssignmentReport:
    return _status_report(
        AssignmentReport, "assignments", assignment, period, status, comment, acting_user
    )


# --- Goal assessments --------------------------------------------------------------------------


@dataclass
class CorrectiveActionInput:
    description: str
    responsible: str
    due_on: datetime.date | None


@transaction.atomic
@records_acting_user
def assessment_submit(
    *,
    goal: Goal,
    period: ReportingPeriod,
    value: AssessmentValue,
    analysis: str,
    motivation: str = "",
    next_year: str = "",
    corrective_actions: Iterable[CorrectiveActionInput] = (),
    acting_user=None,
    seen_version=UNCHECKED,
) -> Assessment:
    """The responsible person's assessment of a goal, kept beside the rule's suggestion.

    A choice that differs from the suggestion needs a motivation; a goal not fully met needs
    åtgärder (what, who, by when); at the year's final period also how the work goes on next year.
    `seen_version` is the version the person saw (None: there was no assessment yet).
    """
    require(acting_user, Action.REPORT, goal)
    _refuse_unless_open(period, "goals", goal.municipality_id)
    refuse_if_handed_in(goal.unit_id, period)
    if value.municipality_id != goal.municipality_id:
        raise ValidationError({"value": _("The assessment value belongs to another municipality.")})
    actions = [a for a in corrective_actions if a.description.strip() or a.responsible.strip()]
    suggestion = assessment_suggest(goal=goal, period=period)
    errors: dict[str, list[str]] = {}
    if not analysis.strip():
        errors.setdefault("analysis", []).append(
            _("Write an analysis: why are the results what they are?")
        )
    if suggestion.value is not None and suggestion.value != value and not motivation.strip():
        errors.setdefault("motivation", []).append(
            _("The assessment differs from the suggestion (%(suggested)s): give your reasons.")
            % {"suggested": suggestion.value.label}
        )
    if not value.is_met and not actions:
        errors.setdefault("corrective_actions", []).append(
            _("The goal is not fully met: add at least one åtgärd (what, who, by when).")
        )
    for index, action in enumerate(actions, start=1):
        if not (action.description.strip() and action.responsible.strip() and action.due_on):
            errors.setdefault("corrective_actions", []).append(
                _("Åtgärd %(number)s needs what, who and by when.") % {"number": index}
            )
    if period.is_final and not value.is_met and not next_year.strip():
        errors.setdefault("next_year", []).append(
            _("Describe how the unit will work on the goal next year.")
        )
    if errors:
        raise ValidationError(errors)

    assessment = Assessment.objects.select_for_update().filter(period=period, goal=goal).first()
    if seen_version is not UNCHECKED:
        _refuse_if_changed(Assessment, assessment, seen_version)
    if assessment is None:
        assessment = Assessment(municipality_id=goal.municipality_id, period=period, goal=goal)
    assessment.value = value
    assessment.suggested_value = suggestion.value
    assessment.suggestion_reasons = suggestion.reasons
    assessment.motivation = motivation.strip()
    assessment.analysis = analysis.strip()
    assessment.next_year = next_year.strip()
    assessment.assessed_by = acting_user
    assessment.save()
    assessment.corrective_actions.all().delete()
    created = [
        # One by one, so each åtgärd gets its history.
        CorrectiveAction.objects.create(
            municipality_id=goal.municipality_id,
            assessment=assessment,
            description=action.description.strip(),
            responsible=action.responsible.strip(),
            due_on=action.due_on,
        )
        for action in actions
    ]
    # In CorrectiveAction's ordering (every one has a date: it is required above).
    created.sort(key=lambda row: (row.due_on, row.pk))
    _keep_prefetched(assessment, "corrective_actions", created)
    return assessment


def _keep_prefetched(obj, related_name: str, rows: list) -> None:
    """Let `obj.<related_name>.all()` answer with `rows`, as prefetch_related would have read
    them: the caller draws what was just written without reading it back."""
    queryset = getattr(obj, related_name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[related_name] = queryset


# --- A new year ----------------------------------------------------------------------------------


@dataclass
class YearSummary:
    periods: int
    goals: int
    activities: int


def _successor_code(code: str, year: int) -> str:
    root = code.removesuffix(f"-{year - 1}")
    return f"{root[:34]}-{year}"


@transaction.atomic
def year_prepare(*, municipality: Municipality, year: int) -> YearSummary:
    """Prepare a year's plan: its periods; last year's yearly goals copied as drafts linked to their
    predecessors, with the same indicators (whose history goes on); unfinished activities carried
    over. Goals of a mandate period or of several years simply stay in force. Running it again
    creates nothing twice."""
    created_periods = ReportingPeriod.objects.filter(municipality=municipality, year=year).count()
    periods_generate(municipality=municipality, year=year)
    created_periods = (
        ReportingPeriod.objects.filter(municipality=municipality, year=year).count()
        - created_periods
    )
    previous = (
        Goal.objects.filter(municipality=municipality, level__validity=GoalLevel.Validity.YEAR)
        .in_force(year - 1)
        .filter(valid_to__lt=datetime.date(year, 1, 1), successors__isnull=True)
    )
    copies = goals_copy_to_year(
        goals=previous,
        year=year,
        status=Goal.Status.DRAFT,
        code_for=lambda goal: _successor_code(goal.code, year),
    )
    for goal_pk, copy in copies.items():
        copy.predecessor_id = goal_pk
        copy.save(update_fields=["predecessor", "updated_at"])
    return YearSummary(created_periods, len(copies), _carry_over_activities(municipality, year))


def goals_copy_to_year(*, goals, year: int, status: str, code_for) -> dict[int, Goal]:
    """Copy goals into `year` with their röda tråd: a parent that is copied too is replaced by its
    copy; focus areas, the units a goal is directed to and its indicators come along. Returns the
    copies by the original's pk."""
    goals = list(goals.prefetch_related("parent_links", "focus_areas", "directed_to", "indicators"))
    copies: dict[int, Goal] = {}
    for goal in goals:
        copies[goal.pk] = Goal.objects.create(
            municipality_id=goal.municipality_id,
            code=code_for(goal),
            level_id=goal.level_id,
            unit_id=goal.unit_id,
            title=goal.title,
            description=goal.description,
            texts=goal.texts,
            valid_from=datetime.date(year, 1, 1),
            valid_to=datetime.date(year, 12, 31),
            status=status,
        )
    for goal in goals:
        copy = copies[goal.pk]
        through = {"municipality_id": goal.municipality_id}
        for link in goal.parent_links.all():
            parent = copies.get(link.parent_id)
            GoalLink.objects.create(
                goal=copy, parent_id=parent.pk if parent else link.parent_id, **through
            )
        copy.focus_areas.set(goal.focus_areas.all(), through_defaults=through)
        copy.directed_to.set(goal.directed_to.all(), through_defaults=through)
        copy.indicators.set(goal.indicators.all(), through_defaults=through)
    return copies


def _carry_over_activities(municipality: Municipality, year: int) -> int:
    start = datetime.date(year, 1, 1)
    done = set(
        ActivityReport.objects.filter(
            municipality=municipality, period__year__lt=year, status__is_done=True
        ).values_list("activity_id", flat=True)
    )
    existing = set(
        Activity.objects.filter(municipality=municipality).values_list("code", flat=True)
    )
    successors = dict(
        Goal.objects.filter(municipality=municipality, valid_from=start)
        .exclude(predecessor=None)
        .values_list("predecessor_id", "pk")
    )
    carried = 0
    last_year = Activity.objects.filter(
        municipality=municipality, start__lt=start, end__gte=datetime.date(year - 1, 1, 1)
    ).prefetch_related("goals")
    for activity in last_year:
        code = _successor_code(activity.code, year)
        if activity.pk in done or code in existing or activity.end >= start:
            continue
        copy = Activity.objects.create(
            municipality=municipality,
            code=code,
            title=activity.title,
            description=activity.description,
            unit_id=activity.unit_id,
            responsible=activity.responsible,
            origin=activity.origin,
            start=start,
            # The same day a year later: a planner revises it with the rest of the plan.
            end=activity.end.replace(year=year, day=min(activity.end.day, 28))
            if activity.end.month == 2
            else activity.end.replace(year=year),
        )
        goal_ids = [successors.get(g.pk, g.pk) for g in activity.goals.all()]
        copy.goals.set(goal_ids, through_defaults={"municipality": municipality})
        carried += 1
    return carried
