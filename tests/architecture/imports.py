"""Reading the imports of crmdesk's modules, in every form, and the graph they make.

Every form counts: ``import a.b``, ``from a import b`` (b may be a module), relative
imports, and imports inside functions or under ``TYPE_CHECKING``: a dependency that
only shows up at run time, or only for the type checker, is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "crmdesk"


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module
    origin: str  # "a.b" of "import a.b" or of "from a.b import c"
    alias: str | None  # "c" of "from a.b import c"; None for "import a.b"
    line: int

    @property
    def names(self) -> tuple[str, ...]:
        """What it may load: "a.b", and for "from a.b import c" also "a.b.c"."""
        if self.alias is None:
            return (self.origin,)
        return (self.origin, f"{self.origin}.{self.alias}")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, *, is_package: bool = False) -> Iterator[Import]:
    """The imports of ``source``, the text of ``module``; relative ones resolved."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                yield Import(module, origin, alias.name, node.lineno)


@cache
def source_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    return list(imports_in(source, module_name(path), is_package=path.stem == "__init__"))


def resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The crmdesk module an imported name loads: the longest module prefix of it."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def target(imp: Import, modules: dict[str, Path]) -> str | None:
    """The crmdesk module ``imp`` depends on: ``from pkg import sub`` depends on the
    submodule; ``from pkg import name`` (defined in pkg/__init__) on the package."""
    if imp.alias is not None and f"{imp.origin}.{imp.alias}" in modules:
        return f"{imp.origin}.{imp.alias}"
    return resolve(imp.origin, modules)


def dependency_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """Module -> the crmdesk modules it imports.

    Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``; a package whose
    ``__init__`` re-exports its submodules is not therefore a dependency of each of them,
    so parents are not added (as import-linter and grimp count it).
    """
    modules = modules if modules is not None else source_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = {target(imp, modules) for imp in imports_of(path)}
        graph[name] = {t for t in found if t is not None and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
