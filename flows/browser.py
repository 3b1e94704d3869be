"""Browsers for the portal, set up as a careful person would: the office's client certificate
presented, the portal's CA trusted explicitly, and every other origin blocked.

Chromium gets the certificate through Playwright's `client_certificates`; Firefox ESR (driven over
WebDriver BiDi, where that option does not work) gets it imported into a per-office profile with
NSS's `pk12util`, as a person installs it (spec, "Browser facts").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from playwright.async_api import Browser, BrowserContext, Playwright, Route
from pydantic import SecretStr

from ainas_bot.browsers import find_executable
from ainas_bot.certfactory import pkcs12_bytes
from ainas_bot.errors import ConfigError
from ainas_bot.settings import Settings

__all__ = ["CHROMIUM_ARGS", "launch_chromium", "office_context", "portal_origin"]

CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run",
                  "--disable-sync", "--disable-default-apps"]


def portal_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def launch_chromium(pw: Playwright, settings: Settings) -> Browser:
    exe = settings.executable_path or find_executable("chromium", pw.chromium.executable_path)
    return await pw.chromium.launch(
        headless=settings.headless, executable_path=str(exe) if exe else None, args=CHROMIUM_ARGS,
    )


def _client_pfx(client_cert: Path, password: SecretStr, portal_ca: Path | None) -> bytes:
    """The client .p12 re-packed in memory without a passphrase, with the portal's CA when configured.

    Playwright writes context options, passphrase included, into every trace; a re-packed buffer
    needs none, and the buffer itself is not recorded. Its TLS proxy also trusts CA certificates
    bundled in the .p12, so adding the configured CA trusts the portal explicitly, without switching
    verification off or touching the environment.
    """
    data = client_cert.read_bytes()
    key, cert, extra = pkcs12.load_key_and_certificates(data, password.get_secret_value().encode())
    if key is None or cert is None:
        raise ConfigError(f"client_cert {client_cert}: holds no certificate with its private key")
    cas = list(extra)
    if portal_ca is not None:
        try:
            cas += x509.load_pem_x509_certificates(portal_ca.read_bytes())
        except (OSError, ValueError):
            raise ConfigError(f"portal_ca {portal_ca}: not a readable PEM certificate file") from None
    return pkcs12_bytes(key, cert, password="", encryption="none", cas=cas)  # type: ignore[arg-type]


async def _block_other_origins(context: BrowserContext, origin: str) -> None:
    async def handle(route: Route) -> None:
        if portal_origin(route.request.url) == origin:
            await route.continue_()
        else:
            await route.abort("blockedbyclient")

    await context.route("**/*", handle)


def _nss(args: list[str]) -> None:
    tool = args[0]
    if shutil.which(tool) is None:
        raise ConfigError(f"Firefox needs `{tool}` to install the client certificate (Debian: libnss3-tools)")
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else result.returncode
        raise ConfigError(f"{tool}: could not set up the Firefox profile ({last})")


def _firefox_profile(folder: Path, client_cert: Path, password: SecretStr, portal_ca: Path | None) -> None:
    db = f"sql:{folder}"
    _nss(["certutil", "-N", "-d", db, "--empty-password"])
    pw_file = folder / "client-cert-password"
    fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password.get_secret_value())
    try:
        # The password goes through a 0600 file, never the command line (visible in `ps`).
        _nss(["pk12util", "-i", str(client_cert), "-d", db, "-w", str(pw_file)])
    finally:
        pw_file.unlink()
    if portal_ca is not None:
        _nss(["certutil", "-A", "-n", "AINAS portal CA", "-t", "C,,", "-i", str(portal_ca), "-d", db])


@contextlib.asynccontextmanager
async def office_context(
    pw: Playwright,
    chromium: Browser | None,
    settings: Settings,
    *,
    client_cert: Path,
    client_cert_password: SecretStr,
) -> AsyncIterator[BrowserContext]:
    """A fresh browser context that presents `client_cert` to the portal and reaches nothing else."""
    origin = portal_origin(settings.portal_url)
    common: dict[str, Any] = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo", "accept_downloads": False}
    if settings.browser == "chromium":
        assert chromium is not None
        pfx = _client_pfx(client_cert, client_cert_password, settings.portal_ca)
        context = await chromium.new_context(
            client_certificates=[{"origin": origin, "pfx": pfx}],
            **common,
        )
        try:
            await _block_other_origins(context, origin)
            yield context
        finally:
            await context.close()
        return
    exe = settings.executable_path or find_executable("firefox")
    if exe is None:
        raise ConfigError("Firefox ESR is not installed (Debian: apt-get install firefox-esr)")
    with tempfile.TemporaryDirectory(prefix="ainas-firefox-") as tmp:
        profile = Path(tmp)
        _firefox_profile(profile, client_cert, client_cert_password, settings.portal_ca)
        context = await pw.firefox.launch_persistent_context(
            profile, channel="moz-firefox", executable_path=str(exe), headless=settings.headless,
            firefox_user_prefs={"security.default_personal_cert": "Select Automatically"}, **common,
        )
        try:
            await _block_other_origins(context, origin)
            yield context
        finally:
            await context.close()
