"""The project's exceptions, the classes of failure (`Reason`) and the one table from a class to its exit code.

Every error has a `reason`; `EXIT_OF_REASON` gives its exit code, both to `ainas_bot.cli.main.main` (the one
place that turns an `AinasBotError` into a message and a code) and to a run of offices, which keeps each
office's reason in that office's outcome (`results.outcome.run_exit_code`). Every message is one line that
names the file, office or field and says what to do (`ConfigProblems`: several such lines).
"""

from __future__ import annotations

import enum
from typing import Self

from ainas_bot.i18n import _

__all__ = [
    "EXIT_CERTIFICATE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_LOCKED",
    "EXIT_OF_REASON",
    "EXIT_OK",
    "EXIT_USAGE",
    "AinasBotError",
    "BackwardsError",
    "BrowserLostError",
    "CertificateError",
    "ConfigError",
    "ConfigProblems",
    "FieldErrorsError",
    "FlowError",
    "IdentityError",
    "InputError",
    "LockHeldError",
    "OutputError",
    "PortalAuthError",
    "PortalChangedError",
    "PortalMismatchError",
    "PortalUnavailableError",
    "PortalUntrustedError",
    "Reason",
    "ServiceHoursError",
    "UploadRefusedError",
    "WrongPinError",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CERTIFICATE = 3
EXIT_LOCKED = 4
EXIT_INTERRUPTED = 130


class Reason(enum.StrEnum):
    """The class of a failure, as reports, the audit log and scripts name it (the value is the key written)."""

    ERROR = "error"
    INPUT = "input"
    CERTIFICATE = "certificate"
    LOCKED = "locked"
    OUTPUT = "output"
    AUTH = "auth"
    PORTAL_UNAVAILABLE = "portal-unavailable"
    PORTAL_UNTRUSTED = "portal-untrusted"
    PORTAL_CHANGED = "portal-changed"
    MISMATCH = "mismatch"
    IDENTITY = "identity"
    INTERRUPTED = "interrupted"


# The classes with an exit code of their own (README "Exit codes"); every other class is 1.
EXIT_OF_REASON = {
    Reason.INPUT: EXIT_USAGE,
    Reason.CERTIFICATE: EXIT_CERTIFICATE,
    Reason.LOCKED: EXIT_LOCKED,
    Reason.INTERRUPTED: EXIT_INTERRUPTED,
}


class AinasBotError(Exception):
    """Raised for any failure the user must act on; its text is the one-line message shown.

    An error about a file keeps its parts instead of a finished sentence (`about`): `file` (the file, or a
    setting and its file), `fault` (what is wrong with it) and `advice` (what to do, if anything). Code wanting
    one part reads it; the sentence is made from them when the error is shown. A message given whole is its own
    fault.
    """

    reason = Reason.ERROR
    transient = False  # a fault worth another attempt after a backoff (the portal's, passing)

    def __init__(
        self, message: str = "", *, file: str | None = None, fault: str | None = None, advice: str | None = None
    ) -> None:
        super().__init__(message)
        self.file = file
        self.fault = message if fault is None else fault
        self.advice = advice

    @classmethod
    def about(cls, file: object, fault: str, advice: str | None = None) -> Self:
        """An error about `file` (None: about nothing named), saying what is wrong with it and what to do."""
        return cls(file=None if file is None else str(file), fault=fault, advice=advice)

    def __str__(self) -> str:
        message = super().__str__()
        if message:
            return message
        if self.file is None:
            return (
                self.fault
                if self.advice is None
                else _("{fault}; {advice}").format(fault=self.fault, advice=self.advice)
            )
        if self.advice is None:
            return _("{file}: {fault}").format(file=self.file, fault=self.fault)
        return _("{file}: {fault}; {advice}").format(file=self.file, fault=self.fault, advice=self.advice)

    @property
    def exit_code(self) -> int:
        return EXIT_OF_REASON.get(self.reason, EXIT_FAILED)


class ConfigError(AinasBotError):
    """Raised when settings, an inventory or command-line usage is wrong."""

    reason = Reason.INPUT


class ConfigProblems(ConfigError):
    """Raised when several settings or inventory entries are wrong at once; each of `lines` is one, all shown."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = tuple(lines)
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        super().__init__(lines[0] + more)


class InputError(ConfigError):
    """Raised when a value an operator must type (カナ, 郵便番号, 利用開始日) is not valid."""


class CertificateError(AinasBotError):
    """Raised when a .p12 cannot be opened or its certificate cannot be used (PIN, file, validity); `fault` says
    what is wrong with the file without its name or the advice (why a file of a folder was passed over)."""

    reason = Reason.CERTIFICATE


class WrongPinError(CertificateError):
    """Raised when a PIN or password does not open a .p12 (its integrity check fails with it)."""


class LockHeldError(AinasBotError):
    """Raised when another run holds the lock file."""

    reason = Reason.LOCKED


class OutputError(AinasBotError):
    """Raised when a report, the audit log, the lock file or an artifact cannot be written where it must be."""

    reason = Reason.OUTPUT


class FlowError(AinasBotError):
    """Raised when the portal flow for an office cannot complete; `reason` is the outcome class."""

    reason = Reason.PORTAL_CHANGED

    def __init__(self, message: str, *, screen: str | None = None) -> None:
        super().__init__(message)
        self.screen = screen


class PortalAuthError(FlowError):
    """Raised when the portal refuses the login (password, lock, rights) or the office is not this login's."""

    reason = Reason.AUTH


class PortalUnavailableError(FlowError):
    """Raised when the portal is closed or in maintenance, times out, drops the connection or the session."""

    reason = Reason.PORTAL_UNAVAILABLE
    transient = True


class ServiceHoursError(PortalUnavailableError):
    """Raised when the portal says it is outside its service hours: unavailable, but not for a retry soon."""

    transient = False


class BrowserLostError(PortalUnavailableError):
    """Raised when the browser, or the connection to its browser server, dies under a login's session."""


class PortalUntrustedError(FlowError):
    """Raised when the portal's server certificate is not trusted; nothing secret has been typed."""

    reason = Reason.PORTAL_UNTRUSTED


class PortalChangedError(FlowError):
    """Raised when a screen does not look as expected (a label, button or table is missing)."""

    reason = Reason.PORTAL_CHANGED


class PortalMismatchError(FlowError):
    """Raised when what the portal read from the certificate differs from the local parse."""

    reason = Reason.MISMATCH


class UploadRefusedError(FlowError):
    """Raised when the portal refuses the uploaded certificate (its message is the text)."""

    reason = Reason.CERTIFICATE


class FieldErrorsError(FlowError):
    """Raised when the portal shows field errors on 代理人証明書更新 (read verbatim)."""

    reason = Reason.INPUT


class IdentityError(FlowError):
    """Raised when the certificate to register does not match the organisation (another office's .p12)."""

    reason = Reason.IDENTITY


class BackwardsError(FlowError):
    """Raised when the certificate to register expires before the one the portal has in force."""

    reason = Reason.CERTIFICATE
