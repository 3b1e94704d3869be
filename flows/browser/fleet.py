"""The Chromium browsers of a run: one local browser, or one per browser server (`browser_endpoint`); a browser
that dies is replaced when next asked for, so that one crash does not end the run."""

from __future__ import annotations

import asyncio
import json

from playwright.async_api import Browser, Playwright
from playwright.async_api import Error as PlaywrightError

from ainas_bot.errors import PortalUnavailableError
from ainas_bot.i18n import _
from flows.browser.chromium import CHROMIUM_ARGS, launch_chromium
from flows.browser.options import BrowserOptions

__all__ = ["Browsers"]


class Browsers:
    """The Chromium browsers of a run: local, or one per `browser_endpoint`; replaced when one dies."""

    def __init__(self, pw: Playwright, options: BrowserOptions) -> None:
        self.pw = pw
        self.options = options
        self.endpoints = options.browser_endpoints
        self._browsers: list[Browser | None] = [None] * max(1, len(self.endpoints))
        self._lock = asyncio.Lock()

    async def get(self, slot: int) -> Browser:
        index = slot % len(self._browsers)
        async with self._lock:
            browser = self._browsers[index]
            if browser is None or not browser.is_connected():
                browser = await self._start(index)
                self._browsers[index] = browser
            return browser

    async def _start(self, index: int) -> Browser:
        if not self.endpoints:
            return await launch_chromium(self.pw, self.options)
        launch: dict[str, object] = {"headless": self.options.headless, "args": CHROMIUM_ARGS}
        if self.options.executable_path:
            launch["executablePath"] = str(self.options.executable_path)
        try:
            return await self.pw.chromium.connect(
                self.endpoints[index],
                timeout=self.options.timeout_seconds * 1000,
                headers={"x-playwright-launch-options": json.dumps(launch)},
            )
        except PlaywrightError as exc:
            raise PortalUnavailableError(
                _("browser server {endpoint}: cannot connect ({error})").format(
                    endpoint=self.endpoints[index], error=str(exc).splitlines()[0]
                )
            ) from None

    async def close(self) -> None:
        for browser in self._browsers:
            if browser is not None and browser.is_connected():
                await browser.close()
