"""The shape of the code, read from its syntax trees: no import cycles, imports at the top.

An import inside a function hides a dependency and usually a cycle held apart by hand; the CLI
is the one exception, so that `jitlearn users add` does not load what `jitlearn serve` needs.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "index", "nlp", "bench")
LAZY_ALLOWED = "server.cli"  # the CLI imports a command's needs when the command runs
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:  # Alembic's scripts are loaded by Alembic, not imported
                continue
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(project module imported, line, inside a function) for each import in one module."""
    tree = ast.parse(path.read_text(), str(path))
    in_function = {id(node) for fn in ast.walk(tree)
                   if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                   for node in ast.walk(fn)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != name:
                out.append((target, node.lineno, id(node) in in_function))
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    order, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        order[v] = low[v] = len(order)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
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
        if v not in order:
            visit(v)
    return found


def test_no_module_imports_itself_round_a_cycle():
    known = modules()
    graph = {name: {t for t, _, _ in imports(name, path, known)} for name, path in known.items()}
    assert len(graph) > 50  # the walk found the project
    assert cycles(graph) == []


def test_project_imports_sit_at_the_top_of_modules_except_in_the_cli():
    known = modules()
    lazy = [f"{path.relative_to(ROOT)}:{line} imports {target}"
            for name, path in known.items() if not name.startswith(LAZY_ALLOWED)
            for target, line, inside in imports(name, path, known) if inside]
    assert lazy == []


def test_the_checks_see_a_cycle_and_an_import_in_a_function(tmp_path):
    (tmp_path / "a.py").write_text("from b import x\n")
    (tmp_path / "b.py").write_text("def f():\n    import a\n")
    known = {"a": tmp_path / "a.py", "b": tmp_path / "b.py"}
    graph = {n: {t for t, _, _ in imports(n, p, known)} for n, p in known.items()}
    assert cycles(graph) == [["a", "b"]]
    assert [inside for _, _, inside in imports("b", known["b"], known)] == [True]


def test_no_module_is_over_400_lines():
    long = {str(path.relative_to(ROOT)): n for path in modules().values()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
