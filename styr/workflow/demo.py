"""The demo's decided plans: the political bodies' plans for the year go through the whole
workflow (submitted, approved, adopted), so that the public view has decided plans to show.
The units' own plans stay drafts, so that a chef in the demo can still plan."""

import datetime

from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import Goal
from styr.workflow.models import Submission
from styr.workflow.services import (
    submission_adopt,
    submission_approve,
    submission_for,
    submission_submit,
)


def demo_plans_adopt(*, municipality: Municipality, year: int) -> int:
    """Idempotent: a plan already adopted is left as it is. Returns how many were adopted now."""
    adopted = 0
    planning_units = set(
        Goal.objects.filter(municipality=municipality).in_force(year).values_list("unit", flat=True)
    )
    bodies = OrgUnit.objects.filter(
        municipality=municipality, type__is_political=True, pk__in=planning_units
    ).order_by("path")
    for number, unit in enumerate(bodies, start=1):
        submission = submission_for(unit=unit, year=year)
        if submission.state == Submission.State.DRAFT:
            submission_submit(submission=submission)
        if submission.state == Submission.State.SUBMITTED:
            submission_approve(submission=submission)
        if submission.state == Submission.State.APPROVED:
            submission_adopt(
                submission=submission,
                adopted_on=datetime.date(year - 1, 11, 20),
                reference=f"{unit.name} {year - 1}-11-20 § {number}",
            )
            adopted += 1
    return adopted
