"""代理人証明書照会: what the portal read from the certificate, and what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
        values: dict[str, str] = {}
        for label in CERT_DETAIL_ROWS:
            cell = self.value_of(label)
            text = await self.act(f"row {label}", lambda cell=cell: cell.inner_text(timeout=self.timeout_ms))  # type: ignore[misc]
            values[label] = text.strip()
        return values

    async def start_update(self) -> CertUpdatePage:
        from flows.pages.cert_update import CertUpdatePage

        await self.click(Label.CERT_UPDATE)
        page = CertUpdatePage(self.page, self.timeout_ms)
        await page.arrive()
        return page

    async def back_to_org(self) -> OrgDetailPage:
        from flows.pages.org_detail import OrgDetailPage

        await self.click(Label.BACK_TO_LIST)
        page = OrgDetailPage(self.page, self.timeout_ms)
        await page.arrive()
        return page

