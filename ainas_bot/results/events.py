"""What a run tells the outside while it works: how many offices, the steps of each, what the portal proved,
and each office's outcome."""

from __future__ import annotations

from typing import Protocol

from ainas_bot.record.store import Verified
from ainas_bot.results.outcome import Outcome

__all__ = ["CollectEvents", "RunEvents"]


class RunEvents(Protocol):
    """Receives progress: `ConsoleEvents` prints lines or drives a progress bar, `RecordingEvents` also keeps the
    record and the audit log, `CollectEvents` keeps everything; a step is one event, said once, and `done` the
    office's outcome, which no step repeats."""

    def warning(self, text: str) -> None:
        """Something the operator should know before the run goes on (a certificate near its end)."""

    def planned(self, total: int) -> None:
        """The run has `total` offices, each of which will end with one `done`."""

    def portal_started(self) -> None:
        """The portal work begins now (the offices that end before it were decided locally)."""

    def step(self, office_id: str, text: str) -> None: ...

    def proved(self, office_id: str, verification: Verified | None) -> None:
        """The portal showed the office's local certificate registered and active (`verification`), or showed
        that it is not (None): told the moment it is seen, before the office ends."""

    def done(self, outcome: Outcome) -> None: ...


class CollectEvents:
    """Keeps every event in memory (tests and the benchmarks)."""

    def __init__(self) -> None:
        self.total = 0
        self.lines: list[str] = []
        self.warnings: list[str] = []
        self.proofs: list[tuple[str, Verified | None]] = []
        self.outcomes: list[Outcome] = []

    def warning(self, text: str) -> None:
        self.warnings.append(text)

    def planned(self, total: int) -> None:
        self.total = total

    def portal_started(self) -> None:
        pass

    def step(self, office_id: str, text: str) -> None:
        self.lines.append(f"[{office_id}] {text}")

    def proved(self, office_id: str, verification: Verified | None) -> None:
        self.proofs.append((office_id, verification))

    def done(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
