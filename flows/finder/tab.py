"""The window an office's work happens in, watched as a careful person watches it.

- It follows a window the portal opens (`window.open`) and comes back to the opener when it closes.
- It knows which requests of the page are outstanding (documents, XHR, fetch), so that nothing is read
  or decided before the screen has settled: no such request out, the document loaded, and, where the
  document runs script, the content unchanged for a short quiet period, bounded by the timeout. A
  document that runs none (no script element ever, no handler that fires without a person's action, no
  frame, plugin or refresh) cannot change once loaded, alone in its window: it has settled at `load`.
  What the bot reads of a settled screen is read in the same step that found it settled.
- It answers dialogs: on a step where the bot means to submit, a confirm dialog is accepted and its text
  logged; anywhere else it is dismissed and remembered, and the office stops on it.
- It notices documents the portal answers with a server error or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

from playwright.async_api import Dialog, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from ainas_bot.i18n import _
from ainas_bot.portal_text import SETTLE_TIMER_BOUND_MS
from flows.finder.js import call, fill, source
from flows.finder.locate import LEFT_MARK, LIBRARY

__all__ = ["QUIET_MS", "SCRIPT_WATCH", "Settled", "Tab", "tab_of"]

log = logging.getLogger(__name__)
# Long enough for the request a page's script starts on load to reach us, short beside a screen's latency.
QUIET_MS = 120
_SETTLING_TYPES = frozenset({"document", "xhr", "fetch"})
# The only handlers a document without script may carry: each runs on a person's action, never by itself
# (load, error, focus, animation and timer-like ones are script that runs unasked).
_ACTION_HANDLERS = (
    "onclick",
    "ondblclick",
    "onsubmit",
    "onreset",
    "onchange",
    "oninput",
    "onkeydown",
    "onkeyup",
    "onkeypress",
    "onmousedown",
    "onmouseup",
)
# What the init script (script_watch.js) marks: a document that has held a script element at any moment, and
# the window whose short timers and script requests it counts. A timer longer than the bound, or set by a
# timer that a timer set (a clock ticking), is not waited for.
_SCRIPTED_MARK = "__ainasScripted"
_WORK_MARK = "__ainasWork"
_TIMER_DEPTH = 2
# Installed in every document of a context before its own scripts. Without it (a page not opened through
# `flows.browser.launch`) a self-removing script goes unseen, and the settling is as without the shortcut
# only for documents showing a script.
SCRIPT_WATCH = call(
    source(__file__, "script_watch.js"),
    {
        "scriptedMark": _SCRIPTED_MARK,
        "workMark": _WORK_MARK,
        "timerBoundMs": SETTLE_TIMER_BOUND_MS,
        "timerDepth": _TIMER_DEPTH,
    },
)
_SETTLE = source(__file__, "settle.js")
_WHOLE_WINDOW = source(__file__, "whole_window.js", LIBRARY=LIBRARY)
_MARK_SECONDS = 2.0
_MARK_LEFT = source(__file__, "mark_left.js", LIBRARY=LIBRARY)


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
        self.refreshing = False  # the current document came with a Refresh header: it navigates by itself
        self.submitting = False
        self.accepted: list[str] = []
        self.unexpected_dialog: str | None = None
        self.dialog_seen = asyncio.Event()
        # What the bot met and dealt with as a person would (a window of notices closed, an overlay closed,
        # a screen in a frame), for `probe` to report.
        self.handled: list[str] = []
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
            if response.frame.page is self.current and response.frame.parent_frame is None:
                self.refreshing = "refresh" in response.headers
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
                    log.info(
                        _("the portal asked ({kind}): {text} — accepted").format(kind=dialog.type, text=dialog.message)
                    )
                    self.accepted.append(dialog.message)
                await dialog.accept()
            else:
                log.info(
                    _("the portal asked ({kind}): {text} — dismissed").format(kind=dialog.type, text=dialog.message)
                )
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
    @contextlib.asynccontextmanager
    async def leaving(self) -> AsyncIterator[None]:
        """Within: every document of every window shown now is one the bot is leaving, so that a screen in
        one of them is not taken for where the portal went (an opener still showing the screen the bot acted
        on, about to be sent on by the window it opened). The marks go when the block ends well; on an error
        the attempt ends, and a retry starts again from the login."""
        await self._mark_left(True)
        yield
        await self._mark_left(False)

    async def _mark_left(self, left: bool) -> None:
        for page in list(self.pages):
            # Bounded: a window whose navigation the portal keeps waiting holds a script call until it answers.
            with contextlib.suppress(PlaywrightError, TimeoutError):
                async with asyncio.timeout(_MARK_SECONDS):
                    await page.evaluate(_MARK_LEFT, {"left": left, "mark": LEFT_MARK})

    async def settle(
        self,
        timeout_ms: float,
        screen: str = "",
        arg: object = None,
        until: list[str] | None = None,
        quiet_ms: float | None = None,
    ) -> Settled:
        """Wait until the screen shows what `until` names (its `shows`) and has settled (quiet for `quiet_ms`),
        then read it with `arg` (its `read`) in the same step; `screen` is the source of an in-page object with
        both. Not settled when it has not within the timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        script = fill(_SETTLE, SCREEN=screen or _WHOLE_WINDOW)
        shown = until is None
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return Settled(False, shown=shown)
            page = self.current
            try:
                async with asyncio.timeout(remaining):
                    await self.idle.wait()
                    await page.wait_for_load_state("load", timeout=remaining * 1000)
                    started = self.started
                    # Another window of the tab may run script on this one (an opener sent on by its popup).
                    alone = len(self.pages) == 1 and not self.refreshing
                    found = await page.evaluate(
                        script,
                        {
                            "quiet": QUIET_MS if quiet_ms is None else quiet_ms,
                            "max": remaining * 1000,
                            "alone": alone,
                            "allowed": _ACTION_HANDLERS,
                            "mark": _SCRIPTED_MARK,
                            "work": _WORK_MARK,
                            "until": until,
                            "arg": arg,
                        },
                    )
            except TimeoutError:
                return Settled(False, shown=shown)
            except PlaywrightError:
                if page.is_closed():
                    raise
                continue  # the document was replaced meanwhile: settle the new one
            shown = bool(found["shown"])
            if found["settled"] and self.idle.is_set() and self.started == started and page is self.current:
                return Settled(True, found["value"])


@dataclasses.dataclass(frozen=True)
class Settled:
    """Whether the screen settled, and what was read of it at that moment."""

    settled: bool
    value: Any = None
    shown: bool = True  # whether what was awaited was on screen (when it did not settle)

    def __bool__(self) -> bool:
        return self.settled


_TABS: weakref.WeakKeyDictionary[Page, Tab] = weakref.WeakKeyDictionary()


def tab_of(page: Page) -> Tab:
    """The tab `page` belongs to (a new one for a page not seen before)."""
    return _TABS.get(page) or Tab(page)
