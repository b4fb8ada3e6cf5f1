"""Everything a user reads is Swedish: a complete catalogue, compiled as it stands."""

import polib
from django.conf import settings
from django.utils.translation import gettext

from tests.conftest import ROOT

PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_swedish_is_the_default_language():
    assert settings.LANGUAGE_CODE == "sv"


def test_every_message_is_translated():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 100


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(PO))}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO))}
    missing = {key for key in source if key[1] and key not in compiled}
    assert not missing, "run `make messages`: django.mo is older than django.po"


def test_messages_are_swedish_at_run_time():
    assert gettext("goal level") == "målnivå"
