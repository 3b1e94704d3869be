"""Browsers for the portal, set up as a careful person would: the office's client certificate
presented, the portal's CA trusted explicitly, and every other origin blocked.

Chromium gets the certificate through Playwright's `client_certificates`; Firefox ESR (driven over
WebDriver BiDi, where that option does not work) gets it imported into a per-office profile with
NSS's `pk12util`, as a person installs it (spec, "Browser facts"), under a random key-database password
that Firefox logs in with at startup (`flows._firefox_app`). Either way the browser connects
through a local gate that opens tunnels to the portal's host and port only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies, proxy_bypass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from ainas_bot._p12 import read_p12_bytes
from ainas_bot._p12_bounds import MAX_P12_BYTES
from ainas_bot._safe_files import read_regular
from ainas_bot.browsers import find_executable
from ainas_bot.errors import ConfigError
from ainas_bot.settings import Settings
from flows import finder
from flows._firefox_app import PASSWORD_VARIABLE, login_failure
from flows._nss_profile import firefox_profile
from flows._profiles import profile_folder

log = logging.getLogger(__name__)

__all__ = [
    "CHROMIUM_ARGS", "PLAYWRIGHT_DISABLED_FEATURES", "UNSHOWN_POPUP_FEATURES", "close_within", "launch_chromium",
    "office_context", "portal_origin",
]

# Chromium takes the last --disable-features it is given, so naming one replaces Playwright's own list:
# that list (Playwright 1.64, the version pinned) is repeated here, and a test checks that the browser
# still runs with all of it.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AimEnabled", "AutoDeElevate", "AvoidCorsURLLoaderRestartOnRedirect", "AvoidUnnecessaryBeforeUnloadCheckSync",
    "BlockOriginHeaderModificationOnRedirect", "DestroyProfileOnBrowserClose", "DialMediaRouteProvider",
    "GlobalMediaControls", "HttpsUpgrades", "LensOverlay", "MediaRouter", "NetworkTimeServiceQuerying",
    "OptimizationHints", "PaintHolding", "ThirdPartyStoragePartitioning", "Translate",
    "msEdgeUpdateLaunchServicesPreferredVersion", "msForceBrowserSignIn",
)
# Headless Chromium opens every context as a browser window whose address-bar popup is a web page in a
# renderer process of its own, never shown here: one process more per context (measured: 70 MiB per
# context, 0.7 CPU-s per office).
UNSHOWN_POPUP_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup")
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--disable-default-apps",
                 "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + UNSHOWN_POPUP_FEATURES)]


def portal_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def launch_chromium(pw: Playwright, settings: Settings) -> Browser:
    exe = settings.executable_path or find_executable("chromium", pw.chromium.executable_path,
                                                        headless=settings.headless)
    return await pw.chromium.launch(
        headless=settings.headless, executable_path=str(exe) if exe else None, args=CHROMIUM_ARGS,
    )


# The key types cryptography writes into a PKCS#12 file.
_PFX_KEYS = (rsa.RSAPrivateKey, dsa.DSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey,
             ed448.Ed448PrivateKey)


def _client_pfx(client_cert: Path, password: SecretStr, portal_ca: Path | None) -> bytes:
    """The client .p12 re-packed in memory without a passphrase: its key and its own certificate only,
    with the portal's CA when configured.

    Playwright writes context options, passphrase included, into every trace; a re-packed buffer
    needs none, and the buffer itself is not recorded. Its TLS proxy trusts every CA certificate
    bundled in the .p12: the client certificate's own chain is left out (the association's CA would
    otherwise vouch for any server it signed), and the configured `portal_ca` is added, so the portal
    is trusted through the system store or `portal_ca` alone, as in Firefox.
    """
    data = read_p12_bytes(client_cert)
    key, cert, _chain = pkcs12.load_key_and_certificates(data, password.get_secret_value().encode())
    if key is None or cert is None:
        raise ConfigError(f"client_cert {client_cert}: holds no certificate with its private key")
    if not isinstance(key, _PFX_KEYS):
        raise ConfigError(f"client_cert {client_cert}: its {type(key).__name__} cannot be re-packed for the browser")
    cas: list[x509.Certificate] = []
    if portal_ca is not None:
        try:
            cas = x509.load_pem_x509_certificates(read_regular(portal_ca, limit=MAX_P12_BYTES, what="portal_ca"))
        except ValueError:
            raise ConfigError(f"portal_ca {portal_ca}: not a readable PEM certificate file") from None
    return pkcs12.serialize_key_and_certificates(None, key, cert, cas, serialization.NoEncryption())


class _PortalGate:
    """A local CONNECT proxy through which the browser reaches the portal's host and port, and nothing else.

    Routing stops what a page asks for, but Playwright lets the browser follow a redirect's next hop
    unrouted (a 307 re-posts a form, password included, to wherever it points) and does not route
    WebSockets: with every connection of the browser going through this gate, neither reaches another
    server. The portal is reached directly, or through the environment's HTTPS proxy as before.
    """

    def __init__(self, origin: str) -> None:
        parts = urlsplit(origin)
        self.host = (parts.hostname or "").lower()
        self.port = parts.port or 443
        upstream = getproxies().get("https")
        self._upstream = urlsplit(upstream) if upstream and not proxy_bypass(self.host) else None
        self._server: asyncio.Server | None = None
        self._tunnels: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tunnels):
            task.cancel()
        await asyncio.gather(*self._tunnels, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._tunnel(reader, writer))
        self._tunnels.add(task)
        task.add_done_callback(self._tunnels.discard)

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server: asyncio.StreamWriter | None = None
        try:
            method, target = (await reader.readuntil(b"\r\n\r\n")).split(b" ", 2)[:2]
            host, _, port = target.decode("latin-1").rpartition(":")
            if method != b"CONNECT" or host.strip("[]").lower() != self.host or port != str(self.port):
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            server_reader, server = await self._connect()
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            pipes = {asyncio.ensure_future(_pipe(reader, server)), asyncio.ensure_future(_pipe(server_reader, writer))}
            try:
                await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pipe in pipes:
                    pipe.cancel()
                await asyncio.gather(*pipes, return_exceptions=True)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            for end in (writer, server):
                if end is not None:
                    end.close()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        proxy = self._upstream
        if proxy is None:
            return await asyncio.open_connection(self.host, self.port)
        reader, writer = await asyncio.open_connection(proxy.hostname, proxy.port or 80)
        auth = ""
        if proxy.username:
            token = base64.b64encode(f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()).decode()
            auth = f"Proxy-Authorization: Basic {token}\r\n"
        target = f"{self.host}:{self.port}"
        writer.write(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{auth}\r\n".encode())
        answer = await reader.readuntil(b"\r\n\r\n")
        if answer.split(b" ", 2)[1:2] != [b"200"]:
            writer.close()
            raise OSError("the HTTPS proxy refused the tunnel to the portal")
        return reader, writer


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        await sink.drain()


def _local_browser(settings: Settings) -> bool:
    """Whether the browser runs on this machine, where it can reach the gate's loopback address."""
    hosts = [urlsplit(e.strip()).hostname for e in (settings.browser_endpoint or "").split(",") if e.strip()]
    return all(host in ("127.0.0.1", "localhost", "::1") for host in hosts)


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
    settings: Settings,
    *,
    client_cert: Path,
    client_cert_password: SecretStr,
) -> AsyncIterator[BrowserContext]:
    """A fresh browser context that presents `client_cert` to the portal and reaches nothing else."""
    await finder.register(pw)  # before the context: Playwright gives a context the engines known then
    origin = portal_origin(settings.portal_url)
    common: dict[str, Any] = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo", "accept_downloads": False}
    gate = _PortalGate(origin)
    try:
        # A browser server on another machine cannot reach the gate: there routing alone blocks.
        gate_port = await gate.start() if settings.browser == "firefox" or _local_browser(settings) else None
        if settings.browser == "chromium":
            assert chromium is not None
            pfx = _client_pfx(client_cert, client_cert_password, settings.portal_ca)
            context = await chromium.new_context(
                client_certificates=[{"origin": origin, "pfx": pfx}],
                proxy={"server": f"http://127.0.0.1:{gate_port}"} if gate_port else None,
                **common,
            )
            try:
                if gate_port is None:
                    # Only where the gate cannot block: routing turns the browser's HTTP cache off and
                    # sends every request through the driver (28 requests per office instead of 16).
                    await _block_other_origins(context, origin)
                yield context
            finally:
                await close_within(context, settings.timeout_seconds)
            return
        exe = settings.executable_path or find_executable("firefox")
        if exe is None:
            raise ConfigError("Firefox ESR is not installed (Debian: apt-get install firefox-esr)")
        assert gate_port is not None
        prefs: dict[str, str | float | bool] = {
            "security.default_personal_cert": "Select Automatically",
            # Every connection through the gate, a portal on a loopback address included, never around it.
            "network.proxy.type": 1, "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": gate_port,
            "network.proxy.http": "127.0.0.1", "network.proxy.http_port": gate_port,
            "network.proxy.no_proxies_on": "", "network.proxy.allow_hijacking_localhost": True,
            "network.proxy.failover_direct": False,
            # The key database is logged in once, at startup (flows._firefox_app): never asked again.
            "security.ask_for_password": 0,
        }
        # The profile holds the client key, under a password only Firefox is given: a private folder,
        # removed at the end, swept after a crash, and Firefox on a leash that ends it (and the folder)
        # when the bot dies, even by SIGKILL.
        with profile_folder(Path(exe)) as held:
            profile = held.profile
            db_password = firefox_profile(profile, client_cert, client_cert_password, settings.portal_ca)
            # `env` replaces the browser's environment: this process's, as Playwright would pass it, and
            # the password, which Firefox's start-up script takes out again.
            env: dict[str, str | float | bool] = {**os.environ, PASSWORD_VARIABLE: db_password.get_secret_value()}
            try:
                context = await pw.firefox.launch_persistent_context(
                    profile, channel="moz-firefox", executable_path=str(held.executable),
                    headless=settings.headless, firefox_user_prefs=prefs, env=env, **common,
                )
            except PlaywrightError as exc:
                failure = login_failure(str(exc))
                if failure is None:
                    raise
                raise ConfigError(f"Firefox {exe}: {failure}") from None
            try:
                # Routing as well: Firefox shows the gate's refusal of a plain-HTTP request as the answer
                # of the other origin, while routing makes it the failure it is.
                await _block_other_origins(context, origin)
                yield context
            finally:
                await close_within(context, settings.timeout_seconds)
    finally:
        await gate.stop()
