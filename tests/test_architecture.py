"""The house's structure, checked: no import cycle in ketamon/, no import statement hidden
inside a function to dodge one, and no module importing another module's private name.

The import graph is grimp's (the library behind import-linter's `lint-imports`); grimp
reads every import statement, those inside functions too, so a cycle hidden behind a
function-level import is still a cycle here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

import ketamon

PACKAGE = Path(ketamon.__file__).parent

# Function-level imports that defer a heavy import for start-up time, never to dodge a
# cycle (the cycle test below sees them as ordinary edges): the CLI loads Qt, the services
# and the demo seeder only for the command that needs them (`ketamon --version` and
# `ketamon audit verify` start without Qt); phonenumbers and Alembic are loaded on first
# use. The UI's lazily imported windows and dialogs are listed by module: they belong to
# the UI's own rework (issue 14, "one wiring per use case"), which should shrink this list.
LAZY_IMPORTS = {
    "ketamon/cli/__init__.py",
    "ketamon/cli/commands.py",
    "ketamon/cli/db.py",
    "ketamon/cli/export.py",
    "ketamon/domain/discharge.py:phonenumbers",
    "ketamon/storage/migrate.py:alembic",
    "ketamon/storage/migrate.py:alembic.config",
    "ketamon/storage/migrate.py:alembic.script",
    "ketamon/ui/app.py",
    "ketamon/ui/controller.py",
    "ketamon/ui/course_screens.py",
    "ketamon/ui/dialogs/infusion.py",
    "ketamon/ui/launch.py",
    "ketamon/ui/session_window.py",
}


def _graph(package: str = "ketamon") -> grimp.ImportGraph:
    return grimp.build_graph(package, cache_dir=None)


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing
    itself) among `modules`, each sorted: every import cycle, once."""
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(root: str) -> None:  # Tarjan's algorithm, iterative (no recursion limit)
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_modules() -> None:
    graph = _graph()
    assert cycles(graph, set(graph.modules)) == []


def test_no_import_cycle_between_service_modules() -> None:
    graph = _graph()
    services = graph.find_descendants("ketamon.services")
    assert len(services) > 10
    assert cycles(graph, services) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """A cycle put back (sessions <-> vitals, as it was) is reported."""
    graph = _graph()
    graph.add_import(importer="ketamon.services.sessions", imported="ketamon.services.vitals")
    graph.add_import(importer="ketamon.services.vitals", imported="ketamon.services.sessions")
    found = cycles(graph, graph.find_descendants("ketamon.services"))
    assert ["ketamon.services.sessions", "ketamon.services.vitals"] in found


def _sources(root: Path = PACKAGE) -> list[Path]:
    return sorted(root.rglob("*.py"))


def _where(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def imports_in_functions(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, imported module) of every import statement inside a function of `tree`."""
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append((node.lineno, "." * node.level + (node.module or "")))
    return sorted(set(found))


def function_level_imports(path: Path) -> list[tuple[str, int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [(_where(path), line, module) for line, module in imports_in_functions(tree)]


def _allowed(where: str, module: str) -> bool:
    return where in LAZY_IMPORTS or f"{where}:{module}" in LAZY_IMPORTS


def test_no_import_statement_inside_a_function() -> None:
    found = [
        f"{where}:{line}: import {module}"
        for path in _sources()
        for where, line, module in function_level_imports(path)
        if not _allowed(where, module)
    ]
    assert found == []


def test_the_lazy_import_list_has_no_stale_entries() -> None:
    used = {where for path in _sources() for where, _, _ in function_level_imports(path)}
    used |= {
        f"{where}:{module}"
        for path in _sources()
        for where, _, module in function_level_imports(path)
    }
    assert used >= LAZY_IMPORTS


def private_imports(tree: ast.Module) -> list[str]:
    """`from ketamon.x import _name` and `import ketamon._x` statements in `tree` (a dunder
    such as __version__ is public)."""

    def private(name: str) -> bool:
        return name.startswith("_") and not name.endswith("__")

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "ketamon":
            module = node.module or ""
            private_module = any(private(p) for p in module.split(".")[1:])
            for alias in node.names:
                if private(alias.name) or private_module:
                    found.append(f"{node.lineno}: from {module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "ketamon" and any(private(p) for p in parts[1:]):
                    found.append(f"{node.lineno}: import {alias.name}")
    return found


def test_no_module_imports_another_modules_private_name() -> None:
    found = [
        f"{_where(path)}:{line}"
        for path in _sources()
        for line in private_imports(ast.parse(path.read_text("utf-8")))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from ketamon.services import vitals\n", [(2, "ketamon.services")]),
        ("class C:\n    def m(self):\n        import json\n", [(3, "json")]),
        ("import json\n\n\ndef f():\n    return json\n", []),
    ],
)
def test_an_import_inside_a_function_is_found(source: str, expected: list) -> None:
    assert imports_in_functions(ast.parse(source)) == expected


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from ketamon.services.sessions import _events\n", True),
        ("from ketamon.services.sessions import load_session, _snapshot\n", True),
        ("import ketamon.services._private\n", True),
        ("from ketamon.storage.reads.sessions import events_of\n", False),
        ("from os import _exit\n", False),  # not a ketamon module
        ("from __future__ import annotations\n", False),
        ("from ketamon import __version__\n", False),
    ],
)
def test_a_private_import_is_found(source: str, found: bool) -> None:
    assert bool(private_imports(ast.parse(source))) is found
