"""What stops the work on any screen, read from the screen's text: a maintenance page, a lost session, a
refusal, a proxy that could not reach the portal or did not trust it; each turned into our error naming the
screen."""

from __future__ import annotations

from ainas_bot.errors import PortalAuthError, PortalChangedError, PortalUnavailableError, PortalUntrustedError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Message
from flows.finder.locate import Text, normalise

__all__ = ["CERT_ERRORS", "UNTRUSTED", "first_line", "interruptions", "raise_if_shown", "shows"]

# Playwright's client-certificate proxy answers a TLS failure with a 503 page of this text.
UNTRUSTED = "Playwright client-certificate error"
# Net errors of a server certificate that is not trusted (Chromium, Firefox).
CERT_ERRORS = ("ERR_CERT", "SEC_ERROR", "SSL_ERROR_BAD_CERT", "MOZILLA_PKIX_ERROR", "CERT_AUTHORITY")
_UNTRUSTED_DETAIL = ("self-signed", "self signed", "unable to verify", "CERT_")


# Messages after which the whole session is gone: a retry must start again from the login.
def _session_lost() -> tuple[str, ...]:
    return (Message.SESSION_EXPIRED, Message.SESSION_REPLACED)


def interruptions() -> Text:
    """Any of what stops the work, as one marker an arrival also waits for."""
    return Text(
        Message.MAINTENANCE,
        *_session_lost(),
        Message.ACCESS_DENIED,
        Message.INVALID_TRANSITION,
        Message.DOUBLE_SUBMIT,
        UNTRUSTED,
    )


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def shows(body: str, message: str) -> bool:
    """Whether the screen's text holds `message`, whatever its spaces and widths."""
    return normalise(message) in normalise(body)


def raise_if_shown(screen: str, body: str) -> None:
    """Our error for what `body`, the text of `screen`, says stops the work; nothing when it says none."""
    if UNTRUSTED in body and any(d in body for d in _UNTRUSTED_DETAIL):
        raise PortalUntrustedError(
            _(
                "the portal's server certificate is not trusted; set portal_ca to the portal's CA "
                "(nothing secret was typed)"
            ),
            screen=screen,
        )
    if shows(body, Message.MAINTENANCE):
        raise PortalUnavailableError(
            _("{screen}: the portal shows its maintenance page").format(screen=screen), screen=screen
        )
    if UNTRUSTED in body:  # the proxy could not reach the portal
        raise PortalUnavailableError(f"{screen}: {body.strip().splitlines()[0]}", screen=screen)
    for message in _session_lost():
        if shows(body, message):
            raise PortalUnavailableError(
                _("{screen}: session lost: {message}").format(screen=screen, message=message), screen=screen
            )
    for message in (
        Message.ACCESS_DENIED,
        Message.INVALID_TRANSITION,
        Message.DOUBLE_SUBMIT,
        Message.NO_ADMIN_RIGHTS,
    ):
        if shows(body, message):
            refused = message in (Message.ACCESS_DENIED, Message.NO_ADMIN_RIGHTS)
            raise (PortalAuthError if refused else PortalChangedError)(
                _("{screen}: the portal says: {message}").format(screen=screen, message=message), screen=screen
            )
