"""The forms of intern kontroll. Fields are lenient: the services say, in Swedish, what is
missing or wrong, so a form and a command get the same messages."""

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from styr.web.forms import designsystem_inputs

from .models import ControlPoint, Risk

PROBABILITY = [
    (1, _("1 – unlikely")),
    (2, _("2 – less likely")),
    (3, _("3 – possible")),
    (4, _("4 – likely")),
]
CONSEQUENCE = [
    (1, _("1 – negligible")),
    (2, _("2 – mild")),
    (3, _("3 – serious")),
    (4, _("4 – grave")),
]
MONTH_CHOICES = [(number, name) for number, name in MONTHS.items()]


def _scale(label, choices):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "–"), *choices],
        coerce=int,
        required=False,
        empty_value=None,
    )


def _text(label, rows: int | None = None, help_text: str = ""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text)


class RiskForm(forms.Form):
    title = _text(_("Risk"))
    description = _text(_("Description"), rows=3)
    area = _text(_("Process or area"), help_text=_("For example purchasing, payroll or meals."))
    probability = _scale(_("Probability (sannolikhet)"), PROBABILITY)
    consequence = _scale(_("Consequence (konsekvens)"), CONSEQUENCE)
    response = forms.ChoiceField(
        label=_("Handling"),
        choices=Risk.Response.choices,
        initial=Risk.Response.CONTROL,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        designsystem_inputs(self)


class ControlPointForm(forms.Form):
    risk = forms.ModelChoiceField(label=_("Which risk"), queryset=Risk.objects.none())
    what = _text(_("What is controlled"))
    method = _text(_("How (method)"), rows=3)
    responsible = _text(_("Who (responsible)"))
    frequency = _text(
        _("When and how often"), help_text=_("For example: twice a year, 10 invoices.")
    )
    months = forms.TypedMultipleChoiceField(
        label=_("Months of the control"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = (
            plan.risks.order_by("number") if plan else Risk.objects.none()
        )
        designsystem_inputs(self)


class ControlResultForm(forms.Form):
    control_point = forms.ModelChoiceField(
        label=_("Control point"), queryset=ControlPoint.objects.none()
    )
    month = forms.TypedChoiceField(
        label=_("Month controlled"),
        choices=[("", "–"), *MONTH_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    performed_on = forms.DateField(
        label=_("Performed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    result = _text(_("Result"), rows=3)
    deviation = forms.BooleanField(label=_("Deviation found"), required=False)
    deviation_description = _text(_("The deviation"), rows=3)
    measures = _text(_("Measures (åtgärder)"), rows=3)

    def __init__(self, *args, plan, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        points = plan.control_points.order_by("number") if plan else ControlPoint.objects.none()
        self.fields["control_point"].queryset = points
        if row is not None:
            del self.fields["control_point"]
        designsystem_inputs(self)


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("Adopted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = _text(_("Decision (paragraph)"), help_text=_("For example: SN 2026-02-12 § 14."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        designsystem_inputs(self)
