"""Ekonomi in the admin: read-only. Budget and outcome come from the accounting file, the rules
from the styrmodell, forecasts and åtgärdsplaner from the units' follow-up."""

from django.contrib import admin

from styr.core.admin import ReadOnlyAdmin

from .models import AccountGroup, ActionPlan, BudgetForecast, BudgetLine, EconomyRules


@admin.register(EconomyRules)
class EconomyRulesAdmin(ReadOnlyAdmin):
    list_display = [
        "municipality",
        "months",
        "comment_threshold_percent",
        "comment_threshold_kronor",
    ]


@admin.register(AccountGroup)
class AccountGroupAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "municipality"]
    list_filter = ["municipality", "kind"]
    search_fields = ["code", "name"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "month", "account_group", "kind", "amount"]
    list_filter = ["municipality", "year", "kind"]
    list_select_related = ["unit", "account_group"]
    search_fields = ["unit__code", "unit__name", "account_group__name"]


@admin.register(BudgetForecast)
class BudgetForecastAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "month", "account_group", "forecast", "comment"]
    list_filter = ["municipality", "year"]
    list_select_related = ["unit", "account_group"]
    search_fields = ["unit__code", "unit__name"]


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "month", "responsible", "due_on", "expected_effect"]
    list_filter = ["municipality", "year"]
    list_select_related = ["unit"]
    search_fields = ["unit__code", "unit__name", "measures"]
