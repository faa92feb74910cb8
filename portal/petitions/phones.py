"""Residents' phone numbers: read in the forms people write them, kept in one form, masked for handlers.

Mainland mobile numbers are 11 digits starting 13–19 (``138 1234 5678``, ``+86-138…``); landlines
are an area code of 3–4 digits starting 0 and a local number of 7–8 digits, optionally an
extension (``0351-2345678``, ``(010) 8765 4321-12``). A number is stored as ``13812345678`` or
``0351-2345678[-12]``; handlers see ``138****5678`` or ``0351-****5678``.

In free text (content, comments, replies, the area, the resident's name) a number is found however it
is written: any of the separators people use between its groups (spaces, ``-``, ``.``, ``/``, brackets,
their full-width forms), full-width digits (１３８…) and Chinese numerals (一三八…, 〇/零/幺). ``mask_text``
is the one masking function every output of a petition's text calls (pages, API, CSV, notifications,
the item a petition becomes, search snippets); ``strip_text`` drops the numbers entirely, for the copy
that a handler's search reads (so no query can test a hidden digit).
"""

import re

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})(\d{7,8})")
SEPARATORS = re.compile(r"[\s\-()（）.]")

# Digits as people write them: ASCII, full-width, Chinese numerals (幺 is "one" read out in a number).
DIGIT_OF = {**{chr(0xFF10 + i): str(i) for i in range(10)}, **{str(i): str(i) for i in range(10)},
            "〇": "0", "零": "0", "○": "0", "幺": "1", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
            "六": "6", "七": "7", "八": "8", "九": "9"}
GROUP = re.compile("[%s]+" % "".join(DIGIT_OF))
# What may stand between the groups of one number, and before it.
GAP = re.compile(r"[\s\-‐‑–—－.．·/／\\()（）\[\]【】]{0,3}")
OPENING = "(（[【+＋"
MAX_DIGITS = 15  # 0086 and a mobile


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


def _number(digits):
    """The stored form of a run of ASCII ``digits`` that is a whole phone number, else None: a mobile
    (after 86/0086), or 0, an area code and a local number of 7–8 digits not starting 0 or 1."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and MOBILE.fullmatch(digits[len(prefix):]):
            return digits[len(prefix):]
    if MOBILE.fullmatch(digits):
        return digits
    if len(digits) >= 10 and digits[0] == "0" and digits[1] != "0":
        split = 3 if digits[1] in "12" else 4
        local = digits[split:]
        if 7 <= len(local) <= 8 and local[0] not in "01":
            return _landline(digits)
    return None


def phone_runs(text):
    """[(start, end, stored form)] of the phone numbers written in ``text``, left to right.

    The groups of digits are joined across short separators; from each group the longest join that is a
    whole number is taken (so ``2026-12-07 13812345678`` finds the mobile and not the date).
    """
    groups = list(GROUP.finditer(text))
    runs, i = [], 0
    while i < len(groups):
        digits, best = "", None
        for j in range(i, len(groups)):
            if j > i and not GAP.fullmatch(text, groups[j - 1].end(), groups[j].start()):
                break
            digits += "".join(DIGIT_OF[ch] for ch in groups[j].group(0))
            if len(digits) > MAX_DIGITS:
                break
            stored = _number(digits)
            if stored:
                best = (j, stored)
        if best is None:
            i += 1
            continue
        j, stored = best
        start = groups[i].start()
        while start > 0 and text[start - 1] in OPENING:
            start -= 1
        runs.append((start, groups[j].end(), stored))
        i = j + 1
    return runs


def mask(phone):
    """A stored number as a handler sees it: 138****5678, 0351-****5678; empty stays empty."""
    if not phone:
        return ""
    if MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    parts = phone.split("-")
    if len(parts) >= 2 and parts[0].startswith("0"):
        number = parts[1]
        return f"{parts[0]}-{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def _replace(text, make):
    if not text:
        return text
    out, last = [], 0
    for start, end, stored in phone_runs(text):
        out += [text[last:start], make(stored)]
        last = end
    return "".join(out) + text[last:] if out else text


def mask_text(text):
    """``text`` with every phone number in it, however written, masked (138****5678, 0351-****5678)."""
    return _replace(text, mask)


def strip_text(text):
    """``text`` with every phone number in it left out (a space instead): what a handler's search reads."""
    return _replace(text, lambda stored: " ")
