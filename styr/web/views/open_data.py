"""Open data of the public view (insyn): the decided plans and follow-ups as JSON and CSV, for
anyone without signing in, while the municipality has its public view on. Everything else answers
404 like the public pages. The format is documented in docs/open-data.md."""

import json

from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import open_data
from .public import _municipality, _render

FORMATS = ("json", "csv")


def _descriptions() -> dict[str, tuple[str, str]]:
    return {
        "units": (
            _("Units"),
            _("The organisation: every unit with its type and the unit above it."),
        ),
        "goals": (
            _("Goals of the decided plans"),
            _(
                "One row per goal in each adopted plan: unit, year, level, focus areas and the "
                "goals it contributes to (the red thread)."
            ),
        ),
        "targets": (
            _("Indicators and targets of the decided plans"),
            _("One row per goal, indicator and target of the plan's year, with the baseline."),
        ),
        "outcomes": (
            _("Outcomes of the decided follow-ups"),
            _(
                "One row per period, unit, indicator and gender (T total, K women, M men), as "
                "the follow-up was decided."
            ),
        ),
        "assessments": (
            _("Assessments of the decided follow-ups"),
            _("One row per period and goal: the assessment in the scale's words and the analysis."),
        ),
        "activities": (
            _("Activity statuses of the decided follow-ups"),
            _("One row per period and activity: its status and comment as decided."),
        ),
        "forecasts": (
            _("Forecasts of the decided follow-ups"),
            _(
                "One row per period, unit and indicator: the forecast for the year and its "
                "comment, as the follow-up was decided."
            ),
        ),
        "actions": (
            _("Actions of the decided follow-ups"),
            _(
                "One row per period, goal and action (åtgärd) decided with the assessment: what "
                "will be done and by when."
            ),
        ),
    }


@login_not_required
@require_GET
def index(request, code: str):
    municipality = _municipality(code)
    titles = _descriptions()
    return _render(
        request,
        "public/data.html",
        municipality,
        {
            "title": _("Open data"),
            "datasets": [
                {"dataset": d, "title": titles[d.key][0], "text": titles[d.key][1]}
                for d in open_data.DATASETS.values()
            ],
            "format_version": open_data.FORMAT_VERSION,
            "attribution": open_data.attribution(municipality),
        },
    )


@login_not_required
@require_GET
def dataset(request, code: str, dataset: str, fmt: str):
    municipality = _municipality(code)
    found = open_data.DATASETS.get(dataset)
    if found is None or fmt not in FORMATS:
        raise Http404
    rows = found.rows(municipality)
    name = open_data.filename(found, municipality, fmt)
    if fmt == "json":
        response = HttpResponse(
            json.dumps(
                open_data.as_json(found, municipality, rows),
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=1,
            ),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = StreamingHttpResponse(
            (line.encode() for line in open_data.csv_lines(found, rows)),
            content_type="text/csv; charset=utf-8",
        )
    # inline for JSON so that a browser shows it; a CSV is a file to open in a spreadsheet.
    disposition = "inline" if fmt == "json" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
