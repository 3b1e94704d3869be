"""`--metrics FILE`: where each office stands, as a node_exporter textfile (Prometheus text format), so that a
certificate about to lapse, a run that failed or a bot that stopped running can be alerted on by monitoring
that already exists, without anyone reading the bot's reports.

The text is made by prometheus_client (`CollectorRegistry` + `generate_latest`), which escapes label values
(Japanese office names, quotes, backslashes, newlines) as the format wants. It is not written with
prometheus_client's `write_to_textfile`, although that also writes a temporary file and renames it: its
temporary file has a fixed name opened with plain `open()` (a symlink planted there is followed and the file
it points at truncated, which `foundation.safe_files` refuses everywhere else), takes whatever mode the umask
gives (0600 under a strict umask: node_exporter, another user, could not read it), is not synced before the
rename and is left behind on an interrupt (it cleans up on `Exception` only). `_write_atomically` keeps the
same temp+rename shape without those gaps.

Times are Unix seconds; a day (an expiry, a proof) is turned into an instant in Japan time, as AINAS means it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric

from ainas_bot.errors import OutputError
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import JST
from ainas_bot.i18n import _

__all__ = ["FILE_MODE", "OUTCOME_STATES", "render_metrics", "write_metrics"]

# 0644, not the bot's usual owner-only 0600: the file is read by node_exporter, which runs as a user of its own,
# and it holds office IDs, names and dates (what the `status` table shows), no PIN, password or key. Set with
# fchmod, so the umask does not decide it.
FILE_MODE = 0o644

# The states of `ainas_last_outcome`: `results.outcome.Status`, in its order. Every state is written for an
# office with a recorded run (1 for its last one, 0 for the others), as prometheus_client's `Enum` does, so that
# an alert can match `ainas_last_outcome{status="failed"} == 1` and a change of state is a change of value.
OUTCOME_STATES = ("updated", "resumed", "already-current", "would-register", "would-resume", "failed")


def _instant(moment: dt.datetime) -> float:
    """Unix seconds of an aware instant; a naive one would silently take the machine's zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a naive datetime cannot be written as a metric: {moment!r}")
    return moment.timestamp()


def _day_start(day: dt.date) -> float:
    """00:00 in Japan of `day`, as Unix seconds."""
    return dt.datetime.combine(day, dt.time(), tzinfo=JST).timestamp()


def _day_end(day: dt.date) -> float:
    """The end of `day` in Japan (00:00 JST of the next day): a certificate is valid through its expiry day."""
    # 9999-12-31 (a certificate "valid forever") has no next day in Python's calendar: the day's last second.
    return _day_start(day) + 86_400


class _StandingsCollector:
    """The fleet's metrics from the `Standing` rows, collected once by `generate_latest`. A collector of metric
    families rather than `Gauge` objects: a series that is unknown is simply not added (no child to remove)."""

    def __init__(self, standings: Sequence[Standing], written_at: dt.datetime) -> None:
        self._standings = tuple(standings)
        self._written_at = _instant(written_at)

    def collect(self) -> Iterable[Metric]:
        office = ["office_id"]
        info = InfoMetricFamily(
            "ainas_office", "An office the bot keeps a certificate for, with its name (value always 1).", labels=office
        )
        expiry = GaugeMetricFamily(
            "ainas_certificate_expiry_timestamp_seconds",
            "End of the certificate's expiry day (00:00 JST of the next day) as Unix seconds; certificate is "
            "'registered' (in force on the AINAS portal) or 'local' (the newest .p12 on disk). Absent when unknown.",
            labels=["office_id", "certificate"],
        )
        days_left = GaugeMetricFamily(
            "ainas_certificate_days_left",
            "Days from today (JST) to the later of the registered and local certificates' expiry; negative once "
            "passed. Absent when neither is known.",
            labels=office,
        )
        order = GaugeMetricFamily(
            "ainas_order_new_certificate",
            "1 when no newer certificate is on disk and the one in force ends within the largest reminder "
            "threshold: a new certificate must be ordered now.",
            labels=office,
        )
        outcome = GaugeMetricFamily(
            "ainas_last_outcome",
            "How the office's last recorded run ended: 1 for its status, 0 for the other statuses. Absent when "
            "no run is recorded.",
            labels=["office_id", "status"],
        )
        last_run = GaugeMetricFamily(
            "ainas_last_run_timestamp_seconds",
            "When the office's last recorded run ended, as Unix seconds. Absent when no run is recorded.",
            labels=office,
        )
        proved = GaugeMetricFamily(
            "ainas_last_proved_timestamp_seconds",
            "Start (00:00 JST) of the day the portal last showed this office's certificate registered and active, "
            "as Unix seconds. Absent when never proved.",
            labels=office,
        )
        for s in self._standings:
            info.add_metric([s.office_id], {"office_name": s.office_name})
            for kind, day in (("registered", s.registered_expiry), ("local", s.local_expiry)):
                if day is not None:
                    expiry.add_metric([s.office_id, kind], _day_end(day))
            if (left := s.days_left) is not None:
                days_left.add_metric([s.office_id], left)
            order.add_metric([s.office_id], 1 if s.order_now else 0)
            if s.last_status is not None:
                # A status this version does not know (a newer bot's record) is kept as a state of its own.
                states = OUTCOME_STATES if s.last_status in OUTCOME_STATES else (*OUTCOME_STATES, s.last_status)
                for state in states:
                    outcome.add_metric([s.office_id, state], 1 if state == s.last_status else 0)
            if s.last_run_at is not None:
                last_run.add_metric([s.office_id], _instant(s.last_run_at))
            if s.proved_on is not None:
                proved.add_metric([s.office_id], _day_start(s.proved_on))
        written = GaugeMetricFamily(
            "ainas_metrics_written_timestamp_seconds",
            "When this file was written, as Unix seconds: alert when it grows old (the bot stopped running).",
            value=self._written_at,
        )
        return [info, expiry, days_left, order, outcome, last_run, proved, written]


def render_metrics(standings: Sequence[Standing], *, written_at: dt.datetime) -> bytes:
    """The Prometheus text exposition (UTF-8) of `standings`; pure, so it can be checked without a file. A
    registry of its own each time: the process-wide default one would add Python's own metrics."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StandingsCollector(standings, written_at))
    return generate_latest(registry)


def write_metrics(path: Path, standings: Sequence[Standing], *, written_at: dt.datetime) -> None:
    """Write `render_metrics` to `path` atomically: node_exporter reads the old file or the new one, never half
    of one. The folder must exist (a typo must not make a folder nobody scrapes); node_exporter's textfile
    collector reads only names ending `.prom`. `OutputError`, naming the file, when it cannot be written."""
    data = render_metrics(standings, written_at=written_at)
    try:
        _write_atomically(path, data)
    except OSError as exc:
        raise OutputError(
            _("{what} {path}: cannot be written ({reason})").format(
                what=_("metrics file"), path=path, reason=exc.strerror or exc
            )
        ) from None


def _write_atomically(path: Path, data: bytes) -> None:
    """`data` in a new file beside `path`, synced, then renamed over it. The temporary file is made by
    `mkstemp` (a fresh name, O_EXCL and O_NOFOLLOW: nothing planted is followed), is hidden and ends `.tmp`
    (node_exporter skips it) and is removed on any failure, an interrupt included. `os.replace` replaces a
    symlink at `path` by the file (the link's target is left alone) and refuses a folder there (EISDIR)."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, FILE_MODE)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)  # the content on disk before the name points at it, or a crash could leave it empty
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
