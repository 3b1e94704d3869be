"""`ainas-bot probe`: first contact with a portal, read only; what the update needs, found or missing."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ainas_bot.cli.options import settings_from_args
from ainas_bot.config.inventory import all_offices, select_offices
from ainas_bot.config.settings import Settings
from ainas_bot.errors import EXIT_FAILED, EXIT_OK
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.i18n import _

if TYPE_CHECKING:
    from flows.probe import ProbeReport
    from flows.probe_offices import ProbeTarget

__all__ = ["add_subparser"]


def _targets(settings: Settings, args: argparse.Namespace, environ: Mapping[str, str]) -> list[ProbeTarget]:
    from flows.probe_offices import probe_targets

    offices = all_offices(settings)
    # One office is enough to learn the portal's screens: the first, unless offices are named.
    chosen = select_offices(offices, args.office, all_offices=False) if args.office else offices[:1]
    return probe_targets(settings, chosen, environ)


def _print(report: ProbeReport) -> None:
    from flows.probe_report import report_lines

    for line in report_lines(report):
        print(line)


def _probe(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from flows.probe_offices import probe_offices

    settings = settings_from_args(args, environ)
    targets = _targets(settings, args, environ)
    reports = asyncio.run(probe_offices(settings, targets, snapshots_dir=args.snapshots, environ=environ))
    ok = all(r.ok for r in reports)
    data = [r.as_json() for r in reports]
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif not (args.scheduled and ok):
        for report in reports:
            _print(report)
    if args.scheduled and not ok:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = (settings.report_dir or settings.artifacts_dir) / f"probe-{stamp}.json"
        write_private(
            path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), what="probe report"
        )
        print("ainas-bot probe: " + _("the portal differs; report {path}").format(path=path), file=sys.stderr)
        if settings.on_failure:
            result = subprocess.run([*settings.on_failure, str(path)], check=False)
            if result.returncode != 0:
                print(
                    "ainas-bot: " + _("on_failure command exited with {code}").format(code=result.returncode),
                    file=sys.stderr,
                )
    return EXIT_OK if ok else EXIT_FAILED


def add_subparser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("probe", help=_("walk the portal read-only and report what the update needs, found or missing"))
    p.add_argument("--config", type=Path, help=_("settings TOML (default: AINAS_CONFIG)"))
    p.add_argument("--office", action="append", metavar="ID", help=_("代理人組織ID to log in as (default: the first)"))
    p.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    p.add_argument(
        "--snapshots",
        type=Path,
        metavar="DIR",
        help=_("keep each screen's HTML and screenshot here (owner-only; secrets and form values removed)"),
    )
    p.add_argument(
        "--scheduled",
        action="store_true",
        help=_("a canary: quiet when everything is found, else a report and the on_failure command"),
    )
    p.add_argument("--browser", choices=["chromium", "firefox"])
    p.add_argument("--headed", action="store_true", help=_("show the browser window"))
    p.set_defaults(handler=_probe)
