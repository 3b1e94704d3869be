"""`ainas-bot check` and `ainas-bot renew`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from ainas_bot._jst import today_jst
from ainas_bot.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ConfigError
from ainas_bot.flowrun import write_report
from ainas_bot.outcome import Outcome
from ainas_bot.prepare import check_offices
from ainas_bot.settings import Office, Settings, load_settings

__all__ = ["add_subparsers", "print_recap", "settings_from_args"]


def settings_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    config = args.config or (Path(environ["AINAS_CONFIG"]) if environ.get("AINAS_CONFIG") else None)
    overrides = {
        "browser": getattr(args, "browser", None),
        "headless": False if getattr(args, "headed", False) else None,
    }
    return load_settings(config, **overrides)


def _select(settings: Settings, ids: list[str] | None) -> list[Office]:
    if not settings.offices:
        raise ConfigError("no offices in the settings; add [[offices]] entries (see config/ainas.toml)")
    if not ids:
        return list(settings.offices)
    return [settings.office(i) for i in ids]


def _check(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = settings_from_args(args, environ)
    offices = _select(settings, args.office)
    ready, problems, warnings = check_offices(offices, settings, environ, today=today_jst())
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    for r in ready:
        c = r.certificate
        print(f"office {r.office.id}: ok — {c.profile}, {c.trade_name_kanji} / {c.holder_name_kanji}, "
              f"expires {c.expiry_date:%Y/%m/%d}, start {r.start_date:%Y/%m/%d}, "
              f"{r.trade_name_kana} / {r.holder_name_kana}, {r.postal_code}")
    print(f"{len(ready)} ready, {len(problems)} problem(s)")
    return EXIT_USAGE if problems else EXIT_OK


def print_recap(outcomes: list[Outcome], *, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    print("", file=out)
    width = max([len(o.office_id) for o in outcomes] + [6])
    for o in outcomes:
        detail = f"{o.reason}: {o.message}" if o.status == "failed" else o.message
        print(f"{o.office_id:<{width}}  {o.status:<16} {o.certificate_expiry or '':<10}  {o.seconds:6.1f}s  {detail}",
              file=out)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    print("RECAP " + "  ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=out)


def _renew(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from flows.runner import run_offices

    settings = settings_from_args(args, environ)
    offices = _select(settings, args.office)
    ready, problems, warnings = check_offices(offices, settings, environ, today=today_jst())
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    outcomes: list[Outcome] = [
        Outcome(office_id=p.office_id, login_id="", status="failed", reason=p.reason, message=p.message)
        for p in problems
    ]
    for p in problems:
        print(f"[{p.office_id}] not started: {p.message}", file=sys.stderr)
    started = time.monotonic()

    def emit(office_id: str, text: str) -> None:
        print(f"[{office_id}] {text}", file=sys.stderr, flush=True)

    if ready:
        outcomes += asyncio.run(run_offices(settings, ready, dry_run=args.dry_run, emit=emit,
                                            concurrency=args.concurrency))
    order = {o.id: i for i, o in enumerate(offices)}
    outcomes.sort(key=lambda o: order.get(o.office_id, len(order)))
    print_recap(outcomes)
    print(f"{len(outcomes)} office(s) in {time.monotonic() - started:.1f}s")
    if args.report:
        write_report(args.report, outcomes)
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="settings TOML (default: AINAS_CONFIG)")
    p.add_argument("--office", action="append", metavar="ID", help="代理人組織ID (repeatable; default: all)")


def add_subparsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = sub.add_parser("check", help="check settings and offices without a browser")
    _common(c)
    c.set_defaults(handler=_check)
    r = sub.add_parser("renew", help="register and update the signing certificate of offices")
    _common(r)
    r.add_argument("--dry-run", action="store_true", help="log in and look, change nothing")
    r.add_argument("--report", type=Path, metavar="PATH.json", help="write the outcomes as JSON")
    r.add_argument("--browser", choices=["chromium", "firefox"])
    r.add_argument("--headed", action="store_true", help="show the browser window")
    r.add_argument("--concurrency", type=int, default=1, help="browser contexts at once (default 1)")
    r.set_defaults(handler=_renew)
    from ainas_bot import demo

    d = sub.add_parser("demo", help="rehearse end to end against a local sandbox with three offices")
    d.add_argument("--workspace", type=Path, default=Path("ainas-demo"), help="where to write (default ./ainas-demo)")
    d.add_argument("--browser", choices=["chromium", "firefox"], default="chromium")
    d.add_argument("--headed", action="store_true")
    d.set_defaults(handler=demo.run_demo)


