"""The window an office's work happens in, watched as a careful person watches it.

- It follows a window the portal opens (`window.open`) and comes back to the opener when it closes.
- It knows which requests of the page are outstanding (documents, XHR, fetch), so that nothing is read
  or decided before the screen has settled: no such request out and the content unchanged for a short
  quiet period, bounded by the timeout.
- It answers dialogs: on a step where the bot means to submit, a confirm dialog is accepted and its text
  logged; anywhere else it is dismissed and remembered, and the office stops on it.
- It notices documents the portal answers with a server error or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Iterator

from playwright.async_api import Dialog, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from ainas_bot._i18n import _

__all__ = ["QUIET_MS", "Tab", "tab_of"]

log = logging.getLogger(__name__)
# Long enough for the request a page's script starts on load to reach us, short beside a screen's latency.
QUIET_MS = 120
_SETTLING_TYPES = frozenset({"document", "xhr", "fetch"})
_QUIET = """({quiet, max}) => new Promise(resolve => {
    let timer;
    const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
    const done = () => { observer.disconnect(); resolve(true); };
    observer.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
    timer = setTimeout(done, quiet);
    setTimeout(() => { observer.disconnect(); resolve(false); }, max);
})"""


class Tab:
    """One office's window and the windows the portal opens from it."""

    def __init__(self, page: Page) -> None:
        self.pages: list[Page] = []
        self.changed = asyncio.Event()  # a window opened or closed: waits start again on `current`
        self.outstanding: set[Request] = set()
        self.started = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.failed = asyncio.Event()  # a document answered 5xx, or not at all
        self.status = 0
        self.failure = ""
        self.submitting = False
        self.accepted: list[str] = []
        self.unexpected_dialog: str | None = None
        self.dialog_seen = asyncio.Event()
        self._adopt(page)

    @property
    def current(self) -> Page:
        return self.pages[-1]

    def _adopt(self, page: Page) -> None:
        self.pages.append(page)
        _TABS[page] = self
        page.on("popup", self._opened)
        page.on("close", self._closed)
        page.on("request", self._asked)
        page.on("requestfinished", self._answered)
        page.on("response", self._responded)
        page.on("requestfailed", self._request_failed)
        page.on("dialog", self._dialog)

    def _opened(self, popup: Page) -> None:
        if popup not in self.pages:
            log.info(_("the portal opened a window: {url}").format(url=popup.url))
            self._adopt(popup)
            self.changed.set()

    def _closed(self, page: Page) -> None:
        if page in self.pages and len(self.pages) > 1:
            self.pages.remove(page)
            self.outstanding = {r for r in self.outstanding if r.frame.page is not page}
            self._update_idle()
            self.changed.set()

    # --- requests -----------------------------------------------------------------------------
    def _asked(self, request: Request) -> None:
        if request.resource_type in _SETTLING_TYPES:
            self.outstanding.add(request)
            self.started += 1
            self.idle.clear()

    def _answered(self, request: Request) -> None:
        self.outstanding.discard(request)
        self._update_idle()

    def _responded(self, response: Response) -> None:
        if response.request.resource_type == "document" and response.status >= 500:
            self.status = response.status
            self.failed.set()
        if response.request.resource_type == "document":
            # A document is usable once answered; its body may stream for a while.
            self.outstanding.discard(response.request)
            self._update_idle()

    def _request_failed(self, request: Request) -> None:
        self.outstanding.discard(request)
        self._update_idle()
        if request.resource_type == "document" and request.frame.page is self.current:
            self.failure = request.failure or "failed"
            self.failed.set()

    def _update_idle(self) -> None:
        if not self.outstanding:
            self.idle.set()

    def reset_failure(self) -> None:
        self.failed.clear()
        self.status = 0
        self.failure = ""
        # A navigation an earlier one cut short gets neither answer nor failure.
        self.outstanding.clear()
        self.idle.set()

    def describe_failure(self) -> str:
        if self.failure:
            return _("the connection failed ({reason})").format(reason=self.failure)
        return _("the portal answered HTTP {status}").format(status=self.status)

    # --- dialogs ------------------------------------------------------------------------------
    async def _dialog(self, dialog: Dialog) -> None:
        try:
            if dialog.type == "beforeunload" or self.submitting:
                if dialog.type != "beforeunload":
                    log.info(_("the portal asked ({kind}): {text} — accepted").format(kind=dialog.type,
                                                                                        text=dialog.message))
                    self.accepted.append(dialog.message)
                await dialog.accept()
            else:
                log.info(_("the portal asked ({kind}): {text} — dismissed").format(kind=dialog.type,
                                                                                     text=dialog.message))
                self.unexpected_dialog = dialog.message
                self.dialog_seen.set()
                await dialog.dismiss()
        except PlaywrightError as exc:  # the page went away meanwhile
            log.debug("dialog could not be answered: %s", exc)

    @contextlib.contextmanager
    def submitting_step(self) -> Iterator[None]:
        """A step where the bot means to submit: a confirm dialog in it is the portal asking to be sure."""
        self.submitting = True
        try:
            yield
        finally:
            self.submitting = False

    # --- settling ----------------------------------------------------------------------------
    async def settle(self, timeout_ms: float) -> bool:
        """Wait until the screen has settled; False when it has not within the timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            page = self.current
            try:
                async with asyncio.timeout(remaining):
                    await self.idle.wait()
                    await page.wait_for_load_state("load", timeout=remaining * 1000)
                    started = self.started
                    quiet = await page.evaluate(_QUIET, {"quiet": QUIET_MS, "max": remaining * 1000})
            except TimeoutError:
                return False
            except PlaywrightError:
                continue  # the document was replaced meanwhile: settle the new one
            if quiet and self.idle.is_set() and self.started == started and page is self.current:
                return True


_TABS: weakref.WeakKeyDictionary[Page, Tab] = weakref.WeakKeyDictionary()


def tab_of(page: Page) -> Tab:
    """The tab `page` belongs to (a new one for a page not seen before)."""
    return _TABS.get(page) or Tab(page)
