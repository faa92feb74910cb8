#!/bin/sh
# Run by make before anything else. A .venv that an earlier run left half-made
# is not used: one whose python does not start or has no pip (made while
# python3-venv was missing, interrupted, or its interpreter gone after an
# upgrade) is removed and made again; a stamp (.installed, .installed-test)
# whose packages are not all installed (an interrupted pip) is removed, so that
# make installs them again. Prints nothing when the .venv is sound.
venv=${1:-.venv}
[ -e "$venv" ] || exit 0
if ! "$venv/bin/python" -c 'import pip' >/dev/null 2>&1; then
    echo "$venv is incomplete (no python with pip in it): making it again" >&2
    rm -rf "$venv"
    exit 0
fi
[ -e "$venv/.installed" ] || [ -e "$venv/.installed-test" ] || exit 0
"$venv/bin/python" - "$venv" <<'PY'
import re, sys, tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

venv = Path(sys.argv[1])
project = tomllib.loads(Path("pyproject.toml").read_text())["project"]

def missing(requirements):
    names = [re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0] for r in requirements]
    found = []
    for name in names:
        try:
            distribution(name)
        except PackageNotFoundError:
            found.append(name)
    return found

for stamp, requirements in ((".installed", [project["name"], *project["dependencies"]]),
                            (".installed-test", project["optional-dependencies"]["test"])):
    gone = missing(requirements) if (venv / stamp).exists() else []
    if gone:
        print(f"{venv} lacks {', '.join(gone)}: installing again", file=sys.stderr)
        (venv / stamp).unlink()
        if stamp == ".installed":
            (venv / ".installed-test").unlink(missing_ok=True)
PY
exit 0
