from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from styr.core.admin import TenantAdmin, TenantInline
from styr.governance.models import GoalLevel
from styr.workflow.services import plan_lock_message

from .models import (
    Activity,
    ActivityGoal,
    Assignment,
    AssignmentGoal,
    Goal,
    GoalDirectedTo,
    GoalFocusArea,
    GoalLink,
    Indicator,
    IndicatorGoal,
    Target,
)


class ParentGoalInline(TenantInline):
    model = GoalLink
    fk_name = "goal"
    verbose_name = _("parent goal")
    verbose_name_plural = _("parent goals (the röda tråd)")


class GoalFocusAreaInline(TenantInline):
    model = GoalFocusArea
    verbose_name = _("focus area")
    verbose_name_plural = _("focus areas")


class GoalDirectedToInline(TenantInline):
    model = GoalDirectedTo
    verbose_name = _("directed to unit")
    verbose_name_plural = _("directed to units")


class GoalIndicatorInline(TenantInline):
    model = IndicatorGoal
    verbose_name = _("indicator")
    verbose_name_plural = _("indicators")


class GoalLevelFilter(admin.SimpleListFilter):
    title = _("goal level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        names = GoalLevel.objects.order_by("order", "name").values_list("name", flat=True)
        return [(name, name) for name in dict.fromkeys(names)]

    def queryset(self, request, queryset):
        return queryset.filter(level__name=self.value()) if self.value() else queryset


class PlanLockedForm(forms.ModelForm):
    """A plan that has left the unit (submitted, approved or adopted) is not changed here."""

    def plan_years(self, cleaned) -> range:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit") or getattr(self.instance, "unit", None)
        years = list(self.plan_years(cleaned))
        if self.instance.pk:
            years += list(self.plan_years(vars(self.instance)))
        if unit is not None and years:
            message = plan_lock_message(unit_id=unit.pk, years=set(years))
            if message:
                raise forms.ValidationError(message)
        return cleaned


class GoalForm(PlanLockedForm):
    """The texts a goal's level asks for, each as its own labelled box."""

    def plan_years(self, cleaned) -> range:
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start is None:
            return range(0)
        return range(start.year, (end.year if end else start.year) + 1)

    class Meta:
        model = Goal
        fields = [
            "municipality",
            "code",
            "level",
            "unit",
            "title",
            "description",
            "valid_from",
            "valid_to",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        level = self.instance.level if self.instance.level_id else None
        self.text_fields = level.text_fields if level else []
        for text_field in self.text_fields:
            self.fields[f"text_{text_field['key']}"] = forms.CharField(
                label=text_field["label"],
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=text_field.get("help", ""),
                initial=self.instance.texts.get(text_field["key"], ""),
            )

    def clean(self):
        cleaned = super().clean()
        texts = {
            f["key"]: cleaned.get(f"text_{f['key']}", "").strip()
            for f in self.text_fields
            if cleaned.get(f"text_{f['key']}", "").strip()
        }
        missing = [f for f in self.text_fields if f.get("required") and f["key"] not in texts]
        if missing and cleaned.get("status") != Goal.Status.DRAFT:
            for text_field in missing:
                self.add_error(
                    f"text_{text_field['key']}", _("This text is required at this level.")
                )
        self.instance.texts = texts
        return cleaned


@admin.register(Goal)
class GoalAdmin(TenantAdmin):
    form = GoalForm

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = GoalForm.Meta.fields  # the text boxes are added by the form itself
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": GoalForm.Meta.fields})]
        if obj and obj.level.text_fields:
            text_names = [f"text_{field['key']}" for field in obj.level.text_fields]
            fieldsets.append((_("Texts of the goal level"), {"fields": text_names}))
        return self.with_seen_version(fieldsets)

    list_display = ["title", "code", "level", "unit", "status", "valid_from", "valid_to"]
    list_filter = ["municipality", GoalLevelFilter, "status"]
    search_fields = ["title", "code", "description", "unit__name"]
    list_select_related = ["level", "unit"]
    date_hierarchy = "valid_from"
    inlines = [ParentGoalInline, GoalFocusAreaInline, GoalDirectedToInline, GoalIndicatorInline]


class TargetInline(TenantInline):
    model = Target


class IndicatorGoalInline(TenantInline):
    model = IndicatorGoal
    verbose_name = _("goal")
    verbose_name_plural = _("goals")


@admin.register(Indicator)
class IndicatorAdmin(TenantAdmin):
    list_display = ["name", "code", "unit", "measure", "direction", "kind", "source", "kolada_kpi"]
    list_filter = ["municipality", "kind", "subject", "source", "frequency", "gender_split"]
    search_fields = ["name", "code", "kolada_kpi"]
    list_select_related = ["unit"]
    inlines = [TargetInline, IndicatorGoalInline]


class ActivityGoalInline(TenantInline):
    model = ActivityGoal
    verbose_name = _("goal")
    verbose_name_plural = _("goals")


class ActivityForm(PlanLockedForm):
    class Meta:
        model = Activity
        fields = [
            "municipality",
            "code",
            "title",
            "description",
            "unit",
            "responsible",
            "origin",
            "start",
            "end",
        ]

    def plan_years(self, cleaned) -> range:
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return range(0)
        return range(start.year, end.year + 1)


@admin.register(Activity)
class ActivityAdmin(TenantAdmin):
    form = ActivityForm
    list_display = ["title", "code", "unit", "responsible", "start", "end"]
    list_filter = ["municipality", "start"]
    search_fields = ["title", "code", "responsible", "origin"]
    list_select_related = ["unit"]
    inlines = [ActivityGoalInline]


class AssignmentGoalInline(TenantInline):
    model = AssignmentGoal
    verbose_name = _("goal")
    verbose_name_plural = _("goals")


@admin.register(Assignment)
class AssignmentAdmin(TenantAdmin):
    list_display = ["title", "code", "issuer", "assignee", "decided_on", "due"]
    list_filter = ["municipality"]
    search_fields = ["title", "code"]
    list_select_related = ["issuer", "assignee"]
    inlines = [AssignmentGoalInline]
