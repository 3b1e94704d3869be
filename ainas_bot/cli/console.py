"""What an operator sees: a progress bar on a terminal, one plain line per event elsewhere, a recap."""

from __future__ import annotations

import time
from collections import Counter
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from ainas_bot.foundation.jst import now_jst
from ainas_bot.foundation.safe_text import markup_safe, shown
from ainas_bot.i18n import _
from ainas_bot.record.store import Verified
from ainas_bot.results.outcome import Outcome, reason_label, status_label

__all__ = ["ConsoleEvents", "estimate_seconds_left", "office_label", "print_recap", "summary_line"]

_STYLE = {
    "updated": "green",
    "resumed": "green",
    "already-current": "cyan",
    "would-register": "yellow",
    "would-resume": "yellow",
    "failed": "bold red",
}


def estimate_seconds_left(elapsed: float, finished: int, left: int) -> float | None:
    """Seconds until the offices `left` end, at the pace of the `finished` ones over `elapsed` seconds of
    portal work; None before one has finished (there is no pace yet, and a guess would be a made-up number)."""
    if finished <= 0:
        return None
    return elapsed / finished * left


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class _EtaColumn(ProgressColumn):
    """`ETA 0:04:10` counting down from the last estimate; `ETA –` until an office has ended at the portal."""

    def __init__(self, events: ConsoleEvents) -> None:
        super().__init__()
        self.events = events

    def render(self, task: Task) -> Text:
        left = self.events.seconds_left()
        return Text(_("ETA {clock}").format(clock="–" if left is None else _clock(left)))


def office_label(office_id: str, office_name: str) -> str:
    """`12345678 山田行政書士事務所`: the ID, and beside it the name when one is known."""
    return f"{office_id} {office_name}" if office_name else office_id


class ConsoleEvents:
    """Progress of a run: a rich bar when `interactive`, plain timestamped lines otherwise, nothing when quiet.

    Outcomes known before the portal (offices refused by the checks) are counted but give no pace: the
    rate and the ETA come from the offices that ended after `portal_started()`.
    """

    def __init__(
        self, total: int, stream: TextIO, *, interactive: bool, quiet: bool = False, dry_run: bool = False
    ) -> None:
        """`total` offices, or 0 until `planned` says."""
        self.total = total
        self.stream = stream
        self.quiet = quiet
        self.counts: Counter[str] = Counter()
        self._portal_started: float | None = None
        self._portal_finished = 0
        self._estimate: tuple[float, float] | None = None  # (when it was made, seconds left then)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if interactive and not quiet:
            console = Console(file=stream)
            doing = _("dry run (looking, changing nothing)") if dry_run else _("renewing")
            # rich fills `{task.fields[...]}` itself: the translated text keeps those fields as they are.
            self._progress = Progress(
                TextColumn("[bold]" + markup_safe(doing)),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]" + _("{ok} ok").format(ok="{task.fields[ok]}")),
                TextColumn("[red]" + _("{failed} failed").format(failed="{task.fields[failed]}")),
                TextColumn(_("{remaining} left").format(remaining="{task.fields[remaining]}")),
                TextColumn(_("{rate}/min").format(rate="{task.fields[rate]}")),
                _EtaColumn(self),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task("renew", total=total, ok=0, failed=0, remaining=total, rate="–")
            self._progress.start()

    def warning(self, text: str) -> None:
        """Said even when quiet: a scheduled run's operator reads it in the job's log."""
        line = _("warning: {message}").format(message=shown(text))
        if self._progress is not None:
            self._progress.console.print(Text(line))
        else:
            print(line, file=self.stream, flush=True)

    def planned(self, total: int) -> None:
        """The run's count of offices, known once their checks are done."""
        self.total = total
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total, remaining=total)

    def portal_started(self) -> None:
        """The portal work begins now: the pace is measured from here."""
        self._portal_started = time.monotonic()

    def proved(self, office_id: str, verification: Verified | None) -> None:
        pass  # the record's business; the operator reads the outcome

    def seconds_left(self) -> float | None:
        if self._estimate is None:
            return None
        made, left = self._estimate
        return max(left - (time.monotonic() - made), 0.0)

    def _line(self, office_id: str, text: str) -> None:
        stamp = now_jst().isoformat(timespec="seconds")
        print(f"{stamp} [{shown(office_id)}] {shown(text)}", file=self.stream, flush=True)

    def step(self, office_id: str, text: str) -> None:
        if self._progress is None and not self.quiet:
            self._line(office_id, text)

    def done(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        finished = sum(self.counts.values())
        detail = (f" ({reason_label(outcome.reason)})" if outcome.status == "failed" else "") + (
            f": {outcome.message}" if outcome.message else ""
        )
        # The office's line goes out before the pace it gives: the bar redraws from its own thread, and an ETA
        # on screen before the outcome it is measured from would be a number with nothing behind it yet.
        if self._progress is not None:
            style = _STYLE.get(outcome.status, "default")  # `[]` would be no tag, and `[/]` then closes nothing
            label = office_label(outcome.office_id, outcome.office_name)
            word = status_label(outcome.status)
            self._progress.console.print(
                f"[{style}]{markup_safe(word)}{' ' * (15 - _width(word))}[/] {markup_safe(label + detail)}",
                markup=True,
                highlight=False,
            )
        elif not self.quiet:
            self._line(
                outcome.office_id,
                _("outcome {status}{detail}").format(status=status_label(outcome.status), detail=detail),
            )
        now = time.monotonic()
        elapsed = 0.0
        if self._portal_started is not None:
            self._portal_finished += 1
            elapsed = now - self._portal_started
            left = estimate_seconds_left(elapsed, self._portal_finished, self.total - finished)
            self._estimate = None if left is None else (now, left)
        if self._progress is not None and self._task is not None:
            rate = f"{self._portal_finished / max(elapsed, 1e-6) * 60:.1f}" if self._portal_finished else "–"
            self._progress.update(
                self._task,
                completed=finished,
                ok=finished - self.counts["failed"],
                failed=self.counts["failed"],
                remaining=self.total - finished,
                rate=rate,
            )

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def summary_line(outcomes: list[Outcome], seconds: float) -> str:
    counts = Counter(o.status for o in outcomes)
    parts = [
        f"{status_label(k)}={counts[k]}"
        for k in ("updated", "resumed", "already-current", "would-register", "would-resume", "failed")
        if counts[k]
    ]
    return "ainas-bot: " + _("{count} office(s) in {seconds}s: {counts}").format(
        count=len(outcomes), seconds=f"{seconds:.1f}", counts=" ".join(parts) or _("nothing to do")
    )


def print_recap(outcomes: list[Outcome], stream: TextIO, *, interactive: bool) -> None:
    """A table of office, name, outcome, certificate expiry and time, then the counts (like Ansible's PLAY
    RECAP); nothing at all for a run without offices."""
    if not outcomes:
        return
    if interactive:
        table = Table(title=_("RECAP"), title_justify="left")
        for column in (_("office"), _("name"), _("outcome"), _("expiry"), _("time"), _("detail")):
            table.add_column(column, overflow="fold")
        for o in outcomes:
            detail = f"{reason_label(o.reason)}: {o.message}" if o.status == "failed" else o.message
            style = _STYLE.get(o.status, "default")
            table.add_row(
                markup_safe(o.office_id),
                markup_safe(o.office_name or "—"),
                f"[{style}]{markup_safe(status_label(o.status))}[/]",
                markup_safe(o.certificate_expiry or ""),
                f"{o.seconds:.1f}s",
                markup_safe(detail),
            )
        Console(file=stream).print(table)
    else:
        print(_("RECAP"), file=stream)
        width = max([len(o.office_id) for o in outcomes] + [6])
        names = [shown(o.office_name or "—") for o in outcomes]
        name_width = max(_width(n) for n in names)
        for o, name in zip(outcomes, names, strict=True):
            detail = f"{reason_label(o.reason)}: {o.message}" if o.status == "failed" else o.message
            word = status_label(o.status)
            print(
                f"{shown(o.office_id):<{width}}  {name}{' ' * (name_width - _width(name))}  "
                f"{word}{' ' * (16 - _width(word))} "
                f"{shown(o.certificate_expiry or ''):<10}  {o.seconds:6.1f}s  {shown(detail)}",
                file=stream,
            )
    counts = Counter(o.status for o in outcomes)
    print("  ".join(f"{status_label(k)}={v}" for k, v in sorted(counts.items())), file=stream, flush=True)


def _width(text: str) -> int:
    """Columns on a terminal: a kanji or a full-width kana takes two."""
    return cell_len(text)
