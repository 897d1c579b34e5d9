"""The layering contract of docs/architecture.md, as `lint-imports` (pyproject.toml) enforces it in `make lint`.

The real tree keeps every contract; a copy of it with one offending import breaks the right one, so the check
is known to be able to fail.
"""

from __future__ import annotations

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
        ("source_notion/uses_emulator.py", "import notion_emulator.backend", "source_notion imports no emulator"),
        ("source_notion/uses_toolkit.py", "from testkit import constants", "source_notion imports no emulator"),
        ("notion_emulator/uses_connector.py", "import source_notion.source", "notion_emulator never imports"),
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
