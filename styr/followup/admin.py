"""Follow-up in the admin: read-only, because every report goes through the services that guard
the period's state (a decided period is locked). Periods are closed and reopened by actions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from styr.core.admin import ReadOnlyAdmin

from .models import (
    ActivityReport,
    Assessment,
    AssignmentReport,
    CorrectiveAction,
    Forecast,
    Measurement,
    ReportingPeriod,
)
from .services import period_close, period_reopen


def _apply(modeladmin, request, queryset, service, done_message):
    changed = 0
    for period in queryset:
        try:
            service(period=period, acting_user=request.user)
            changed += 1
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        except PermissionDenied as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
    if changed:
        modeladmin.message_user(request, done_message % {"count": changed}, messages.SUCCESS)


@admin.action(description=_("Close for reporting"))
def close_periods(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, period_close, _("%(count)s period(s) closed."))


@admin.action(description=_("Reopen for reporting"))
def reopen_periods(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, period_reopen, _("%(count)s period(s) reopened."))


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ReadOnlyAdmin):
    list_display = ["name", "municipality", "year", "state", "decided_on", "decision_reference"]
    list_filter = ["municipality", "year", "state", "definition__kind"]
    list_select_related = ["municipality", "definition"]
    actions = [close_periods, reopen_periods]


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "unit", "period", "gender", "value", "source", "updated_at"]
    list_filter = ["municipality", "period__year", "gender", "source"]
    list_select_related = ["indicator", "unit", "period__definition"]
    search_fields = ["indicator__code", "indicator__name", "unit__name"]


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "unit", "period", "value", "comment"]
    list_filter = ["municipality", "period__year"]
    list_select_related = ["indicator", "unit", "period__definition"]
    search_fields = ["indicator__code", "indicator__name"]


@admin.register(ActivityReport)
class ActivityReportAdmin(ReadOnlyAdmin):
    list_display = ["activity", "period", "status", "comment"]
    list_filter = ["municipality", "period__year", "status__is_deviation"]
    list_select_related = ["activity", "period__definition", "status"]
    search_fields = ["activity__code", "activity__title"]


@admin.register(AssignmentReport)
class AssignmentReportAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "period", "status", "comment"]
    list_filter = ["municipality", "period__year"]
    list_select_related = ["assignment", "period__definition", "status"]


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    fields = ["description", "responsible", "due_on"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["goal", "period", "value", "suggested_value", "assessed_by", "updated_at"]
    list_filter = ["municipality", "period__year", "value__label"]
    list_select_related = ["goal", "period__definition", "value", "suggested_value", "assessed_by"]
    search_fields = ["goal__code", "goal__title", "analysis"]
    inlines = [CorrectiveActionInline]
