"""The project's exceptions and the exit codes they map to.

`ainas_bot.cli.main.main` is the one place that turns an `AinasBotError` into a message and its class's
exit code; a run of offices keeps each office's error in that office's outcome instead (its `reason`),
and `outcome.run_exit_code` gives the run's code from them. Every message is one line that names the
file, office or field and says what to do (`ConfigProblems`: several such lines).
"""

from __future__ import annotations

__all__ = [
    "EXIT_CERTIFICATE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_LOCKED",
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


class AinasBotError(Exception):
    """Raised for any failure the user must act on; its text is the one-line message shown."""

    exit_code = EXIT_FAILED
    reason = "error"
    transient = False  # a fault worth another attempt after a backoff (the portal's, passing)


class ConfigError(AinasBotError):
    """Raised when settings, an inventory or command-line usage is wrong."""

    exit_code = EXIT_USAGE
    reason = "input"


class ConfigProblems(ConfigError):
    """Raised when several settings or inventory entries are wrong at once; each of `lines` is one, all shown."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = tuple(lines)
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        super().__init__(lines[0] + more)


class InputError(ConfigError):
    """Raised when a value an operator must type (カナ, 郵便番号, 利用開始日) is not valid."""


class CertificateError(AinasBotError):
    """Raised when a .p12 cannot be opened or its certificate cannot be used (PIN, file, validity)."""

    exit_code = EXIT_CERTIFICATE
    reason = "certificate"


class WrongPinError(CertificateError):
    """Raised when a PIN or password does not open a .p12 (its integrity check fails with it)."""


class LockHeldError(AinasBotError):
    """Raised when another run holds the lock file."""

    exit_code = EXIT_LOCKED
    reason = "locked"


class OutputError(AinasBotError):
    """Raised when a report, the audit log, the lock file or an artifact cannot be written where it must be."""

    reason = "output"


class FlowError(AinasBotError):
    """Raised when the portal flow for an office cannot complete; `reason` is the outcome class."""

    reason = "portal-changed"

    def __init__(self, message: str, *, screen: str | None = None) -> None:
        super().__init__(message)
        self.screen = screen


class PortalAuthError(FlowError):
    """Raised when the portal refuses the login (password, lock, rights) or the office is not this login's."""

    reason = "auth"


class PortalUnavailableError(FlowError):
    """Raised when the portal is closed or in maintenance, times out, drops the connection or the session."""

    reason = "portal-unavailable"
    transient = True


class ServiceHoursError(PortalUnavailableError):
    """Raised when the portal says it is outside its service hours: unavailable, but not for a retry soon."""

    transient = False


class BrowserLostError(PortalUnavailableError):
    """Raised when the browser, or the connection to its browser server, dies under a login's session."""


class PortalUntrustedError(FlowError):
    """Raised when the portal's server certificate is not trusted; nothing secret has been typed."""

    reason = "portal-untrusted"


class PortalChangedError(FlowError):
    """Raised when a screen does not look as expected (a label, button or table is missing)."""

    reason = "portal-changed"


class PortalMismatchError(FlowError):
    """Raised when what the portal read from the certificate differs from the local parse."""

    reason = "mismatch"


class UploadRefusedError(FlowError):
    """Raised when the portal refuses the uploaded certificate (its message is the text)."""

    reason = "certificate"


class FieldErrorsError(FlowError):
    """Raised when the portal shows field errors on 代理人証明書更新 (read verbatim)."""

    reason = "input"


class IdentityError(FlowError):
    """Raised when the certificate to register does not match the organisation (another office's .p12)."""

    reason = "identity"


class BackwardsError(FlowError):
    """Raised when the certificate to register expires before the one the portal has in force."""

    reason = "certificate"  # a certificate problem: the run's exit code is 3 (README "Exit codes")
