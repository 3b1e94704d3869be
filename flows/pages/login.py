"""ログイン: the only screen reached by URL."""

from __future__ import annotations

from typing import ClassVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from pydantic import SecretStr

from ainas_bot.errors import PortalAuthError, PortalUnavailableError, PortalUntrustedError, ServiceHoursError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Message, Screen
from flows.finder.markers import Button, Field, Text
from flows.pages.base import CERT_ERRORS, PortalPage, first_line, shows
from flows.pages.elements import Element
from flows.pages.home import HomePage

__all__ = ["LoginPage"]


def _refusals() -> dict[str, str]:
    return {
        Message.LOGIN_FAILED: _("{screen}: wrong login ID or password (the portal says: {message}); not retried"),
        Message.ACCOUNT_LOCKED: _("{screen}: the account is locked (the portal says: {message}); not retried"),
        Message.CLOSED_HOURS: _(
            "{screen}: the portal is outside its service hours (the portal says: {message}); not retried"
        ),
    }


class LoginPage(PortalPage):
    screen_name = "LOGIN"
    # Known by its field: its title is the system's name, shown on other screens too.
    known_by_title: ClassVar[bool] = False
    login_id = Element(Field, "Label.LOGIN_ID")
    password = Element(Field, "Label.PASSWORD")
    login_button = Element(Button, "Label.LOGIN")

    @classmethod
    async def open(cls, page: Page, url: str, timeout_ms: float) -> LoginPage:
        login = cls(page, timeout_ms)
        try:
            await page.goto(url, timeout=timeout_ms, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            if any(marker in str(exc) for marker in CERT_ERRORS):
                raise PortalUntrustedError(
                    _(
                        "{screen}: the portal's server certificate is not trusted ({reason}); set portal_ca (nothing "
                        "secret was typed)"
                    ).format(screen=Screen.LOGIN, reason=first_line(exc)),
                    screen=Screen.LOGIN,
                ) from None
            raise PortalUnavailableError(
                _("{screen}: cannot open {url}: {reason}").format(screen=Screen.LOGIN, url=url, reason=first_line(exc)),
                screen=Screen.LOGIN,
            ) from None
        await login.arrive(login.login_id, element=str(login.login_id))
        return login

    async def log_in(self, login_id: str, password: SecretStr) -> HomePage:
        """Type the ID and password once; a refusal is reported, never retried (accounts lock)."""
        await self.fill(self.login_id, login_id)
        await self.fill(self.password, password)
        await self.click(self.login_button)
        home = HomePage(self.page, self.timeout_ms)
        refusals = _refusals()
        logout = home.logout_button
        await home.arrive(logout, Text(*refusals), element=_("{button} after login").format(button=logout.caption))
        for text, refusal in refusals.items():
            if shows(home.shown_text, text):
                error = ServiceHoursError if text == Message.CLOSED_HOURS else PortalAuthError
                raise error(refusal.format(screen=Screen.LOGIN, message=text), screen=Screen.LOGIN)
        return home
