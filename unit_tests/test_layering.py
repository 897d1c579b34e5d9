"""The layering contract of docs/architecture.md, as `lint-imports` (pyproject.toml) enforces it in `make lint`,
and no import circle among the modules of source_notion and notion_emulator.

The real tree keeps every contract; a copy of it with one offending import breaks the right one, so the check
is known to be able to fail. The layers contracts see circles between layers; `import_cycles` sees them
anywhere, inside a package too, from the modules' own import statements (read with ast, never run).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("source_notion", "notion_emulator", "testkit", "bench", "demo", "integration_tests", "unit_tests")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH puts `root` before the venv's own path, so a copy of the tree is analysed, not the original.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "offending_import", "contract"),
    [
        (
            "source_notion/uses_emulator.py",
            "import notion_emulator.backend.storage",
            "source_notion imports no emulator",
        ),
        ("source_notion/uses_toolkit.py", "from testkit import constants", "source_notion imports no emulator"),
        ("notion_emulator/uses_connector.py", "import source_notion.source", "notion_emulator never imports"),
        (
            "source_notion/transport/uses_streams.py",
            "import source_notion.streams.base",
            "source_notion layers",
        ),
        ("source_notion/state/uses_records.py", "import source_notion.records.shaping", "source_notion layers"),
        ("source_notion/rows/uses_config.py", "import source_notion.config.spec", "source_notion layers"),
        ("notion_emulator/backend/uses_server.py", "import notion_emulator.server.wire", "notion_emulator layers"),
        (
            "notion_emulator/backend/uses_limits.py",
            "import notion_emulator.limits.rate_limit",
            "notion_emulator layers",
        ),
        (
            "notion_emulator/model/uses_accounting.py",
            "from notion_emulator.accounting import ground_truth",
            "notion_emulator layers",
        ),
        ("bench/uses_tests.py", "import integration_tests.conftest", "testkit, bench and demo import no test"),
    ],
)
def test_an_offending_import_breaks_its_contract(
    tree_copy: Path, module: str, offending_import: str, contract: str
) -> None:
    (tree_copy / module).write_text(f"{offending_import}\n")
    result = lint_imports(tree_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert len(broken) == 1 and broken[0].startswith(contract), result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


CYCLE_CHECKED = ("source_notion", "notion_emulator")


def module_graph(root: Path, packages: tuple[str, ...] = CYCLE_CHECKED) -> dict[str, set[str]]:
    """module -> the modules of `packages` it imports (TYPE_CHECKING imports included: a circle of annotations
    is still a circle a reader has to untangle). `from pkg import name` is an import of the module `pkg.name`
    when there is one, else of `pkg`; importing a module is not counted as importing its parent packages
    (as import-linter counts it)."""
    files = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = own_package.split(".")[: len(own_package.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                for alias in node.names:
                    name = f"{source}.{alias.name}"
                    imported.add(name if name in files else source)
        graph[module] = {name for name in imported if name in files and name != module}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted: every circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_among_the_modules() -> None:
    graph = module_graph(ROOT)
    assert "source_notion.transport.client" in graph and "notion_emulator.server.wire" in graph
    cycles = import_cycles(graph)
    assert not cycles, "import circles: " + "; ".join(" <-> ".join(cycle) for cycle in cycles)


def test_a_new_import_circle_is_found(tree_copy: Path) -> None:
    # query_partitions.py is below endpoints.py (which calls it); an annotation-only import back closes a circle.
    partitions = tree_copy / "source_notion" / "transport" / "query_partitions.py"
    partitions.write_text(
        partitions.read_text()
        + "\nif TYPE_CHECKING:\n    from source_notion.transport.endpoints import SearchEndpoint\n"
    )
    wire = tree_copy / "notion_emulator" / "server" / "wire.py"
    wire.write_text(wire.read_text() + "\nfrom .api import routes\n")
    cycles = import_cycles(module_graph(tree_copy))
    assert ["source_notion.transport.endpoints", "source_notion.transport.query_partitions"] in cycles
    assert any(
        "notion_emulator.server.wire" in cycle and "notion_emulator.server.api.routes" in cycle for cycle in cycles
    )
