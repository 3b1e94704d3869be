"""`ainas-bot status`: per office, the certificate the portal has in force beside the newest local .p12, read
from the portal (read-only), and what the record said if the portal showed otherwise."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path

from ainas_bot.checks.prepare import office_message
from ainas_bot.cli.console import ConsoleEvents
from ainas_bot.cli.options import common_options, selected_offices, settings_from_args
from ainas_bot.cli.status_record import status_from_record
from ainas_bot.cli.status_table import print_status_table
from ainas_bot.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from ainas_bot.foundation.jst import today_jst
from ainas_bot.foundation.safe_text import json_safe, shown
from ainas_bot.i18n import _
from ainas_bot.notices.telling import fleet_rows, write_views
from ainas_bot.record.store import Verified
from ainas_bot.results.outcome import Outcome, reason_label, status_label

__all__ = ["add_parser", "status"]


class _StatusEvents(ConsoleEvents):
    def warning(self, text: str) -> None:
        pass  # in the JSON's `warnings`; the table's own column says what matters per office


def status(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from flows.decision import renewal_status
    from flows.run import RunRequest, run

    settings = settings_from_args(args, environ)
    offices = selected_offices(args, environ, settings, default_all=True)
    if args.from_record:
        return status_from_record(settings, offices, environ, args)
    # status reads the portal: every office is visited, with its .p12 opened for real; it changes nothing,
    # so it keeps no audit line and takes no lock.
    request = RunRequest(offices, dry_run=True, visit_all=True, audit=False)
    result = run(settings, request, _StatusEvents(0, sys.stderr, interactive=False, quiet=not args.verbose), environ)
    visited = {o.office.id for o in result.visited}
    outcomes = {o.office_id: o for o in result.outcomes}
    for error in result.errors:
        print(f"ainas-bot: {error}", file=sys.stderr)
    today = today_jst()
    rows = []
    for office in result.visited:
        oid = office.office.id
        outcome = outcomes[oid]
        registered = dt.date.fromisoformat(outcome.registered_expiry) if outcome.registered_expiry else None
        days_left, warning = renewal_status(registered, office.certificate.expiry_date, today)
        if outcome.status == "failed" and (outcome.registered_expiry is None or warning is None):
            # The portal was not read, or was read and refused this .p12 (e.g. going backwards) for a reason
            # the days left do not already say.
            warning = (
                _("could not read the portal: {reason}: {message}").format(
                    reason=reason_label(outcome.reason), message=outcome.message
                )
                if outcome.registered_expiry is None
                else f"{reason_label(outcome.reason)}: {outcome.message}"
            )
        rows.append(
            {
                "office_id": office.office.id,
                "office_name": outcome.office_name,
                "registered_expiry": outcome.registered_expiry,
                "days_left": days_left,
                "local_expiry": office.certificate.expiry_date.isoformat(),
                "local_file": str(office.signing_p12),
                "would": outcome.status,
                "warning": warning,
                "verified_on": outcome.verified_on,
                "record_corrected": _correction(oid, *result.records[oid], outcome),
            }
        )
    rows += [
        {
            "office_id": p.office_id,
            "office_name": p.office_name,
            "registered_expiry": None,
            "days_left": None,
            "local_expiry": None,
            "local_file": None,
            "would": None,
            "warning": p.message,
            "verified_on": None,
            "record_corrected": None,
        }
        for p in result.outcomes
        if p.office_id not in visited
    ]
    if args.json:
        print(
            json_safe(
                json.dumps(
                    {"today": today.isoformat(), "offices": rows, "warnings": result.prepared.warnings},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        )
    else:
        print_status_table([{**r, "would": status_label(str(r["would"])) if r["would"] else None} for r in rows])
        for r in rows:
            if r["record_corrected"]:
                print(shown(str(r["record_corrected"])))
    if args.html or args.metrics:
        standings, problems = fleet_rows(settings, offices, result, portal_read=True)
        for problem in [*problems, *write_views(standings, metrics=args.metrics, html=args.html)]:
            print(f"ainas-bot: {problem}", file=sys.stderr)
    if result.interrupted:
        print("ainas-bot: " + _("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED if any(r["warning"] for r in rows) else EXIT_OK


def _correction(office_id: str, before: Verified | None, after: Verified | None, outcome: Outcome) -> str | None:
    """`status`: what the record said and what the portal showed, when the visit changed the record (`after` is
    the record once the office ended: unchanged when the portal was not read)."""
    if before is None or (after is not None and after.fingerprint == before.fingerprint):
        return None
    said = _(
        "the record said certificate {fingerprint}… (登録日時 {registered_at}, verified on {verified_on}) is "
        "registered and active"
    ).format(
        fingerprint=before.fingerprint[:23],
        registered_at=before.registered_at,
        verified_on=before.verified_on.isoformat(),
    )
    if after is not None:
        shows = _("the portal shows certificate {fingerprint}… (登録日時 {registered_at}) instead").format(
            fingerprint=after.fingerprint[:23], registered_at=after.registered_at
        )
    else:
        shows = _(
            "the portal does not show it registered and active (latest active certificate expires {latest})"
        ).format(latest=outcome.registered_expiry or _("none"))
    return office_message(office_id, _("record corrected: {said}; {shows}").format(said=said, shows=shows))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s_help = _("registered certificate versus the newest local .p12, per office (read-only)")
    s = sub.add_parser("status", help=s_help, description=s_help)
    common_options(s)
    s.add_argument("--json", action="store_true", help=_("print the table as JSON (English keys)"))
    s.add_argument("--verbose", action="store_true", help=_("show each step"))
    s.add_argument(
        "--from-record",
        action="store_true",
        help=_("answer from the record and the local files only, without logging in (no request to the portal)"),
    )
    s.add_argument(
        "--html",
        type=Path,
        metavar="FILE.html",
        help=_("write the expiry calendar: one self-contained page, a timeline per office"),
    )
    s.add_argument(
        "--metrics",
        type=Path,
        metavar="FILE.prom",
        help=_("write each office's expiry, days left and last outcome for node_exporter's textfile collector"),
    )
    s.set_defaults(handler=status)
