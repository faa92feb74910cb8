"""The Chinese message catalog: what is missing, and adding translations.

    python scripts/catalog.py missing        # msgids in the code without a zh_CN translation
    python scripts/catalog.py set < file.tsv  # add/replace translations: msgid<TAB>msgstr per line
                                              # (\\n in either column stands for a newline)

English is the source language: msgids are English, so `en` needs no catalog.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "portal" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def extract():
    """The catalog template of the current code, as a babel Catalog."""
    with tempfile.NamedTemporaryFile(suffix=".pot") as pot:
        subprocess.run(
            [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
             "-k", "_l", "-k", "lazy_gettext", "-o", pot.name, "."],
            cwd=ROOT, check=True, capture_output=True,
        )
        with open(pot.name, "rb") as fh:
            return read_po(fh)


def load():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="zh_CN")


def save(catalog):
    tmp = PO.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True)
    tmp.replace(PO)


def missing():
    """msgids used in the code that have no (non-fuzzy) zh_CN translation."""
    catalog = load()
    result = []
    for message in extract():
        if not message.id:
            continue
        have = catalog.get(message.id)
        translated = have is not None and not have.fuzzy and (
            all(have.string) if isinstance(have.string, (list, tuple)) else bool(have.string))
        if not translated:
            result.append(message.id)
    return result


def set_translations(lines):
    catalog = load()
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        msgid, _, msgstr = line.partition("\t")
        msgid, msgstr = msgid.replace("\\n", "\n"), msgstr.replace("\\n", "\n")
        catalog.delete(msgid)
        catalog.add(msgid, msgstr)
    # Drop entries the code no longer uses.
    used = {m.id for m in extract() if m.id}
    for message in list(catalog):
        if message.id and message.id not in used:
            catalog.delete(message.id)
    save(catalog)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "missing":
        for msgid in missing():
            print(msgid if not isinstance(msgid, tuple) else msgid[0])
    elif command == "set":
        set_translations(sys.stdin)
    else:
        sys.exit(__doc__)
