"""`ainas-bot probe` for many offices: one walk each (`flows.probe`), one after another, each in a fresh context."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import async_playwright
from pydantic import SecretStr

from ainas_bot import portal_text
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _
from flows.browser.fleet import Browsers
from flows.browser.launch import office_context
from flows.browser.options import BrowserOptions

if TYPE_CHECKING:
    from flows.probe import ProbeReport

__all__ = ["ProbeTarget", "probe_offices", "probe_targets"]


@dataclasses.dataclass(frozen=True)
class ProbeTarget:
    """An office to probe with, and what its login needs (no PIN: the probe types none)."""

    office_id: str
    login_id: str
    password: SecretStr
    client_cert: Path
    client_cert_password: SecretStr


def probe_targets(settings: Settings, offices: Sequence[Office], environ: Mapping[str, str]) -> list[ProbeTarget]:
    """What each office's login needs, its secrets read now (`probe` and the console's probe)."""
    if not offices:
        raise ConfigError(_("probe: no office in the settings to log in as; add one ([[offices]] or inventory)"))
    sdir = settings.secrets_dir
    setting = _("office {office}: {setting}")
    return [
        ProbeTarget(
            o.id,
            o.login_id,
            o.login_password.resolve(environ, sdir, what=setting.format(office=o.id, setting="login_password")),
            o.client_cert,
            o.client_cert_password.resolve(
                environ, sdir, what=setting.format(office=o.id, setting="client_cert_password")
            ),
        )
        for o in offices
    ]


async def probe_offices(
    settings: Settings, targets: Sequence[ProbeTarget], *, snapshots_dir: Path | None, environ: Mapping[str, str]
) -> list[ProbeReport]:
    """`ainas-bot probe`: one walk per office, one after another, each in a fresh context."""
    from flows.evidence.snapshots import Snapshots
    from flows.probe import probe_office

    reports: list[ProbeReport] = []
    options = BrowserOptions.from_settings(settings, environ)
    with portal_text.applied(settings.portal_text):
        async with async_playwright() as pw:
            browsers = Browsers(pw, options)
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
