"""The layout the design card promises: the CLI is the only part of `ainas_bot/` that reaches into
`flows/`, the decisions load without a browser library, and no private name crosses a module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("ainas_bot", "flows", "benchmarks")


def _imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom | ast.Import)]


def _modules(node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""]


def _sources(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (ROOT / root).rglob("*.py"))


def test_only_the_cli_imports_flows() -> None:
    importers = {path.relative_to(ROOT).as_posix() for path in _sources("ainas_bot")
                 for node in _imports(path) for module in _modules(node)
                 if module == "flows" or module.startswith("flows.")}
    assert importers, "the CLI runs the flows: the scan found no import of them at all"
    assert all(Path(p).name.startswith("_cli") for p in importers), sorted(importers)


@pytest.mark.parametrize("module", ["flows.decision", "flows.identity", "flows.text", "flows.renewal", "flows.session",
                                    "flows.screens"])
def test_the_decisions_load_without_playwright(module: str) -> None:
    """Pure decisions and the session's bookkeeping are unit-tested without a browser library loaded."""
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'playwright'))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout


def test_no_private_name_is_imported_across_modules() -> None:
    """A private module may be imported; a private name from another module may not (gettext's `_` aside)."""
    crossings = [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                 for path in _sources(*PRODUCT, "tests") for node in _imports(path) if isinstance(node, ast.ImportFrom)
                 for alias in node.names
                 if alias.name.startswith("_") and not alias.name.startswith("__") and alias.name != "_"
                 and not (ROOT / (node.module or "").replace(".", "/") / f"{alias.name}.py").exists()
                 and not (ROOT / "benchmarks" / f"{alias.name}.py").exists()]
    assert crossings == []


def test_tests_share_helpers_through_fixture_modules_not_through_each_other() -> None:
    borrowed = [f"{path.relative_to(ROOT)}: {module}" for path in _sources("tests") for node in _imports(path)
                for module in _modules(node) if module.startswith("tests.test_")]
    assert borrowed == []
