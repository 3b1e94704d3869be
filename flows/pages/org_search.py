"""代理人組織検索: find the organisation by its 代理人組織ID and open it."""

from __future__ import annotations

from ainas_bot import portal_text
from ainas_bot.errors import PortalAuthError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label, Message
from flows.finder.locate import Button, Field, Marker, Table, Text, normalise
from flows.pages.base import PortalPage
from flows.pages.org_detail import OrgDetailPage, row_locator

__all__ = ["OrgSearchPage"]


class OrgSearchPage(PortalPage):
    screen_name = "ORG_SEARCH"
    _row = -1

    def uses(self) -> tuple[Marker, ...]:
        return (*super().uses(), Field(Label.ORG_ID), Button(Label.SEARCH))

    def reads(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        return (), (portal_text.ORG_SEARCH_COLUMNS,)

    async def search(self, org_id: str) -> OrgSearchPage:
        await self.fill(Label.ORG_ID, org_id)
        await self.click(Label.SEARCH)
        found = await self.arrive(
            Table(*portal_text.ORG_SEARCH_COLUMNS),
            Text(Message.NOT_FOUND),
            element=_("search result for {label} {value}").format(label=Label.ORG_ID, value=org_id),
        )
        matching = await self._rows_of(found, org_id)
        if not matching:
            # No such organisation is a conclusion from absence: only from a screen settled for the grace period.
            matching = await self._rows_of(await self.look_again(), org_id)
        if not matching:
            raise PortalAuthError(
                _("{screen}: {label} {value} is not among the organisations this login administers").format(
                    screen=self.screen, label=Label.ORG_ID, value=org_id
                ),
                screen=self.screen,
            )
        self._row = matching[0]
        return self

    async def _rows_of(self, found: Marker, org_id: str) -> list[int]:
        rows = [] if isinstance(found, Text) else (await self.table(portal_text.ORG_SEARCH_COLUMNS))[1]
        return [index for index, cells in rows if normalise(cells[Label.ORG_ID]) == normalise(org_id)]

    async def open_org(self, org_id: str) -> OrgDetailPage:
        """Its 代理人組織ID in the result row, whatever the element that makes it clickable."""
        table, _rows = await self.table(portal_text.ORG_SEARCH_COLUMNS)
        await self.click(org_id, scope=row_locator(table, self._row) if self._row >= 0 else table)
        detail = OrgDetailPage(self.page, self.timeout_ms)
        await detail.arrive()
        await detail.check_org_id(org_id)
        return detail
