"""The import contracts in pyproject.toml hold for the tree, and they catch a cycle or a layer
breach put back (at the top of a module or hidden inside a function)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_its_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # queue imports deadlines: deadlines importing queue closes a circle.
        ("services/deadlines.py", "from app.services import queue", "No import cycles"),
        (
            "services/deadlines.py",
            "def _hidden() -> None:\n    from app.services import queue  # noqa: F401\n",
            "No import cycles",
        ),
        ("services/visibility.py", "from app import deps", "Layers"),
        ("models/support.py", "from app.services import support", "Layers"),
    ],
    ids=["cycle", "cycle inside a function", "service imports deps", "model imports a service"],
)
def test_a_broken_contract_fails(tmp_path, module, line, broken):
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint_imports(tmp_path).returncode == 0  # the copy is what is checked ...
    target = tmp_path / "app" / module
    target.write_text(target.read_text() + "\n" + line + "\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0  # ... and the change breaks it
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
