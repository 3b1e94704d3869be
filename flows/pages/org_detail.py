"""代理人組織照会: the organisation and its certificate table."""

from __future__ import annotations

import dataclasses

from ainas_bot.errors import PortalChangedError
from ainas_bot.portal_text import CERT_TABLE_COLUMNS, Label, Screen
from flows.pages._base import PortalPage, exact
from flows.pages.cert_detail import CertDetailPage
from flows.pages.cert_register import CertRegisterPage

__all__ = ["CertificateRow", "OrgDetailPage"]


@dataclasses.dataclass(frozen=True)
class CertificateRow:
    """One row of the certificate table; a pending record shows only its 登録日時."""

    registered_at: str
    trade_name_kanji: str
    holder_name_kanji: str
    expiry: str
    # Which row of the table it is: 登録日時 is shown to the minute, so two records can share their link text.
    position: int = dataclasses.field(default=0, compare=False)

    @property
    def pending(self) -> bool:
        return not (self.trade_name_kanji or self.holder_name_kanji or self.expiry)


class OrgDetailPage(PortalPage):
    screen = Screen.ORG_DETAIL

    @property
    def _table(self):  # type: ignore[no-untyped-def]
        return self.page.locator("table").filter(
            has=self.page.get_by_role("columnheader", name=exact(Label.REGISTERED_AT))
        ).last

    async def check_org_id(self, org_id: str) -> None:
        """Stop unless this is the organisation asked for."""
        shown = (await self.value_of(Label.ORG_ID).inner_text(timeout=self.timeout_ms)).strip()
        if shown != org_id:
            raise PortalChangedError(f"{self.screen}: opened {Label.ORG_ID} {shown}, expected {org_id}",
                                     screen=self.screen)

    async def certificates(self) -> list[CertificateRow]:
        """Read the certificate table by its column headers."""
        table = self._table
        if not self.shown_text:  # on a screen already seen, its document is complete: no wait
            await self.arrive(table, element="certificate table")
        table_rows = await self.rows_of(table.locator("tr"), "certificate table")
        headers = [text for row in table_rows for header, text in row if header]
        missing = [c for c in CERT_TABLE_COLUMNS if c not in headers]
        if missing:
            raise PortalChangedError(f"{self.screen}: certificate table has no column {', '.join(missing)}",
                                     screen=self.screen)
        index = {name: headers.index(name) for name in CERT_TABLE_COLUMNS}
        rows: list[CertificateRow] = []
        for position, row in enumerate(table_rows):
            cells = [text for header, text in row if not header]
            if len(cells) < len(headers):
                continue
            rows.append(CertificateRow(
                registered_at=cells[index[Label.REGISTERED_AT]],
                trade_name_kanji=cells[index[Label.TRADE_NAME_KANJI]],
                holder_name_kanji=cells[index[Label.HOLDER_NAME_KANJI]],
                expiry=cells[index[Label.EXPIRY]],
                position=position,
            ))
        return rows

    async def open_certificate(self, row: CertificateRow) -> CertDetailPage:
        """Open the 照会 of this row: its own link, not the first one with the same 登録日時."""
        link = self._table.locator("tr").nth(row.position).get_by_role("link", name=exact(row.registered_at))
        await self.act(f"link {row.registered_at}", lambda: link.click(timeout=self.timeout_ms))
        detail = CertDetailPage(self.page, self.timeout_ms)
        await detail.arrive()
        return detail

    async def start_registration(self) -> CertRegisterPage:
        await self.click(Label.CERT_REGISTER)
        page = CertRegisterPage(self.page, self.timeout_ms)
        await page.arrive()
        return page
