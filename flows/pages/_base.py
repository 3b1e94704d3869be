"""What every AINAS screen shares: the heading, the menu, messages, and turning waits into our errors."""

from __future__ import annotations

import asyncio
import contextlib
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Request, Response
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ainas_bot.errors import (
    FlowError,
    PortalAuthError,
    PortalChangedError,
    PortalUnavailableError,
    PortalUntrustedError,
)
from ainas_bot.portal_text import Label, Message

if TYPE_CHECKING:
    from flows.pages.org_search import OrgSearchPage

__all__ = ["PortalPage", "any_text", "exact"]

T = TypeVar("T")
# Messages after which the whole session is gone: a retry must start again from the login.
_SESSION_LOST = (Message.SESSION_EXPIRED, Message.SESSION_REPLACED)
# Playwright's client-certificate proxy answers a TLS failure with a 503 page of this text.
_UNTRUSTED = "Playwright client-certificate error"
# Net errors of a server certificate that is not trusted (Chromium, Firefox).
_CERT_ERRORS = ("ERR_CERT", "SEC_ERROR", "SSL_ERROR_BAD_CERT", "MOZILLA_PKIX_ERROR", "CERT_AUTHORITY")
_UNTRUSTED_DETAIL = ("certificate", "self-signed", "self signed", "unable to verify", "CERT_")


class _ServerErrors:
    """Documents the portal answers with HTTP 5xx: such a page has no heading to wait for."""

    def __init__(self, page: Page) -> None:
        self.event = asyncio.Event()
        self.status = 0
        self.failure = ""
        # Documents asked for and not yet answered: a screen still showing while one is out is the portal
        # being slow, not the portal having changed.
        self.unanswered: set[Request] = set()
        page.on("request", self._asked)
        page.on("response", self._seen)
        page.on("requestfailed", self._failed)

    def _asked(self, request: Request) -> None:
        if request.resource_type == "document":
            self.unanswered.add(request)

    def _seen(self, response: Response) -> None:
        self.unanswered.discard(response.request)
        if response.request.resource_type == "document" and response.status >= 500:
            self.status = response.status
            self.event.set()

    def _failed(self, request: Request) -> None:
        self.unanswered.discard(request)
        if request.resource_type == "document":
            self.failure = request.failure or "failed"
            self.event.set()

    def reset(self) -> None:
        self.event.clear()
        self.status = 0
        self.failure = ""
        self.unanswered.clear()  # a navigation an earlier one cut short gets neither answer nor failure

    def describe(self) -> str:
        return f"the connection failed ({self.failure})" if self.failure else f"the portal answered HTTP {self.status}"


_WATCHES: weakref.WeakKeyDictionary[Page, _ServerErrors] = weakref.WeakKeyDictionary()


def _watch(page: Page) -> _ServerErrors:
    if page not in _WATCHES:
        _WATCHES[page] = _ServerErrors(page)
    return _WATCHES[page]


# Arrival and reading the screen in one round trip: the text once the document is parsed, or null when
# the element found is not visible (then the caller waits for it the usual way).
_TEXT_ONCE_SHOWN = """element => new Promise(resolve => {
    const read = () => resolve(element.checkVisibility() ? document.body.innerText : null);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", read, {once: true});
    else read();
})"""
_CELLS_OF_ROWS = "rows => rows.map(row => Array.from(row.cells, cell => [cell.tagName === 'TH', cell.innerText]))"


def _escape(text: str) -> str:
    # Not re.escape: JavaScript's unicode regexes refuse its escaped spaces; `/` must be escaped
    # because Playwright writes the pattern into its selector as /.../.
    return re.sub(r"([.*+?^${}()|\[\]\\/])", r"\\\1", text)


def exact(text: str) -> re.Pattern[str]:
    """A pattern matching `text` exactly (trimmed), for headings and cells."""
    return re.compile(rf"^\s*{_escape(text)}\s*$")


def any_text(page: Page, *messages: str) -> Locator:
    """An element showing one of `messages`: the screen's text searched once, not once per message."""
    return page.get_by_text(re.compile("|".join(_escape(m) for m in messages)))


class PortalPage:
    """Base of the page objects: one instance per screen the browser is on."""

    screen: str = ""

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self._errors = _watch(page)
        # The screen's text as read on arrival; empty until `arrive` has seen the screen.
        self.shown_text = ""

    # --- locators shared by every screen --------------------------------------------------
    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", name=exact(self.screen))

    def menu(self, label: str) -> Locator:
        return self.page.get_by_role("link", name=exact(label))

    def button(self, label: str) -> Locator:
        return self.page.get_by_role("button", name=exact(label)).or_(
            self.page.get_by_role("link", name=exact(label))
        ).first

    async def rows_of(self, rows: Locator, element: str) -> list[list[tuple[bool, str]]]:
        """Table rows as their cells (is a header, text as shown), read in one call once the screen's
        document is complete: cell by cell it took a browser round trip each."""

        async def read() -> list[list[list[object]]]:
            await self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
            cells: list[list[list[object]]] = await rows.evaluate_all(_CELLS_OF_ROWS)
            return cells

        return [[(bool(header), str(text).strip()) for header, text in row] for row in await self.act(element, read)]

    def value_of(self, row_label: str) -> Locator:
        """The value cell of a key/value row (`<th>label</th><td>value</td>`)."""
        row = self.page.locator("tr").filter(has=self.page.locator("th", has_text=exact(row_label)))
        return row.locator("td").first

    # --- waiting ------------------------------------------------------------------------
    def _interruptions(self) -> Locator:
        return any_text(self.page, Message.MAINTENANCE, Message.SESSION_EXPIRED, Message.SESSION_REPLACED,
                        Message.ACCESS_DENIED, Message.INVALID_TRANSITION, Message.DOUBLE_SUBMIT, _UNTRUSTED)

    async def raise_if_interrupted(self, body: str | None = None) -> str:
        """Turn a maintenance page, a lost session or a refusal on screen into our error; else the
        screen's text (`body`, when already read)."""
        if body is None:
            body = await self._body_text()
        if _UNTRUSTED in body and any(d in body for d in _UNTRUSTED_DETAIL[1:]):
            raise PortalUntrustedError(
                "the portal's server certificate is not trusted; set portal_ca to the portal's CA "
                "(nothing secret was typed)", screen=self.screen)
        if Message.MAINTENANCE in body:
            raise PortalUnavailableError(f"{self.screen}: the portal shows its maintenance page", screen=self.screen)
        if _UNTRUSTED in body:  # the proxy could not reach the portal
            raise PortalUnavailableError(f"{self.screen}: {body.strip().splitlines()[0]}", screen=self.screen)
        for message in _SESSION_LOST:
            if message in body:
                raise PortalUnavailableError(f"{self.screen}: session lost: {message}", screen=self.screen)
        for message in (Message.ACCESS_DENIED, Message.INVALID_TRANSITION, Message.DOUBLE_SUBMIT,
                        Message.NO_ADMIN_RIGHTS):
            if message in body:
                raise (PortalAuthError if message in (Message.ACCESS_DENIED, Message.NO_ADMIN_RIGHTS)
                       else PortalChangedError)(f"{self.screen}: the portal says: {message}", screen=self.screen)
        return body

    async def _body_text(self) -> str:
        try:
            return await self.page.locator("body").inner_text(timeout=self.timeout_ms)
        except PlaywrightError:
            return ""

    async def arrive(self, what: Locator | None = None, *, element: str | None = None) -> None:
        """Wait until this screen (its heading, or `what`) shows, or an interruption does."""
        target = (what or self.heading).or_(self._interruptions()).first
        try:
            text = await self._first_of(target)
        except PlaywrightTimeoutError:
            await self._timed_out(element or f"heading {self.screen}")
            raise AssertionError("unreachable") from None
        except PlaywrightError as exc:
            raise PortalUnavailableError(f"{self.screen}: {_first_line(exc)}", screen=self.screen) from None
        self.shown_text = await self.raise_if_interrupted(text)

    async def _shown_text_of(self, target: Locator) -> str | None:
        """Wait for `target`, then the screen's text in the same browser call; or None when the element
        is there but not visible, after waiting until it is."""
        try:
            text: str | None = await target.evaluate(_TEXT_ONCE_SHOWN, timeout=self.timeout_ms)
        except PlaywrightTimeoutError:
            raise
        except PlaywrightError:
            text = None  # e.g. the document was replaced meanwhile: wait the plain way
        if text is None:
            await target.wait_for(timeout=self.timeout_ms)
        return text

    async def _first_of(self, target: Locator) -> str | None:
        """Wait for `target` (and, in the same call, read the screen's text), or stop at once when the
        portal answers with a server error."""
        shown = asyncio.ensure_future(self._shown_text_of(target))
        failed = asyncio.ensure_future(self._errors.event.wait())
        try:
            await asyncio.wait({shown, failed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (shown, failed):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, PlaywrightError):
                        await task
        if shown.done() and not shown.cancelled():
            return shown.result()  # re-raises a timeout
        await self.raise_if_interrupted()
        if any(marker in self._errors.failure for marker in _CERT_ERRORS):
            raise PortalUntrustedError(f"{self.screen}: the portal's server certificate is not trusted "
                                       f"({self._errors.failure}); set portal_ca (nothing secret was typed)",
                                       screen=self.screen)
        raise PortalUnavailableError(f"{self.screen}: {self._errors.describe()}", screen=self.screen)

    async def _timed_out(self, element: str) -> None:
        await self.raise_if_interrupted()
        seconds = self.timeout_ms / 1000
        if self._errors.unanswered or await self.page.get_by_role("heading").count() == 0:
            raise PortalUnavailableError(
                f"{self.screen}: the portal did not answer within {seconds:g} s (waiting for {element})",
                screen=self.screen)
        raise PortalChangedError(f"{self.screen}: {element} did not appear within {seconds:g} s", screen=self.screen)

    async def act(self, element: str, action: Callable[[], Awaitable[T]]) -> T:
        """Run a Playwright action, turning its errors into ours naming this screen and the element."""
        self._errors.reset()
        try:
            return await action()
        except PlaywrightTimeoutError:
            await self._timed_out(element)
            raise AssertionError("unreachable") from None
        except FlowError:
            raise
        except PlaywrightError as exc:
            raise PortalUnavailableError(f"{self.screen}: {element}: {_first_line(exc)}", screen=self.screen) from None

    async def click(self, label: str) -> None:
        await self.act(f"button '{label}'", lambda: self.button(label).click(timeout=self.timeout_ms))

    async def go_to_org_management(self) -> OrgSearchPage:
        from flows.pages.org_search import OrgSearchPage

        await self.act("menu 代理人組織管理", lambda: self.menu("代理人組織管理").click(timeout=self.timeout_ms))
        nxt = OrgSearchPage(self.page, self.timeout_ms)
        await nxt.arrive()
        return nxt

    async def logout(self) -> None:
        await self.act(f"link {Label.LOGOUT}", lambda: self.menu(Label.LOGOUT).click(timeout=self.timeout_ms))
        await self.act("login screen", lambda: self.page.get_by_label(Label.LOGIN_ID).wait_for(timeout=self.timeout_ms))

    async def row_message(self, row_label: str) -> str:
        """What a form row shows besides its label and input: the portal's field error, verbatim."""
        row = self.page.locator("tr").filter(has=self.page.get_by_label(row_label, exact=True))
        if await row.count() == 0:
            return ""
        text = await row.first.inner_text(timeout=self.timeout_ms)
        text = re.sub(r"【\d+】", "", text).replace(row_label, "", 1)
        return " ".join(text.split())


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

