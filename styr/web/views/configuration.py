"""Inställningar: what the controllers of a municipality set up — its look, its styrmodell, its
periods and deadlines — and a view of its organisation. A controller administers the whole
organisation (an administratör on a root unit, or a superuser); the same grant lets the follow-up
services close and decide periods, so these pages and the services agree on who may."""

import datetime
import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from styr.access.policy import Action, units_administered_by
from styr.followup.models import MONTH_NAMES, ReportingPeriod
from styr.followup.services import period_close, period_decide, period_reopen, periods_generate
from styr.governance.models import (
    ActivityStatus,
    AssessmentValue,
    FocusArea,
    GoalLevel,
    GovernanceModel,
    PeriodDefinition,
)
from styr.governance.services import LoadSummary, ModelFileError, governance_model_load
from styr.organisation.models import Municipality, OrgUnit, RoleGrant, UnitType
from styr.organisation.services import municipality_settings_update
from styr.planning.models import Goal

from ..configuration_forms import ModelFileForm, MunicipalitySettingsForm, PeriodDecisionForm
from .common import access, error_messages, form_errors

# What a period follows up, as the styrmodell file names it.
FOLLOW_UP_LABELS = {
    "goals": gettext_lazy("goals"),
    "indicators": gettext_lazy("indicators"),
    "activities": gettext_lazy("activities"),
    "assignments": gettext_lazy("assignments"),
    "budget": gettext_lazy("budget"),
    "personnel": gettext_lazy("personnel"),
    "internal_control": gettext_lazy("internal control"),
}
RULE_BASIS_LABELS = {
    "indicators": gettext_lazy("the indicators' outcomes against their targets"),
    "indicators_and_activities": gettext_lazy(
        "the indicators' outcomes against their targets and the activities' statuses"
    ),
}
# What a load would change, by kind of object, as the load summary counts them.
SUMMARY_KINDS = {
    "model": gettext_lazy("styrmodell"),
    "unit_type": gettext_lazy("unit types"),
    "goal_level": gettext_lazy("goal levels"),
    "focus_area": gettext_lazy("focus areas"),
    "period": gettext_lazy("reporting periods"),
    "assessment_value": gettext_lazy("scale values"),
    "activity_status": gettext_lazy("activity statuses"),
    "unit": gettext_lazy("units"),
    "goal": gettext_lazy("goals"),
    "indicator": gettext_lazy("indicators"),
    "target": gettext_lazy("targets"),
    "activity": gettext_lazy("activities"),
    "assignment": gettext_lazy("assignments"),
}
SUMMARY_STATUSES = {
    "created": gettext_lazy("new"),
    "updated": gettext_lazy("changed"),
    "unchanged": gettext_lazy("unchanged"),
    "deleted": gettext_lazy("removed"),
}
UPLOAD_SESSION_KEY = "styr_settings_model_upload"


# --- Who may, and for which municipality ---------------------------------------------------------


def municipalities_controlled_by(user):
    """The municipalities whose whole organisation the user administers."""
    roots = units_administered_by(user).filter(depth=0).values("municipality_id")
    return Municipality.objects.filter(pk__in=roots).defer("logo")


def _not_a_controller() -> str:
    return _("Only an administrator of a whole municipality may change its settings.")


def controlled_municipality(request) -> tuple[Municipality, list[Municipality]]:
    """The municipality the page is about (?kommun=, or a form's kommun) and all the user may
    choose between; 403 for anyone who controls none."""
    municipalities = list(municipalities_controlled_by(request.user).order_by("pk"))
    if not municipalities:
        raise PermissionDenied(_not_a_controller())
    chosen = request.POST.get("kommun") or request.GET.get("kommun")
    municipality = next((m for m in municipalities if str(m.pk) == chosen), municipalities[0])
    return municipality, sorted(municipalities, key=lambda m: m.name)


def _page(request, template: str, section: str, municipality, municipalities, context, status=200):
    return TemplateResponse(
        request,
        template,
        {
            "section": section,
            "municipality": municipality,
            "municipalities": municipalities,
            **context,
        },
        status=status,
    )


def _back(name: str, municipality: Municipality, **params) -> str:
    query = urlencode({"kommun": municipality.pk, **params})
    return f"{reverse(name)}?{query}"


# --- Start ---------------------------------------------------------------------------------------


@require_GET
def settings(request):
    municipality, municipalities = controlled_municipality(request)
    return _page(
        request,
        "settings/index.html",
        "index",
        municipality,
        municipalities,
        {
            "title": _("Settings"),
            "model": GovernanceModel.objects.filter(municipality=municipality).first(),
            "year": datetime.date.today().year,
        },
    )


# --- Kommunen ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def settings_municipality(request):
    municipality, municipalities = controlled_municipality(request)
    form = MunicipalitySettingsForm(
        request.POST or None,
        request.FILES or None,
        initial={"colour": municipality.colour, "public_view": municipality.public_view},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logo, logo_name = data["logo"] or (None, "")
        try:
            municipality_settings_update(
                municipality=municipality,
                colour=data["colour"],
                public_view=data["public_view"],
                logo=logo,
                logo_name=logo_name,
                remove_logo=data["remove_logo"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The municipality's settings have been saved."))
            return redirect(_back("web:settings_municipality", municipality))
    history = municipality.history.select_related("history_user").order_by("-history_date")[:10]
    return _page(
        request,
        "settings/municipality.html",
        "municipality",
        municipality,
        municipalities,
        {"title": _("The municipality"), "form": form, "history": history},
        status=400 if form.errors else 200,
    )


# --- Styrmodellen --------------------------------------------------------------------------------


def summary_lines(summary: LoadSummary) -> list[str]:
    """What a load changes, kind by kind, in words."""
    lines = []
    for kind, label in SUMMARY_KINDS.items():
        parts = [
            f"{summary.counts[(kind, status)]} {status_label}"
            for status, status_label in SUMMARY_STATUSES.items()
            if summary.counts[(kind, status)]
        ]
        if parts:
            lines.append(f"{capfirst(label)}: {', '.join(parts)}")
    links = sum(n for (kind, _status), n in summary.counts.items() if kind not in SUMMARY_KINDS)
    if links:
        lines.append(capfirst(_("links changed: %(count)s") % {"count": links}))
    return lines


def _model_context(municipality: Municipality) -> dict:
    model = GovernanceModel.objects.filter(municipality=municipality).first()
    if model is None:
        return {"model": None}
    unit_types = list(
        UnitType.objects.filter(municipality=municipality)
        .prefetch_related("allowed_parents")
        .order_by("order")
    )
    type_names = {t.key: t.name for t in unit_types}
    scale = list(AssessmentValue.objects.filter(municipality=municipality).order_by("order"))
    scale_labels = {v.key: v.label for v in scale}
    levels = list(
        GoalLevel.objects.filter(municipality=municipality)
        .select_related("decided_by")
        .prefetch_related(
            Prefetch("owner_unit_types", queryset=UnitType.objects.order_by("order")),
            Prefetch("parent_levels", queryset=GoalLevel.objects.order_by("order")),
        )
        .order_by("order")
    )
    level_names = {level.key: level.name for level in levels}
    periods = [
        {
            "definition": definition,
            "months": [str(MONTH_NAMES[m]).lower() for m in definition.through_months],
            "follows_up": [str(FOLLOW_UP_LABELS.get(s, s)) for s in definition.follows_up],
            "deadlines": [
                (type_names.get(key, key), days)
                for key, days in sorted(
                    definition.deadlines.items(),
                    key=lambda item: (
                        list(type_names).index(item[0])
                        if item[0] in type_names
                        else len(type_names)
                    ),
                )
            ],
        }
        for definition in PeriodDefinition.objects.filter(municipality=municipality)
        .select_related("decided_by")
        .order_by("order")
    ]
    rule = model.assessment_rule or {}
    return {
        "model": model,
        "unit_types": unit_types,
        "levels": levels,
        "focus_areas": FocusArea.objects.filter(municipality=municipality).order_by("order"),
        "periods": periods,
        "scale": scale,
        "rule": {
            "basis": RULE_BASIS_LABELS.get(rule.get("basis"), rule.get("basis", "")),
            "thresholds": [
                (scale_labels.get(t["value"], t["value"]), round(t["min_share"] * 100))
                for t in rule.get("thresholds", [])
            ],
            "otherwise": scale_labels.get(rule.get("otherwise"), rule.get("otherwise", "")),
            "tolerance": rule.get("tolerance_percent", 0),
            "overall": [
                {
                    "name": o["name"],
                    "parts": [
                        (
                            [level_names.get(key, key) for key in part["levels"]],
                            round(part["min_share"] * 100),
                        )
                        for part in o["all_of"]
                    ],
                }
                for o in rule.get("overall", [])
            ],
        },
        "statuses": ActivityStatus.objects.filter(municipality=municipality).order_by("order"),
    }


def _model_page(request, municipality, municipalities, form=None, status=200, **context):
    return _page(
        request,
        "settings/model.html",
        "model",
        municipality,
        municipalities,
        {
            "title": _("The governance model"),
            "form": form or ModelFileForm(),
            **_model_context(municipality),
            **context,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def settings_model(request):
    """The model as loaded; a file uploaded here is checked and tried (nothing is kept), and
    the page shows its problems or what loading it would change, to be confirmed."""
    municipality, municipalities = controlled_municipality(request)
    if request.method == "GET":
        return _model_page(request, municipality, municipalities)
    form = ModelFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _model_page(request, municipality, municipalities, form, status=400)
    name, text = form.cleaned_data["file"]
    try:
        summary = governance_model_load(
            name=name,
            text=text,
            municipality_code=municipality.code,
            dry_run=True,
            acting_user=request.user,
        )
    except ModelFileError as error:
        return _model_page(
            request,
            municipality,
            municipalities,
            form,
            status=400,
            checked_name=name,
            problems=error.problems,
        )
    checksum = hashlib.sha256(text.encode()).hexdigest()
    # The checked file waits in the session until it is confirmed; the load checks it again.
    request.session[UPLOAD_SESSION_KEY] = {
        "municipality": municipality.pk,
        "name": name,
        "text": text,
        "sha256": checksum,
    }
    return _model_page(
        request,
        municipality,
        municipalities,
        checked_name=name,
        checksum=checksum,
        summary=summary,
        summary_lines=summary_lines(summary),
    )


@require_POST
def settings_model_load(request):
    municipality, _municipalities = controlled_municipality(request)
    upload = request.session.get(UPLOAD_SESSION_KEY)
    if (
        not upload
        or upload["municipality"] != municipality.pk
        or upload["sha256"] != request.POST.get("sha256")
    ):
        messages.error(
            request, _("The file to load was not found. Upload it again and check it first.")
        )
        return redirect(_back("web:settings_model", municipality))
    try:
        summary = governance_model_load(
            name=upload["name"],
            text=upload["text"],
            municipality_code=municipality.code,
            acting_user=request.user,
        )
    except ModelFileError as error:
        # The database may have changed since the check; nothing was loaded.
        messages.error(request, _("The file was not loaded; nothing was changed."))
        for problem in error.problems:
            messages.error(request, str(problem))
        return redirect(_back("web:settings_model", municipality))
    del request.session[UPLOAD_SESSION_KEY]
    lines = summary_lines(summary) if summary.changed else []
    messages.success(
        request,
        " ".join(
            [_("%(name)s has been loaded.") % {"name": upload["name"]}]
            + [f"{line}." for line in lines]
            + ([] if lines else [_("Nothing changed.")])
        ),
    )
    return redirect(_back("web:settings_model", municipality))


@require_GET
def settings_model_file(request):
    municipality, _municipalities = controlled_municipality(request)
    model = GovernanceModel.objects.filter(municipality=municipality).first()
    if model is None or not model.source_text:
        raise Http404
    response = HttpResponse(model.source_text, content_type="application/yaml; charset=utf-8")
    filename = model.source_name or f"styrmodell-{municipality.code}.yaml"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Perioder och tidsfrister --------------------------------------------------------------------


def _year(request) -> int:
    raw = request.GET.get("ar") or request.POST.get("ar") or ""
    year = int(raw) if raw.isdigit() else datetime.date.today().year
    return year if 1990 <= year <= 2100 else datetime.date.today().year


@require_GET
def settings_periods(request):
    municipality, municipalities = controlled_municipality(request)
    year = _year(request)
    periods = list(
        ReportingPeriod.objects.filter(municipality=municipality, year=year)
        .select_related("definition")
        .order_by("month", "definition__order")
    )
    definitions = list(PeriodDefinition.objects.filter(municipality=municipality))
    keys = {key for d in definitions for key in d.deadlines}
    unit_types = [
        t
        for t in UnitType.objects.filter(municipality=municipality).order_by("order")
        if t.key in keys
    ]
    rows = [
        {
            "period": p,
            "month": MONTH_NAMES[p.month],
            "deadlines": [(t, p.deadline_for(t.key)) for t in unit_types],
        }
        for p in periods
    ]
    expected = sum(len(d.through_months) for d in definitions)
    return _page(
        request,
        "settings/periods.html",
        "periods",
        municipality,
        municipalities,
        {
            "title": _("Periods and deadlines"),
            "year": year,
            "rows": rows,
            "missing": max(expected - len(periods), 0),
            "has_model": bool(definitions),
        },
    )


@require_POST
def settings_periods_generate(request):
    municipality, _municipalities = controlled_municipality(request)
    year = _year(request)
    if not PeriodDefinition.objects.filter(municipality=municipality).exists():
        messages.error(request, _("Load a styrmodell with periods first."))
        return redirect(_back("web:settings_periods", municipality, ar=year))
    before = ReportingPeriod.objects.filter(municipality=municipality, year=year).count()
    periods = periods_generate(municipality=municipality, year=year)
    created = len(periods) - before
    if created:
        done = ngettext(
            "%(count)s new period of %(year)s was created.",
            "%(count)s new periods of %(year)s were created.",
            created,
        )
    else:
        done = _("All the periods of %(year)s exist already.")
    messages.success(request, done % {"count": created, "year": year})
    return redirect(_back("web:settings_periods", municipality, ar=year))


def _period_state_change(request, pk: int, service, done: str):
    period = access(
        request.user,
        ReportingPeriod,
        pk,
        Action.ADMINISTER,
        municipality__in=_controlled_ids(request),
    )
    try:
        service(period=period, acting_user=request.user)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
    else:
        messages.success(request, done % {"period": period.name})
    return redirect(_back("web:settings_periods", period.municipality, ar=period.year))


def _controlled_ids(request) -> list[int]:
    ids = list(municipalities_controlled_by(request.user).values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied(_not_a_controller())
    return ids


@require_POST
def settings_period_close(request, pk: int):
    return _period_state_change(
        request, pk, period_close, _("%(period)s is now closed for reporting.")
    )


@require_POST
def settings_period_reopen(request, pk: int):
    return _period_state_change(
        request, pk, period_reopen, _("%(period)s is open for reporting again.")
    )


@require_http_methods(["GET", "POST"])
def settings_period_decide(request, pk: int):
    """Recording the decision locks the period for good, so it has a page of its own to confirm."""
    ids = _controlled_ids(request)
    period = access(request.user, ReportingPeriod, pk, Action.ADMINISTER, municipality__in=ids)
    municipality, municipalities = controlled_municipality(request)
    municipality = next((m for m in municipalities if m.pk == period.municipality_id), municipality)
    form = PeriodDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period_decide(
                period=period,
                decided_on=form.cleaned_data["decided_on"],
                reference=form.cleaned_data["decision_reference"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _("The decision on %(period)s has been recorded.") % {"period": period.name},
            )
            return redirect(_back("web:settings_periods", municipality, ar=period.year))
    return _page(
        request,
        "settings/period_decide.html",
        "periods",
        municipality,
        municipalities,
        {"title": _("Record the decision"), "period": period, "form": form},
        status=400 if form.errors else 200,
    )


# --- Organisationen ------------------------------------------------------------------------------


@require_GET
def settings_organisation(request):
    municipality, municipalities = controlled_municipality(request)
    year = _year(request)
    units = list(
        OrgUnit.objects.filter(municipality=municipality).select_related("type").order_by("path")
    )
    goals = dict(
        Goal.objects.filter(municipality=municipality)
        .in_force(year)
        .order_by()
        .values("unit_id")
        .annotate(count=Count("pk"))
        .values_list("unit_id", "count")
    )
    grants: dict[int, list[RoleGrant]] = {}
    for grant in (
        RoleGrant.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    ):
        grants.setdefault(grant.unit_id, []).append(grant)
    nodes = {
        unit.pk: {
            "unit": unit,
            "goals": goals.get(unit.pk, 0),
            "grants": grants.get(unit.pk, []),
            "children": [],
        }
        for unit in units
    }
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent else roots).append(nodes[unit.pk])
    return _page(
        request,
        "settings/organisation.html",
        "organisation",
        municipality,
        municipalities,
        {"title": _("The organisation"), "year": year, "roots": roots, "count": len(units)},
    )


# --- Kolada --------------------------------------------------------------------------------------


def _kolada_context(municipality: Municipality) -> dict:
    from styr.kolada.catalogue import comparison_group, comparison_groups
    from styr.kolada.models import KoladaSync
    from styr.kolada.services import linked_kpis

    return {
        "title": _("Kolada"),
        "groups": comparison_groups(municipality.code),
        "group": comparison_group(municipality),
        "kpis": linked_kpis(municipality),
        "syncs": KoladaSync.objects.filter(municipality=municipality)
        .select_related("started_by")
        .order_by("-created_at")[:5],
    }


@require_http_methods(["GET", "POST"])
def settings_kolada(request):
    from styr.kolada.services import kolada_group_set

    municipality, municipalities = controlled_municipality(request)
    if request.method == "POST":
        try:
            kolada_group_set(
                municipality=municipality,
                group=request.POST.get("kolada_group", ""),
                acting_user=request.user,
            )
        except ValidationError as error:
            for text in error_messages(error):
                messages.error(request, text)
        else:
            messages.success(request, _("The comparison group has been saved."))
        return redirect(_back("web:settings_kolada", municipality))
    context = _kolada_context(municipality)
    return _page(request, "settings/kolada.html", "kolada", municipality, municipalities, context)


@require_POST
def settings_kolada_kkik(request):
    """Kommunens kvalitet i korthet in one step: its 40 indicators, linked, then fetched."""
    from styr.kolada.services import kkik_indicators_create
    from styr.kolada.tasks import kolada_sync_task

    municipality, _municipalities = controlled_municipality(request)
    try:
        created = kkik_indicators_create(municipality=municipality, acting_user=request.user)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
        return redirect(_back("web:settings_kolada", municipality))
    if created:
        kolada_sync_task.enqueue(
            municipality.pk, kpis=[i.kolada_kpi for i in created], user_id=request.user.pk
        )
    messages.success(
        request,
        ngettext(
            "%(count)s indicator for Kommunens kvalitet i korthet was created; its values are "
            "fetched from Kolada in the background.",
            "%(count)s indicators for Kommunens kvalitet i korthet were created; their values are "
            "fetched from Kolada in the background.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect(_back("web:settings_kolada", municipality))


@require_POST
def settings_kolada_sync(request):
    from styr.kolada.tasks import kolada_sync_task

    municipality, _municipalities = controlled_municipality(request)
    kolada_sync_task.enqueue(municipality.pk, user_id=request.user.pk)
    messages.success(
        request,
        _(
            "Kolada is being fetched in the background. Reload the page in a while to see how "
            "it went."
        ),
    )
    return redirect(_back("web:settings_kolada", municipality))
