"""Imports follow the declared dependency order (ARCHITECTURE: an app never imports from an
app to its right; it learns of changes there through domain events), and the modules that once
imported each other in a circle no longer do."""

from __future__ import annotations

import ast
from pathlib import Path

import netral

ROOT = Path(netral.__file__).parent
# Each app and the apps it may import (everything to its left in the declared order).
_CHAIN = ["core", "regions", "registry", "accounts", "rules"]
MAY_IMPORT: dict[str, set[str]] = {app: set(_CHAIN[:i]) for i, app in enumerate(_CHAIN)}
MAY_IMPORT["intake"] = set(_CHAIN)
MAY_IMPORT["commitments"] = set(_CHAIN)
MAY_IMPORT["cases"] = MAY_IMPORT["intake"] | {"intake"}
MAY_IMPORT["screening"] = MAY_IMPORT["intake"] | {"intake"}
MAY_IMPORT["insights"] = MAY_IMPORT["cases"] | {"cases", "commitments"}
# Modules that imported each other in a circle (each marked a function in the wrong module).
ONCE_CIRCULAR = {
    "netral.cases.letters",
    "netral.cases.tasks",
    "netral.cases.services",
    "netral.cases.services.documents",
    "netral.cases.services.registration",
    "netral.cases.services.transitions",
    "netral.cases.effects",
    "netral.cases.workflow",
    "netral.intake.forms",
    "netral.intake.services",
    "netral.insights.exports",
    "netral.insights.tasks",
    "netral.insights.services",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Every ``netral`` module imported when the code runs (``if TYPE_CHECKING:`` left out),
    at the top or inside a function."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("netral"):
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("netral")]
    return found


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def test_no_app_imports_an_app_to_its_right():
    wrong = []
    for name, path in _modules().items():
        app = name.split(".")[1] if name.count(".") else ""
        if app not in MAY_IMPORT:
            continue  # the project package and ``demo`` (which seeds every app) may import any
        for line, target in _runtime_imports(path):
            other = target.split(".")[1]
            if other != app and other in MAY_IMPORT and other not in MAY_IMPORT[app]:
                wrong.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}")
    assert wrong == []


def test_the_once_circular_modules_import_no_circle():
    modules = _modules()
    graph = {
        name: {
            t
            for _line, target in _runtime_imports(path)
            if (t := _resolve(target, modules)) and t != name
        }
        for name, path in modules.items()
    }

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            for nxt in graph.get(current, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    circles = sorted(
        f"{name} -> {other}"
        for name in ONCE_CIRCULAR
        for other in graph[name]
        if reaches(other, name)
    )
    assert circles == []
