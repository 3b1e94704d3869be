"""代理人証明書登録: upload the .p12 and its password."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from ainas_bot.errors import PortalChangedError, UploadRefusedError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Message, Screen
from flows.finder.markers import Button, Field, Text, Title
from flows.pages.base import MenuPage, shows
from flows.pages.cert_detail import CertDetailPage
from flows.pages.elements import Element

if TYPE_CHECKING:
    from flows.pages.org_detail import OrgDetailPage

__all__ = ["CertRegisterPage"]

log = logging.getLogger(__name__)


def _refusals() -> tuple[str, ...]:
    return (
        Message.FILE_NOT_P12,
        Message.WRONG_CERT_PASSWORD,
        Message.CERT_EXPIRED,
        Message.CERT_NOT_YET_VALID,
        Message.CERT_ALREADY_REGISTERED,
    )


class CertRegisterPage(MenuPage):
    screen_name = "CERT_REGISTER"
    cert_file = Element(Field, "Label.CERT_FILE")
    cert_password = Element(Field, "Label.CERT_PASSWORD")
    confirm_button = Element(Button, "Label.CONFIRM")

    async def upload(self, p12: Path, pin: SecretStr) -> CertDetailPage | OrgDetailPage:
        """Choose the file, type the password, 確定 → wherever the portal went: 代理人証明書照会 of the new
        record (as the manual shows; in the opener, when the form was a window of its own that closes), or the
        organisation's 代理人組織照会, there or through a 完了 screen, where the new record waits as a pending row."""
        from flows.pages.org_detail import OrgDetailPage

        await self.choose_file(self.cert_file, p12)
        await self.fill(self.cert_password, pin)
        detail = CertDetailPage(self.page, self.timeout_ms)
        went = (Title(Screen.CERT_DETAIL), Title(Screen.ORG_DETAIL), Title(Screen.CERT_REGISTER_COMPLETE))
        with self.submitting():
            async with self.tab.leaving():
                await self.click(self.confirm_button)
                found = await detail.arrive(
                    *went, Text(*_refusals()), element=_("{screen} after upload").format(screen=Screen.CERT_DETAIL)
                )
                for text in _refusals():
                    if shows(detail.shown_text, text):
                        raise UploadRefusedError(
                            _("{screen}: the portal refused the certificate: {message}").format(
                                screen=self.screen, message=text
                            ),
                            screen=self.screen,
                        )
                if found == Title(Screen.CERT_DETAIL):
                    return detail
                if found == Title(Screen.CERT_REGISTER_COMPLETE):
                    log.info(
                        "%s",
                        _("{screen}: the portal shows {complete}; back to {org}").format(
                            screen=self.screen, complete=Screen.CERT_REGISTER_COMPLETE, org=Screen.ORG_DETAIL
                        ),
                    )
                    await detail.click(detail.back_button)
                elif found != Title(Screen.ORG_DETAIL):
                    raise PortalChangedError(
                        _("{screen}: no {expected} after {button}").format(
                            screen=self.screen, expected=Screen.CERT_DETAIL, button=self.confirm_button.caption
                        ),
                        screen=self.screen,
                    )
                # Still within: the screen beneath, shown before the upload, is not the one the portal went to.
                org = OrgDetailPage(self.page, self.timeout_ms)
                await org.arrive()
                return org
