"""ログイン: the only screen reached by URL."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from pydantic import SecretStr

from ainas_bot.errors import PortalAuthError, PortalUnavailableError, PortalUntrustedError
from ainas_bot.portal_text import Label, Message, Screen
from flows.pages._base import _CERT_ERRORS, PortalPage, _first_line, any_text
from flows.pages.home import HomePage

__all__ = ["LoginPage"]


class LoginPage(PortalPage):
    screen = Screen.LOGIN

    @classmethod
    async def open(cls, page: Page, url: str, timeout_ms: float) -> LoginPage:
        login = cls(page, timeout_ms)
        try:
            await page.goto(url, timeout=timeout_ms, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            if any(marker in str(exc) for marker in _CERT_ERRORS):
                raise PortalUntrustedError(
                    f"{Screen.LOGIN}: the portal's server certificate is not trusted ({_first_line(exc)}); "
                    "set portal_ca (nothing secret was typed)", screen=Screen.LOGIN) from None
            raise PortalUnavailableError(f"{Screen.LOGIN}: cannot open {url}: {_first_line(exc)}",
                                         screen=Screen.LOGIN) from None
        await login.arrive(page.get_by_label(Label.LOGIN_ID), element=f"field {Label.LOGIN_ID}")
        return login

    async def log_in(self, login_id: str, password: SecretStr) -> HomePage:
        """Type the ID and password once; a refusal is reported, never retried (accounts lock)."""
        p = self.page
        await self.act(f"field {Label.LOGIN_ID}", lambda: p.get_by_label(Label.LOGIN_ID).fill(login_id))
        await self.act(f"field {Label.PASSWORD}",
                       lambda: p.get_by_label(Label.PASSWORD, exact=True).fill(password.get_secret_value()))
        await self.click(Label.LOGIN)
        home = HomePage(p, self.timeout_ms)
        refusals = {
            Message.LOGIN_FAILED: "wrong login ID or password",
            Message.ACCOUNT_LOCKED: "the account is locked",
            Message.CLOSED_HOURS: "the portal is outside its service hours",
        }
        outcome = home.menu(Label.LOGOUT).or_(any_text(p, *refusals))
        await home.arrive(outcome, element=f"link {Label.LOGOUT} after login")
        for text, meaning in refusals.items():
            if text in home.shown_text:
                error = PortalUnavailableError if text == Message.CLOSED_HOURS else PortalAuthError
                raise error(f"{Screen.LOGIN}: {meaning} (the portal says: {text}); not retried",
                            screen=Screen.LOGIN)
        return home
