"""Forms for the controllers' settings: input shape only; the services hold the rules."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from styr.organisation.services import LOGO_MAX_BYTES, logo_too_large

MODEL_FILE_MAX_BYTES = 1024 * 1024


class MunicipalitySettingsForm(forms.Form):
    colour = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9A-Fa-f]{6}$",
        max_length=7,
        help_text=_("Write it as #RRGGBB, e.g. #1E4B7A. The text on it is chosen for contrast."),
        error_messages={"invalid": _("Write the colour as #RRGGBB.")},
    )
    logo = forms.FileField(
        label=_("New logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    public_view = forms.BooleanField(
        label=_("Public view"),
        required=False,
        help_text=_("Anyone, without signing in, may read the decided plans and follow-ups."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].help_text = gettext("PNG, JPEG or SVG, at most %(max)s kB.") % {
            "max": LOGO_MAX_BYTES // 1024
        }

    def clean_logo(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            # Refused before it is read; the service checks its type (and the size again).
            raise ValidationError(logo_too_large(upload.size))
        return upload.read(), upload.name

    def clean(self):
        data = super().clean()
        if data.get("logo") and data.get("remove_logo"):
            self.add_error("remove_logo", _("Either upload a new logo or remove it, not both."))
        return data


class ModelFileForm(forms.Form):
    file = forms.FileField(
        label=_("Styrmodell file (YAML)"),
        help_text=_("The whole file, as docs/styrmodell.md describes it."),
        widget=forms.FileInput(attrs={"accept": ".yaml,.yml"}),
    )

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        if upload.size > MODEL_FILE_MAX_BYTES:
            raise ValidationError(
                gettext("The file may be at most %(max)s MB.")
                % {"max": MODEL_FILE_MAX_BYTES // 2**20}
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                gettext("The file cannot be read as UTF-8 text. Save it as UTF-8 and try again.")
            ) from error
        # A file written on Windows loads the same as one written elsewhere.
        return upload.name, text.replace("\r\n", "\n")


class PeriodDecisionForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Decided on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=datetime.date.today,
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    decision_reference = forms.CharField(
        label=_("Decision"),
        max_length=200,
        help_text=_("Body, meeting and paragraph, e.g. KF 2026-06-15 § 87."),
    )
