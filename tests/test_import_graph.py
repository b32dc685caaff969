"""The core's import graph is acyclic, counting every import: module level, inside
functions (the 'lazy' ones) and under TYPE_CHECKING, read from the source with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vpnkit"
#: the core (issue 14 part 5): value objects, validation, the wire codec, redaction, errors
CORE = ("audit", "cidr", "codec", "credentials", "display", "errors", "gateway_version",
        "integers", "issue", "models", "options", "redact", "validate", "wire")


def _imports(module: str) -> set[str]:
    """Every vpnkit module ``module`` names in an import, wherever the import statement is."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{module}: relative import"
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "vpnkit" and len(parts) > 1 and parts[1] in CORE:
                found.add(parts[1])
    found.discard(module)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path, or None (depth-first search, colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_core_import_graph_is_acyclic() -> None:
    """No chain of imports among the core modules leads back to where it started."""
    graph = {m: _imports(m) for m in CORE}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_checker_finds_a_cycle() -> None:
    """The checker itself reports a planted cycle (so the test above can fail)."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(("module", "forbidden"), [
    ("codec", "models"), ("display", "models"), ("display", "errors"), ("issue", "validate"),
    ("options", "models"), ("redact", "errors")])
def test_direction_of_core_arrows(module: str, forbidden: str) -> None:
    """Lower layers never name higher ones (DESIGN.md: wire -> models -> options)."""
    assert forbidden not in _imports(module)


def test_the_emulator_reads_options_never_models_or_wire() -> None:
    """DESIGN.md: the emulator parses JSON itself; it may read options, never the client side."""
    forbidden = ("vpnkit.models", "vpnkit.wire", "vpnkit.codec", "vpnkit.validate",
                 "vpnkit.client")
    for path in sorted((PACKAGE / "emulator").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            bad = [n for n in names if n.startswith(forbidden)]
            assert not bad, f"{path.name} imports {bad}"
