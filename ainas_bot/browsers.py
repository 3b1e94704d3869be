"""Which browser binary to launch: Playwright's managed build when installed, else Debian's package."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

__all__ = ["BrowserName", "debian_executable", "find_executable"]

BrowserName = Literal["chromium", "firefox"]
_DEBIAN = {"chromium": ("chromium", "chromium-browser"), "firefox": ("firefox-esr",)}
# Debian's build of Chromium's headless shell: the browser without its windows, which Playwright itself
# runs for headless Chromium. The full browser gives each context a window with pages of its own.
_HEADLESS_SHELL = "chromium-headless-shell"


def debian_executable(browser: BrowserName, *, headless: bool = False) -> Path | None:
    names = ((_HEADLESS_SHELL,) if browser == "chromium" and headless else ()) + _DEBIAN[browser]
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def find_executable(browser: BrowserName, managed_path: str | None = None, *, headless: bool = True) -> Path | None:
    """The executable to pass to Playwright, or None to let Playwright use its managed build.

    Headless Chromium is Debian's chromium-headless-shell where installed (measured against the full
    browser: 0.85 CPU-s less per office and 20 MiB less per context), else the full chromium.
    Firefox is always Debian's firefox-esr: AINAS requires Firefox ESR, driven over WebDriver BiDi.
    """
    if browser == "chromium" and managed_path and Path(managed_path).exists():
        return None
    return debian_executable(browser, headless=headless)
