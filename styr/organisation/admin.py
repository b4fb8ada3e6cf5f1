from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from styr.core.admin import TenantAdmin, TenantInline

from .models import Municipality, OrgUnit, UnitType, UnitTypeParent


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class UnitTypeParentInline(TenantInline):
    model = UnitTypeParent
    fk_name = "child"
    verbose_name = _("allowed parent type")
    verbose_name_plural = _("allowed parent types")


@admin.register(UnitType)
class UnitTypeAdmin(TenantAdmin):
    list_display = ["name", "key", "is_political", "municipality"]
    list_filter = ["municipality", "is_political"]
    search_fields = ["name", "key"]
    inlines = [UnitTypeParentInline]


class UnitTypeFilter(admin.SimpleListFilter):
    """Unit types by name, so "Nämnd" is one choice however many municipalities have it."""

    title = _("unit type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        names = UnitType.objects.order_by("name").values_list("name", flat=True).distinct()
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(type__name=self.value()) if self.value() else queryset


@admin.register(OrgUnit)
class OrgUnitAdmin(TenantAdmin):
    list_display = ["tree_name", "code", "type", "valid_from", "valid_to", "municipality"]
    list_filter = ["municipality", UnitTypeFilter]
    search_fields = ["name", "code"]
    ordering = ["municipality__name", "path"]
    readonly_fields = ["path", "depth"]
    list_select_related = ["type", "municipality"]

    @admin.display(description=_("unit"), ordering="path")
    def tree_name(self, unit):
        return unit.indented_name
