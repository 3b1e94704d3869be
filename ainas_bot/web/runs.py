"""Runs started from the console: one at a time, in a thread of their own, through the same `flows.run.run` as the
CLI (so the same lock keeps a web run and a scheduled run from overlapping), every event kept for the page that
follows it by server-sent events.

A PIN typed into the page reaches the run as an entry of the run's own environment, referred to by the office's
`pin` for that run only: it lives in this process's memory until the run ends, and is written nowhere.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from pydantic import SecretStr

from ainas_bot.config.secrets import SecretRef
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import AinasBotError
from ainas_bot.foundation.jst import now_jst
from ainas_bot.i18n import _
from ainas_bot.notices.telling import tell_after_run
from ainas_bot.record.store import Verified
from ainas_bot.results.interrupts import Interrupts
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.runs import RunResult

__all__ = ["Kind", "RunEvent", "RunManager", "WebRun"]

Kind = Literal["renew", "dry-run", "status", "probe"]


@dataclasses.dataclass(frozen=True)
class RunEvent:
    """One line of a run's progress as the page shows it: `step`, `warning`, `done` (an office ended), `end`."""

    kind: Literal["step", "warning", "done", "end"]
    office_id: str
    text: str
    outcome: Outcome | None = None


@dataclasses.dataclass
class WebRun:
    """A run of the console: what was asked, every event so far, and how it ended."""

    id: int
    kind: Kind
    office_ids: tuple[str, ...]
    started: float = dataclasses.field(default_factory=time.time)
    events: list[RunEvent] = dataclasses.field(default_factory=list)
    result: RunResult | None = None
    probe: list[str] = dataclasses.field(default_factory=list)  # a probe's report, as `ainas-bot probe` prints it
    error: str | None = None
    finished: bool = False
    changed: threading.Condition = dataclasses.field(default_factory=threading.Condition)
    interrupts: Interrupts = dataclasses.field(default_factory=Interrupts)  # the console stopping ends it

    def add(self, event: RunEvent) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def wait_beyond(self, seen: int, timeout: float) -> None:
        """Until there is an event after the first `seen`, the run ends, or `timeout` passes."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.events) > seen or self.finished, timeout=timeout)


class _Events:
    """`RunEvents` for a web run: every event kept on the run, in the words the CLI's progress lines use."""

    def __init__(self, run: WebRun) -> None:
        self.run = run

    def warning(self, text: str) -> None:
        self.run.add(RunEvent("warning", "-", text))

    def planned(self, total: int) -> None:
        self.run.add(RunEvent("step", "-", _("{count} office(s) planned").format(count=total)))

    def portal_started(self) -> None:
        pass

    def step(self, office_id: str, text: str) -> None:
        self.run.add(RunEvent("step", office_id, text))

    def proved(self, office_id: str, verification: Verified | None) -> None:
        pass  # the record is written by the run's own RecordingEvents; the page says the outcome

    def done(self, outcome: Outcome) -> None:
        self.run.add(RunEvent("done", outcome.office_id, outcome.message, outcome))


class RunManager:
    """Starts runs, one at a time, and keeps them (and the PINs typed for them, until each run ends)."""

    def __init__(self, settings: Settings, environ: Mapping[str, str], *, after: Callable[[], None]) -> None:
        self.settings = settings
        self.environ = dict(environ)
        self.after = after  # told when a run ends (the office list reads the record anew)
        self.runs: dict[int, WebRun] = {}
        self.last_ended = time.monotonic()  # the idle clock starts again when a run ends
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> WebRun | None:
        return next((r for r in self.runs.values() if not r.finished), None)

    def start(self, kind: Kind, offices: Sequence[Office], pins: Mapping[str, SecretStr]) -> WebRun:
        """A new run of `offices`; `pins` the PINs typed for some of them (for this run only)."""
        with self._lock:
            if self.active is not None:
                raise RuntimeError("a run is under way")
            run = WebRun(next(self._ids), kind, tuple(o.id for o in offices))
            self.runs[run.id] = run
        environ = dict(self.environ)
        chosen = []
        for office in offices:
            if office.id not in pins:
                chosen.append(office)
                continue
            name = f"AINAS_WEB_PIN_{office.id}"  # an entry of this run's environment, never the process's
            environ[name] = pins[office.id].get_secret_value()
            chosen.append(office.model_copy(update={"pin": SecretRef(env=name)}))
        thread = threading.Thread(target=self._work, args=(run, chosen, environ), daemon=True, name=f"run-{run.id}")
        self._thread = thread
        thread.start()
        return run

    def stop(self, timeout: float) -> bool:
        """The console is stopping: the run under way ends as on Ctrl-C (the offices not yet ended are recorded as
        interrupted) within `timeout` seconds; False when it did not."""
        run, thread = self.active, self._thread
        if run is None or thread is None:
            return True
        run.add(RunEvent("warning", "-", _("the console is stopping: the run is interrupted")))
        run.interrupts.stop()
        thread.join(timeout)
        return not thread.is_alive()

    def _probe(self, run: WebRun, offices: list[Office], environ: dict[str, str]) -> list[str]:
        """`ainas-bot probe` of the offices chosen: read-only, no PIN, a walk of the screens each."""
        import asyncio

        from flows.probe_offices import probe_offices, probe_targets
        from flows.probe_report import report_lines

        lines: list[str] = []
        for target in probe_targets(self.settings, offices, environ):
            if run.interrupts.stopped:
                break
            run.add(RunEvent("step", target.office_id, _("probe: walking the portal's screens, read-only")))
            (report,) = asyncio.run(probe_offices(self.settings, [target], snapshots_dir=None, environ=environ))
            lines += report_lines(report)
        return lines

    def _work(self, run: WebRun, offices: list[Office], environ: dict[str, str]) -> None:
        from flows.run import RunRequest
        from flows.run import run as run_offices

        if run.kind == "status":
            request = RunRequest(offices, dry_run=True, visit_all=True, audit=False)
        else:
            request = RunRequest(offices, dry_run=run.kind == "dry-run")
        try:
            if run.kind == "probe":
                run.probe = self._probe(run, offices, environ)
            else:
                started_at = now_jst()
                run.result = run_offices(self.settings, request, _Events(run), environ, interrupts=run.interrupts)
                if run.kind != "status":  # as `renew` and `renew --dry-run` tell people; `status` tells no one
                    told = tell_after_run(
                        self.settings,
                        environ,
                        offices,
                        run.result,
                        started_at=started_at,
                        dry_run=request.dry_run,
                        metrics=None,
                    )
                    for line in told:
                        run.add(RunEvent("warning", "-", line))
        except AinasBotError as exc:
            run.error = str(exc)
        except Exception as exc:  # the console stays up whatever a run raises; the page says it
            run.error = _("the run stopped: {error}").format(error=type(exc).__name__)
        finally:
            environ.clear()  # the typed PINs leave with the run
            with run.changed:
                run.finished = True
                run.events.append(RunEvent("end", "-", run.error or ""))
                run.changed.notify_all()
            self.last_ended = time.monotonic()
            self.after()
