"""Run the renewal for many offices: one browser, a context per login, at most N at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from playwright.async_api import async_playwright

from ainas_bot.errors import AinasBotError, ConfigError
from ainas_bot.events import RunEvents
from ainas_bot.outcome import Outcome
from ainas_bot.prepare import PreparedOffice
from ainas_bot.settings import Settings
from flows.browser import launch_chromium, office_context
from flows.renewal import FlowOptions, _failed, renew_login_group

__all__ = ["group_by_login", "run_offices"]


def group_by_login(offices: Sequence[PreparedOffice]) -> list[list[PreparedOffice]]:
    """Offices sharing a login run one after another in one session (the portal allows one per user)."""
    groups: dict[str, list[PreparedOffice]] = {}
    for office in offices:
        groups.setdefault(office.office.login_id, []).append(office)
    return list(groups.values())


async def run_offices(
    settings: Settings,
    offices: Sequence[PreparedOffice],
    *,
    dry_run: bool,
    events: RunEvents,
    concurrency: int = 1,
) -> list[Outcome]:
    """Every office ends with an outcome, in the order given."""
    opts = FlowOptions(portal_url=settings.portal_url, timeout_ms=settings.timeout_seconds * 1000,
                       artifacts_dir=str(settings.artifacts_dir), dry_run=dry_run, retries=settings.retries,
                       retry_backoff_seconds=settings.retry_backoff_seconds)
    if not settings.portal_url.startswith("https://"):
        raise ConfigError(f"portal_url {settings.portal_url}: must be an https:// URL")
    semaphore = asyncio.Semaphore(max(1, concurrency))
    async with async_playwright() as pw:
        chromium = await launch_chromium(pw, settings) if settings.browser == "chromium" else None

        async def run_group(group: list[PreparedOffice]) -> list[Outcome]:
            async with semaphore:
                first = group[0]
                try:
                    async with office_context(pw, chromium, settings, client_cert=first.office.client_cert,
                                              client_cert_password=first.client_cert_password) as context:
                        context.set_default_timeout(opts.timeout_ms)
                        return await renew_login_group(context, group, opts, events)
                except AinasBotError as exc:
                    failed = [_failed(o, exc, 0.0, []) for o in group]
                    for outcome in failed:
                        events.done(outcome)
                    return failed

        try:
            results = await asyncio.gather(*(run_group(g) for g in group_by_login(offices)))
        finally:
            if chromium is not None:
                await chromium.close()
    by_id = {o.office_id: o for group in results for o in group}
    return [by_id[o.office.id] for o in offices]
