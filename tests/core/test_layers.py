"""The layers of portal/layers.py, read from the code's own imports (every import statement of every module
under portal/, at module level or inside a function): no module imports a feature of its own layer or of a
higher one, the kernel imports no feature, nothing imports ``worker``, and the modules form no import circle."""

import pytest

from portal.layers import RANK, ROOT, feature_of, graph, imports, modules


def test_every_package_under_portal_has_a_layer():
    known = modules()
    assert {feature_of(name) for name in known} - set(RANK) == set()


def test_no_module_imports_a_feature_of_its_own_layer_or_above_and_none_imports_the_worker():
    known, edges = graph()
    wrong = []
    for name, targets in edges.items():
        here = feature_of(name)
        for target, line in targets:
            if target == "worker":
                wrong.append(f"{known[name].relative_to(ROOT)}:{line} imports worker")
                continue
            there = feature_of(target)
            if there != here and RANK[there] >= RANK[here]:
                wrong.append(f"{known[name].relative_to(ROOT)}:{line} ({here}) imports {target} ({there})")
    assert wrong == []


def test_the_modules_form_no_import_circle():
    known, edges = graph()
    graph_ = {name: sorted({target for target, _line in targets if target in known and target != name})
              for name, targets in edges.items()}
    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph_[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph_:
        if node not in index:
            visit(node)
    assert circles == []


@pytest.mark.parametrize("module, source, expected", [
    ("portal.reports.views", "from ..items.models import Item", "portal.items.models"),
    ("portal.reports.views", "from .. import items", "portal.items"),
    ("portal.reports.sub.views", "from ...kernel import db", "portal.kernel.db"),
    ("portal.reports.views", "from portal.items.queries import filter_items", "portal.items.queries"),
    ("portal.reports.views", "import worker.tasks", "worker"),
])
def test_the_reader_resolves_every_form_of_import(tmp_path, module, source, expected):
    """A check that cannot fail is a defect: the reader sees each form an upward import may take."""
    fake = tmp_path / "views.py"
    fake.write_text(f"def later():\n    {source}\n")  # inside a function too
    assert [target for target, _line in imports(module, fake, modules())] == [expected]


def test_the_architecture_diagram_is_drawn_from_the_code_as_it_is():
    """docs/architecture.md's diagram is what scripts/architecture.py draws from today's imports."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("architecture", ROOT / "scripts" / "architecture.py")
    architecture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(architecture)
    text = architecture.DOCUMENT.read_text(encoding="utf-8")
    assert architecture.rewritten(text) == text, "run python scripts/architecture.py"
