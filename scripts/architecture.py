"""Draw the layers and the features' imports, read from the code, into docs/architecture.md.

    python scripts/architecture.py          # rewrite the diagram between its markers
    python scripts/architecture.py --check  # exit 1 when the diagram differs from the code

The diagram is a mermaid flowchart: one box per layer of portal/layers.py (lowest at the bottom), one
node per feature, an arrow for each feature that imports another (left out: the kernel, which every
feature imports, and the app, which imports every feature). tests/core/test_layers.py runs --check's comparison.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.layers import LAYERS, feature_of, graph  # noqa: E402

DOCUMENT = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- diagram: scripts/architecture.py -->", "<!-- end of diagram -->"


def feature_imports():
    """{(importer, imported)} between features, the kernel left out."""
    known, edges = graph()
    found = set()
    for name, targets in edges.items():
        for target, _line in targets:
            here, there = feature_of(name), feature_of(target) if target != "worker" else "worker"
            if here != there and "kernel" not in (here, there) and here != "app":
                found.add((here, there))
    return found


def diagram():
    """The mermaid text of the layers and the features' imports."""
    lines = ["```mermaid", "flowchart TB"]
    for rank, layer in reversed(list(enumerate(LAYERS))):
        lines.append(f"  subgraph L{rank}[\"layer {rank}\"]")
        lines += [f"    {feature}" for feature in layer]
        lines.append("  end")
    lines += [f"  {here} --> {there}" for here, there in sorted(feature_imports())]
    lines.append("```")
    return "\n".join(lines)


def rewritten(text):
    """``text`` with the part between the markers replaced by the current diagram."""
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{diagram()}\n{END}{tail}"


def main(argv):
    text = DOCUMENT.read_text(encoding="utf-8")
    new = rewritten(text)
    if "--check" in argv:
        if new != text:
            print("docs/architecture.md: the diagram differs from the code; run python scripts/architecture.py")
            return 1
        return 0
    DOCUMENT.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
