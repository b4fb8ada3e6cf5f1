from django.contrib import admin

from styr.core.admin import ReadOnlyAdmin

from .models import Notification, Submission, WorkflowStep


class WorkflowStepInline(admin.TabularInline):
    model = WorkflowStep
    fields = ["created_at", "from_state", "to_state", "user", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "state", "adopted_on", "adopted_reference", "updated_at"]
    list_filter = ["municipality", "kind", "state", "year"]
    list_select_related = ["unit", "period__definition"]
    search_fields = ["unit__name", "unit__code"]
    inlines = [WorkflowStepInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "text", "read_at"]
    list_filter = ["municipality", "read_at"]
    search_fields = ["text", "user__username"]
