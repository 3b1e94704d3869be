"""Arriving on a screen: waiting until it shows what is awaited and has settled, reading it in that same
step, and turning a wait that ran out into our error.

Everything read afterwards is read from a screen that will not change under the bot (`flows.finder.tab`).
A window of notices the portal opens by itself and an overlay of notices in front of the screen are read,
logged and closed on the way, as a person closes them; one whose words the bot does not know stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from ainas_bot import portal_text
from ainas_bot.errors import PortalChangedError, PortalUnavailableError, PortalUntrustedError
from ainas_bot.i18n import _
from ainas_bot.portal_text import ABSENCE_GRACE_MS, Label
from flows.finder.locate import (
    READ_SCREEN,
    Button,
    Marker,
    Overlay,
    Table,
    Title,
    locate_anywhere,
    normalise,
    screen_query,
    table_rows,
)
from flows.finder.tab import Settled
from flows.pages.interruptions import CERT_ERRORS, first_line, interruptions
from flows.pages.watch import Watched

__all__ = ["Arrival"]

# An overlay that comes back this often after being closed is not one a person can close.
_OVERLAY_CLOSINGS = 3


@dataclasses.dataclass(frozen=True)
class _Seen:
    """What `arrive` found of `uses()` (by engine query) and read of `reads()` on the settled screen."""

    uses: dict[str, bool]
    pairs: dict[str, str | None]
    tables: dict[tuple[str, ...], list[tuple[int, dict[str, str]]] | None]


NOTHING_SEEN = _Seen({}, {}, {})


class Arrival(Watched):
    """One screen the browser is on, arrived on and read as a person reads it."""

    def __init__(self, page: Page, timeout_ms: float) -> None:
        super().__init__(page, timeout_ms)
        self._seen = NOTHING_SEEN
        self._arrived_with: tuple[tuple[Marker, ...], str | None] | None = None  # what `arrive` waited for

    @property
    def title(self) -> Title:
        return Title(self.screen)

    def uses(self) -> tuple[Marker, ...]:
        """What the bot acts on on this screen, looked for in the step that finds it settled: acting on it
        then needs no second look (each look is a round trip to the browser, and two DOM snapshots in a
        trace)."""
        return ()

    def reads(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """The key/value rows (labels) and the tables (columns) the bot reads on this screen, read in the
        step that finds it settled, for the same reason as `uses` (a table read so needs no look of its own)."""
        return (), ()

    async def arrive(self, *markers: Marker, element: str | None = None, quiet_ms: float | None = None) -> Marker:
        """Wait until one of `markers` (default: this screen's title) shows, or an interruption does,
        and the screen has settled (quiet for `quiet_ms`, default the tab's); which of the markers it shows.
        A window of notices the portal opened by itself, and an overlay of notices in front of the screen, are
        read, logged and closed on the way, as a person closes them."""
        wanted = markers or (self.title,)
        self._arrived_with = (wanted, element)
        element = element or str(wanted[0])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_ms / 1000
        used = [screen_query(marker) for marker in self.uses()]
        labels, tables = self.reads()
        notices = Title(*portal_text.NOTICE_TITLES)
        read = {
            "queries": [screen_query(marker) for marker in (*wanted, notices)] + used,
            "pairs": list(labels),
            "tables": [[screen_query(Table(*columns)), list(columns)] for columns in tables],
            "closers": list(portal_text.CLOSE_CAPTIONS),
        }
        until = [screen_query(marker) for marker in (*wanted, interruptions(), notices)]
        closings = 0
        while True:
            if loop.time() >= deadline:
                await self._timed_out(element)
            self.tab.changed.clear()
            page = self.page
            # One browser call waits for the screen to show what is awaited, to settle, and reads it.
            settled = await self._settled(
                self.tab.settle(
                    max(1.0, (deadline - loop.time()) * 1000), READ_SCREEN, read, until=until, quiet_ms=quiet_ms
                )
            )
            if settled is None or page is not self.page:
                continue  # a window opened or closed: look in the one that is current now
            if not settled:
                if not settled.shown:
                    await self._timed_out(element)
                raise PortalUnavailableError(
                    _("{screen}: the screen did not settle within {seconds} s ({count} requests outstanding)").format(
                        screen=self.screen, seconds=f"{self.timeout_ms / 1000:g}", count=len(self.tab.outstanding)
                    ),
                    screen=self.screen,
                )
            self.shown_text = await self.raise_if_interrupted(str(settled.value["text"]))
            shown = settled.value["found"]
            if not any(shown[: len(wanted)]) and shown[len(wanted)] and page is not self.tab.pages[0]:
                await self._close_window_of_notices(page, self.shown_text)
                continue
            if settled.value["overlay"] is not None:
                closings += 1
                await self._close_overlay(settled.value["overlay"], closings)
                continue
            for frame in settled.value["frames"]:
                self._handled(
                    _("{screen}: the screen is in frame \u201c{frame}\u201d").format(screen=self.screen, frame=frame),
                    once=True,
                )
            self._seen = _Seen(
                uses=dict(zip(used, shown[len(wanted) + 1 :], strict=True)),
                pairs=dict(settled.value["pairs"]),
                tables={
                    columns: None if rows is None else table_rows(rows)
                    for columns, rows in zip(tables, settled.value["tables"], strict=True)
                },
            )
            for marker, found in zip(wanted, shown[: len(wanted)], strict=True):
                if found:
                    return marker

    async def look_again(self) -> Marker:
        """Arrive again on this screen, settled for the grace period: a conclusion from something absent (no
        such organisation, no certificate row) is drawn only from a screen that stayed settled so long."""
        wanted, element = self._arrived_with or ((self.title,), None)
        return await self.arrive(*wanted, element=element, quiet_ms=ABSENCE_GRACE_MS)

    async def _close_window_of_notices(self, window: Page, text: str) -> None:
        """A window of notices the portal opened by itself: logged with its text, closed by its own 閉じる
        (or closed), and the work goes on in the window beneath."""
        summary = " ".join(text.split())[:200]
        self._handled(
            _("{screen}: the portal opened a window of notices; read and closed: {text}").format(
                screen=self.screen, text=summary
            )
        )
        with contextlib.suppress(PlaywrightError):
            closer = await locate_anywhere(window, Button(Label.CLOSE))
            if await closer.count():
                async with window.expect_event("close", timeout=min(self.timeout_ms, 5000)):
                    await closer.first.click(timeout=self.timeout_ms)
        with contextlib.suppress(PlaywrightError):
            if not window.is_closed():
                await window.close()

    async def _close_overlay(self, overlay: dict[str, str], closings: int) -> None:
        """An overlay in front of the screen: closed by its 閉じる (or OK/確認 when it is a notice), logged with
        its text; one the bot cannot tell for a notice, or that keeps coming back, stops the office."""
        text, caption = " ".join(str(overlay["text"]).split())[:200], str(overlay["caption"])
        is_notice = any(normalise(title) in normalise(text) for title in portal_text.NOTICE_TITLES)
        if closings > _OVERLAY_CLOSINGS or not (is_notice or normalise(caption) == normalise(Label.CLOSE)):
            raise PortalChangedError(
                _("{screen}: an overlay covers the screen and was not closed ({caption}): {text}").format(
                    screen=self.screen, caption=caption, text=text
                ),
                screen=self.screen,
            )
        self._handled(
            _("{screen}: closed an overlay of notices by {caption}: {text}").format(
                screen=self.screen, caption=caption, text=text
            )
        )
        closer = await locate_anywhere(self.page, Overlay(*portal_text.CLOSE_CAPTIONS))
        await self.act(str(Overlay(caption)), lambda: closer.first.click(timeout=self.timeout_ms))

    async def _settled(self, settling: Awaitable[Settled]) -> Settled | None:
        """The settled screen; None when the window changed meanwhile. Stops at once on a server error,
        a failed document or a dialog nobody expected."""
        tab = self.tab
        shown = asyncio.ensure_future(settling)
        tasks: dict[str, asyncio.Future[Any]] = {
            "shown": shown,
            "failed": asyncio.ensure_future(tab.failed.wait()),
            "changed": asyncio.ensure_future(tab.changed.wait()),
            "dialog": asyncio.ensure_future(tab.dialog_seen.wait()),
        }
        try:
            await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks.values():
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, PlaywrightError):
                        await task
        if tasks["dialog"].done() and not tasks["dialog"].cancelled():
            self._raise_dialog()
        if tasks["changed"].done() and not tasks["changed"].cancelled():
            return None
        if shown.done() and not shown.cancelled():
            try:
                return shown.result()
            except PlaywrightError as exc:
                if self.page.is_closed() or "closed" in str(exc):
                    return None
                raise PortalUnavailableError(f"{self.screen}: {first_line(exc)}", screen=self.screen) from None
        await self.raise_if_interrupted()
        if any(marker in tab.failure for marker in CERT_ERRORS):
            raise PortalUntrustedError(
                _(
                    "{screen}: the portal's server certificate is not trusted ({reason}); set "
                    "portal_ca (nothing secret was typed)"
                ).format(screen=self.screen, reason=tab.failure),
                screen=self.screen,
            )
        raise PortalUnavailableError(f"{self.screen}: {tab.describe_failure()}", screen=self.screen)
