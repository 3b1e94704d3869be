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
import json
import logging
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

from playwright.async_api import Dialog, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from ainas_bot.i18n import _
from ainas_bot.portal_text import SETTLE_TIMER_BOUND_MS
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
# Set by the init script (`SCRIPT_WATCH`) on a document that has held a script element at any moment, even
# one that removed itself after starting its work.
_SCRIPTED_MARK = "__ainasScripted"
# What is still to come although no request is out yet: the page's short timers (a table's request started
# after a pause, a placeholder replaced), counted in the page as Angular's Testability counts macrotasks, and
# the requests its scripts have out. A timer longer than the bound, or set by a timer that a timer set (a
# clock ticking), is not waited for. `__ainasWork` keeps the page's own setTimeout, for the settling's timers.
_WORK_MARK = "__ainasWork"
_TIMER_DEPTH = 2
_WORK_WATCH = f"""  const native = {{setTimeout: window.setTimeout, clearTimeout: window.clearTimeout}};
  const pending = new Map();
  let depth = 0;
  const work = {{
    setTimeout: (fn, ms) => native.setTimeout.call(window, fn, ms),
    clearTimeout: (id) => native.clearTimeout.call(window, id),
    native: native.setTimeout, requests: 0,
    busy: () => {{
      const now = performance.now();
      for (const [id, due] of pending) if (due < now) pending.delete(id);
      return pending.size > 0 || work.requests > 0;
    }},
  }};
  try {{ Object.defineProperty(window, "{_WORK_MARK}", {{value: work}}); }} catch (e) {{ return; }}
  work.wrapped = window.setTimeout = function (callback, delay) {{
    const ms = Number(delay) || 0;
    if (ms > {SETTLE_TIMER_BOUND_MS} || depth >= {_TIMER_DEPTH}) return native.setTimeout.apply(window, arguments);
    const level = depth + 1;
    const args = [...arguments];
    let id;
    if (typeof callback === "function") {{
      args[0] = function () {{
        pending.delete(id);
        const outer = depth;
        depth = level;
        try {{ return callback.apply(this, arguments); }} finally {{ depth = outer; }}
      }};
    }}
    id = native.setTimeout.apply(window, args);
    // A callback given as text runs when due; one given as a function says so itself.
    pending.set(id, typeof callback === "function" ? Infinity : performance.now() + ms + 100);
    return id;
  }};
  window.clearTimeout = function (id) {{ pending.delete(id); return native.clearTimeout.apply(window, arguments); }};
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {{
    work.requests += 1;
    this.addEventListener("loadend", () => {{ work.requests -= 1; }}, {{once: true}});
    try {{ return send.apply(this, arguments); }} catch (e) {{ work.requests -= 1; throw e; }}
  }};
  if (typeof window.fetch === "function") {{
    const fetch = window.fetch;
    window.fetch = function () {{
      work.requests += 1;
      const done = () => {{ work.requests -= 1; }};
      const answer = fetch.apply(this, arguments);
      answer.then(done, done);
      return answer;
    }};
  }}"""
# Installed in every document of a context before its own scripts: it records that a script element was
# ever inserted. Without it (a page not opened through `flows.browser.launch`) a self-removing script goes
# unseen, and the settling is as without the shortcut only for documents showing a script.
SCRIPT_WATCH = f"""(() => {{
  const mark = () => {{
    try {{ Object.defineProperty(document, "{_SCRIPTED_MARK}", {{value: true, configurable: true}}); }} catch (e) {{}}
  }};
  const watch = new MutationObserver((records) => {{
    for (const record of records) {{
      for (const node of record.addedNodes) {{
        if (node.nodeName === "SCRIPT" || (node.querySelector && node.querySelector("script"))) {{
          mark(); watch.disconnect(); return;
        }}
      }}
    }}
  }});
  watch.observe(document, {{subtree: true, childList: true}});
{_WORK_WATCH}
}})()"""
# `__SCREEN__` is the source of the screen's reader (`read(arg)`), of `shows(until)`, whether what is awaited
# is on screen, of `docs()`, the window's documents (its frames'), and of `waiting()`, whether a placeholder is
# shown; written in rather than evaluated: a portal's CSP may forbid eval. The quiet period starts once what
# is awaited is shown, and ends settled only when no document is loading, no short timer or script request
# of the page is pending, and no placeholder shows; `shown` tells a screen that never showed it from one that
# never settled. Every document of the window is watched, those a frame loads later too.
_SETTLE = """({quiet, max, alone, allowed, mark, work, until, arg}) => new Promise(resolve => {
    const screen = __SCREEN__;
    const own = window[work];
    const later = own ? own.setTimeout : setTimeout;  // the settling's own timers are not the page's work
    const cancel = own ? own.clearTimeout : clearTimeout;
    let shown = until === null, timer, expire;
    const observed = new Set();
    const observer = new MutationObserver(() => changed());
    function follow() {
        for (const doc of screen.docs()) {
            if (observed.has(doc)) continue;
            observed.add(doc);
            observer.observe(doc, {subtree: true, childList: true, characterData: true, attributes: true});
            doc.addEventListener("load", changed, true);  // a frame in it loaded a document
        }
    }
    const busy = () => screen.docs().some((doc) => doc.readyState !== "complete"
        || (doc.defaultView && doc.defaultView[work] && doc.defaultView[work].busy())) || screen.waiting();
    const finish = (settled) => {
        observer.disconnect(); cancel(timer); cancel(expire);
        for (const doc of observed) doc.removeEventListener("load", changed, true);
        resolve({settled, shown, value: settled ? screen.read(arg) : null});
    };
    const check = () => {
        follow();
        if (busy()) { timer = later(check, quiet); return; }
        finish(true);
    };
    function changed() {
        follow();
        if (!shown && !(shown = screen.shows(until))) return;
        cancel(timer); timer = later(check, quiet);
    }
    const handlers = (el) => [...el.attributes].some(
        (a) => a.name.startsWith("on") && !allowed.includes(a.name.toLowerCase()));
    const runsScript = () => document[mark] === true
        || document.querySelector("script,iframe,frame,object,embed,meta[http-equiv=refresh i]") !== null
        || [...document.querySelectorAll("*")].some(handlers);
    follow();
    expire = later(() => finish(false), max);
    if (!shown && !(shown = screen.shows(until))) return;  // a change of the screen may show it
    if (alone && !runsScript() && !busy()) return finish(true);
    timer = later(check, quiet);
})"""


# Without a reader: the window's documents are watched, nothing is awaited, nothing read.
_WHOLE_WINDOW = (
    f"(() => {{ const lib = {LIBRARY}; return {{docs: () => lib.documents(document), "
    "waiting: () => lib.placeholders(lib.documents(document)).length > 0, "
    "read: () => null, shows: () => true}; })()"
)
_MARK_SECONDS = 2.0
_MARK_LEFT = (
    f"(left) => {{ const lib = {LIBRARY}; "
    f"for (const doc of lib.documents(document)) doc[{json.dumps(LEFT_MARK)}] = left; }}"
)


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
                    await page.evaluate(_MARK_LEFT, left)

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
        script = _SETTLE.replace("__SCREEN__", screen or _WHOLE_WINDOW)
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
