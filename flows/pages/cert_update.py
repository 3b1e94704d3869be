"""代理人証明書更新: type カナ, 郵便番号, 利用開始日 and the password, then 確定."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from playwright.async_api import Dialog
from pydantic import SecretStr

from ainas_bot.errors import FlowError
from ainas_bot.portal_text import Label, Message, Screen
from flows.pages._base import PortalPage, any_text
from flows.pages.cert_detail import CertDetailPage

__all__ = ["CertUpdatePage", "FieldErrorsError", "UpdateForm"]


@dataclasses.dataclass(frozen=True)
class UpdateForm:
    trade_name_kana: str
    holder_name_kana: str
    postal_code: str
    start_date: str  # YYYY/MM/DD


class FieldErrorsError(FlowError):
    """Raised when the portal shows field errors on 代理人証明書更新 (read verbatim)."""

    reason = "input"


class CertUpdatePage(PortalPage):
    screen = Screen.CERT_UPDATE

    async def update(self, form: UpdateForm, pin: SecretStr, *, on_confirm: Callable[[], None] | None = None
                     ) -> CertDetailPage:
        p = self.page
        fields = [
            (Label.TRADE_NAME_KANA, form.trade_name_kana),
            (Label.HOLDER_NAME_KANA, form.holder_name_kana),
            (Label.POSTAL_CODE, form.postal_code),
            (Label.START_DATE, form.start_date),
        ]
        for label, value in fields:
            box = p.get_by_label(label, exact=True)
            await self.act(f"field {label}", lambda box=box, value=value: box.fill(value))  # type: ignore[misc]
        await self.act(f"field {Label.CERT_PASSWORD}",
                       lambda: p.get_by_label(Label.CERT_PASSWORD, exact=True).fill(pin.get_secret_value()))
        confirmations: list[str] = []

        async def accept(dialog: Dialog) -> None:
            confirmations.append(dialog.message)
            if dialog.type == "confirm" and dialog.message == Message.CONFIRM_UPDATE:
                if on_confirm is not None:
                    on_confirm()  # from here on the portal may have registered the update
                await dialog.accept()
            else:
                await dialog.dismiss()

        p.once("dialog", accept)
        await self.click(Label.CONFIRM)
        detail = CertDetailPage(p, self.timeout_ms)
        done = detail.heading.or_(p.get_by_text(Message.UPDATED))
        errors = p.locator("tr").filter(has_text=Message.KANA_INVALID.split("{label}")[1]).or_(
            any_text(p, Message.POSTAL_INVALID, Message.DATE_INVALID, Message.DATE_BEFORE_TODAY,
                     Message.DATE_AFTER_EXPIRY, Message.WRONG_CERT_PASSWORD))
        await self.arrive(done.or_(errors).first, element=f"{Screen.CERT_DETAIL} after {Label.CONFIRM}")
        if confirmations and confirmations[0] != Message.CONFIRM_UPDATE:
            raise FlowError(f"{self.screen}: unexpected dialog: {confirmations[0]}", screen=self.screen)
        if await detail.heading.count():
            return detail
        shown = []
        for label, _ in [*fields, (Label.CERT_PASSWORD, "")]:
            message = await self.row_message(label)
            if message:
                shown.append(f"{label}: {message}")
        raise FieldErrorsError(f"{self.screen}: the portal refused the input: " + "; ".join(shown or ["(no message)"]),
                               screen=self.screen)

