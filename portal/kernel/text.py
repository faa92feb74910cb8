"""Text as people type it: NFC, without what nobody means to type.

Every text input of a form or the API goes through ``clean()`` (forms.Fields.text, file names):
zero-width spaces pasted along with text are dropped; control characters (line breaks are allowed
where the field has several lines), direction overrides (which make "exe.pdf" read as "fdp.exe"),
lone surrogates and noncharacters are refused with a message.
"""

import re
import unicodedata

from flask_babel import gettext as _

DROPPED = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))  # zero-width space, word joiner, BOM
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NONCHARACTER = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


class BadText(ValueError):
    """The text holds characters nobody means to type; ``str(exc)`` says which, for the user."""


def clean(value, multiline=False):
    """``value`` NFC-normalised, zero-width characters dropped and stripped; BadText when it holds control
    characters (line breaks and tabs allowed when ``multiline``), direction overrides or non-characters."""
    if NONCHARACTER.search(value):
        raise BadText(_("Contains characters that are not text."))
    value = unicodedata.normalize("NFC", value).translate(DROPPED)
    if (CONTROL_MULTILINE if multiline else CONTROL_ONE_LINE).search(value):
        raise BadText(_("Contains control characters.") if multiline
                      else _("Must be one line without control characters."))
    if BIDI.search(value):
        raise BadText(_("Contains characters that change the writing direction."))
    return value.replace("\r\n", "\n").strip()
