"""The outcome of one office in a run: what the reports, the recap and the exit code are made of.

An outcome is built through its constructors only (`succeeded`, `failed`, `not_started`), so that what a
report says of an office (its certificate, its name, its attempts) is filled in one way wherever it ended.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ainas_bot.checks.prepare import PreparedOffice
    from ainas_bot.record.store import Verified

from ainas_bot.errors import EXIT_FAILED, EXIT_OF_REASON, EXIT_OK, AinasBotError, FlowError, Reason
from ainas_bot.i18n import N_, _

__all__ = ["OK_STATUSES", "Outcome", "Status", "reason_label", "run_exit_code", "status_label"]

Status = Literal["updated", "resumed", "already-current", "would-register", "would-resume", "failed"]
OK_STATUSES = frozenset({"updated", "resumed", "already-current", "would-register", "would-resume"})

# The words a person reads for a status or a reason (recap, progress, summary, `status`); the JSON, CSV and
# audit log keep the keys themselves, which scripts compare.
_STATUS_LABELS = {
    "updated": N_("updated"),
    "resumed": N_("resumed"),
    "already-current": N_("already-current"),
    "would-register": N_("would-register"),
    "would-resume": N_("would-resume"),
    "failed": N_("failed"),
}
_REASON_LABELS = {
    Reason.AUTH: N_("auth"),
    Reason.CERTIFICATE: N_("certificate"),
    Reason.ERROR: N_("error"),
    Reason.IDENTITY: N_("identity"),
    Reason.INPUT: N_("input"),
    Reason.INTERRUPTED: N_("interrupted"),
    Reason.LOCKED: N_("locked"),
    Reason.MISMATCH: N_("mismatch"),
    Reason.OUTPUT: N_("output"),
    Reason.PORTAL_CHANGED: N_("portal-changed"),
    Reason.PORTAL_UNAVAILABLE: N_("portal-unavailable"),
    Reason.PORTAL_UNTRUSTED: N_("portal-untrusted"),
}


def status_label(status: str) -> str:
    """`updated` as the operator reads it: the key itself in English, its translation otherwise."""
    return _(_STATUS_LABELS[status]) if status in _STATUS_LABELS else status


def reason_label(reason: str | None) -> str:
    """A failure's class as the operator reads it (an unknown class is shown as it is)."""
    if reason is None:
        return ""
    label = {str(k): v for k, v in _REASON_LABELS.items()}.get(reason)
    return _(label) if label else reason


@dataclasses.dataclass
class Outcome:
    """What happened to one office; `reason` is set when `status` is `failed`."""

    office_id: str
    login_id: str
    status: Status
    office_name: str = ""  # 代理人組織名 as the portal shows it, else the certificate's 屋号, else unknown
    message: str = ""
    reason: Reason | None = None
    screen: str | None = None
    certificate_serial: str | None = None
    certificate_expiry: str | None = None
    registered_expiry: str | None = None  # the latest active certificate the portal's table showed
    seconds: float = 0.0
    attempts: int = 1
    artifacts: list[str] = dataclasses.field(default_factory=list)
    verified_on: str | None = None  # the Japan day the portal last proved the certificate registered and active
    # What this office's visit proved (None when there was no visit or it proved nothing); not in reports.
    verification: Verified | None = dataclasses.field(default=None, compare=False, repr=False)

    @classmethod
    def succeeded(
        cls,
        office: PreparedOffice,
        status: Status,
        *,
        message: str,
        office_name: str = "",
        seconds: float = 0.0,
        attempts: int = 1,
        registered_expiry: str | None = None,
        verification: Verified | None = None,
        verified_on: str | None = None,
    ) -> Outcome:
        """An office that ended well (`status` one of OK_STATUSES); `verified_on` defaults to the day
        `verification` proved."""
        if status == "failed":
            raise ValueError("Outcome.succeeded: a failed office is built with Outcome.failed")
        return cls(
            office_id=office.office.id,
            login_id=office.office.login_id,
            status=status,
            office_name=office_name or office.certificate.trade_name_kanji,
            message=message,
            certificate_serial=office.certificate.serial,
            certificate_expiry=office.certificate.expiry_date.isoformat(),
            seconds=seconds,
            attempts=attempts,
            registered_expiry=registered_expiry,
            verification=verification,
            verified_on=verified_on or (verification.verified_on.isoformat() if verification else None),
        )

    @classmethod
    def failed(
        cls,
        office: PreparedOffice,
        error: AinasBotError,
        *,
        seconds: float = 0.0,
        artifacts: Sequence[str] = (),
        attempts: int = 1,
        registered_expiry: str | None = None,
        office_name: str = "",
    ) -> Outcome:
        """An office whose inputs were ready and whose run then failed: `error` gives the message, the
        reason and (a flow's error) the screen."""
        return cls(
            office_id=office.office.id,
            login_id=office.office.login_id,
            status="failed",
            message=str(error),
            office_name=office_name or office.certificate.trade_name_kanji,
            reason=error.reason,
            screen=error.screen if isinstance(error, FlowError) else None,
            certificate_serial=office.certificate.serial,
            certificate_expiry=office.certificate.expiry_date.isoformat(),
            seconds=seconds,
            artifacts=list(artifacts),
            attempts=attempts,
            registered_expiry=registered_expiry,
        )

    @classmethod
    def not_started(
        cls, office_id: str, login_id: str, *, reason: Reason, message: str, office_name: str = ""
    ) -> Outcome:
        """An office that failed before its visit ended or began: its inputs refused, or the run stopped."""
        return cls(
            office_id=office_id,
            login_id=login_id,
            status="failed",
            reason=reason,
            message=message,
            office_name=office_name,
        )

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def as_json(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name) if f.name != "artifacts" else list(self.artifacts)
            for f in dataclasses.fields(self)
            if f.name != "verification"
        }


def run_exit_code(outcomes: list[Outcome]) -> int:
    """The exit code of a run of one office or many: 0 when none failed; when some failed, the code their
    failures share (3 when every failed office failed on its certificate, 2 when every one on its inputs),
    and 1 when their classes differ or have no code of their own (the portal, the login, a mismatch)."""
    codes = {EXIT_OF_REASON.get(o.reason, EXIT_FAILED) if o.reason else EXIT_FAILED for o in outcomes if not o.ok}
    if not codes:
        return EXIT_OK
    return codes.pop() if len(codes) == 1 else EXIT_FAILED
