"""The package's layers import only downward, and no two modules import each other.

The layers, lowest first: models -> data -> training -> studies -> engine ->
report -> cli (bench beside cli). ``ex3.config`` and ``ex3.errors`` sit below
all of them and import no layer. Every ``import`` statement found by walking
a module's syntax tree is an edge: at module level, inside a function
(deferred) or under ``if TYPE_CHECKING:`` (type-only); a failure says which,
since each kind is a loop a reader has to follow, even when Python tolerates
it at run time. Imports by name string (``importlib.import_module``) are not
edges: the registry finds the studies that way on purpose.

An upward edge that cannot be removed yet is in ``ALLOWED_UPWARD``, and an
edge that closes a cycle in ``ALLOWED_CYCLE_EDGES``, each with the reason; a
new one fails here, and so does an allowance no longer needed.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ex3"
LAYERS = ("models", "data", "training", "studies", "engine", "report", "cli")
#: Packages that rank with a layer without being one of the chain.
BESIDE = {"bench": "cli"}

#: Upward edges known and allowed, as (importer pattern, imported module): each is a loop
#: to remove, not a design.
ALLOWED_UPWARD: set[tuple[str, str]] = set()

#: Import edges known to close a cycle, left out of the cycle search: each is a loop to
#: remove, not a design.
ALLOWED_CYCLE_EDGES: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The package module that ``name`` (a module, or a name inside one) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> Iterator[tuple[str, str, int]]:
    """(imported module, kind, line) for each import of a package module in ``module``."""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST, kind: str) -> Iterator[tuple[str, str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(child, "deferred" if kind == "module-level" else kind)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                yield from walk(child, "type-only")
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, kind, child.lineno
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in child.names:
                    # "from ex3.data import mnist" imports the module ex3.data.mnist
                    target = f"{base}.{alias.name}"
                    yield (target if target in MODULES else base), kind, child.lineno
            else:
                yield from walk(child, kind)

    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for name, kind, line in walk(tree, "module-level"):
        target = _resolve(name) if name.startswith("ex3") else None
        if target is not None and target != module:
            yield target, kind, line


#: importer -> imported -> (kind, line) of its first import there
GRAPH = {m: {} for m in MODULES}
for _m in MODULES:
    for _target, _kind, _line in _imports(_m):
        GRAPH[_m].setdefault(_target, (_kind, _line))


def _rank(module: str) -> int:
    """The module's layer index; -1 for the package's foundation (config, errors)."""
    parts = module.split(".")
    if len(parts) < 2:
        return -1
    name = BESIDE.get(parts[1], parts[1])
    return LAYERS.index(name) if name in LAYERS else -1


def _allowed(importer: str, imported: str) -> tuple[str, str] | None:
    for pattern, target in ALLOWED_UPWARD:
        if fnmatchcase(importer, pattern) and imported == target:
            return pattern, target
    return None


def _upward() -> list[tuple[str, str, str, int]]:
    return [(m, t, kind, line) for m, targets in GRAPH.items()
            for t, (kind, line) in targets.items() if _rank(t) > _rank(m)]


def test_the_graph_is_found() -> None:
    assert "ex3.data.mnist" in GRAPH["ex3.training.splits"]
    assert GRAPH["ex3.training.splits"]["ex3.training.runs"][0] == "type-only"


def test_no_module_imports_a_higher_layer() -> None:
    bad = [f"{m}:{line} -> {t} ({kind})" for m, t, kind, line in _upward()
           if _allowed(m, t) is None]
    assert not bad, "imports from a lower layer to a higher one:\n" + "\n".join(bad)


def test_every_allowed_upward_import_is_still_there() -> None:
    used = {_allowed(m, t) for m, t, _, _ in _upward()}
    assert used >= ALLOWED_UPWARD, f"remove from ALLOWED_UPWARD: {ALLOWED_UPWARD - used}"


def _cycle() -> list[str] | None:
    """One import cycle (its modules in order, first repeated last), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for t in GRAPH[m]:
            if (m, t) in ALLOWED_CYCLE_EDGES:
                continue
            if state.get(t) == 1:
                return [*path[path.index(t):], t]
            if t not in state and (found := visit(t)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in GRAPH:
        if m not in state and (found := visit(m)):
            return found
    return None


def test_every_allowed_cycle_edge_is_still_there() -> None:
    stale = {(m, t) for m, t in ALLOWED_CYCLE_EDGES if t not in GRAPH.get(m, {})}
    assert not stale, f"remove from ALLOWED_CYCLE_EDGES: {stale}"


def test_no_import_cycle() -> None:
    cycle = _cycle()
    if cycle is not None:
        steps = [f"{a} -> {b} ({GRAPH[a][b][0]}, line {GRAPH[a][b][1]})"
                 for a, b in itertools.pairwise(cycle)]
        raise AssertionError("import cycle:\n" + "\n".join(steps))
