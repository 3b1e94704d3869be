"""代理人組織検索: find the organisation by its 代理人組織ID and open it."""

from __future__ import annotations

from ainas_bot.errors import PortalAuthError
from ainas_bot.portal_text import Label, Message, Screen
from flows.pages._base import PortalPage, exact
from flows.pages.org_detail import OrgDetailPage

__all__ = ["OrgSearchPage"]


class OrgSearchPage(PortalPage):
    screen = Screen.ORG_SEARCH

    async def search(self, org_id: str) -> OrgSearchPage:
        p = self.page
        await self.act(f"field {Label.ORG_ID}", lambda: p.get_by_label(Label.ORG_ID, exact=True).fill(org_id))
        await self.click(Label.SEARCH)
        result = p.get_by_role("link", name=exact(org_id)).or_(p.get_by_text(Message.NOT_FOUND))
        await self.arrive(result.first, element=f"search result for {Label.ORG_ID} {org_id}")
        if await p.get_by_text(Message.NOT_FOUND).count():
            raise PortalAuthError(
                f"{self.screen}: {Label.ORG_ID} {org_id} is not among the organisations this login administers",
                screen=self.screen)
        return self

    async def open_org(self, org_id: str) -> OrgDetailPage:
        link = self.page.get_by_role("link", name=exact(org_id)).first
        await self.act(f"link {org_id}", lambda: link.click(timeout=self.timeout_ms))
        detail = OrgDetailPage(self.page, self.timeout_ms)
        await detail.arrive()
        await detail.check_org_id(org_id)
        return detail
