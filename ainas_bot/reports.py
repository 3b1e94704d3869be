"""Run reports (JSON and CSV), the append-only audit log, and reading an earlier report back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

from ainas_bot.outcome import Outcome

__all__ = ["append_audit", "make_private_dir", "write_report", "write_report_csv"]

_CSV_COLUMNS = ("office_id", "login_id", "status", "reason", "message", "certificate_serial",
                "certificate_expiry", "registered_expiry", "seconds", "attempts", "screen")


def make_private_dir(folder: Path) -> None:
    """Create `folder` and each missing parent owner-only (`mkdir(parents=True)` leaves parents to the umask)."""
    for missing in reversed([p for p in (folder, *folder.parents) if not p.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)


def _write_private(path: Path, text: str, *, append: bool = False) -> None:
    """Owner-only: reports name offices and certificates (never secrets)."""
    make_private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_report(path: Path, outcomes: list[Outcome]) -> None:
    payload = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
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
        writer.writerow(row)
    _write_private(path, "\ufeff" + buffer.getvalue())


def append_audit(path: Path, outcomes: list[Outcome], *, dry_run: bool) -> None:
    """One JSON line per office: time, office, login, certificate serial and expiry, outcome."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [
        json.dumps({
            "time": now, "office_id": o.office_id, "login_id": o.login_id, "dry_run": dry_run,
            "certificate_serial": o.certificate_serial, "certificate_expiry": o.certificate_expiry,
            "outcome": o.status, "reason": o.reason, "message": o.message, "attempts": o.attempts,
        }, ensure_ascii=False)
        for o in outcomes
    ]
    _write_private(path, "".join(line + "\n" for line in lines), append=True)
