"""Settings files for the CLI tests, written by tomli-w (quoting and nesting as TOML wants them)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import tomli_w

__all__ = ["settings_toml", "without_ainas_variables"]


def _plain(value: Any) -> Any:
    """TOML has no null and no path: None drops out of tables, a path is its text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value


def settings_toml(top: Mapping[str, Any], offices: Sequence[Mapping[str, Any]] = ()) -> str:
    """A settings file: the top-level settings, then one [[offices]] table per office."""
    document = _plain(top)
    if offices:
        document["offices"] = [_plain(office) for office in offices]
    return tomli_w.dumps(document)


def without_ainas_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AINAS_* variable of the caller's environment reaches the settings a test builds."""
    for name in list(os.environ):
        if name.startswith("AINAS_"):
            monkeypatch.delenv(name)
