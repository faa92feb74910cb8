"""Every user-facing string has its Chinese translation."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_chinese_translation():
    result = subprocess.run([sys.executable, "scripts/catalog.py", "missing"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    missing = result.stdout.strip()
    assert missing == "", f"untranslated (add with scripts/catalog.py set):\n{missing}"
