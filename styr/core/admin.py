"""Admin building blocks shared by the domain apps.

Rows belong to one municipality: when an object is edited, its choices of related rows are
limited to that municipality, and inline rows take the municipality of the object they sit in.
Units are chosen from the tree: grouped by municipality, indented by depth, in tree order.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import UniqueConstraint
from django.forms.models import BaseInlineFormSet, ModelChoiceIterator
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .history import acting_as, object_history
from .models import TenantModel
from .versioning import VersionedModel, conflict_message, save_if_unchanged


class UnitChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for unit in self.queryset.select_related("municipality"):
            groups.setdefault(unit.municipality.name, []).append(self.choice(unit))
        yield from groups.items()


class UnitChoiceField(forms.ModelChoiceField):
    iterator = UnitChoiceIterator

    def label_from_instance(self, unit):
        return f"{unit.indented_name} ({unit.code})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = UnitChoiceIterator

    def label_from_instance(self, unit):
        return f"{unit.indented_name} ({unit.code})"


def _edited_municipality_id(request, model):
    """The municipality of the object on the change page being shown, if any."""
    match = getattr(request, "resolver_match", None)
    object_id = match.kwargs.get("object_id") if match else None
    if not object_id or not issubclass(model, TenantModel):
        return None
    return model.objects.filter(pk=object_id).values_list("municipality_id", flat=True).first()


class _TenantChoices:
    """Mixin: limit related choices to the edited object's municipality; units as a tree."""

    def _parent_model(self):
        return self.model

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from styr.organisation.models import OrgUnit

        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        municipality_id = _edited_municipality_id(request, self._parent_model())
        if municipality_id and issubclass(db_field.related_model, TenantModel) and field:
            field.queryset = field.queryset.filter(municipality_id=municipality_id)
        if db_field.related_model is OrgUnit and field:
            field = UnitChoiceField(
                queryset=field.queryset.order_by("municipality__name", "path"),
                required=field.required,
                label=field.label,
                help_text=field.help_text,
            )
        return field


class VersionedFormMixin(forms.ModelForm):
    """Carries the version the person saw, and refuses the save if someone else saved since."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None:
            current = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
            )
            if current.first() != seen:
                raise forms.ValidationError(
                    conflict_message(type(self.instance), self.instance.pk, seen)
                )
        return cleaned


class TenantAdmin(_TenantChoices, admin.ModelAdmin):
    list_filter = ["municipality"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if issubclass(self.model, VersionedModel):
            base = kwargs.get("form", self.form)
            kwargs["form"] = type("VersionedForm", (VersionedFormMixin, base), {})
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.with_seen_version(super().get_fieldsets(request, obj))

    def with_seen_version(self, fieldsets):
        """The hidden version goes with every versioned form, whatever its fieldsets."""
        if not issubclass(self.model, VersionedModel):
            return fieldsets
        names = {n for _title, options in fieldsets for n in options.get("fields", ())}
        if "seen_version" in names:
            return fieldsets
        (title, options), *rest = fieldsets
        first = (title, {**options, "fields": [*options["fields"], "seen_version"]})
        return [first, *rest]

    def save_model(self, request, obj, form, change):
        if isinstance(obj, VersionedModel):
            with acting_as(request.user):
                save_if_unchanged(obj, seen_version=form.cleaned_data.get("seen_version"))
            return
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        """Styr's own history where the model keeps one: who, when, each field before and after."""
        obj = self.get_object(request, object_id)
        if obj is None or not hasattr(obj, "history"):
            return super().history_view(request, object_id, extra_context)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(object)s") % {"object": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "entries": object_history(obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/styr_history.html", context)


class ReadOnlyAdmin(TenantAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantInlineFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.municipality_id = self.instance.municipality_id
        return form

    def clean(self):
        """Django skips unique constraints that include a field left out of the form, and
        municipality always is; check the rest of each constraint across the rows here."""
        super().clean()
        rows = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]
        for constraint in self.model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            names = [n for n in constraint.fields if n not in ("municipality", self.fk.name)]
            keys = [tuple(getattr(row.get(n), "pk", row.get(n)) for n in names) for row in rows]
            if len(keys) != len(set(keys)):
                raise forms.ValidationError(_("The same row is given more than once."))


class TenantInline(_TenantChoices, admin.TabularInline):
    formset = TenantInlineFormSet
    exclude = ["municipality"]
    extra = 0

    def _parent_model(self):
        return self.parent_model
