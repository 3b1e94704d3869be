"""Run the renewal for many offices: one browser (or a fleet of browser servers), a context per login,
at most N at once; a crashed browser is replaced and the run goes on."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from ainas_bot import portal_text
from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Settings
from ainas_bot.errors import PortalUnavailableError
from ainas_bot.i18n import _
from ainas_bot.record.store import VerificationLog
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Outcome
from flows.browser.chromium import CHROMIUM_ARGS, launch_chromium
from flows.browser.launch import office_context
from flows.browser.options import BrowserOptions
from flows.connection import connect

if TYPE_CHECKING:
    from flows.probe import ProbeReport
from flows.renewal import FlowOptions
from flows.session import LoginSession

__all__ = ["ProbeTarget", "group_by_login", "probe_offices", "run_offices"]

log = logging.getLogger(__name__)


def group_by_login(offices: Sequence[PreparedOffice]) -> list[list[PreparedOffice]]:
    """Offices sharing a login run one after another in one session (the portal allows one per user)."""
    groups: dict[str, list[PreparedOffice]] = {}
    for office in offices:
        groups.setdefault(office.office.login_id, []).append(office)
    return list(groups.values())


class _Browsers:
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


async def run_offices(
    settings: Settings,
    offices: Sequence[PreparedOffice],
    *,
    dry_run: bool,
    events: RunEvents,
    environ: Mapping[str, str],
    concurrency: int = 1,
    record: VerificationLog | None = None,
) -> list[Outcome]:
    """Every office ends with an outcome, in the order given; `record` is told what the portal proved.
    `environ` is the run's environment (Firefox is started with it; the gate takes its HTTPS proxy)."""
    opts = FlowOptions(
        portal_url=settings.portal_url,
        timeout_ms=settings.timeout_seconds * 1000,
        artifacts_dir=str(settings.artifacts_dir),
        dry_run=dry_run,
        retries=settings.retries,
        retry_backoff_seconds=settings.retry_backoff_seconds,
        trace=settings.trace,
        record=record,
    )
    # https only and Firefox without a browser server are the settings' own rules (Settings' validators).
    with portal_text.use_overrides(settings.portal_text):
        return await _run(BrowserOptions.from_settings(settings, environ), offices, opts, events, concurrency)


async def _run(
    options: BrowserOptions, offices: Sequence[PreparedOffice], opts: FlowOptions, events: RunEvents, concurrency: int
) -> list[Outcome]:
    semaphore = asyncio.Semaphore(max(1, concurrency))
    async with async_playwright() as pw:
        browsers = _Browsers(pw, options)

        async def run_group(slot: int, group: list[PreparedOffice]) -> list[Outcome]:
            chromium = (lambda: browsers.get(slot)) if options.browser == "chromium" else None
            session = LoginSession(group, opts, events, connect(pw, chromium, options, opts))
            async with semaphore:
                return await session.run()

        try:
            results = await asyncio.gather(*(run_group(i, g) for i, g in enumerate(group_by_login(offices))))
        finally:
            await browsers.close()
    by_id = {o.office_id: o for group in results for o in group}
    return [by_id[o.office.id] for o in offices]


@dataclasses.dataclass(frozen=True)
class ProbeTarget:
    """An office to probe with, and what its login needs (no PIN: the probe types none)."""

    office_id: str
    login_id: str
    password: SecretStr
    client_cert: Path
    client_cert_password: SecretStr


async def probe_offices(
    settings: Settings, targets: Sequence[ProbeTarget], *, snapshots_dir: Path | None, environ: Mapping[str, str]
) -> list[ProbeReport]:
    """`ainas-bot probe`: one walk per office, one after another, each in a fresh context."""
    from flows.evidence.snapshots import Snapshots
    from flows.probe import probe_office

    reports: list[ProbeReport] = []
    options = BrowserOptions.from_settings(settings, environ)
    with portal_text.use_overrides(settings.portal_text):
        async with async_playwright() as pw:
            browsers = _Browsers(pw, options)
            for target in targets:
                secrets = [
                    target.login_id,
                    target.password.get_secret_value(),
                    target.client_cert_password.get_secret_value(),
                ]
                snapshots = (
                    Snapshots(snapshots_dir / target.office_id if len(targets) > 1 else snapshots_dir, secrets)
                    if snapshots_dir is not None
                    else None
                )
                chromium = await browsers.get(0) if options.browser == "chromium" else None
                async with office_context(
                    pw,
                    chromium,
                    options,
                    client_cert=target.client_cert,
                    client_cert_password=target.client_cert_password,
                ) as context:
                    reports.append(
                        await probe_office(
                            context,
                            portal_url=settings.portal_url,
                            office_id=target.office_id,
                            login_id=target.login_id,
                            password=target.password,
                            timeout_ms=settings.timeout_seconds * 1000,
                            snapshots=snapshots,
                        )
                    )
            await browsers.close()
    return reports
