from __future__ import annotations

from typing import Any

import pytest

from ainas_bot.browsers import find_executable

pytest_plugins = ["tests.fixtures_certs", "tests.fixtures_sandbox", "tests.fixtures_flow"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_name: str) -> dict[str, Any]:
    """pytest-playwright launches Debian's browsers where Playwright's own download is missing."""
    args = dict(browser_type_launch_args)
    if browser_name == "chromium":
        exe = find_executable("chromium", None, headless=args.get("headless", True))
        if exe:
            args["executable_path"] = str(exe)
        args["args"] = ["--disable-background-networking", "--disable-component-update", "--no-first-run"]
    return args
