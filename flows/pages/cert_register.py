"""代理人証明書登録: upload the .p12 and its password."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from ainas_bot._i18n import _
from ainas_bot.errors import PortalChangedError, UploadRefusedError
from ainas_bot.portal_text import Label, Message, Screen
from flows.finder import Button, Field, Marker, Text, Title
from flows.pages._base import PortalPage, shows
from flows.pages.cert_detail import CertDetailPage

__all__ = ["CertRegisterPage"]

def _refusals() -> tuple[str, ...]:
    return (Message.FILE_NOT_P12, Message.WRONG_CERT_PASSWORD, Message.CERT_EXPIRED, Message.CERT_NOT_YET_VALID,
            Message.CERT_ALREADY_REGISTERED)


class CertRegisterPage(PortalPage):
    screen_name = "CERT_REGISTER"

    def uses(self) -> tuple[Marker, ...]:
        return (*super().uses(), Field(Label.CERT_FILE), Field(Label.CERT_PASSWORD), Button(Label.CONFIRM))

    async def upload(self, p12: Path, pin: SecretStr) -> CertDetailPage:
        """Choose the file, type the password, 確定 → 代理人証明書照会 of the new record (in the opener, when
        the form was a window of its own that closes)."""
        await self.choose_file(Label.CERT_FILE, p12)
        await self.fill(Label.CERT_PASSWORD, pin)
        detail = CertDetailPage(self.page, self.timeout_ms)
        with self.submitting():
            await self.click(Label.CONFIRM)
            found = await detail.arrive(Title(Screen.CERT_DETAIL), Text(*_refusals()),
                                        element=_("{screen} after upload").format(screen=Screen.CERT_DETAIL))
        for text in _refusals():
            if shows(detail.shown_text, text):
                raise UploadRefusedError(_("{screen}: the portal refused the certificate: {message}").format(
                    screen=self.screen, message=text), screen=self.screen)
        if not isinstance(found, Title):
            raise PortalChangedError(_("{screen}: no {expected} after {button}").format(
                screen=self.screen, expected=Screen.CERT_DETAIL, button=Label.CONFIRM), screen=self.screen)
        return detail
