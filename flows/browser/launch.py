"""A browser context for one office, set up as a careful person would: the office's client certificate
presented, the portal's CA trusted explicitly, and every other origin blocked.

This module puts the parts together: Chromium with its certificate (`flows.browser.chromium`) or Firefox on its own
profile (`flows.browser.firefox`), either way connected through a local gate that opens tunnels to the portal's
host and port only (`flows.browser.gate`), and routing where the gate cannot do all the blocking. What the parts
need of the settings and the environment comes in one `BrowserOptions` (`flows.browser.options`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from flows.browser.chromium import client_pfx
from flows.browser.firefox import firefox_context
from flows.browser.gate import PortalGate
from flows.browser.options import BrowserOptions, portal_origin
from flows.finder import locate as finder
from flows.finder.tab import SCRIPT_WATCH

log = logging.getLogger(__name__)

__all__ = ["close_within", "office_context"]


async def _block_other_origins(context: BrowserContext, origin: str) -> None:
    async def handle(route: Route) -> None:
        if portal_origin(route.request.url) == origin:
            await route.continue_()
        else:
            await route.abort("blockedbyclient")

    await context.route("**/*", handle)


async def close_within(target: Page | BrowserContext, seconds: float) -> None:
    """Close a page or context, bounded: one whose request the portal never answered, or a browser that
    stopped answering, can keep `close()` waiting forever."""
    try:
        await asyncio.wait_for(target.close(), seconds)
    except (TimeoutError, PlaywrightError) as exc:
        log.info("a page or context did not close (%s)", exc or "timed out")


@contextlib.asynccontextmanager
async def office_context(
    pw: Playwright,
    chromium: Browser | None,
    options: BrowserOptions,
    *,
    client_cert: Path,
    client_cert_password: SecretStr,
) -> AsyncIterator[BrowserContext]:
    """A fresh browser context that presents `client_cert` to the portal and reaches nothing else."""
    await finder.register(pw)  # before the context: Playwright gives a context the engines known then
    origin = options.portal_origin
    common: dict[str, Any] = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo", "accept_downloads": False}
    gate = PortalGate(origin, options.environ)
    async with contextlib.AsyncExitStack() as held:
        held.push_async_callback(gate.stop)
        # A browser server on another machine cannot reach the gate: there routing alone blocks.
        gate_port = await gate.start() if options.browser == "firefox" or options.local_browser else None
        if options.browser == "chromium":
            assert chromium is not None
            pfx = client_pfx(client_cert, client_cert_password, options.portal_ca)
            context = await chromium.new_context(
                client_certificates=[{"origin": origin, "pfx": pfx}],
                proxy={"server": f"http://127.0.0.1:{gate_port}"} if gate_port else None,
                **common,
            )
            # Only where the gate cannot block: routing turns the browser's HTTP cache off and sends every
            # request through the driver (28 requests per office instead of 16).
            route = gate_port is None
        else:
            assert gate_port is not None
            # The profile is removed once the context is closed (the stack unwinds after the `finally`).
            context = await held.enter_async_context(
                firefox_context(
                    pw,
                    options,
                    gate_port=gate_port,
                    client_cert=client_cert,
                    client_cert_password=client_cert_password,
                    context_options=common,
                )
            )
            # Routing as well: Firefox shows the gate's refusal of a plain-HTTP request as the answer of
            # the other origin, while routing makes it the failure it is.
            route = True
        try:
            if route:
                await _block_other_origins(context, origin)
            # Lets a screen whose document never ran script count as settled once loaded (`flows.finder.tab`).
            await context.add_init_script(script=SCRIPT_WATCH)
            yield context
        finally:
            await close_within(context, options.timeout_seconds)
