"""What a run tells the outside while it works: steps of an office, and each office's outcome."""

from __future__ import annotations

from typing import Protocol

from ainas_bot.results.outcome import Outcome

__all__ = ["CollectEvents", "RunEvents"]


class RunEvents(Protocol):
    """Receives progress: `ConsoleEvents` prints lines or drives a progress bar, `RecordingEvents` also appends
    each outcome to the audit log, `CollectEvents` keeps them; a step is one event, said once, and `done` the
    office's outcome, which no step repeats."""

    def step(self, office_id: str, text: str) -> None: ...

    def done(self, outcome: Outcome) -> None: ...


class CollectEvents:
    """Keeps every event in memory (tests and the benchmarks)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.outcomes: list[Outcome] = []

    def step(self, office_id: str, text: str) -> None:
        self.lines.append(f"[{office_id}] {text}")

    def done(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
