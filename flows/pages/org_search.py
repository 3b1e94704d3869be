"""代理人組織検索: find the organisation by its 代理人組織ID and open it."""

from __future__ import annotations

from ainas_bot.errors import PortalAuthError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Message
from flows.finder.locate import Button, Field, Marker, Text, normalise
from flows.pages.base import MenuPage
from flows.pages.elements import Columns, Element
from flows.pages.org_detail import OrgDetailPage, row_locator

__all__ = ["OrgSearchPage"]


class OrgSearchPage(MenuPage):
    screen_name = "ORG_SEARCH"
    org_id = Element(Field, "Label.ORG_ID")
    search_button = Element(Button, "Label.SEARCH")
    results = Columns("ORG_SEARCH_COLUMNS")  # shown once searched
    _row = -1

    async def search(self, org_id: str) -> OrgSearchPage:
        await self.fill(self.org_id, org_id)
        await self.click(self.search_button)
        found = await self.arrive(
            self.results,
            Text(Message.NOT_FOUND),
            element=_("search result for {label} {value}").format(label=self.org_id.label, value=org_id),
        )
        matching = await self._rows_of(found, org_id)
        if not matching:
            # No such organisation is a conclusion from absence: only from a screen settled for the grace period.
            matching = await self._rows_of(await self.look_again(), org_id)
        if not matching:
            raise PortalAuthError(
                _("{screen}: {label} {value} is not among the organisations this login administers").format(
                    screen=self.screen, label=self.org_id.label, value=org_id
                ),
                screen=self.screen,
            )
        self._row = matching[0]
        return self

    async def _rows_of(self, found: Marker, org_id: str) -> list[int]:
        rows = [] if isinstance(found, Text) else (await self.table(self.results))[1]
        column = self.org_id.label  # the column is named as the field is (Label.ORG_ID)
        return [index for index, cells in rows if normalise(cells[column]) == normalise(org_id)]

    async def open_org(self, org_id: str) -> OrgDetailPage:
        """Its 代理人組織ID in the result row, whatever the element that makes it clickable."""
        table, _rows = await self.table(self.results)
        await self.click(org_id, scope=row_locator(table, self._row) if self._row >= 0 else table)
        detail = OrgDetailPage(self.page, self.timeout_ms)
        await detail.arrive()
        await detail.check_org_id(org_id)
        return detail
