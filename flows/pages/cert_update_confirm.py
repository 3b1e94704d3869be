"""代理人証明書更新確認: a 確認 screen some portals show before the update: check it repeats what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ainas_bot.errors import PortalMismatchError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label, Screen
from flows.finder.locate import Button, normalise, portal_date
from flows.pages.base import MenuPage
from flows.pages.cert_detail import read_rows
from flows.pages.elements import Element, Rows
from flows.screens import UpdateForm

if TYPE_CHECKING:
    from flows.pages.cert_update import UpdateResult

__all__ = ["CertUpdateConfirmPage"]


def _same(label: str, shown: str, typed: str) -> bool:
    if label == Label.START_DATE:
        try:
            return portal_date(shown) == portal_date(typed)
        except ValueError:
            return False
    return normalise(shown) == normalise(typed)


class CertUpdateConfirmPage(MenuPage):
    screen_name = "CERT_UPDATE_CONFIRM"
    shown_back = Rows(UpdateForm.labels)  # what the form was typed with
    confirm_button = Element(Button, "Label.CONFIRM")

    async def confirm(self, form: UpdateForm) -> UpdateResult:
        """確定 once every typed value is shown back as typed; stop (nothing registered) otherwise."""
        from flows.pages.cert_update import result_of, update_results

        typed = form.typed()
        shown = await read_rows(self, self.shown_back)
        differences = [
            _("{label}: the 確認 screen shows '{shown}', typed '{typed}'").format(
                label=label, shown=shown[label], typed=value
            )
            for label, value in typed.items()
            if not _same(label, shown[label], value)
        ]
        if differences:
            raise PortalMismatchError(f"{self.screen}: " + _("; ").join(differences), screen=self.screen)
        with self.submitting():
            await self.click(self.confirm_button)
            found = await self.arrive(
                *update_results(),
                element=_("{screen} after {button}").format(
                    screen=Screen.CERT_DETAIL, button=self.confirm_button.caption
                ),
            )
        return await result_of(self, found)
