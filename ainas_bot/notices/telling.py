"""What a run tells beyond the terminal once it is over, whether the CLI or the console started it: the
notifications, the metrics file and the expiry calendar, all made from the fleet's standings. None of it changes
the run's outcome or exit code: what cannot be sent or written is one line each (on stderr, or on the console's
run page)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path

from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import OutputError
from ainas_bot.fleet.build import read_record, standings
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import now_jst, today_jst
from ainas_bot.notices.after_run import notify_after_run
from ainas_bot.notices.messages import RunFacts
from ainas_bot.notices.send import Notifier, resolve_targets
from ainas_bot.record.opened import OpenedRecord, opened_record
from ainas_bot.results.runs import RunResult

__all__ = ["fleet_rows", "notifier_of", "tell_after_run", "write_views"]


def notifier_of(settings: Settings, environ: Mapping[str, str]) -> Notifier:
    targets, problems = resolve_targets(settings.notify, environ, settings.secrets_dir)
    return Notifier(targets, problems)


def tell_after_run(
    settings: Settings,
    environ: Mapping[str, str],
    offices: Sequence[Office],
    result: RunResult,
    *,
    started_at: dt.datetime,
    dry_run: bool,
    metrics: Path | None,
    html: Path | None = None,
) -> list[str]:
    """Notifications, then the views asked for; the lines of what could not be done."""
    if not settings.notify and metrics is None and html is None:
        return []
    problems: list[str] = []
    with opened_record(settings) as record:
        rows, unread = _rows(settings, offices, result, record, portal_read=True)
        if settings.notify:
            notifier = notifier_of(settings, environ)
            facts = RunFacts(result.outcomes, result.errors, result.report, started_at, socket.gethostname(), dry_run)
            places = {o.id: str(o.signing_cert) for o in offices}
            notify_after_run(notifier, facts, rows, record.store, places, now_jst())
            problems += notifier.problems + unread
    problems += write_views(rows, metrics=metrics, html=html)
    return problems


def fleet_rows(
    settings: Settings,
    offices: Sequence[Office],
    result: RunResult,
    *,
    portal_read: bool,
) -> tuple[list[Standing], list[str]]:
    """The standings of `offices` after `result`, with the record as it is now; and what could not be read."""
    with opened_record(settings) as record:
        return _rows(settings, offices, result, record, portal_read=portal_read)


def _rows(
    settings: Settings, offices: Sequence[Office], result: RunResult, record: OpenedRecord, *, portal_read: bool
) -> tuple[list[Standing], list[str]]:
    view = read_record(record.store)
    rows = standings(
        offices,
        result.prepared,
        view,
        today=today_jst(),
        thresholds=settings.order_reminder_days,
        outcomes=result.outcomes,
        portal_read=portal_read,
    )
    return rows, [e for e in (record.opening_error, view.error) if e]


def write_views(rows: Sequence[Standing], *, metrics: Path | None, html: Path | None) -> list[str]:
    """The metrics file and the calendar page; a file that cannot be written is one line."""
    from ainas_bot.fleet.calendar import write_calendar
    from ainas_bot.fleet.metrics import write_metrics

    problems = []
    now = now_jst()
    if metrics is not None:
        try:
            write_metrics(metrics, rows, written_at=now)
        except OutputError as exc:
            problems.append(str(exc))
    if html is not None:
        try:
            write_calendar(html, rows, generated_at=now)
        except OutputError as exc:
            problems.append(str(exc))
    return problems
