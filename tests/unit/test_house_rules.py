"""Suite-wide guards on the shape of the package (ARCHITECTURE.md): no import circles, the layering rule,
and module and class sizes. Each failure names its offenders."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import kiosk_ui

PACKAGE = Path(kiosk_ui.__file__).resolve().parent
#: the most lines a module of kiosk_ui/ may have, and a class
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 250
#: modules every layer may import: they import nothing of kiosk_ui themselves (checked below)
LEAVES = {"kiosk_ui.errors", "kiosk_ui.listeners", "kiosk_ui.tasks", "kiosk_ui.engine.status"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path): path for path in sorted(root.rglob("*.py"))}


def _resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(name: str, path: Path, known: Iterable[str]) -> set[str]:
    """Every kiosk_ui module ``name`` imports, wherever the import is (typing-only and function-local
    imports included): ``from .x import y`` counts as ``x.y`` when ``y`` is a module, else ``x``."""
    known = set(known)
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kiosk_ui")}
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, is_package, node.level, node.module) if node.level else node.module or ""
            if not target.startswith("kiosk_ui"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package_of(module: str) -> str:
    return module if module in ("kiosk_ui",) else ".".join(module.split(".")[:2])


def _edge_inside(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    members = set(component)
    return [f"{a} -> {b}" for a in component for b in sorted(graph[a] & members)]


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_parser_sees_typing_and_local_imports(tmp_path: Path) -> None:
    source = tmp_path / "kiosk_ui" / "ui" / "page.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..app import KioskApp\n"
        "def f():\n    from .. import errors\n",
        encoding="utf-8",
    )
    known = {"kiosk_ui.app", "kiosk_ui.errors", "kiosk_ui.ui", "kiosk_ui.ui.page"}
    assert imports_of("kiosk_ui.ui.page", source, known) == {"kiosk_ui.app", "kiosk_ui.errors"}


def test_no_import_circles_in_kiosk_ui() -> None:
    graph = import_graph()
    found = cycles(graph)
    report = ["; ".join(_edge_inside(graph, component)) for component in found]
    assert not found, "import circles (typing imports included):\n" + "\n".join(report)


def test_leaf_modules_import_nothing_of_kiosk_ui() -> None:
    graph = import_graph()
    assert {leaf: sorted(graph[leaf]) for leaf in LEAVES if graph[leaf]} == {}


def _outside(graph: dict[str, set[str]], prefix: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for module, targets in sorted(graph.items()):
        if module == prefix or module.startswith(prefix + "."):
            for target in sorted(targets):
                if target in LEAVES or any(target == a or target.startswith(a + ".") for a in allowed):
                    continue
                bad.append(f"{module} -> {target}")
    return bad


def test_layering_protocol_engine_simulator() -> None:
    graph = import_graph()
    bad = _outside(graph, "kiosk_ui.protocol", ("kiosk_ui.protocol",))
    bad += _outside(graph, "kiosk_ui.engine", ("kiosk_ui.engine", "kiosk_ui.protocol"))
    bad += _outside(graph, "kiosk_ui.simulator", ("kiosk_ui.simulator", "kiosk_ui.protocol"))
    assert bad == [], "layering: protocol/ imports only protocol/, engine/ only protocol/, simulator/ only protocol/"


def test_only_the_assembly_imports_the_ui() -> None:
    """ui/ is the top layer: only app.py and cli.py (the assembly) import it, and it never imports them."""
    graph = import_graph()
    assembly = {"kiosk_ui.app", "kiosk_ui.cli"}
    bad = [
        f"{module} -> {target}"
        for module, targets in sorted(graph.items())
        if not module.startswith("kiosk_ui.ui") and module not in assembly
        for target in sorted(targets)
        if target.startswith("kiosk_ui.ui")
    ]
    bad += [
        f"{module} -> {target}"
        for module, targets in sorted(graph.items())
        if module.startswith("kiosk_ui.ui")
        for target in sorted(targets & assembly)
    ]
    assert bad == [], "ui/ is imported only by app.py/cli.py and imports neither:\n" + "\n".join(bad)


def _too_long() -> tuple[list[str], list[str]]:
    big_modules, big_classes = [], []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            big_modules.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    big_classes.append(f"{name}.{node.name}: {size} lines")
    return big_modules, big_classes


def test_no_module_over_400_lines() -> None:
    big_modules, _ = _too_long()
    assert big_modules == [], f"modules over {MAX_MODULE_LINES} lines (split them by concern):\n" + "\n".join(
        big_modules
    )


def test_no_class_over_250_lines() -> None:
    _, big_classes = _too_long()
    assert big_classes == [], f"classes over {MAX_CLASS_LINES} lines:\n" + "\n".join(big_classes)
