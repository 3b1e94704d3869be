"""The session's way to the portal through a real browser: a context per (re)start, a window per login.

`connect` builds what `flows.screens.Connect` promises from Playwright: a browser context presenting the
office's client certificate, a window on the login URL for each login, the trace that never holds a
typed secret, and the artifacts of a final failure. A browser that dies under it leaves the context as
`BrowserLostError`, so the session decides about restarts without knowing Playwright.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from playwright.async_api import Browser, BrowserContext, Page, Playwright
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.errors import BrowserLostError
from ainas_bot.i18n import _
from flows.browser.launch import close_within, office_context
from flows.browser.options import BrowserOptions
from flows.evidence.artifacts import save_failure_artifacts
from flows.pages import (
    CertDetailPage,
    CertRegisterPage,
    CertUpdateCompletePage,
    CertUpdatePage,
    HomePage,
    LoginPage,
    OrgDetailPage,
    OrgSearchPage,
)
from flows.renewal import FlowOptions
from flows.screens import (
    CertDetail,
    CertRegister,
    CertUpdate,
    CertUpdateComplete,
    Connection,
    Menu,
    OrgDetail,
    OrgSearch,
)

__all__ = ["BrowserConnection", "Tracer", "connect"]

log = logging.getLogger(__name__)


class Tracer:
    """Playwright traces record typed text: trace only between secrets, never while one is typed."""

    def __init__(self, context: BrowserContext, *, enabled: bool = True) -> None:
        self.context = context
        self.enabled = enabled
        self.active = False

    async def start(self) -> None:
        if self.active or not self.enabled:
            return
        try:
            # DOM snapshots show every step in the trace viewer; a screencast besides them cost 0.9 CPU-s
            # per office (measured), and the failing screen is kept as a screenshot anyway.
            await self.context.tracing.start(screenshots=False, snapshots=True)
            self.active = True
        except PlaywrightError as exc:  # not every browser protocol supports tracing
            log.debug("tracing unavailable: %s", exc)

    async def pause_for_secret(self) -> None:
        await self.discard()

    async def discard(self) -> None:
        """Stop without keeping anything (a trace is only kept for a failure, by the artifacts)."""
        if self.active:
            self.active = False
            try:
                await self.context.tracing.stop()
            except PlaywrightError as exc:
                log.debug("tracing could not stop: %s", exc)


class BrowserConnection:
    """One browser context of a login's session; the window of its current login."""

    def __init__(
        self, context: BrowserContext, *, portal_url: str, timeout_ms: float, artifacts_dir: str, trace: bool
    ) -> None:
        self.context = context
        self.portal_url = portal_url
        self.timeout_ms = timeout_ms
        self.artifacts_dir = artifacts_dir
        self._tracer = Tracer(context, enabled=trace)
        self._page: Page | None = None

    @property
    def tracing(self) -> Tracer:
        return self._tracer

    async def log_in(self, login_id: str, password: SecretStr) -> Menu:
        self._page = await self.context.new_page()
        login = await LoginPage.open(self._page, self.portal_url, self.timeout_ms)
        return await login.log_in(login_id, password)

    async def log_out(self) -> None:
        if self._page is not None:
            await HomePage(self._page, self.timeout_ms).logout()

    async def save_artifacts(self, office_id: str) -> list[str]:
        if self._page is None:
            return []
        saved = await save_failure_artifacts(
            self._page, self.context, self._tracer.active, self.artifacts_dir, office_id
        )
        if saved:
            self._tracer.active = False  # the artifacts stopped the trace to keep it
        return saved

    async def close_window(self) -> None:
        if self._page is not None:
            page, self._page = self._page, None
            await close_within(page, self.timeout_ms / 1000)


def connect(
    pw: Playwright, chromium: Callable[[], Awaitable[Browser]] | None, options: BrowserOptions, opts: FlowOptions
) -> Callable[[PreparedOffice], contextlib.AbstractAsyncContextManager[Connection]]:
    """`flows.screens.Connect` over Playwright; `chromium` gives the browser to open the context in (None for
    Firefox, which gets a browser per context)."""

    @contextlib.asynccontextmanager
    async def connection(office: PreparedOffice) -> AsyncIterator[Connection]:
        try:
            browser = await chromium() if chromium is not None else None
            async with office_context(
                pw,
                browser,
                options,
                client_cert=office.office.client_cert,
                client_cert_password=office.client_cert_password,
            ) as context:
                context.set_default_timeout(opts.timeout_ms)
                yield BrowserConnection(
                    context,
                    portal_url=opts.portal_url,
                    timeout_ms=opts.timeout_ms,
                    artifacts_dir=opts.artifacts_dir,
                    trace=opts.trace,
                )
        except PlaywrightError as exc:
            # The browser (or its connection) died under the session: the session decides about a new one.
            log.warning(
                "%s",
                _("browser lost during login group {login}: {error}").format(login=office.office.login_id, error=exc),
            )
            raise BrowserLostError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None

    return connection


def _page_objects_are_the_screens(
    home: HomePage,
    search: OrgSearchPage,
    org: OrgDetailPage,
    register: CertRegisterPage,
    detail: CertDetailPage,
    update: CertUpdatePage,
    complete: CertUpdateCompletePage,
) -> tuple[Menu, OrgSearch, OrgDetail, CertRegister, CertDetail, CertUpdate, CertUpdateComplete]:
    """Never called: mypy holds each page object to its protocol here, one by one (through `log_in` alone,
    its check of protocols that refer to each other stops early)."""
    return home, search, org, register, detail, update, complete
