"""The layout docs/architecture.md draws: the layers hold (import-linter), no private name crosses a package,
and tests share helpers only through fixture modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


def test_the_layers_hold() -> None:
    """The contracts in pyproject.toml (`[tool.importlinter]`): the layers, the sandbox apart from the bot, and the
    decisions without a browser library. import-linter follows every import, indirect ones and those inside
    functions included."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", ""), result.stdout


def test_no_private_name_is_imported_across_modules() -> None:
    """A private module may be imported; a private name from another module may not (gettext's `_` aside)."""
    crossings = [
        f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
        for path in _sources(*PRODUCT, "tests")
        for node in _imports(path)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_")
        and not alias.name.startswith("__")
        and alias.name != "_"
        and not (ROOT / (node.module or "").replace(".", "/") / f"{alias.name}.py").exists()
        and not (ROOT / "benchmarks" / f"{alias.name}.py").exists()
    ]
    assert crossings == []


def test_tests_share_helpers_through_fixture_modules_not_through_each_other() -> None:
    borrowed = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _sources("tests")
        for node in _imports(path)
        for module in _modules(node)
        if module.startswith("tests.test_")
    ]
    assert borrowed == []
