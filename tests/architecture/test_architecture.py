"""The layers hold: no import cycle, no engine reaching up into the MCP surface or the CLI or importing the
MCP SDK, the knowledge base as data access only, and tests that never import the benchmarks.

Read from the source with `ast` (imports inside functions included, `if TYPE_CHECKING:` blocks not), so a
lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
ENGINES = (
    "knowledge",
    "router",
    "mail",
    "dns",
    "diagnosis",
    "headers",
    "recovery",
    "clients",
    "webmail",
    "secure_setup",
    "missing_mail",
    "dmarc_reports",
)
SHARED = ("errors", "config", "models", "inputs")
"""Top-level modules every layer may use."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST) -> list[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # type-only imports are not dependencies at run time
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@cache
def graph() -> dict[str, set[str]]:
    """Module -> the project modules and outside top-level packages it imports."""
    modules = {module_name(p): p for p in SRC.rglob("*.py")}
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in imported(ast.parse(path.read_text(encoding="utf-8"))):
            if target in modules:
                edges[name].add(target)
            elif not target.startswith("alimail_mcp"):
                edges[name].add("outside:" + target.split(".")[0])
    return edges


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules() -> None:
    assert cycles(graph()) == []


def test_no_import_cycle_between_packages() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph().items():
        packages[layer(module)] |= {layer(t) for t in targets if not t.startswith("outside:")} - {
            layer(module)
        }
    assert cycles(packages) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_never_reach_up_to_the_mcp_surface_or_the_sdk(engine: str) -> None:
    upward = {
        (module, target)
        for module, targets in graph().items()
        if layer(module) == engine
        for target in targets
        if layer(target) in ("server", "cli") or target in ("outside:mcp", "outside:mcp_types")
    }
    assert not upward, upward


def test_the_knowledge_base_is_data_access_only() -> None:
    allowed = {"knowledge", *SHARED}
    reaching = {
        (module, target)
        for module, targets in graph().items()
        if layer(module) == "knowledge"
        for target in targets
        if not target.startswith("outside:") and layer(target) not in allowed
    }
    assert not reaching, reaching


def test_tests_never_import_the_benchmarks() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if any(name.split(".")[0] == "bench" for name in imported(ast.parse(path.read_text("utf-8"))))
    ]
    assert not offenders
