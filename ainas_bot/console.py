"""What an operator sees: a progress bar on a terminal, one plain line per event elsewhere, a recap."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from ainas_bot._safe_text import markup_safe, shown
from ainas_bot.outcome import Outcome

__all__ = ["ConsoleEvents", "print_recap", "summary_line"]

_STYLE = {"updated": "green", "resumed": "green", "already-current": "cyan", "failed": "bold red"}


class ConsoleEvents:
    """Progress of a run: a rich bar when `interactive`, plain timestamped lines otherwise, nothing when quiet."""

    def __init__(self, total: int, stream: TextIO, *, interactive: bool, quiet: bool = False) -> None:
        self.total = total
        self.stream = stream
        self.quiet = quiet
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if interactive and not quiet:
            console = Console(file=stream)
            self._progress = Progress(
                TextColumn("[bold]renewing"), BarColumn(), MofNCompleteColumn(),
                TextColumn("[green]{task.fields[ok]} ok"), TextColumn("[red]{task.fields[failed]} failed"),
                TextColumn("{task.fields[remaining]} left"), TextColumn("{task.fields[rate]}/min"),
                TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True,
            )
            self._task = self._progress.add_task("renew", total=total, ok=0, failed=0, remaining=total, rate="–")
            self._progress.start()

    def _line(self, office_id: str, text: str) -> None:
        stamp = dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
        print(f"{stamp} [{shown(office_id)}] {shown(text)}", file=self.stream, flush=True)

    def step(self, office_id: str, text: str) -> None:
        if self._progress is None and not self.quiet:
            self._line(office_id, text)

    def done(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        finished = sum(self.counts.values())
        if self._progress is not None and self._task is not None:
            minutes = max(time.monotonic() - self.started, 1e-6) / 60
            self._progress.update(
                self._task, completed=finished, ok=finished - self.counts["failed"], failed=self.counts["failed"],
                remaining=self.total - finished, rate=f"{finished / minutes:.1f}",
            )
            style = _STYLE.get(outcome.status, "")
            detail = f" {outcome.reason}: {outcome.message}" if outcome.status == "failed" else ""
            self._progress.console.print(f"[{style}]{outcome.status:<15}[/] {markup_safe(outcome.office_id + detail)}",
                                         markup=True, highlight=False)
        elif not self.quiet:
            self._line(outcome.office_id, f"outcome {outcome.status}"
                       + (f" ({outcome.reason}): {outcome.message}" if outcome.status == "failed" else ""))

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def summary_line(outcomes: list[Outcome], seconds: float) -> str:
    counts = Counter(o.status for o in outcomes)
    parts = [f"{k}={counts[k]}" for k in ("updated", "resumed", "already-current", "would-register",
                                          "would-resume", "failed") if counts[k]]
    return f"ainas-bot: {len(outcomes)} office(s) in {seconds:.1f}s: " + (" ".join(parts) or "nothing to do")


def print_recap(outcomes: list[Outcome], stream: TextIO, *, interactive: bool) -> None:
    """A table of office, outcome, certificate expiry and time, then the counts (like Ansible's PLAY RECAP)."""
    if interactive:
        table = Table(title="RECAP", title_justify="left")
        for column in ("office", "outcome", "expiry", "time", "detail"):
            table.add_column(column, overflow="fold")
        for o in outcomes:
            detail = f"{o.reason}: {o.message}" if o.status == "failed" else o.message
            style = _STYLE.get(o.status, "")
            table.add_row(markup_safe(o.office_id), f"[{style}]{o.status}[/]", markup_safe(o.certificate_expiry or ""),
                          f"{o.seconds:.1f}s", markup_safe(detail))
        Console(file=stream).print(table)
    else:
        print("RECAP", file=stream)
        width = max([len(o.office_id) for o in outcomes] + [6])
        for o in outcomes:
            detail = f"{o.reason}: {o.message}" if o.status == "failed" else o.message
            print(f"{shown(o.office_id):<{width}}  {o.status:<16} {shown(o.certificate_expiry or ''):<10}  "
                  f"{o.seconds:6.1f}s  {shown(detail)}", file=stream)
    counts = Counter(o.status for o in outcomes)
    print("  ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=stream, flush=True)
