"""代理人証明書登録: upload the .p12 and its password."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from ainas_bot.errors import FlowError, PortalChangedError
from ainas_bot.portal_text import Label, Message, Screen
from flows.pages._base import PortalPage, any_text
from flows.pages.cert_detail import CertDetailPage

__all__ = ["CertRegisterPage", "UploadRefusedError"]

_REFUSALS = (Message.FILE_NOT_P12, Message.WRONG_CERT_PASSWORD, Message.CERT_EXPIRED,
             Message.CERT_NOT_YET_VALID, Message.CERT_ALREADY_REGISTERED)


class UploadRefusedError(FlowError):
    """Raised when the portal refuses the uploaded certificate (its message is the text)."""

    reason = "certificate"


class CertRegisterPage(PortalPage):
    screen = Screen.CERT_REGISTER

    async def upload(self, p12: Path, pin: SecretStr) -> CertDetailPage:
        """Choose the file, type the password, 確定 → 代理人証明書照会 of the new record."""
        p = self.page
        await self.act(f"field {Label.CERT_FILE}",
                       lambda: p.get_by_label(Label.CERT_FILE, exact=True).set_input_files(p12))
        await self.act(f"field {Label.CERT_PASSWORD}",
                       lambda: p.get_by_label(Label.CERT_PASSWORD, exact=True).fill(pin.get_secret_value()))
        await self.click(Label.CONFIRM)
        detail = CertDetailPage(p, self.timeout_ms)
        refusal = any_text(p, *_REFUSALS)
        await detail.arrive(detail.heading.or_(refusal).first, element=f"{Screen.CERT_DETAIL} after upload")
        for text in _REFUSALS:
            if text in detail.shown_text:
                raise UploadRefusedError(f"{self.screen}: the portal refused the certificate: {text}",
                                         screen=self.screen)
        if not await detail.heading.count():
            raise PortalChangedError(f"{self.screen}: no {Screen.CERT_DETAIL} after {Label.CONFIRM}",
                                     screen=self.screen)
        return detail
