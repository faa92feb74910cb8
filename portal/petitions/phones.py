"""Residents' phone numbers: read in the forms people write them, kept in one form, masked for handlers.

Mainland mobile numbers are 11 digits starting 13–19 (``138 1234 5678``, ``+86-138…``); landlines
are an area code of 3–4 digits starting 0 and a local number of 7–8 digits, optionally an
extension (``0351-2345678``, ``(010) 8765 4321-12``). A number is stored as ``13812345678`` or
``0351-2345678[-12]``; handlers see ``138****5678`` or ``0351-****5678``.
"""

import re

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})(\d{7,8})")
SEPARATORS = re.compile(r"[\s\-()（）.]")
# Phone-like runs inside free text (content, comments, replies): masked for handlers too.
IN_TEXT = re.compile(r"(?<!\d)(?:(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})(?!\d)")


def normalise(text):
    """The stored form of ``text``, or None when it is neither a mainland mobile nor a landline number."""
    raw = str(text).strip()
    extension = ""
    match = re.fullmatch(r"(.*?)(?:\s*(?:转|ext\.?|x|-)\s*(\d{1,6}))?", raw)
    digits = SEPARATORS.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if MOBILE.fullmatch(digits):
        return digits
    if LANDLINE.fullmatch(digits):
        return _landline(digits)
    # A landline with an extension: the extension follows the last separator.
    if match and match.group(2):
        body = SEPARATORS.sub("", match.group(1))
        extension = match.group(2)
        if LANDLINE.fullmatch(body):
            return f"{_landline(body)}-{extension}"
    return None


def _landline(digits):
    # Area codes: 010 and 02x are three digits, the rest four (0351, 0571…).
    split = 3 if digits[1] in "12" else 4
    return f"{digits[:split]}-{digits[split:]}"


def mask(phone):
    """``phone`` as a handler sees it: 138****5678, 0351-****5678; empty stays empty."""
    if not phone:
        return ""
    if MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    parts = phone.split("-")
    if len(parts) >= 2 and parts[0].startswith("0"):
        number = parts[1]
        return f"{parts[0]}-{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_text(text):
    """``text`` with every phone-like number in it masked (keeping its last four digits)."""
    if not text:
        return text

    def hide(match):
        digits = re.sub(r"\D", "", match.group(0))
        return "*" * (len(digits) - 4) + digits[-4:] if len(digits) > 4 else match.group(0)
    return IN_TEXT.sub(hide, text)
