"""Firefox ESR for one office: its profile put together and the browser launched on it.

Firefox is driven over WebDriver BiDi, where Playwright's `client_certificates` does not work, so the
office's certificate is imported into a per-office profile with NSS's `pk12util`, as a person installs it
(spec, "Browser facts"), under a random key-database password (`flows.browser.nss_profile`) that Firefox logs in
with at startup (`flows.browser.firefox_app`). The profile lives in a private folder (`flows.browser.profiles`); this
module joins those parts and points every connection of the browser at the gate (`flows.browser.gate`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Playwright
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from ainas_bot.config.browsers import find_executable
from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _
from flows.browser.firefox_app import firefox_environment, login_failure
from flows.browser.nss_profile import firefox_profile
from flows.browser.options import BrowserOptions
from flows.browser.profiles import profile_folder

__all__ = ["firefox_context", "firefox_prefs"]


def firefox_prefs(gate_port: int) -> dict[str, str | float | bool]:
    """The preferences of an office's profile: its certificate chosen without asking, the gate its only way out."""
    return {
        "security.default_personal_cert": "Select Automatically",
        # Every connection through the gate, a portal on a loopback address included, never around it.
        "network.proxy.type": 1,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": gate_port,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": gate_port,
        "network.proxy.no_proxies_on": "",
        "network.proxy.allow_hijacking_localhost": True,
        "network.proxy.failover_direct": False,
        # The key database is logged in once, at startup (flows.browser.firefox_app): never asked again.
        "security.ask_for_password": 0,
    }


@contextlib.asynccontextmanager
async def firefox_context(
    pw: Playwright,
    options: BrowserOptions,
    *,
    gate_port: int,
    client_cert: Path,
    client_cert_password: SecretStr,
    context_options: dict[str, Any],
) -> AsyncIterator[BrowserContext]:
    """Firefox on a fresh profile holding `client_cert`; the profile is removed after the block."""
    exe = options.executable_path or find_executable("firefox")
    if exe is None:
        raise ConfigError(_("Firefox ESR is not installed (Debian: apt-get install firefox-esr)"))
    # The profile holds the client key, under a password only Firefox is given: a private folder,
    # removed at the end, swept after a crash, and Firefox on a leash that ends it (and the folder)
    # when the bot dies, even by SIGKILL.
    with profile_folder(Path(exe)) as held:
        profile = held.profile
        db_password = firefox_profile(profile, client_cert, client_cert_password, options.portal_ca)
        try:
            context = await pw.firefox.launch_persistent_context(
                profile,
                channel="moz-firefox",
                executable_path=str(held.executable),
                headless=options.headless,
                firefox_user_prefs=firefox_prefs(gate_port),
                env=firefox_environment(options.environ, db_password),
                **context_options,
            )
        except PlaywrightError as exc:
            failure = login_failure(str(exc))
            if failure is None:
                raise
            raise ConfigError(_("Firefox {path}: {failure}").format(path=exe, failure=failure)) from None
        yield context
