from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the system that will use it."),
    )
    scope = forms.ChoiceField(
        # "May" alone is the month (maj).
        label=pgettext_lazy("api key", "May"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
    )
