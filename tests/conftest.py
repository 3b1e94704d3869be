from __future__ import annotations

from typing import Any

import pytest

from ainas_bot.config.browsers import find_executable

pytest_plugins = ["tests.fixtures_certs", "tests.fixtures_sandbox", "tests.fixtures_flow", "tests.fixtures_smtp"]
# pytest-timeout's limit for `slow` tests without a timeout of their own (others: `timeout` in pyproject.toml).
# The longest, the soak of 300 offices, was measured at 739 to 1281 s on the project's 2-core machine.
SLOW_TIMEOUT = 2400


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("slow") is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))
        # The fast tier, `-m "not slow"`, is every test that starts no browser: one driving a browser is
        # slow for the developer's loop whatever its own length (its timeout stays the ordinary one).
        if item.get_closest_marker("e2e") is not None and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(autouse=True, scope="session")
def _english_locale() -> Any:
    """The suite reads English messages: a machine whose locale is Japanese would otherwise run it in
    Japanese (the CLI follows the locale). Tests of the Japanese output ask for it themselves."""
    patch = pytest.MonkeyPatch()
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        patch.delenv(name, raising=False)
    patch.setenv("LANG", "C.UTF-8")
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _language_reset() -> Any:
    """`use_language` is process-wide: a test that ran the CLI in Japanese leaves English behind it."""
    yield
    from ainas_bot.i18n import use_language

    use_language("en")
