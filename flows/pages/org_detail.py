"""代理人組織照会: the organisation and its certificate table."""

from __future__ import annotations

from playwright.async_api import Locator

from ainas_bot.errors import PortalChangedError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from flows.decision import CertificateRow
from flows.finder.markers import Button
from flows.finder.text import normalise
from flows.pages.base import MenuPage
from flows.pages.cert_detail import CertDetailPage
from flows.pages.cert_register import CertRegisterPage
from flows.pages.elements import Columns, Element, Row

__all__ = ["CertificateRow", "OrgDetailPage", "row_locator"]

# The rows of this table, not of a table nested in it or around it, in the order `table.rows` has them.
_OWN_ROWS = ":scope > thead > tr, :scope > tbody > tr, :scope > tr, :scope > tfoot > tr"


def row_locator(table: Locator, index: int) -> Locator:
    return table.locator(_OWN_ROWS).nth(index)


class OrgDetailPage(MenuPage):
    screen_name = "ORG_DETAIL"
    certificate_table = Columns("CERT_TABLE_COLUMNS")
    register_button = Element(Button, "Label.CERT_REGISTER")
    back_button = Element(Button, "Label.BACK_TO_LIST", required=False)  # not acted on here: the probe reports it
    org_id_row = Row("Label.ORG_ID")
    org_name_row = Row("Label.ORG_NAME")

    async def check_org_id(self, org_id: str) -> None:
        """Stop unless this is the organisation asked for."""
        label = self.org_id_row
        shown = (await self.pairs((label,)))[label]
        if shown is None:
            raise PortalChangedError(
                _("{screen}: no row {labels}").format(screen=self.screen, labels=label), screen=self.screen
            )
        if normalise(shown) != normalise(org_id):
            raise PortalChangedError(
                _("{screen}: opened {label} {shown}, expected {expected}").format(
                    screen=self.screen, label=label, shown=shown, expected=org_id
                ),
                screen=self.screen,
            )

    async def org_name(self) -> str:
        """The organisation's 代理人組織名, from its key/value row."""
        label = self.org_name_row
        shown = (await self.pairs((label,)))[label]
        if shown is None:
            raise PortalChangedError(
                _("{screen}: no row {labels}").format(screen=self.screen, labels=label), screen=self.screen
            )
        return shown

    async def certificates(self) -> list[CertificateRow]:
        """The certificate table, by its column headers, read from the settled screen; a table without a row
        is read again once the screen stayed settled for the grace period (rows a late script brings)."""
        rows = await self._rows()
        if not rows:
            await self.look_again()
            rows = await self._rows()
        return rows

    async def _rows(self) -> list[CertificateRow]:
        _table, rows = await self.table(self.certificate_table)
        return [
            CertificateRow(
                registered_at=cells[Label.REGISTERED_AT],
                trade_name_kanji=cells[Label.TRADE_NAME_KANJI],
                holder_name_kanji=cells[Label.HOLDER_NAME_KANJI],
                expiry=cells[Label.EXPIRY],
                position=index,
            )
            for index, cells in rows
            if cells[Label.REGISTERED_AT].strip()
        ]

    async def open_certificate(self, row: CertificateRow) -> CertDetailPage:
        """Open the 照会 of this row: its own link, not the first one with the same 登録日時."""
        table, _rows = await self.table(self.certificate_table)
        await self.click(row.registered_at, scope=row_locator(table, row.position))
        detail = CertDetailPage(self.page, self.timeout_ms)
        await detail.arrive()
        return detail

    async def start_registration(self) -> CertRegisterPage:
        """`+ 代理人証明書登録`: the form, in this window or in the one the portal opens for it."""
        await self.click(self.register_button)
        page = CertRegisterPage(self.page, self.timeout_ms)
        await page.arrive()
        return page
