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
from ainas_bot.errors import EXIT_FAILED, EXIT_OK, ConfigError
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import _

if TYPE_CHECKING:
    from flows.probe import ProbeReport
    from flows.probe_offices import ProbeTarget

__all__ = ["add_subparser"]


def _targets(settings: Settings, args: argparse.Namespace, environ: Mapping[str, str]) -> list[ProbeTarget]:
    from flows.probe_offices import ProbeTarget

    offices = all_offices(settings)
    # One office is enough to learn the portal's screens: the first, unless offices are named.
    chosen = select_offices(offices, args.office, all_offices=False) if args.office else offices[:1]
    if not chosen:
        raise ConfigError(_("probe: no office in the settings to log in as; add one ([[offices]] or inventory)"))
    sdir = settings.secrets_dir
    setting = _("office {office}: {setting}")
    return [
        ProbeTarget(
            o.id,
            o.login_id,
            o.login_password.resolve(environ, sdir, what=setting.format(office=o.id, setting="login_password")),
            o.client_cert,
            o.client_cert_password.resolve(
                environ, sdir, what=setting.format(office=o.id, setting="client_cert_password")
            ),
        )
        for o in chosen
    ]


def _print(report: ProbeReport) -> None:
    print(_("office {office}").format(office=report.office_id))
    for screen in report.screens:
        print("  " + _("{screen} ({seconds} s)").format(screen=screen.screen, seconds=f"{screen.seconds:.1f}"))
        for check in screen.checks:
            state = _("ok") if check.found else (_("MISSING") if check.required else _("absent"))
            name = f" [{check.name}]" if check.name else ""
            seen = _("seen: {texts}").format(texts=", ".join(check.candidates[:15])) if check.candidates else ""
            detail = check.how if check.found else "; ".join(filter(None, [check.hint(), seen]))
            print(f"    {state:<7} {check.described()}{name} — {detail}")
        for row in screen.rows:
            print("    " + _("row: {cells}").format(cells=" | ".join(row.values())))
        for dialog in screen.dialogs:
            print("    " + _("dialog accepted: {text}").format(text=dialog))
        for handled in screen.handled:  # the portal's own words among them: no control character reaches here
            print("    " + _("handled: {what}").format(what=shown(handled)))
        if screen.scripts:
            print("    " + _("scripts: {names}").format(names=", ".join(screen.scripts)))
        if screen.replaced:
            print("    " + _("built-ins its scripts replaced: {names}").format(names=", ".join(screen.replaced)))
    print((_("ok: {summary}") if report.ok else _("problem: {summary}")).format(summary=report.summary()))


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
