"""`ainas-bot renew`: the offices selected, through `flows.run`, then the recap, the summary line and the exit code."""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from ainas_bot.cli.console import ConsoleEvents, print_recap, summary_line
from ainas_bot.cli.options import common_options, selected_offices, settings_from_args
from ainas_bot.errors import EXIT_FAILED, EXIT_INTERRUPTED
from ainas_bot.foundation.jst import now_jst
from ainas_bot.i18n import _
from ainas_bot.notices.telling import tell_after_run
from ainas_bot.results.outcome import run_exit_code

__all__ = ["add_parser", "renew"]


def renew(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from flows.run import RunRequest, run

    started = time.monotonic()
    started_at = now_jst()
    settings = settings_from_args(args, environ)
    offices = selected_offices(args, environ, settings, default_all=False)
    request = RunRequest(
        offices,
        dry_run=args.dry_run,
        visit_all=args.verify,
        start_delay=random.uniform(0, settings.start_delay_seconds) if args.scheduled else 0.0,  # noqa: S311
        report=args.report,
        report_csv=args.report_csv,
        report_dir=(settings.report_dir or settings.artifacts_dir) if args.scheduled else None,
    )
    interactive = sys.stderr.isatty() and not args.scheduled
    console = ConsoleEvents(0, sys.stderr, interactive=interactive, quiet=args.scheduled, dry_run=args.dry_run)
    try:
        result = run(settings, request, console, environ)
    finally:
        console.close()
    if not args.scheduled or result.failed or result.errors or result.warned:
        print_recap(result.outcomes, sys.stdout, interactive=sys.stdout.isatty())
    said = {"json": _("JSON report {path}"), "csv": _("CSV report {path}")}
    print(
        summary_line(result.outcomes, time.monotonic() - started)
        + "".join(_("; {report}").format(report=said[kind].format(path=path)) for kind, path in result.reports)
    )
    for error in result.errors:
        print(f"ainas-bot: {error}", file=sys.stderr)
    # Told after the run's own lines, and never changing its exit code.
    told = tell_after_run(
        settings, environ, offices, result, started_at=started_at, dry_run=args.dry_run, metrics=args.metrics
    )
    for problem in told:
        print(f"ainas-bot: {problem}", file=sys.stderr)
    if result.interrupted:
        print("ainas-bot: " + _("interrupted"), file=sys.stderr)
    if result.failed and args.scheduled and settings.on_failure and result.report is not None:
        _on_failure(settings.on_failure, result.report)
    if result.interrupted:
        return EXIT_INTERRUPTED
    # README "Exit codes": the code the failed offices share (3 certificate, 2 inputs), else 1.
    return EXIT_FAILED if result.errors else run_exit_code(result.outcomes)


def _on_failure(command: list[str], report: Path) -> None:
    """The command gets the report path as its last argument; it runs without a shell."""
    try:
        result = subprocess.run([*command, str(report)], check=False)
    except OSError as exc:
        print(
            "ainas-bot: "
            + _("on_failure command {command} could not be run ({error}); check on_failure in the settings").format(
                command=repr(command[0]), error=exc.strerror
            ),
            file=sys.stderr,
        )
        return
    if result.returncode != 0:
        print(
            "ainas-bot: " + _("on_failure command exited with {code}").format(code=result.returncode), file=sys.stderr
        )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    r_help = _("register and update the signing certificate of offices")
    r = sub.add_parser("renew", help=r_help, description=r_help)
    common_options(r)
    r.add_argument("--dry-run", action="store_true", help=_("log in and look, change nothing"))
    r.add_argument(
        "--no-trace",
        action="store_true",
        help=_("keep no Playwright trace of a failure, only its screen and HTML (a fifth less CPU)"),
    )
    r.add_argument("--report", type=Path, metavar="PATH.json", help=_("write the outcomes as JSON"))
    r.add_argument("--report-csv", type=Path, metavar="PATH.csv", help=_("write the outcomes as CSV (Excel)"))
    r.add_argument(
        "--metrics",
        type=Path,
        metavar="FILE.prom",
        help=_("write each office's expiry, days left and last outcome for node_exporter's textfile collector"),
    )
    r.add_argument(
        "--verify",
        action="store_true",
        help=_("visit every selected office, even those verified on the portal within reverify_days"),
    )
    r.add_argument(
        "--scheduled",
        action="store_true",
        help=_("unattended: quiet on success, random start delay, on_failure command"),
    )
    r.set_defaults(handler=renew)
