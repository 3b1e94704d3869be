"""A real SMTP server for the tests (aiosmtpd), with a login as a mail provider asks for one; every mail it takes
is kept parsed, to read back its headers and body as the people who get it would."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["MAIL_PASSWORD", "MAIL_USER", "SmtpServer", "free_port", "smtp_server", "text_of"]

MAIL_USER = "ainas-bot"
MAIL_PASSWORD = "Sm7p-Pa55-9182-zq"  # a secret the tests look for in every output: it must appear in none


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """The mails taken, in order; `url()` the apprise URL that reaches this server."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.raw: list[bytes] = []  # as received: the headers still MIME-encoded
        self.logins: list[str] = []
        self.port = free_port()
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, authenticator=self._login, auth_require_tls=False
        )

    def _login(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            MAIL_USER.encode(),
            MAIL_PASSWORD.encode(),
        )
        self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        self.raw.append(raw)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(message)
        return "250 OK"

    def url(self, *, password: str = MAIL_PASSWORD, port: int | None = None, to: str = "staff@example.jp") -> str:
        return (
            f"mailto://{MAIL_USER}:{password}@127.0.0.1:{port or self.port}"
            f"?mode=insecure&from=ainas-bot@example.jp&to={to}"
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def text_of(mail: EmailMessage) -> str:
    """The plain-text body, decoded."""
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None, mail
    content = part.get_content()
    assert isinstance(content, str)
    return content


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
