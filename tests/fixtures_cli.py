"""Running the CLI as a user does: its command, a settings file for a world, the environment, what it left."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from tests.fixtures_flow import FlowWorld, OfficeKit
from tests.fixtures_settings import settings_toml

__all__ = ["BOT", "all_bytes", "cli_env", "write_config"]

BOT = [sys.executable, "-m", "ainas_bot"]


def write_config(path: Path, world: FlowWorld, kits: list[OfficeKit], **top: object) -> Path:
    settings = {
        "portal_url": world.sandbox.base_url,
        "portal_ca": world.sandbox.ca_pem,
        "artifacts_dir": path.parent / "artifacts",
        "timeout_seconds": 15,
        **top,
    }
    offices = [kit.office.model_dump(mode="json", exclude_none=True) for kit in kits]
    path.write_text(settings_toml(settings, offices), encoding="utf-8")
    return path


def cli_env(kits: list[OfficeKit], **extra: str) -> dict[str, str]:
    """The environment of a CLI run: the caller's without AINAS_*, the kits' secrets, and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")}
    for kit in kits:
        env.update(kit.environ)
    env.update(extra)
    return env


def all_bytes(root: Path) -> list[tuple[Path, bytes]]:
    """Every file under root, with zip archives (traces) opened up."""
    found: list[tuple[Path, bytes]] = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((path, data))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found += [(path / name, archive.read(name)) for name in archive.namelist()]
    return found
