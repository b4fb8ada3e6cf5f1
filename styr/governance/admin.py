from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from styr.core.admin import TenantAdmin, TenantInline

from .management.commands._report import summary_lines
from .models import (
    ActivityStatus,
    AssessmentValue,
    FocusArea,
    GoalLevel,
    GoalLevelOwnerType,
    GoalLevelParent,
    GovernanceModel,
    PeriodDefinition,
)
from .services import ModelFileError, governance_model_load

MODEL_FILE_NAME = "styrmodell.yaml"


class GovernanceModelForm(forms.ModelForm):
    """The styrmodell is edited as its file: checked and loaded by the same service as the CLI."""

    source_text = forms.CharField(
        label=_("Styrmodell file (YAML)"),
        widget=forms.Textarea(
            attrs={
                "rows": 40,
                "cols": 110,
                "spellcheck": "false",
                "style": "font-family: monospace",
            }
        ),
        help_text=_(
            "The format is described in docs/styrmodell.md. Nothing is changed while the "
            "file has problems."
        ),
    )

    class Meta:
        model = GovernanceModel
        fields = ["source_text"]

    def clean_source_text(self):
        text = self.cleaned_data["source_text"]
        code = self.instance.municipality.code if self.instance.pk else None
        try:
            governance_model_load(
                name=MODEL_FILE_NAME, text=text, municipality_code=code, dry_run=True
            )
        except ModelFileError as error:
            raise forms.ValidationError([str(problem) for problem in error.problems]) from error
        return text


@admin.register(GovernanceModel)
class GovernanceModelAdmin(TenantAdmin):
    form = GovernanceModelForm
    list_display = ["name", "municipality", "source_name", "updated_at"]
    search_fields = ["name", "municipality__name"]

    def save_model(self, request, obj, form, change):
        summary = governance_model_load(
            name=MODEL_FILE_NAME,
            text=form.cleaned_data["source_text"],
            acting_user=request.user,
            municipality_code=obj.municipality.code if change else None,
        )
        loaded = GovernanceModel.objects.get(municipality=summary.municipality)
        obj.pk, obj.municipality, obj.name = loaded.pk, loaded.municipality, loaded.name
        details = "; ".join(line.strip() for line in summary_lines(summary) + summary.kept)
        messages.info(request, gettext("Loaded: %(details)s") % {"details": details or "–"})

    def save_related(self, request, form, formsets, change):
        """The file decides everything; there is nothing more to save."""


class OwnerTypeInline(TenantInline):
    model = GoalLevelOwnerType
    verbose_name = _("owning unit type")
    verbose_name_plural = _("owning unit types")


class ParentLevelInline(TenantInline):
    model = GoalLevelParent
    fk_name = "level"
    verbose_name = _("parent level")
    verbose_name_plural = _("parent levels")


@admin.register(GoalLevel)
class GoalLevelAdmin(TenantAdmin):
    list_display = [
        "name",
        "key",
        "order",
        "validity",
        "decided_by",
        "max_indicators",
        "municipality",
    ]
    list_filter = ["municipality", "validity", "directed"]
    search_fields = ["name", "key"]
    inlines = [OwnerTypeInline, ParentLevelInline]


@admin.register(FocusArea)
class FocusAreaAdmin(TenantAdmin):
    list_display = ["name", "group", "key", "municipality"]
    list_filter = ["municipality", "group"]
    search_fields = ["name", "key"]


@admin.register(PeriodDefinition)
class PeriodDefinitionAdmin(TenantAdmin):
    list_display = ["name", "key", "kind", "through_months", "decided_by", "municipality"]
    list_filter = ["municipality", "kind"]
    search_fields = ["name", "key"]


@admin.register(AssessmentValue)
class AssessmentValueAdmin(TenantAdmin):
    list_display = ["label", "key", "prognosis_label", "colour", "is_met", "order", "municipality"]
    search_fields = ["label", "key"]


@admin.register(ActivityStatus)
class ActivityStatusAdmin(TenantAdmin):
    list_display = ["label", "key", "is_deviation", "is_done", "order", "municipality"]
    search_fields = ["label", "key"]
