"""代理人証明書照会: what the portal read from the certificate, and what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ainas_bot.errors import PortalChangedError
from ainas_bot.portal_text import CERT_DETAIL_ROWS, Label, Screen
from flows.pages._base import PortalPage

if TYPE_CHECKING:
    from flows.pages.cert_update import CertUpdatePage
    from flows.pages.org_detail import OrgDetailPage

__all__ = ["CertDetailPage"]


class CertDetailPage(PortalPage):
    screen = Screen.CERT_DETAIL

    async def read(self) -> dict[str, str]:
        """Every row of the screen, label → value as shown."""
        shown: dict[str, str] = {}
        for row in await self.rows_of(self.page.locator("tr"), "certificate rows"):
            labels = [text for header, text in row if header]
            values = [text for header, text in row if not header]
            if labels and values:
                shown.setdefault(labels[0], values[0])
        missing = [label for label in CERT_DETAIL_ROWS if label not in shown]
        if missing:
            raise PortalChangedError(f"{self.screen}: no row {', '.join(missing)}", screen=self.screen)
        return {label: shown[label] for label in CERT_DETAIL_ROWS}

    async def start_update(self) -> CertUpdatePage:
        from flows.pages.cert_update import CertUpdatePage

        await self.click(Label.CERT_UPDATE)
        page = CertUpdatePage(self.page, self.timeout_ms)
        await page.arrive()
        return page

    async def can_go_back_to_org(self) -> bool:
        return await self.button(Label.BACK_TO_LIST).count() > 0

    async def back_to_org(self, org_id: str) -> OrgDetailPage:
        """`↑ 一覧に戻る`: the organisation's 代理人組織照会, checked to be `org_id`'s."""
        from flows.pages.org_detail import OrgDetailPage

        await self.click(Label.BACK_TO_LIST)
        page = OrgDetailPage(self.page, self.timeout_ms)
        await page.arrive()
        await page.check_org_id(org_id)
        return page

