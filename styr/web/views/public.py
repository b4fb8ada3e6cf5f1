"""The public view (insyn): a municipality's decided plans and follow-ups, for anyone to read
without signing in, when the municipality has turned it on. Read-only; everything that is not
public answers 404, alike for missing and undecided."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styr.followup.models import ReportingPeriod
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import Goal

from .. import public


def _municipality(code: str) -> Municipality:
    municipality = public.public_municipality(code=code)
    if municipality is None:
        raise Http404
    return municipality


def _render(request, template: str, municipality: Municipality, context: dict):
    # The page wears the municipality's look, and reads the same for a signed-in person as for a
    # visitor: public/base.html leaves out the menu, and nothing here offers a change.
    context = {"theme": municipality, "municipality": municipality, **context}
    return TemplateResponse(request, template, context)


@login_not_required
@require_GET
def home(request, code: str):
    municipality = _municipality(code)
    return _render(
        request,
        "public/home.html",
        municipality,
        {
            "title": _("Decided plans and follow-ups"),
            "home": public.public_home(municipality=municipality),
        },
    )


@login_not_required
@require_GET
def unit(request, code: str, pk: int, year: int):
    municipality = _municipality(code)
    unit = get_object_or_404(
        OrgUnit.objects.select_related("type"), pk=pk, municipality=municipality
    )
    plan = public.public_plan(unit=unit, year=year)
    if plan is None:
        raise Http404
    return _render(
        request,
        "public/unit.html",
        municipality,
        {
            "title": _("Plan %(year)s for %(unit)s") % {"year": year, "unit": unit.name},
            "plan": plan,
        },
    )


@login_not_required
@require_GET
def goal(request, code: str, pk: int):
    municipality = _municipality(code)
    goal = get_object_or_404(
        Goal.objects.select_related("level", "unit"), pk=pk, municipality=municipality
    )
    page = public.public_goal(goal=goal)
    if page is None:
        raise Http404
    return _render(request, "public/goal.html", municipality, {"title": goal.title, "page": page})


@login_not_required
@require_GET
def followup(request, code: str, unit_pk: int, period_pk: int):
    municipality = _municipality(code)
    unit = get_object_or_404(OrgUnit, pk=unit_pk, municipality=municipality)
    period = get_object_or_404(
        ReportingPeriod.objects.select_related("definition__decided_by"),
        pk=period_pk,
        municipality=municipality,
    )
    report = public.public_followup(unit=unit, period=period)
    if report is None:
        raise Http404
    return _render(
        request,
        "public/followup.html",
        municipality,
        {
            "title": _("%(period)s for %(unit)s") % {"period": period.name, "unit": unit.name},
            "report": report,
        },
    )
