from django import forms
from django.utils.translation import gettext_lazy as _

from styr.access.policy import Action, can, visible_to
from styr.governance.models import FocusArea
from styr.organisation.models import PATH_SEPARATOR, OrgUnit
from styr.planning.models import Activity, Goal, Indicator, Target
from styr.planning.services import INDICATOR_FIELDS


class GoalPlanForm(forms.Form):
    """A goal's title, texts and parents; the texts are the ones its level asks for."""

    title = forms.CharField(label=_("title"), max_length=500)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    parents = forms.ModelMultipleChoiceField(
        label=_("Contributes to"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, level, unit, user, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level
        self.fields["parents"].queryset = visible_to(
            user,
            Goal.objects.filter(
                municipality_id=unit.municipality_id, level__in=level.parent_levels.all()
            )
            .in_force(year)
            .select_related("unit")
            .order_by("level__order", "code"),
        )
        self.fields["parents"].label_from_instance = lambda g: f"{g.title} ({g.unit.name})"
        for field in level.text_fields:
            self.fields[f"text_{field['key']}"] = forms.CharField(
                label=field["label"],
                help_text=field.get("help", ""),
                required=False,  # the service says what the level requires, in its own words
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def texts(self) -> dict:
        return {
            field["key"]: self.cleaned_data.get(f"text_{field['key']}", "")
            for field in self.level.text_fields
        }


def _model_field(model, name: str, **kwargs):
    """The model field's form field: its label, help text, choices and validators."""
    return model._meta.get_field(name).formfield(**kwargs)


def designsystem_inputs(form) -> None:
    """Text boxes and lists in Designsystemet's look; check boxes and radio buttons as they are."""
    for field in form.fields.values():
        if not isinstance(field.widget, (forms.CheckboxInput, forms.RadioSelect)):
            field.widget.attrs.setdefault("class", "ds-input")


class IndicatorPlanForm(forms.Form):
    """An indicator's own fields; its targets are rows of TargetFormSet beside it."""

    unit = forms.ModelChoiceField(label=_("Owning unit"), queryset=OrgUnit.objects.none())
    code = _model_field(
        Indicator,
        "code",
        required=False,
        help_text=_("Leave empty and Styr gives the next free code of the unit."),
    )
    name = _model_field(Indicator, "name")
    description = _model_field(Indicator, "description", widget=forms.Textarea(attrs={"rows": 3}))
    measure = _model_field(Indicator, "measure", help_text=_("For example %, number or kr."))
    direction = _model_field(Indicator, "direction")
    kind = _model_field(Indicator, "kind")
    subject = _model_field(Indicator, "subject", required=False)
    focus_area = forms.ModelChoiceField(
        label=_("Focus area or perspective"),
        queryset=FocusArea.objects.none(),
        required=False,
        help_text=_("The focus area the indicator is followed up under, e.g. a perspective."),
    )
    frequency = _model_field(Indicator, "frequency")
    gender_split = _model_field(Indicator, "gender_split")
    additive = _model_field(Indicator, "additive")
    source = _model_field(Indicator, "source")
    kolada_kpi = _model_field(Indicator, "kolada_kpi")
    contributes_to = forms.ModelChoiceField(
        label=_("Contributes to"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("An indicator of the same unit or a unit above that this one feeds into."),
    )

    def __init__(self, *args, user, goal=None, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator is not None:
            # The code and the owner are kept once the indicator exists.
            del self.fields["unit"], self.fields["code"]
            unit = indicator.unit
        else:
            units = OrgUnit.objects.in_subtree(goal.unit).order_by("path")
            self.fields["unit"].queryset = units.filter(
                pk__in=[u.pk for u in units if can(user, Action.PLAN, u)]
            )
            self.fields["unit"].initial = goal.unit
            self.fields["unit"].label_from_instance = lambda u: u.indented_name
            unit = goal.unit
        above = [p for p in unit.path.split(PATH_SEPARATOR) if p]
        candidates = Indicator.objects.filter(
            municipality_id=unit.municipality_id, unit__code__in=above
        ).select_related("unit")
        if indicator is not None:
            candidates = candidates.exclude(pk=indicator.pk)
        self.fields["contributes_to"].queryset = candidates.order_by("unit__path", "code")
        self.fields["focus_area"].queryset = FocusArea.objects.filter(
            municipality_id=unit.municipality_id
        ).order_by("order")
        self.fields["contributes_to"].label_from_instance = lambda i: f"{i.name} ({i.unit.name})"
        self.fields["direction"].widget = forms.RadioSelect(choices=Indicator.Direction.choices)
        designsystem_inputs(self)

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"] or Indicator.Subject.INDICATORS

    def indicator_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in INDICATOR_FIELDS}


class TargetRowForm(forms.Form):
    """One target: a kind and a year, and a value or only increase/decrease."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Target.Kind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=18,
        decimal_places=4,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "ds-input value"}),
    )
    change = forms.ChoiceField(
        label=_("Or only a change"),
        choices=[("", "–"), *[c for c in Target.Change.choices if c[0]]],
        required=False,
    )
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        designsystem_inputs(self)
        self.fields["year"].widget.attrs["class"] = "ds-input value"

    def clean(self):
        cleaned = super().clean()
        if self.has_content() and cleaned.get("year") is None and "year" not in self.errors:
            self.add_error("year", _("Give the year."))
        return cleaned

    def has_content(self) -> bool:
        data = self.cleaned_data
        return data.get("value") is not None or bool(data.get("change") or data.get("comment"))

    def row(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


TargetFormSet = forms.formset_factory(TargetRowForm, extra=0)


def target_rows(formset) -> list[dict]:
    """The targets of a valid formset; rows left empty are no target."""
    return [form.row() for form in formset if form.has_content()]


class ActivityPlanForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Owning unit"), queryset=OrgUnit.objects.none())
    code = _model_field(
        Activity,
        "code",
        required=False,
        help_text=_("Leave empty and Styr gives the next free code of the unit."),
    )
    title = _model_field(Activity, "title")
    description = _model_field(Activity, "description", widget=forms.Textarea(attrs={"rows": 3}))
    responsible = _model_field(Activity, "responsible")
    origin = _model_field(Activity, "origin")
    start = _model_field(
        Activity, "start", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = _model_field(
        Activity, "end", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, goal=None, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        if activity is not None:
            del self.fields["unit"], self.fields["code"]
        else:
            units = OrgUnit.objects.in_subtree(goal.unit).order_by("path")
            self.fields["unit"].queryset = units.filter(
                pk__in=[u.pk for u in units if can(user, Action.PLAN, u)]
            )
            self.fields["unit"].initial = goal.unit
            self.fields["unit"].label_from_instance = lambda u: u.indented_name
        designsystem_inputs(self)
