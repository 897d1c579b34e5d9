"""No function in source_notion/ over 50 lines (issue 20): a longer one does several things, each of which reads
better under a name of its own. Lines counted from `def` to the last line of the body, docstring included."""

import ast
from pathlib import Path

import source_notion

MAX_LINES = 50
# Exceptions, each `<path>:<qualified name>` with a comment saying why it must stay long. None today.
ALLOWED: frozenset[str] = frozenset()


def function_lengths() -> dict[str, int]:
    """`<path below source_notion>:<qualified name>` -> lines, for every function and method."""
    root = Path(source_notion.__file__).parent
    lengths: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

        def visit(node: ast.AST, prefix: str, path: Path = path) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = prefix + child.name
                    assert child.end_lineno is not None
                    lengths[f"{path.relative_to(root).as_posix()}:{name}"] = child.end_lineno - child.lineno + 1
                    visit(child, name + ".")
                elif isinstance(child, ast.ClassDef):
                    visit(child, prefix + child.name + ".")

        visit(tree, "")
    return lengths


def test_no_function_in_the_connector_is_over_50_lines():
    lengths = function_lengths()
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in ALLOWED}
    assert not too_long, f"functions over {MAX_LINES} lines (split them): {too_long}"


def test_the_count_covers_every_module_and_method():
    lengths = function_lengths()
    assert lengths["markdown/rich_text.py:render_inline"] <= MAX_LINES  # 51 before issue 20 split it
    assert "streams/rows.py:DataSourceRows._rows" in lengths and "run.py:run" in lengths
