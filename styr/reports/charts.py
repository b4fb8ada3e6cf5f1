"""A chart per indicator, drawn on the server: the outcome over the year's periods against the
årsmål, women and men as their own lines when the indicator is split. Each chart carries a text
alternative in Swedish that says what the picture shows, from the same numbers."""

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .structure import Chart, IndicatorTable, Report, number_text


def chart_alt(table: IndicatorTable) -> str:
    """One or two sentences that say what the chart shows."""
    parts = [
        _("%(period)s: %(value)s") % {"period": p.period, "value": number_text(p.total)}
        for p in table.series
    ]
    text = _("Outcome for %(name)s per period: %(values)s.") % {
        "name": table.name,
        "values": ", ".join(parts),
    }
    if table.target is not None:
        text += " " + _("The target for the year is %(target)s.") % {
            "target": number_text(table.target)
        }
    last = table.series[-1] if table.series else None
    if table.gender_split and last and last.women is not None and last.men is not None:
        text += " " + _("Women %(women)s and men %(men)s in %(period)s.") % {
            "women": number_text(last.women),
            "men": number_text(last.men),
            "period": last.period,
        }
    return text


def indicator_chart(table: IndicatorTable) -> Chart | None:
    """A PNG of the indicator's outcomes so far; None when nothing has been reported."""
    if not any(p.total is not None for p in table.series):
        return None
    # Fixed margins and legend place: matplotlib's automatic layout and "best" legend spot cost
    # more than the drawing itself, and a report may hold hundreds of charts.
    figure = Figure(figsize=(6, 2.6), dpi=120)
    figure.subplots_adjust(left=0.11, right=0.98, top=0.95, bottom=0.27)
    axes = figure.subplots()
    labels = [p.period for p in table.series]
    positions = list(range(len(labels)))

    def line(values, label, style, colour):
        points = [(x, float(v)) for x, v in zip(positions, values, strict=True) if v is not None]
        if points:
            axes.plot(
                [x for x, _v in points],
                [v for _x, v in points],
                style,
                label=label,
                color=colour,
                linewidth=2,
                markersize=6,
            )

    line([p.total for p in table.series], _("Outcome"), "o-", "#1e4b7a")
    if table.gender_split:
        # Different markers as well as colours: the lines can be told apart in black and white.
        line([p.women for p in table.series], _("Women"), "s--", "#b5426b")
        line([p.men for p in table.series], _("Men"), "^:", "#3c7d3a")
    if table.target is not None:
        axes.axhline(
            float(table.target), color="#333333", linestyle="-.", linewidth=1.5, label=_("Target")
        )
    axes.set_xticks(positions, labels)
    axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    if table.measure:
        axes.set_ylabel(table.measure)
    # Swedish numbers on the axis too: a decimal comma.
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: number_text(Decimal(str(round(float(value), 6)))))
    )
    axes.grid(axis="y", color="#dddddd")
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize="small", frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Chart(buffer.getvalue(), chart_alt(table))


def report_charts(report: Report) -> Report:
    """Draw each indicator's chart once (an indicator may belong to several goals)."""
    if not report.charts:
        return report
    for section in report.sections:
        for group in section.groups:
            for goal in group.goals:
                for table in goal.indicators:
                    if table.chart is None:
                        table.chart = indicator_chart(table)
    return report
