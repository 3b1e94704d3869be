"""代理人証明書照会: what the portal read from the certificate, and what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ainas_bot.errors import PortalChangedError
from ainas_bot.i18n import _
from flows.finder.markers import Button
from flows.pages.base import MenuPage, PortalPage
from flows.pages.elements import Element, Rows

if TYPE_CHECKING:
    from flows.pages.cert_update import CertUpdatePage
    from flows.pages.org_detail import OrgDetailPage

__all__ = ["CertDetailPage", "read_rows"]


async def read_rows(page: PortalPage, labels: tuple[str, ...]) -> dict[str, str]:
    """These key/value rows of a settled screen; portal-changed naming the rows it does not show."""
    shown = await page.pairs(labels)
    missing = [label for label in labels if shown.get(label) is None]
    if missing:
        raise PortalChangedError(
            _("{screen}: no row {labels}").format(screen=page.screen, labels=", ".join(missing)), screen=page.screen
        )
    return {label: shown[label] or "" for label in labels}


class CertDetailPage(MenuPage):
    screen_name = "CERT_DETAIL"
    update_button = Element(Button, "Label.CERT_UPDATE")
    back_button = Element(Button, "Label.BACK_TO_LIST", required=False)  # else back by the menu
    record = Rows("CERT_DETAIL_ROWS")

    async def read(self) -> dict[str, str]:
        """Every row of the screen, label → value as shown."""
        return await read_rows(self, self.record)

    async def start_update(self) -> CertUpdatePage:
        from flows.pages.cert_update import CertUpdatePage

        await self.click(self.update_button)
        page = CertUpdatePage(self.page, self.timeout_ms)
        await page.arrive()
        return page

    async def can_go_back_to_org(self) -> bool:
        return await self.has(self.back_button)

    async def back_to_org(self, org_id: str) -> OrgDetailPage:
        """`↑ 一覧に戻る`: the organisation's 代理人組織照会, checked to be `org_id`'s."""
        from flows.pages.org_detail import OrgDetailPage

        await self.click(self.back_button)
        page = OrgDetailPage(self.page, self.timeout_ms)
        await page.arrive()
        await page.check_org_id(org_id)
        return page
