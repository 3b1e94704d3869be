"""Chromium: the flags it is started with, its launch, and the client certificate as Playwright gives it.

Chromium gets the office's client certificate through Playwright's `client_certificates`, re-packed here so
that no passphrase reaches a context option (and so a trace); the flags keep a headless browser from
calling home and from opening a renderer per context that nobody sees.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from playwright.async_api import Browser, Playwright
from pydantic import SecretStr

from ainas_bot.certificates.p12 import open_p12, read_p12_bytes
from ainas_bot.certificates.p12_limits import MAX_P12_BYTES
from ainas_bot.config.browsers import find_executable
from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_files import read_regular
from ainas_bot.i18n import _
from flows.browser.options import BrowserOptions

__all__ = ["CHROMIUM_ARGS", "PLAYWRIGHT_DISABLED_FEATURES", "UNSHOWN_POPUP_FEATURES", "client_pfx", "launch_chromium"]

# Chromium takes the last --disable-features it is given, so naming one replaces Playwright's own list:
# that list (Playwright 1.64, the version pinned) is repeated here, and a test checks that the browser
# still runs with all of it.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AimEnabled",
    "AutoDeElevate",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "BlockOriginHeaderModificationOnRedirect",
    "DestroyProfileOnBrowserClose",
    "DialMediaRouteProvider",
    "GlobalMediaControls",
    "HttpsUpgrades",
    "LensOverlay",
    "MediaRouter",
    "NetworkTimeServiceQuerying",
    "OptimizationHints",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "Translate",
    "msEdgeUpdateLaunchServicesPreferredVersion",
    "msForceBrowserSignIn",
)
# Headless Chromium opens every context as a browser window whose address-bar popup is a web page in a
# renderer process of its own, never shown here: one process more per context (measured: 70 MiB per
# context, 0.7 CPU-s per office).
UNSHOWN_POPUP_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup")
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + UNSHOWN_POPUP_FEATURES),
]


async def launch_chromium(pw: Playwright, options: BrowserOptions) -> Browser:
    exe = options.executable_path or find_executable("chromium", pw.chromium.executable_path, headless=options.headless)
    return await pw.chromium.launch(
        headless=options.headless,
        executable_path=str(exe) if exe else None,
        args=CHROMIUM_ARGS,
    )


def client_pfx(client_cert: Path, password: SecretStr, portal_ca: Path | None) -> bytes:
    """The client .p12 re-packed in memory without a passphrase: its key and its own certificate only,
    with the portal's CA when configured.

    Playwright writes context options, passphrase included, into every trace; a re-packed buffer
    needs none, and the buffer itself is not recorded. Its TLS proxy trusts every CA certificate
    bundled in the .p12: the client certificate's own chain is left out (the association's CA would
    otherwise vouch for any server it signed), and the configured `portal_ca` is added, so the portal
    is trusted through the system store or `portal_ca` alone, as in Firefox.
    """
    # open_p12 admits the key types both browsers present in TLS (RSA, ECDSA), the same rule the checks
    # before the first click applied to this file.
    contents = open_p12(read_p12_bytes(client_cert), password.get_secret_value(), name=f"client_cert {client_cert}")
    cas: list[x509.Certificate] = []
    if portal_ca is not None:
        try:
            cas = x509.load_pem_x509_certificates(read_regular(portal_ca, limit=MAX_P12_BYTES, what="portal_ca"))
        except ValueError:
            raise ConfigError(
                _("portal_ca {path}: not a readable PEM certificate file").format(path=portal_ca)
            ) from None
    return pkcs12.serialize_key_and_certificates(
        None, contents.key, contents.certificate, cas, serialization.NoEncryption()
    )
