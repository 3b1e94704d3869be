"""代理人証明書更新: type カナ, 郵便番号, 利用開始日 and the password, then 確定."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from ainas_bot.errors import FieldErrorsError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Message, Screen
from flows.finder.markers import Button, Field, Marker, Text, Title
from flows.pages.base import MenuPage, PortalPage
from flows.pages.cert_detail import CertDetailPage
from flows.pages.cert_update_complete import CertUpdateCompletePage
from flows.pages.elements import Element, Fields
from flows.pages.org_detail import OrgDetailPage
from flows.screens import UpdateForm

__all__ = ["CertUpdatePage", "UpdateResult", "update_results"]

UpdateResult = CertDetailPage | CertUpdateCompletePage | OrgDetailPage


def _field_errors() -> Text:
    return Text(
        Message.KANA_INVALID.split("{label}")[1],
        Message.POSTAL_INVALID,
        Message.DATE_INVALID,
        Message.DATE_BEFORE_TODAY,
        Message.DATE_AFTER_EXPIRY,
        Message.WRONG_CERT_PASSWORD,
    )


def update_results() -> tuple[Marker, ...]:
    """What may follow the last 確定: the 照会 (as the manual shows), a 完了 screen or message, or the
    organisation's 照会 (where a portal may go back to)."""
    return (
        Title(Screen.CERT_DETAIL),
        Title(Screen.CERT_UPDATE_COMPLETE),
        Text(Message.UPDATED),
        Title(Screen.ORG_DETAIL),
    )


async def result_of(page: PortalPage, found: Marker) -> UpdateResult:
    """The screen after the last 確定, as the page object of what it is."""
    if found == Title(Screen.CERT_DETAIL):
        return CertDetailPage(page.page, page.timeout_ms)
    if found == Title(Screen.ORG_DETAIL):
        org = OrgDetailPage(page.page, page.timeout_ms)
        await org.arrive()  # read as that screen (its table), settled already
        return org
    complete = CertUpdateCompletePage(page.page, page.timeout_ms)
    complete.shown_text = page.shown_text
    return complete


class CertUpdatePage(MenuPage):
    screen_name = "CERT_UPDATE"
    form = Fields(UpdateForm.labels)
    cert_password = Element(Field, "Label.CERT_PASSWORD")
    confirm_button = Element(Button, "Label.CONFIRM")

    async def update(
        self, form: UpdateForm, pin: SecretStr, *, on_confirm: Callable[[], None] | None = None
    ) -> UpdateResult:
        """Type the form and 確定; through a 確認 screen when the portal shows one (its values checked)."""
        from flows.pages.cert_update_confirm import CertUpdateConfirmPage

        # `typed` is in the order of UpdateForm.labels, the order `self.form` has the fields in.
        for field, value in zip(self.form, form.typed().values(), strict=True):
            await self.fill(field, value)
        await self.fill(self.cert_password, pin)
        confirm_title = Title(Screen.CERT_UPDATE_CONFIRM)
        with self.submitting():
            if on_confirm is not None:
                on_confirm()  # from here on the portal may have registered the update
            errors = _field_errors()
            async with self.tab.leaving():  # an opener still on 代理人証明書照会 is not where the portal went
                await self.click(self.confirm_button)
                found = await self.arrive(
                    *update_results(),
                    confirm_title,
                    errors,
                    element=_("{screen} after {button}").format(
                        screen=Screen.CERT_DETAIL, button=self.confirm_button.caption
                    ),
                )
                if found not in (confirm_title, errors):
                    return await result_of(self, found)
        if found == confirm_title:
            return await CertUpdateConfirmPage(self.page, self.timeout_ms).confirm(form)
        shown = []
        for label in [*form.typed(), self.cert_password.label]:
            message = await self.row_message(label)
            if message:
                shown.append(f"{label}: {message}")
        raise FieldErrorsError(
            _("{screen}: the portal refused the input: {errors}").format(
                screen=self.screen, errors="; ".join(shown) if shown else _("(no message)")
            ),
            screen=self.screen,
        )
