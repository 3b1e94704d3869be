"""履歴: the audit log as the console shows it, newest first, filtered by office, outcome and day.

The log is append-only and can be large after years of daily runs: only its last `_TAIL_BYTES` are read, and a
line that is not the bot's JSON is passed over (a hand edit, a line cut by a full disk).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

__all__ = ["HistoryEntry", "read_history"]

_TAIL_BYTES = 8 * 1024 * 1024
_MAX_SHOWN = 500


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    time: str
    office_id: str
    office_name: str
    outcome: str
    reason: str
    message: str
    dry_run: bool


def read_history(path: Path, *, office: str = "", status: str = "", since: str = "") -> list[HistoryEntry]:
    """The newest entries (at most `_MAX_SHOWN`) whose office ID starts with `office`, whose outcome is `status`
    (any when empty) and whose day is `since` (YYYY-MM-DD) or later."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return []
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - _TAIL_BYTES)
        os.lseek(fd, start, os.SEEK_SET)
        data = os.read(fd, size - start)
    except OSError:
        return []
    finally:
        os.close(fd)
    lines = data.decode("utf-8", errors="replace").splitlines()
    if start:
        lines = lines[1:]  # the first line read may be cut
    found: list[HistoryEntry] = []
    for line in reversed(lines):
        entry = _entry(line)
        if entry is None or not entry.office_id.startswith(office.strip()):
            continue
        if (status and entry.outcome != status) or (since and entry.time[:10] < since):
            continue
        found.append(entry)
        if len(found) >= _MAX_SHOWN:
            break
    return found


def _entry(line: str) -> HistoryEntry | None:
    try:
        raw = json.loads(line)
    except (ValueError, RecursionError):  # a line that is not one the bot wrote, however deeply it nests
        return None
    if not isinstance(raw, dict):
        return None
    return HistoryEntry(
        time=str(raw.get("time", "")),
        office_id=str(raw.get("office_id", "")),
        office_name=str(raw.get("office_name", "")),
        outcome=str(raw.get("outcome", "")),
        reason=str(raw.get("reason") or ""),
        message=str(raw.get("message", "")),
        dry_run=bool(raw.get("dry_run", False)),
    )
