"""代理人組織照会: the organisation and its certificate table."""

from __future__ import annotations

from playwright.async_api import Locator

from ainas_bot import portal_text
from ainas_bot.errors import PortalChangedError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from flows.decision import CertificateRow
from flows.finder.locate import Button, Marker
from flows.finder.text import normalise
from flows.pages.base import PortalPage
from flows.pages.cert_detail import CertDetailPage
from flows.pages.cert_register import CertRegisterPage

__all__ = ["CertificateRow", "OrgDetailPage", "row_locator"]

# The rows of this table, not of a table nested in it or around it, in the order `table.rows` has them.
_OWN_ROWS = ":scope > thead > tr, :scope > tbody > tr, :scope > tr, :scope > tfoot > tr"


def row_locator(table: Locator, index: int) -> Locator:
    return table.locator(_OWN_ROWS).nth(index)


class OrgDetailPage(PortalPage):
    screen_name = "ORG_DETAIL"

    def uses(self) -> tuple[Marker, ...]:
        return (*super().uses(), Button(Label.CERT_REGISTER))

    def reads(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        return (Label.ORG_ID, Label.ORG_NAME), (portal_text.CERT_TABLE_COLUMNS,)

    async def check_org_id(self, org_id: str) -> None:
        """Stop unless this is the organisation asked for."""
        shown = (await self.pairs((Label.ORG_ID,)))[Label.ORG_ID]
        if shown is None:
            raise PortalChangedError(
                _("{screen}: no row {labels}").format(screen=self.screen, labels=Label.ORG_ID), screen=self.screen
            )
        if normalise(shown) != normalise(org_id):
            raise PortalChangedError(
                _("{screen}: opened {label} {shown}, expected {expected}").format(
                    screen=self.screen, label=Label.ORG_ID, shown=shown, expected=org_id
                ),
                screen=self.screen,
            )

    async def org_name(self) -> str:
        """The organisation's 代理人組織名, from its key/value row."""
        shown = (await self.pairs((Label.ORG_NAME,)))[Label.ORG_NAME]
        if shown is None:
            raise PortalChangedError(
                _("{screen}: no row {labels}").format(screen=self.screen, labels=Label.ORG_NAME), screen=self.screen
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
        _table, rows = await self.table(portal_text.CERT_TABLE_COLUMNS)
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
        table, _rows = await self.table(portal_text.CERT_TABLE_COLUMNS)
        await self.click(row.registered_at, scope=row_locator(table, row.position))
        detail = CertDetailPage(self.page, self.timeout_ms)
        await detail.arrive()
        return detail

    async def start_registration(self) -> CertRegisterPage:
        """`+ 代理人証明書登録`: the form, in this window or in the one the portal opens for it."""
        await self.click(Label.CERT_REGISTER)
        page = CertRegisterPage(self.page, self.timeout_ms)
        await page.arrive()
        return page
