"""What a run records as it goes: each office's audit line the moment it ends, and what could not be written.

An office updated on the portal and recorded nowhere is the one outcome the bot must never leave
behind: the audit line is appended and on disk before the next office's outcome, so an interrupt, a
SIGKILL or a full disk later loses nothing already done. A record that cannot be written does not stop
the run (the portal work is what matters to the office); it is said once, after the recap.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ainas_bot.errors import OutputError, Reason
from ainas_bot.i18n import _
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.reports import append_audit

__all__ = ["RecordingEvents", "interrupted_outcomes", "sigterm_as_interrupt"]


class RecordingEvents:
    """Passes every event on to `inner`, and appends each outcome to the audit log as it arrives."""

    def __init__(self, inner: RunEvents, audit_log: Path, *, dry_run: bool) -> None:
        self.inner = inner
        self.audit_log = audit_log
        self.dry_run = dry_run
        self.outcomes: list[Outcome] = []
        self.errors: list[str] = []

    def step(self, office_id: str, text: str) -> None:
        self.inner.step(office_id, text)

    def done(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.inner.done(outcome)
        self.audit([outcome])

    def audit(self, outcomes: list[Outcome]) -> None:
        if self.errors:  # one failed write is told once; the rest would fail the same way
            return
        try:
            append_audit(self.audit_log, outcomes, dry_run=self.dry_run)
        except OutputError as exc:
            self.errors.append(_("{error}; the outcomes above are not in the audit log").format(error=exc))


def interrupted_outcomes(pending: list[tuple[str, str]], reason: str) -> list[Outcome]:
    """A failed outcome for each (office, login) that had not ended when the run was stopped."""
    return [
        Outcome.not_started(
            office_id,
            login_id,
            reason=Reason.INTERRUPTED,
            message=_("{reason} before this office ended; run it again (a pending upload is resumed)").format(
                reason=reason
            ),
        )
        for office_id, login_id in pending
    ]


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (systemd's stop, `kill`) handled as Ctrl-C: asyncio cancels the run's tasks cleanly, the
    browser closes, and the outcomes known so far are written, instead of dying with nothing recorded."""

    def handler(signum: int, frame: FrameType | None) -> None:
        # asyncio.run has its own SIGINT handler (cancel the main task, then KeyboardInterrupt): reuse it.
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
