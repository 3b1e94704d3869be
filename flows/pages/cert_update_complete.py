"""代理人証明書更新完了: a 完了 screen some portals show after the update instead of the 照会."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.finder.markers import Button
from flows.pages.base import MenuPage
from flows.pages.elements import Element

if TYPE_CHECKING:
    from flows.pages.org_detail import OrgDetailPage

__all__ = ["CertUpdateCompletePage"]


class CertUpdateCompletePage(MenuPage):
    screen_name = "CERT_UPDATE_COMPLETE"
    back_button = Element(Button, "Label.BACK_TO_LIST", required=False)  # else back by the menu

    async def back_to_org(self, org_id: str) -> OrgDetailPage:
        """To the organisation's 照会, to verify the update there: by `↑ 一覧に戻る`, else by the menu."""
        from flows.pages.org_detail import OrgDetailPage

        if not await self.has(self.back_button):
            search = await self.go_to_org_management()
            await search.search(org_id)
            return await search.open_org(org_id)
        await self.click(self.back_button)
        page = OrgDetailPage(self.page, self.timeout_ms)
        await page.arrive()
        await page.check_org_id(org_id)
        return page
