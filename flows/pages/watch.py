"""A screen the browser is on, as the bot watches it: its window (`flows.finder.tab`), what it shows, and our
errors for what goes wrong on it, each naming the screen: a wait that ran out, an action that failed, a
dialog nobody expected, an interruption on screen."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ainas_bot.errors import FlowError, PortalChangedError, PortalUnavailableError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Screen
from flows.finder.locate import screen_frames, seen_on_screen
from flows.finder.tab import Tab, tab_of
from flows.pages.interruptions import first_line, raise_if_shown

__all__ = ["Watched"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class Watched:
    """One screen the browser is on, in the window of an office's tab."""

    screen_name = ""  # its name in portal_text.Screen: the text is read when used (it may be overridden)

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.tab: Tab = tab_of(page)
        self.timeout_ms = timeout_ms
        # The screen's text as read once it settled; empty until the screen has been seen settled.
        self.shown_text = ""

    @property
    def screen(self) -> str:
        return str(getattr(Screen, self.screen_name)) if self.screen_name else ""

    @property
    def page(self) -> Page:
        """The window the screen is in: a window the portal opened, until it closes again."""
        return self.tab.current

    def _handled(self, what: str, *, once: bool = False) -> None:
        if once and what in self.tab.handled:
            return
        log.info("%s", what)
        self.tab.handled.append(what)

    def _raise_dialog(self) -> None:
        text = self.tab.unexpected_dialog or ""
        self.tab.unexpected_dialog = None
        self.tab.dialog_seen.clear()
        raise PortalChangedError(
            _(
                "{screen}: the portal asked \u201c{text}\u201d where the bot did not mean to "
                "submit; dismissed, and stopped"
            ).format(screen=self.screen, text=text),
            screen=self.screen,
        )

    async def _timed_out(self, element: str) -> None:
        """Name a wait that ran out: a portal that did not answer, or a screen without what was needed."""
        await self.raise_if_interrupted()
        seconds = f"{self.timeout_ms / 1000:g}"
        if any(r.resource_type == "document" for r in self.tab.outstanding) or not await self._body_text():
            raise PortalUnavailableError(
                _("{screen}: the portal did not answer within {seconds} s (waiting for {element})").format(
                    screen=self.screen, seconds=seconds, element=element
                ),
                screen=self.screen,
            )
        raise PortalChangedError(
            _("{screen}: {element} did not appear within {seconds} s; {shown}").format(
                screen=self.screen, element=element, seconds=seconds, shown=await self.what_is_shown()
            ),
            screen=self.screen,
        )

    async def what_is_shown(self) -> str:
        """The titles and buttons the screen shows, for a message saying what was there instead."""
        try:
            seen = await seen_on_screen(self.page)
        except PlaywrightError:
            return _("the screen could not be read")
        titles = ", ".join(seen["titles"]) or _("none")
        buttons = ", ".join(dict.fromkeys(seen["buttons"])) or _("none")
        return _("the screen shows titles: {titles}; buttons: {buttons}").format(titles=titles, buttons=buttons)

    async def raise_if_interrupted(self, body: str | None = None) -> str:
        """Turn a maintenance page, a lost session or a refusal on screen into our error; else the
        screen's text (`body`, when already read)."""
        if body is None:
            body = await self._body_text()
        raise_if_shown(self.screen, body)
        return body

    async def _body_text(self) -> str:
        texts = []
        for frame in screen_frames(self.page):
            with contextlib.suppress(PlaywrightError):
                texts.append(await frame.locator("body").inner_text(timeout=self.timeout_ms))
        return "\n".join(texts)

    async def act(self, element: str, action: Callable[[], Awaitable[T]]) -> T:
        """Run a Playwright action, turning its errors into ours naming this screen and the element."""
        self.tab.reset_failure()
        try:
            result = await action()
        except PlaywrightTimeoutError:
            await self._timed_out(element)
            raise AssertionError("unreachable") from None
        except FlowError:
            raise
        except PlaywrightError as exc:
            raise PortalUnavailableError(f"{self.screen}: {element}: {first_line(exc)}", screen=self.screen) from None
        if self.tab.unexpected_dialog is not None:
            self._raise_dialog()
        return result
