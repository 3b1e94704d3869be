"""`ainas-bot status --from-record`: where each office stands from the record and the local files alone, without
logging in (no request to the portal; seconds for hundreds of offices), saying when the portal last proved each."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence

from ainas_bot.cli.status_table import RECORD_COLUMNS, print_status_table
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import EXIT_FAILED, EXIT_OK
from ainas_bot.fleet.build import from_record
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import today_jst
from ainas_bot.foundation.safe_text import json_safe
from ainas_bot.i18n import _
from ainas_bot.notices.telling import write_views
from ainas_bot.results.outcome import reason_label, status_label

__all__ = ["status_from_record"]


def status_from_record(
    settings: Settings, offices: Sequence[Office], environ: Mapping[str, str], args: argparse.Namespace
) -> int:
    today = today_jst()
    fleet = from_record(settings, offices, environ, today=today)
    rows, errors = fleet.rows, fleet.errors
    table = [_row(s) for s in rows]
    if args.json:
        document = {"today": today.isoformat(), "source": "record", "offices": table, "warnings": fleet.warnings}
        print(json_safe(json.dumps(document, ensure_ascii=False, indent=2)))
    else:
        print_status_table(
            [
                {**r, "last_outcome": _last(s), "verified_on": r["verified_on"] or _("never")}
                for r, s in zip(table, rows, strict=True)
            ],
            RECORD_COLUMNS,
        )
    for error in [*errors, *write_views(rows, metrics=args.metrics, html=args.html)]:
        print(f"ainas-bot: {error}", file=sys.stderr)
    return EXIT_FAILED if errors or any(r["warning"] for r in table) else EXIT_OK


def _row(s: Standing) -> dict[str, object]:
    """The keys of `status --json`, with what the record knows in place of what the portal would show."""
    from flows.decision import renewal_status

    days_left, warning = renewal_status(s.registered_expiry, s.local_expiry, s.today)
    if s.problem:
        warning = s.problem
    elif s.proved_on is None:
        warning = _("the portal has not proved a certificate of this office yet; `ainas-bot status` reads it")
    same = s.registered_fingerprint is not None and s.registered_fingerprint == s.local_fingerprint
    return {
        "office_id": s.office_id,
        "office_name": s.office_name,
        "registered_expiry": s.registered_expiry.isoformat() if s.registered_expiry else None,
        "days_left": days_left,
        "local_expiry": s.local_expiry.isoformat() if s.local_expiry else None,
        "local_file": s.local_file,
        "would": "already-current" if same else ("would-register" if s.renewal_pending else None),
        "warning": warning,
        "verified_on": s.proved_on.isoformat() if s.proved_on else None,
        "last_outcome": s.last_status,
        "last_reason": s.last_reason,
        "last_run_at": s.last_run_at.isoformat(timespec="seconds") if s.last_run_at else None,
        "order_now": s.order_now,
        "record_corrected": None,
    }


def _last(s: Standing) -> str | None:
    if s.last_status is None:
        return None
    said = status_label(s.last_status) + (f" ({reason_label(s.last_reason)})" if s.last_reason else "")
    return f"{said} {s.last_run_at:%Y-%m-%d}" if s.last_run_at else said
