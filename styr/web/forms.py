from django import forms
from django.utils.translation import gettext_lazy as _

from styr.access.policy import visible_to
from styr.planning.models import Goal


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
