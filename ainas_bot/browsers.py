"""Which browser binary to launch: Playwright's managed build when installed, else Debian's package."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

__all__ = ["BrowserName", "debian_executable", "find_executable"]

BrowserName = Literal["chromium", "firefox"]
_DEBIAN = {"chromium": ("chromium", "chromium-browser"), "firefox": ("firefox-esr",)}


def debian_executable(browser: BrowserName) -> Path | None:
    for name in _DEBIAN[browser]:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def find_executable(browser: BrowserName, managed_path: str | None = None) -> Path | None:
    """The executable to pass to Playwright, or None to let Playwright use its managed build.

    Firefox is always Debian's firefox-esr: AINAS requires Firefox ESR, driven over WebDriver BiDi.
    """
    if browser == "chromium" and managed_path and Path(managed_path).exists():
        return None
    return debian_executable(browser)
