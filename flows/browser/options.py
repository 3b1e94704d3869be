"""What the browser modules need of the settings and the environment, read once where a run starts.

The launch, the gate, the Firefox profile and the context each take these options instead of the whole
`Settings`, so that what a browser depends on is written in one place, and the process environment (which
Firefox is started with, and whose HTTPS proxy the gate uses) is the one the CLI was given: library code
never reads `os.environ`.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from ainas_bot.config.settings import Settings

__all__ = ["BrowserOptions", "portal_origin"]


def portal_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclasses.dataclass(frozen=True)
class BrowserOptions:
    """The browser of a run: which one, how it is started, what it may reach and trust."""

    browser: Literal["chromium", "firefox"]
    headless: bool
    executable_path: Path | None
    portal_origin: str  # scheme://host:port of the portal: the one origin a context may reach
    portal_ca: Path | None
    timeout_seconds: float
    browser_endpoints: tuple[str, ...] = ()  # ws:// of `playwright run-server`s; none: a local browser
    # The environment of the run: Firefox's own (its HOME, DISPLAY, locale) and the gate's HTTPS proxy.
    # Not shown in a repr: it holds the secrets that `env:` references name.
    environ: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str]) -> BrowserOptions:
        return cls(
            browser=settings.browser,
            headless=settings.headless,
            executable_path=settings.executable_path,
            portal_origin=portal_origin(settings.portal_url),
            portal_ca=settings.portal_ca,
            timeout_seconds=settings.timeout_seconds,
            browser_endpoints=tuple(e.strip() for e in (settings.browser_endpoint or "").split(",") if e.strip()),
            environ=types.MappingProxyType(dict(environ)),
        )

    @property
    def local_browser(self) -> bool:
        """Whether the browser runs on this machine, where it can reach the gate's loopback address."""
        hosts = [urlsplit(e).hostname for e in self.browser_endpoints]
        return all(host in ("127.0.0.1", "localhost", "::1") for host in hosts)
