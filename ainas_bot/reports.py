"""Writing run reports."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from ainas_bot.outcome import Outcome

__all__ = ["write_report"]


def write_report(path: Path, outcomes: list[Outcome]) -> None:
    """The outcomes as JSON, owner-only (it names offices and certificates; never secrets)."""
    payload = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "offices": [o.as_json() for o in outcomes],
        "counts": {s: sum(1 for o in outcomes if o.status == s) for s in sorted({o.status for o in outcomes})},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=2)
