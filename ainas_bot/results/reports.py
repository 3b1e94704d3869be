"""Run reports (JSON and CSV) and the append-only audit log; times in them are Japan time with its offset.

Each office is named by its ID and, beside it, `office_name` (代理人組織名 as the portal shows it, else the
certificate's 屋号). An earlier report is read back as a retry file by `inventory.failed_office_ids`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ainas_bot.foundation.jst import now_jst
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.foundation.safe_text import csv_cell
from ainas_bot.i18n import N_, _
from ainas_bot.results.outcome import Outcome

__all__ = ["append_audit", "write_report", "write_report_csv"]

_CSV_COLUMNS = (
    "office_id",
    "office_name",
    "login_id",
    "status",
    "reason",
    "message",
    "certificate_serial",
    "certificate_expiry",
    "registered_expiry",
    "seconds",
    "attempts",
    "screen",
    "verified_on",
)


def _write_private(path: Path, text: str, *, append: bool = False, what: str = N_("report")) -> None:
    """Owner-only (reports name offices and certificates, never secrets), never through a symlink, and on
    disk when this returns: an audit line must survive a crash of the run right after."""
    write_private(path, text.encode("utf-8"), append=append, sync=True, what=_(what))


def write_report(path: Path, outcomes: list[Outcome]) -> None:
    payload = {
        "generated_at": now_jst().isoformat(timespec="seconds"),
        "offices": [o.as_json() for o in outcomes],
        "counts": {s: sum(1 for o in outcomes if o.status == s) for s in sorted({o.status for o in outcomes})},
    }
    _write_private(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def write_report_csv(path: Path, outcomes: list[Outcome]) -> None:
    """UTF-8 with BOM, so that Excel shows the Japanese messages."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for o in outcomes:
        row = o.as_json()
        row["seconds"] = f"{o.seconds:.1f}"
        writer.writerow({k: csv_cell(v) if isinstance(v, str) else v for k, v in row.items()})
    _write_private(path, "\ufeff" + buffer.getvalue())


def append_audit(path: Path, outcomes: list[Outcome], *, dry_run: bool) -> None:
    """One JSON line per office: time, office and its name, login, certificate serial and expiry, outcome."""
    now = now_jst().isoformat(timespec="seconds")
    lines = [
        json.dumps(
            {
                "time": now,
                "office_id": o.office_id,
                "office_name": o.office_name,
                "login_id": o.login_id,
                "dry_run": dry_run,
                "certificate_serial": o.certificate_serial,
                "certificate_expiry": o.certificate_expiry,
                "outcome": o.status,
                "reason": o.reason,
                "message": o.message,
                "attempts": o.attempts,
            },
            ensure_ascii=False,
        )
        for o in outcomes
    ]
    _write_private(path, "".join(line + "\n" for line in lines), append=True, what=N_("audit log"))
