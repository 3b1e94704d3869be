"""What a run records as it goes: what the portal proved, in the record, the moment it is seen; each office's
audit line the moment it ends; and what could not be written.

An office updated on the portal and recorded nowhere is the one outcome the bot must never leave
behind: the audit line is appended and on disk before the next office's outcome, so an interrupt, a
SIGKILL or a full disk later loses nothing already done. The record is written here and nowhere else: a
proof as soon as the portal shows it, a contradiction before the upload that follows it, so that a run
killed halfway never leaves a record vouching for what the portal no longer shows. A write that fails does
not stop the run (the portal work is what matters to the office); it is said once, after the recap.
"""

from __future__ import annotations

from pathlib import Path

from ainas_bot.errors import OutputError
from ainas_bot.foundation.jst import now_jst
from ainas_bot.i18n import _
from ainas_bot.record.store import VerificationLog, Verified
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.reports import append_audit

__all__ = ["RecordingEvents"]


class RecordingEvents:
    """Passes every event on to `inner`; writes each proof to the record (`record`) and each outcome to the
    audit log (`audit_log`; None for a command that keeps none, such as `status`)."""

    def __init__(
        self, inner: RunEvents, audit_log: Path | None, *, dry_run: bool, record: VerificationLog | None = None
    ) -> None:
        self.inner = inner
        self.audit_log = audit_log
        self.dry_run = dry_run
        self.record = record
        self.outcomes: list[Outcome] = []
        self.errors: list[str] = []

    def warning(self, text: str) -> None:
        self.inner.warning(text)

    def planned(self, total: int) -> None:
        self.inner.planned(total)

    def portal_started(self) -> None:
        self.inner.portal_started()

    def step(self, office_id: str, text: str) -> None:
        self.inner.step(office_id, text)

    def proved(self, office_id: str, verification: Verified | None) -> None:
        if self.record is not None:
            if verification is None:
                self.record.contradicted(office_id)
            else:
                self.record.verified(verification)
        self.inner.proved(office_id, verification)

    def done(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.inner.done(outcome)
        self.audit([outcome])
        self.ended([outcome])

    def ended(self, outcomes: list[Outcome]) -> None:
        """A run that keeps an audit line keeps each office's last outcome in the record too."""
        if self.record is None or self.audit_log is None:
            return
        at = now_jst()
        for o in outcomes:
            self.record.ended(o.office_id, o.status, str(o.reason) if o.reason else None, o.screen, at)

    def audit(self, outcomes: list[Outcome]) -> None:
        if self.errors or self.audit_log is None:  # one failed write is told once; the rest would fail the same way
            return
        try:
            append_audit(self.audit_log, outcomes, dry_run=self.dry_run)
        except OutputError as exc:
            self.errors.append(_("{error}; the outcomes above are not in the audit log").format(error=exc))
