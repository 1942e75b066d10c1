"""The package's layout holds: the layers of ``docs/architecture.md`` only import downward, no
module imports the package face, and no two modules import each other in a loop. Every import
counts, those inside functions and under ``TYPE_CHECKING`` included."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scraper"

#: Bottom to top: a unit may import its own package's modules and any lower layer's, never a
#: layer above or a peer of its own layer. The same table is drawn in docs/architecture.md.
LAYERS: list[set[str]] = [
    {"_version", "_exceptions", "text", "urls", "encoding", "clean", "scope", "timezones"},
    {"_config", "article", "profiles", "search", "sketch"},
    {"extract", "fetch", "sql_functions", "ranking"},
    {"discover", "warc"},
    {"store"},
    {"report", "crawler"},
    {"scale"},
    {"web", "mirror"},
    {"cli"},
    {"__main__"},
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module of the package that ``name`` imports, wherever the import stands."""
    modules = _modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "scraper":
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "scraper":
                target = node.module or ""
            else:
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield submodule if submodule in modules else target


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(unit: str) -> int:
    for number, layer in enumerate(LAYERS):
        if unit in layer:
            return number
    raise AssertionError(f"scraper/{unit} is in no layer of LAYERS (tests/test_layout.py)")


def _graph() -> dict[str, set[str]]:
    return {
        name: {t for t in _imports(name, path) if t != name} for name, path in _modules().items()
    }


def test_every_unit_has_a_layer() -> None:
    for name in _modules():
        unit = _unit(name)
        if unit != "__init__":
            _layer(unit)


def test_layers_only_import_downward() -> None:
    wrong = []
    for name, targets in _graph().items():
        unit = _unit(name)
        if unit == "__init__":
            continue
        for target in targets:
            other = _unit(target)
            if other == unit:
                continue
            if other == "__init__":
                wrong.append(f"{name} imports the package face")
            elif _layer(other) >= _layer(unit):
                wrong.append(f"{name} imports {target} (layer {_layer(other)} >= {_layer(unit)})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state and node != "scraper":
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The checker itself: a function-level import upward is found."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from ..crawler import engine\n", encoding="utf-8")
    assert "scraper.crawler.engine" in set(_imports("scraper.store.m", source))
