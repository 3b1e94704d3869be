"""What the renewal needs of each AINAS screen, and of the browser it reaches them through: no browser here.

The page objects of `flows.pages` are the real screens, and satisfy these protocols as they stand (mypy
holds them to it, `flows.session` and `flows.renewal` use nothing else). A fake portal in the tests
satisfies them too, so every decision of the session (resume, retry, give up, never upload twice) is a
unit test that starts no browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.portal_text import Label
from flows.decision import CertificateRow

__all__ = [
    "CertDetail",
    "CertRegister",
    "CertUpdate",
    "CertUpdateComplete",
    "Connect",
    "Connection",
    "Menu",
    "OrgDetail",
    "OrgSearch",
    "Tracing",
    "UpdateForm",
]


@dataclasses.dataclass(frozen=True)
class UpdateForm:
    """What 代理人証明書更新 has typed into it, besides the PIN."""

    trade_name_kana: str
    holder_name_kana: str
    postal_code: str
    start_date: str  # YYYY/MM/DD

    @staticmethod
    def labels() -> tuple[str, ...]:
        """The form's fields, in the order they are typed."""
        return (Label.TRADE_NAME_KANA, Label.HOLDER_NAME_KANA, Label.POSTAL_CODE, Label.START_DATE)

    def typed(self) -> dict[str, str]:
        return dict(
            zip(
                self.labels(),
                (self.trade_name_kana, self.holder_name_kana, self.postal_code, self.start_date),
                strict=True,
            )
        )


class Menu(Protocol):
    """Any screen after the login: its menu leads to 代理人組織管理."""

    async def go_to_org_management(self) -> OrgSearch: ...


class OrgSearch(Protocol):
    """代理人組織検索."""

    async def search(self, org_id: str) -> OrgSearch: ...

    async def open_org(self, org_id: str) -> OrgDetail: ...


@runtime_checkable
class OrgDetail(Menu, Protocol):
    """代理人組織照会: the organisation's name and its certificate table."""

    async def org_name(self) -> str: ...

    async def certificates(self) -> list[CertificateRow]: ...

    async def open_certificate(self, row: CertificateRow) -> CertDetail: ...

    async def start_registration(self) -> CertRegister: ...


class CertRegister(Protocol):
    """代理人証明書登録: the .p12 and its PIN."""

    async def upload(self, p12: Path, pin: SecretStr) -> CertDetail | OrgDetail:
        """The 照会 of the new record, or the organisation's 照会 where the portal went instead."""
        ...


@runtime_checkable
class CertDetail(Menu, Protocol):
    """代理人証明書照会: what the portal read from the certificate, and what was typed."""

    async def read(self) -> dict[str, str]: ...

    async def start_update(self) -> CertUpdate: ...

    async def can_go_back_to_org(self) -> bool: ...

    async def back_to_org(self, org_id: str) -> OrgDetail: ...


class CertUpdateComplete(Protocol):
    """A 完了 screen some portals show after the update instead of the 照会: it shows no values."""

    async def back_to_org(self, org_id: str) -> OrgDetail: ...


class CertUpdate(Protocol):
    """代理人証明書更新: the form, then 確定 (through a 確認 screen where the portal has one)."""

    async def update(
        self, form: UpdateForm, pin: SecretStr, *, on_confirm: Callable[[], None] | None = None
    ) -> CertDetail | CertUpdateComplete | OrgDetail: ...


class Tracing(Protocol):
    """The trace of a session's screens, which must never hold a secret being typed."""

    async def start(self) -> None: ...

    async def pause_for_secret(self) -> None: ...

    async def discard(self) -> None: ...


class Connection(Protocol):
    """One browser context presenting one office's client certificate: a window at a time in it."""

    @property
    def tracing(self) -> Tracing: ...

    async def log_in(self, login_id: str, password: SecretStr) -> Menu:
        """Open a window on the login screen and log in; the screen after it."""

    async def log_out(self) -> None: ...

    async def save_artifacts(self, office_id: str) -> list[str]:
        """Keep what a person needs to see a final failure (screenshot, HTML, trace); their paths."""

    async def close_window(self) -> None: ...


# A new connection for the rest of a login's offices, presenting this office's client certificate. A
# browser that dies under it leaves the context as `BrowserLostError`.
Connect = Callable[[PreparedOffice], AbstractAsyncContextManager[Connection]]
