"""What every AINAS screen shares: arriving on it, finding things on it, and turning waits into our errors.

Page objects say what they look for in the portal's words (`flows.finder.locate` markers); arriving waits for
it, then for the screen to settle (`flows.finder.tab`), so that everything read afterwards is read
from a screen that will not change under the bot. A thing the bot needs and a settled screen does not
show is `portal-changed` at once, with the screen and the thing named; a portal that does not answer
is `portal-unavailable`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from pydantic import SecretStr

from ainas_bot import portal_text
from ainas_bot.errors import (
    FlowError,
    PortalAuthError,
    PortalChangedError,
    PortalUnavailableError,
    PortalUntrustedError,
)
from ainas_bot.i18n import _
from ainas_bot.portal_text import ABSENCE_GRACE_MS, Label, Message, Screen
from flows.finder.locate import (
    READ_SCREEN,
    Button,
    Field,
    Marker,
    Overlay,
    Table,
    Text,
    Title,
    locate,
    locate_anywhere,
    normalise,
    read_pairs,
    read_table,
    screen_frames,
    screen_query,
    table_rows,
)
from flows.finder.locate import seen_on_screen as _seen
from flows.finder.tab import Settled, Tab, tab_of

if TYPE_CHECKING:
    from flows.pages.org_search import OrgSearchPage

__all__ = ["CERT_ERRORS", "PortalPage", "first_line"]

T = TypeVar("T")
log = logging.getLogger(__name__)
# An overlay that comes back this often after being closed is not one a person can close.
_OVERLAY_CLOSINGS = 3


# Messages after which the whole session is gone: a retry must start again from the login.
def _session_lost() -> tuple[str, ...]:
    return (Message.SESSION_EXPIRED, Message.SESSION_REPLACED)


# Playwright's client-certificate proxy answers a TLS failure with a 503 page of this text.
_UNTRUSTED = "Playwright client-certificate error"
# Net errors of a server certificate that is not trusted (Chromium, Firefox).
CERT_ERRORS = ("ERR_CERT", "SEC_ERROR", "SSL_ERROR_BAD_CERT", "MOZILLA_PKIX_ERROR", "CERT_AUTHORITY")
_UNTRUSTED_DETAIL = ("self-signed", "self signed", "unable to verify", "CERT_")


def _interruptions() -> Text:
    return Text(
        Message.MAINTENANCE,
        *_session_lost(),
        Message.ACCESS_DENIED,
        Message.INVALID_TRANSITION,
        Message.DOUBLE_SUBMIT,
        _UNTRUSTED,
    )


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def shows(body: str, message: str) -> bool:
    """Whether the screen's text holds `message`, whatever its spaces and widths."""
    return normalise(message) in normalise(body)


@dataclasses.dataclass(frozen=True)
class _Seen:
    """What `arrive` found of `uses()` (by engine query) and read of `reads()` on the settled screen."""

    uses: dict[str, bool]
    pairs: dict[str, str | None]
    tables: dict[tuple[str, ...], list[tuple[int, dict[str, str]]] | None]


_NOTHING_SEEN = _Seen({}, {}, {})


class PortalPage:
    """Base of the page objects: one instance per screen the browser is on."""

    screen_name = ""  # its name in portal_text.Screen: the text is read when used (it may be overridden)

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.tab: Tab = tab_of(page)
        self.timeout_ms = timeout_ms
        # The screen's text as read once it settled; empty until `arrive` has seen the screen.
        self.shown_text = ""
        self._seen = _NOTHING_SEEN
        self._arrived_with: tuple[tuple[Marker, ...], str | None] | None = None  # what `arrive` waited for

    @property
    def screen(self) -> str:
        return str(getattr(Screen, self.screen_name)) if self.screen_name else ""

    @property
    def page(self) -> Page:
        """The window the screen is in: a window the portal opened, until it closes again."""
        return self.tab.current

    @property
    def title(self) -> Title:
        return Title(self.screen)

    def uses(self) -> tuple[Marker, ...]:
        """What the bot acts on on this screen, looked for in the step that finds it settled: acting on it
        then needs no second look (each look is a round trip to the browser, and two DOM snapshots in a
        trace). Every screen after the login has the menu and ログアウト."""
        return (Button(Label.MENU_ORGS), Button(Label.LOGOUT))

    def reads(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """The key/value rows (labels) and the tables (columns) the bot reads on this screen, read in the
        step that finds it settled, for the same reason as `uses` (a table read so needs no look of its own)."""
        return (), ()

    async def find(self, marker: Marker) -> Locator:
        """`marker` in whichever frame of the window shows it."""
        return await locate_anywhere(self.page, marker)

    # --- arriving -------------------------------------------------------------------------
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
        until = [screen_query(marker) for marker in (*wanted, _interruptions(), notices)]
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

    def _handled(self, what: str, *, once: bool = False) -> None:
        if once and what in self.tab.handled:
            return
        log.info("%s", what)
        self.tab.handled.append(what)

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
                screen=self.screen, element=element, seconds=seconds, shown=await self._what_is_shown()
            ),
            screen=self.screen,
        )

    async def _what_is_shown(self) -> str:
        try:
            seen = await _seen(self.page)
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
        if _UNTRUSTED in body and any(d in body for d in _UNTRUSTED_DETAIL):
            raise PortalUntrustedError(
                _(
                    "the portal's server certificate is not trusted; set portal_ca to the portal's CA "
                    "(nothing secret was typed)"
                ),
                screen=self.screen,
            )
        if shows(body, Message.MAINTENANCE):
            raise PortalUnavailableError(
                _("{screen}: the portal shows its maintenance page").format(screen=self.screen), screen=self.screen
            )
        if _UNTRUSTED in body:  # the proxy could not reach the portal
            raise PortalUnavailableError(f"{self.screen}: {body.strip().splitlines()[0]}", screen=self.screen)
        for message in _session_lost():
            if shows(body, message):
                raise PortalUnavailableError(
                    _("{screen}: session lost: {message}").format(screen=self.screen, message=message),
                    screen=self.screen,
                )
        for message in (
            Message.ACCESS_DENIED,
            Message.INVALID_TRANSITION,
            Message.DOUBLE_SUBMIT,
            Message.NO_ADMIN_RIGHTS,
        ):
            if shows(body, message):
                raise (
                    PortalAuthError
                    if message in (Message.ACCESS_DENIED, Message.NO_ADMIN_RIGHTS)
                    else PortalChangedError
                )(
                    _("{screen}: the portal says: {message}").format(screen=self.screen, message=message),
                    screen=self.screen,
                )
        return body

    async def _body_text(self) -> str:
        texts = []
        for frame in screen_frames(self.page):
            with contextlib.suppress(PlaywrightError):
                texts.append(await frame.locator("body").inner_text(timeout=self.timeout_ms))
        return "\n".join(texts)

    # --- acting on a settled screen -------------------------------------------------------
    async def require(self, marker: Marker, *, scope: Locator | None = None) -> Locator:
        """`marker` on this settled screen, or portal-changed at once naming the screen and the element."""
        if scope is None and self.tab.changed.is_set() and self._arrived_with is not None:
            # A window opened or closed since the screen settled (notices, opened late): as before acting.
            await self.arrive(*self._arrived_with[0], element=self._arrived_with[1])
        found = locate(scope, marker) if scope is not None else await self.find(marker)
        if scope is None and self._seen.uses.get(screen_query(marker)):
            return found.first
        try:
            count = await found.count()
        except PlaywrightError as exc:
            raise PortalUnavailableError(f"{self.screen}: {marker}: {first_line(exc)}", screen=self.screen) from None
        if count == 0:
            raise PortalChangedError(
                _("{screen}: no {marker} on the screen; {shown}").format(
                    screen=self.screen, marker=marker, shown=await self._what_is_shown()
                ),
                screen=self.screen,
            )
        return found.first

    async def has(self, marker: Marker) -> bool:
        shown = self._seen.uses.get(screen_query(marker))
        return shown if shown is not None else await (await self.find(marker)).count() > 0

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

    async def click(self, caption: str, *, scope: Locator | None = None) -> None:
        button = await self.require(Button(caption), scope=scope)
        self._seen = _NOTHING_SEEN  # what the screen showed may be gone once the click has done its work
        await self.act(str(Button(caption)), lambda: button.click(timeout=self.timeout_ms))

    async def fill(self, label: str, value: str | SecretStr) -> None:
        field = await self.require(Field(label))
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        await self.act(str(Field(label)), lambda: field.fill(text, timeout=self.timeout_ms))

    async def choose_file(self, label: str, path: Path) -> None:
        field = await self.require(Field(label))
        await self.act(str(Field(label)), lambda: field.set_input_files(path, timeout=self.timeout_ms))

    @contextlib.contextmanager
    def submitting(self) -> Iterator[None]:
        """A step where the bot means to submit: a confirm dialog is accepted (and its text logged)."""
        with self.tab.submitting_step():
            yield

    # --- reading a settled screen ---------------------------------------------------------
    async def pairs(self, labels: tuple[str, ...]) -> dict[str, str | None]:
        """Key/value rows: label → value shown (None when the screen has no such row)."""
        if all(label in self._seen.pairs for label in labels):
            return {label: self._seen.pairs[label] for label in labels}
        return await self.act(_("key/value rows"), lambda: read_pairs(self.page, labels))

    async def table(self, columns: tuple[str, ...]) -> tuple[Locator, list[tuple[int, dict[str, str]]]]:
        """The table with these column headers and its rows (row index, column → text)."""
        shown = self._seen.tables.get(columns)
        if shown is not None:
            return (await self.find(Table(*columns))).first, shown
        table = await self.require(Table(*columns))
        rows = await self.act(str(Table(*columns)), lambda: read_table(table, columns, timeout_ms=self.timeout_ms))
        return table, rows

    async def row_message(self, label: str) -> str:
        """What a form row shows besides its label and input: the portal's field error, verbatim."""
        field = await self.find(Field(label))
        if await field.count() == 0:
            return ""
        text: str = await field.first.evaluate("el => ((el.closest('tr') || el.parentElement).innerText || '')")
        text = re.sub(r"【\d+】", "", text)
        text = text.replace(label, "", 1) if label in text else text
        return " ".join(text.split())

    # --- shared by every screen after the login -------------------------------------------
    async def go_to_org_management(self) -> OrgSearchPage:
        from flows.pages.org_search import OrgSearchPage

        await self.click(Label.MENU_ORGS)
        nxt = OrgSearchPage(self.page, self.timeout_ms)
        await nxt.arrive()
        return nxt

    async def logout(self) -> None:
        with self.submitting():
            await self.click(Label.LOGOUT)
            await self.arrive(
                Field(Label.LOGIN_ID),
                element=_("field {field} after {button}").format(field=Label.LOGIN_ID, button=Label.LOGOUT),
            )
