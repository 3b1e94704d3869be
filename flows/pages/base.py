"""What every AINAS screen shares: finding things on it, acting on it and reading it once arrived
(`flows.pages.arrival`), and what each screen has, declared once on its page object (`flows.pages.elements`).

Page objects declare what they act on and read in the portal's words, by the names of `portal_text`;
arriving looks for all of it in the step that finds the screen settled, and `ainas-bot probe` checks the
same declarations. A thing the bot needs and a settled screen does not show is `portal-changed` at once,
with the screen and the thing named; a portal that does not answer is `portal-unavailable`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator
from pydantic import SecretStr

from ainas_bot.errors import PortalChangedError, PortalUnavailableError
from ainas_bot.i18n import _
from ainas_bot.portal_text import text_of
from flows.finder.locate import (
    Button,
    Field,
    Marker,
    Table,
    Title,
    locate,
    locate_anywhere,
    read_pairs,
    read_table,
    row_text,
    screen_query,
)
from flows.pages.arrival import NOTHING_SEEN, Arrival
from flows.pages.elements import Element, Need, declared
from flows.pages.interruptions import CERT_ERRORS, first_line, shows

if TYPE_CHECKING:
    from flows.pages.org_search import OrgSearchPage

__all__ = ["CERT_ERRORS", "MenuPage", "PortalPage", "first_line", "shows"]


class PortalPage(Arrival):
    """Base of the page objects: one instance per screen the browser is on."""

    # Whether the screen is known by its title (the text of `screen_name`): the probe checks it there.
    known_by_title: ClassVar[bool] = True

    @classmethod
    def needs(cls, *, besides: type[PortalPage] | None = None) -> list[Need]:
        """Everything the screen has that the bot uses, with the texts in force now: its title, then what the
        class and its bases declare (without what `besides` declares)."""
        needs = [need for declaration in declared(cls, besides=besides) for need in declaration.needs()]
        if not (cls.known_by_title and cls.screen_name):
            return needs
        title = f"Screen.{cls.screen_name}"
        return [Need("title", title, text_of(title), True, Title(text_of(title))), *needs]

    def uses(self) -> tuple[Marker, ...]:
        return tuple(n.marker for n in self.needs() if n.what in ("field", "button") and n.marker is not None)

    def reads(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        needs = self.needs()
        tables = tuple(n.marker.columns for n in needs if isinstance(n.marker, Table))
        return tuple(n.text for n in needs if n.what == "row"), tables

    async def find(self, marker: Marker) -> Locator:
        """`marker` in whichever frame of the window shows it."""
        return await locate_anywhere(self.page, marker)

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
                    screen=self.screen, marker=marker, shown=await self.what_is_shown()
                ),
                screen=self.screen,
            )
        return found.first

    async def has(self, marker: Marker) -> bool:
        shown = self._seen.uses.get(screen_query(marker))
        return shown if shown is not None else await (await self.find(marker)).count() > 0

    async def click(self, button: Button | str, *, scope: Locator | None = None) -> None:
        """Click a declared button, or one by its caption (a link whose caption is a value, such as an ID)."""
        marker = button if isinstance(button, Button) else Button(button)
        found = await self.require(marker, scope=scope)
        self._seen = NOTHING_SEEN  # what the screen showed may be gone once the click has done its work
        await self.act(str(marker), lambda: found.click(timeout=self.timeout_ms))

    async def fill(self, field: Field | str, value: str | SecretStr) -> None:
        marker = field if isinstance(field, Field) else Field(field)
        found = await self.require(marker)
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        await self.act(str(marker), lambda: found.fill(text, timeout=self.timeout_ms))

    async def choose_file(self, field: Field | str, path: Path) -> None:
        marker = field if isinstance(field, Field) else Field(field)
        found = await self.require(marker)
        await self.act(str(marker), lambda: found.set_input_files(path, timeout=self.timeout_ms))

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

    async def table(self, table: Table | tuple[str, ...]) -> tuple[Locator, list[tuple[int, dict[str, str]]]]:
        """The table with these column headers and its rows (row index, column → text)."""
        marker = table if isinstance(table, Table) else Table(*table)
        shown = self._seen.tables.get(marker.columns)
        if shown is not None:
            return (await self.find(marker)).first, shown
        found = await self.require(marker)
        rows = await self.act(str(marker), lambda: read_table(found, marker.columns, timeout_ms=self.timeout_ms))
        return found, rows

    async def row_message(self, label: str) -> str:
        """What a form row shows besides its label and input: the portal's field error, verbatim."""
        field = await self.find(Field(label))
        if await field.count() == 0:
            return ""
        text = re.sub(r"【\d+】", "", await row_text(field.first))
        text = text.replace(label, "", 1) if label in text else text
        return " ".join(text.split())


class MenuPage(PortalPage):
    """Every screen after the login: its menu's 代理人組織管理, and ログアウト."""

    logout_button = Element(Button, "Label.LOGOUT")
    org_menu = Element(Button, "Label.MENU_ORGS")

    async def go_to_org_management(self) -> OrgSearchPage:
        from flows.pages.org_search import OrgSearchPage

        await self.click(self.org_menu)
        nxt = OrgSearchPage(self.page, self.timeout_ms)
        await nxt.arrive()
        return nxt

    async def logout(self) -> None:
        from flows.pages.login import LoginPage

        login_id = LoginPage.login_id.now()
        with self.submitting():
            await self.click(self.logout_button)
            await self.arrive(
                login_id,
                element=_("field {field} after {button}").format(
                    field=login_id.label, button=self.logout_button.caption
                ),
            )
