from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from styr.core.admin import UnitChoiceField
from styr.organisation.models import Role


class _UnitAndRole(forms.Form):
    unit = UnitChoiceField(queryset=None, label=_("unit"))
    role = forms.ChoiceField(choices=Role.choices, label=_("role"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("municipality__name", "path")


class InviteForm(_UnitAndRole):
    email = forms.EmailField(label=_("e-mail"))
    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)

    field_order = ["email", "first_name", "last_name", "unit", "role"]


class GrantForm(_UnitAndRole):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("person"))

    field_order = ["user", "unit", "role"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
