"""The layers of the portal, lowest first: a module may import its own feature, the kernel and the features
of lower layers, never a feature of its own layer or of one above (tests/core/test_layers.py holds the code
to this; scripts/architecture.py draws it into docs/architecture.md).

The functions below read the import graph from the code itself (the ``ast`` of every module, imports at
module level and inside functions alike); they import nothing of the portal. Each name is a package
under ``portal/``; ``app`` is what assembles the features (``portal/__init__.py``,
``cli.py``, ``demo.py``, ``migrations.py``, ``backup.py``); this module belongs to the kernel. Nothing under
``portal/`` imports ``worker``: the worker imports the portal.
"""

import ast
from pathlib import Path

LAYERS = (
    ("kernel",),                 # jobs, transactions and counters, forms, the workflow engine, files, clock…
    ("auth",),                   # people, departments, roles, sign-in
    ("calendar",),               # working days
    ("search",),                 # the index and the search box; the features add their sources
    ("items",),                  # the supervision item: lifecycle, visibility, lists
    ("notify",),                 # notifications: outbox, in-app, e-mail, robots, reminders
    ("digests",),                # the leaders' weekly digests; the features add their sections
    ("feed", "petitions", "inspections", "kb", "stats"),
    ("training",),               # trainings, with knowledge-base articles as materials
    ("reports",),                # exports, circulars, imports, the calendar feed
    ("home", "admin"),           # the boards; administration
    ("app",),
)
APP_MODULES = ("portal", "portal.cli", "portal.demo", "portal.migrations", "portal.backup")
RANK = {feature: rank for rank, layer in enumerate(LAYERS) for feature in layer}
ROOT = Path(__file__).resolve().parent.parent


def module_name(path):
    """The dotted name of the module at ``path`` (a file under ROOT)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    """{dotted name: path} of every module under portal/."""
    return {module_name(path): path for path in sorted((ROOT / "portal").rglob("*.py"))}


def imports(name, path, known):
    """The portal modules (and ``worker``) that ``name`` imports, each with its line."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "worker":
                found.append(("worker", node.lineno))
            elif target.split(".")[0] == "portal":
                while target not in known:
                    target = target.rpartition(".")[0]
                found.append((target, node.lineno))
    return found


def feature_of(name):
    """The layer name a module belongs to: its package under portal/, "app", or "kernel" for portal.layers."""
    if name in APP_MODULES:
        return "app"
    if name == "portal.layers":
        return "kernel"
    return name.split(".")[1]


def graph():
    """(modules(), {module: [(imported module or "worker", line)]})."""
    known = modules()
    return known, {name: imports(name, path, known) for name, path in known.items()}
