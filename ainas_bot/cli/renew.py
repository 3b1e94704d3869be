"""`ainas-bot check`, `renew` and `status`: settings at the edge, then prepare, run, report."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.cells import cell_len

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.prepare import PreparedOffice, Problem, check_offices, office_message, office_prefix
from ainas_bot.cli.console import ConsoleEvents, print_recap, summary_line
from ainas_bot.cli.record import Record, correction, opened_record, record_of, split_offices
from ainas_bot.config.inventory import all_offices, select_offices
from ainas_bot.config.settings import Office, Settings, load_settings
from ainas_bot.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, ConfigError, OutputError
from ainas_bot.foundation.jst import today_jst
from ainas_bot.foundation.run_lock import run_lock
from ainas_bot.foundation.safe_text import json_safe, shown
from ainas_bot.i18n import N_, _
from ainas_bot.portal_text import Label
from ainas_bot.record.p12_cache import P12Cache
from ainas_bot.record.store import VerificationLog, now_jst
from ainas_bot.results.audit_log import RecordingEvents, interrupted_outcomes, sigterm_as_interrupt
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Outcome, reason_label, run_exit_code, status_label
from ainas_bot.results.reports import write_report, write_report_csv

__all__ = ["add_subparsers", "settings_from_args"]


def settings_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    config = args.config or (Path(environ["AINAS_CONFIG"]) if environ.get("AINAS_CONFIG") else None)
    overrides = {
        "browser": getattr(args, "browser", None),
        "headless": False if getattr(args, "headed", False) else None,
        "concurrency": getattr(args, "concurrency", None),
        "browser_endpoint": getattr(args, "browser_endpoint", None),
        "trace": False if getattr(args, "no_trace", False) else None,
    }
    return load_settings(config, **overrides)


def _joined(office_id: str, problems: list[Problem]) -> str:
    """`office 1: first; second`: one line for an office, each problem said once."""
    prefix = office_prefix(office_id)
    return office_message(office_id, _("; ").join(p.message.removeprefix(prefix) for p in problems))


def _prepare(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    default_all: bool,
    certificates: dict[str, CertificateInfo] | None = None,
    settings: Settings | None = None,
    cache: P12Cache | None = None,
) -> tuple[Settings, list[PreparedOffice], list[Outcome], list[str]]:
    settings = settings or settings_from_args(args, environ)
    if not (args.config or environ.get("AINAS_CONFIG") or settings.offices or settings.inventory):
        raise ConfigError(
            _(
                "no settings file: --config was not given and AINAS_CONFIG is not set, so no office is "
                "known; name the settings with --config PATH or AINAS_CONFIG=PATH (a commented example "
                "is config/ainas.toml)"
            )
        )
    certificates = {} if certificates is None else certificates  # the 屋号 beside the ID of a refused office
    offices = select_offices(
        all_offices(settings), args.office, all_offices=getattr(args, "all", False) or (default_all and not args.office)
    )
    ready, problems, warnings = check_offices(
        offices, settings, environ, today=today_jst(), certificates=certificates, cache=cache
    )
    by_office: dict[str, list[Problem]] = {}
    for p in problems:
        by_office.setdefault(p.office_id, []).append(p)
    # One outcome per office, however many problems it has: counted once in the recap, report and audit.
    not_started = [
        Outcome.not_started(
            oid,
            next(o.login_id for o in offices if o.id == oid),
            office_name=certificates[oid].trade_name_kanji if oid in certificates else "",
            reason=ps[0].reason,
            message=_joined(oid, ps),
        )
        for oid, ps in by_office.items()
    ]
    return settings, ready, not_started, warnings


def _print_suggestions(offices: list[Office], certificates: dict[str, CertificateInfo]) -> None:
    """`check --suggest`: per office, the dictionary's カナ and the address's postal code next to what is set."""
    from ainas_bot.checks.values import suggest

    for office in offices:
        cert = certificates.get(office.id)
        if cert is None:
            print(shown(office_message(office.id, _("no suggestion (its certificate could not be opened)"))))
            continue
        s = suggest(cert)
        codes = ", ".join(s.postal_codes) or _("none in the data")
        print(
            shown(
                office_message(
                    office.id,
                    _(
                        "{trade_label} set '{trade_set}', suggested '{trade}'; {holder_label} set '{holder_set}', "
                        "suggested '{holder}'; {postal_label} set '{postal_set}', suggested {codes}"
                    ).format(
                        trade_label=Label.TRADE_NAME_KANA,
                        trade_set=office.trade_name_kana,
                        trade=s.trade_name_kana,
                        holder_label=Label.HOLDER_NAME_KANA,
                        holder_set=office.holder_name_kana,
                        holder=s.holder_name_kana,
                        postal_label=Label.POSTAL_CODE,
                        postal_set=office.postal_code,
                        codes=codes,
                    ),
                )
            )
        )


def _check(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    certificates: dict[str, CertificateInfo] = {}
    settings = settings_from_args(args, environ)
    with opened_record(settings) as record:
        settings, ready, problems, warnings = _prepare(
            args, environ, default_all=True, certificates=certificates, settings=settings, cache=record.cache
        )
    for error in record.errors:
        print(f"ainas-bot: {error}", file=sys.stderr)
    for w in warnings:
        print(_("warning: {message}").format(message=shown(w)), file=sys.stderr)
    for p in problems:
        print(_("problem: {message}").format(message=shown(p.message)), file=sys.stderr)
    for r in ready:
        c = r.certificate
        print(
            shown(
                office_message(
                    r.office.id,
                    _(
                        "ok — {profile}, {trade} / {holder}, expires {expiry}, start {start}, "
                        "{trade_kana} / {holder_kana}, {postal}"
                    ).format(
                        profile=c.profile,
                        trade=c.trade_name_kanji,
                        holder=c.holder_name_kanji,
                        expiry=f"{c.expiry_date:%Y/%m/%d}",
                        start=f"{r.start_date:%Y/%m/%d}",
                        trade_kana=r.trade_name_kana,
                        holder_kana=r.holder_name_kana,
                        postal=r.postal_code,
                    ),
                )
            )
        )
        _print_choice(r)
    if args.suggest:
        checked = {o.office_id for o in problems} | {r.office.id for r in ready}
        _print_suggestions([o for o in all_offices(settings) if o.id in checked], certificates)
    print(_("{ready} ready, {problems} with problems").format(ready=len(ready), problems=len(problems)))  # offices
    return EXIT_USAGE if problems else EXIT_OK


def _print_choice(r: PreparedOffice) -> None:
    """`check` with signing_cert a folder: the .p12 it took and why, then each file passed over and why."""
    if not r.office.signing_cert.is_dir():
        return
    print(
        shown(
            office_message(
                r.office.id,
                _(
                    "picked {name} in {folder}: of the .p12 files there that its pin opens and that are valid on "
                    "{start}, it expires last ({expiry})"
                ).format(
                    name=r.signing_p12.name,
                    folder=r.office.signing_cert,
                    start=f"{r.start_date:%Y/%m/%d}",
                    expiry=f"{r.certificate.expiry_date:%Y/%m/%d}",
                ),
            )
        )
    )
    for _file, why in r.passed_over:
        print(shown(office_message(r.office.id, why)))


async def _run(
    settings: Settings,
    ready: list[PreparedOffice],
    events: RunEvents,
    *,
    dry_run: bool,
    delay: float,
    record: VerificationLog | None,
    environ: Mapping[str, str],
) -> list[Outcome]:
    from flows.run import run_offices

    if delay > 0:
        events.step("-", _("scheduled: starting in {seconds} s").format(seconds=f"{delay:.0f}"))
        await asyncio.sleep(delay)  # spreads many timers' load on the portal; not a wait on a screen
    return await run_offices(
        settings,
        ready,
        dry_run=dry_run,
        events=events,
        concurrency=settings.concurrency,
        record=record,
        environ=environ,
    )


def _renew(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    started = time.monotonic()
    settings = settings_from_args(args, environ)
    with opened_record(settings) as record:
        return _renew_recorded(args, environ, settings, record, started)


def _renew_recorded(
    args: argparse.Namespace, environ: Mapping[str, str], settings: Settings, record: Record, started: float
) -> int:
    settings, ready, outcomes, warnings = _prepare(
        args, environ, default_all=False, settings=settings, cache=record.cache
    )
    interactive = sys.stderr.isatty() and not args.scheduled
    for w in warnings:
        print(_("warning: {message}").format(message=shown(w)), file=sys.stderr)
    console = ConsoleEvents(
        len(ready) + len(outcomes), sys.stderr, interactive=interactive, quiet=args.scheduled, dry_run=args.dry_run
    )
    events = RecordingEvents(console, settings.audit_log, dry_run=args.dry_run)
    delay = random.uniform(0, settings.start_delay_seconds) if args.scheduled else 0.0  # noqa: S311
    interrupted = False
    try:
        with sigterm_as_interrupt(), run_lock(settings.lock_file):
            # Under the lock, as another run may be writing the record: only the offices it cannot vouch for
            # go to the portal (a dry run looks at every one).
            use = split_offices(
                ready, record, settings, environ, events, visit_all=args.verify or args.dry_run, now=now_jst()
            )
            outcomes += use.skipped + use.not_started
            for o in outcomes:
                events.done(o)
            console.portal_started()
            try:
                if use.todo:
                    asyncio.run(
                        _run(
                            settings,
                            use.todo,
                            events,
                            dry_run=args.dry_run,
                            delay=delay,
                            record=record.log,
                            environ=environ,
                        )
                    )
            except KeyboardInterrupt:
                interrupted = True
                ended = {o.office_id for o in events.outcomes}
                rest = interrupted_outcomes(
                    [(r.office.id, r.office.login_id) for r in use.todo if r.office.id not in ended],
                    _("interrupted (SIGINT or SIGTERM)"),
                )
                for o in rest:
                    events.outcomes.append(o)
                events.audit(rest)
    finally:
        console.close()
    outcomes = events.outcomes
    order = {o.office.id: i for i, o in enumerate(ready)}
    outcomes.sort(key=lambda o: order.get(o.office_id, -1))
    failed = [o for o in outcomes if not o.ok]
    report = args.report
    # --scheduled: a certificate near its end (min_days_left) is reported even when every office went well.
    warned = any(r.warnings for r in ready)
    if report is None and args.scheduled and (failed or warned):
        stamp = now_jst().strftime("%Y%m%dT%H%M%S%z")
        report = (settings.report_dir or settings.artifacts_dir) / f"report-{stamp}.json"
    errors = [*events.errors, *record.errors]
    written: list[str] = []
    for path, write, said in (
        (report, write_report, _("JSON report {path}")),
        (args.report_csv, write_report_csv, _("CSV report {path}")),
    ):
        if path is None:
            continue
        try:
            write(path, outcomes)
        except OutputError as exc:
            errors.append(str(exc))
            report = None if path == report else report
        else:
            written.append(said.format(path=path))
    if not args.scheduled or failed or errors or warned:
        print_recap(outcomes, sys.stdout, interactive=sys.stdout.isatty())
    print(
        summary_line(outcomes, time.monotonic() - started) + "".join(_("; {report}").format(report=w) for w in written)
    )
    for error in errors:
        print(f"ainas-bot: {error}", file=sys.stderr)
    if interrupted:
        print("ainas-bot: " + _("interrupted"), file=sys.stderr)
    if failed and args.scheduled and settings.on_failure and report is not None:
        _on_failure(settings.on_failure, report)
    if interrupted:
        return EXIT_INTERRUPTED
    # README "Exit codes": the code the failed offices share (3 certificate, 2 inputs), else 1.
    return EXIT_FAILED if errors else run_exit_code(outcomes)


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


def _status(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from flows.decision import renewal_status
    from flows.run import run_offices

    certificates: dict[str, CertificateInfo] = {}
    settings = settings_from_args(args, environ)
    with opened_record(settings) as record:
        settings, ready, problems, warnings = _prepare(
            args, environ, default_all=True, settings=settings, certificates=certificates, cache=record.cache
        )
        events = ConsoleEvents(len(ready), sys.stderr, interactive=False, quiet=not args.verbose)
        # status always reads the portal: every office is visited, with its .p12 opened for real.
        use = split_offices(ready, record, settings, environ, events, visit_all=True, now=now_jst())
        ready = use.todo
        before = {o.office.id: record_of(record, o.office.id) for o in ready}
        outcomes = (
            asyncio.run(
                run_offices(
                    settings,
                    ready,
                    dry_run=True,
                    events=events,
                    record=record.log,
                    concurrency=settings.concurrency,
                    environ=environ,
                )
            )
            if ready
            else []
        )
        corrected = {
            o.office.id: correction(o.office.id, before[o.office.id], record_of(record, o.office.id), outcome)
            for o, outcome in zip(ready, outcomes, strict=True)
        }
    for error in record.errors:
        print(f"ainas-bot: {error}", file=sys.stderr)
    today = today_jst()
    rows = []
    for office, outcome in zip(ready, outcomes, strict=True):
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
                "record_corrected": corrected[office.office.id],
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
        for p in [*problems, *use.not_started]
    ]
    if args.json:
        print(
            json_safe(
                json.dumps(
                    {"today": today.isoformat(), "offices": rows, "warnings": warnings}, ensure_ascii=False, indent=2
                )
            )
        )
    else:
        _print_status_table([{**r, "would": status_label(str(r["would"])) if r["would"] else None} for r in rows])
        for r in rows:
            if r["record_corrected"]:
                print(shown(str(r["record_corrected"])))
    return EXIT_FAILED if any(r["warning"] for r in rows) else EXIT_OK


_STATUS_COLUMNS = (
    ("office_id", N_("office")),
    ("office_name", N_("name")),
    ("registered_expiry", N_("registered")),
    ("days_left", N_("days left")),
    ("local_expiry", N_("local .p12")),
    ("would", N_("would")),
    ("warning", N_("warning")),
)


def _print_status_table(rows: Sequence[Mapping[str, object]]) -> None:
    """`status`: a header line, then one line per office, in columns (a kanji takes two on a terminal)."""
    cells = [[_(title) for _key, title in _STATUS_COLUMNS]]
    cells += [
        [shown("—" if r[key] is None or r[key] == "" else str(r[key])) for key, _title in _STATUS_COLUMNS] for r in rows
    ]
    widths = [max(cell_len(line[i]) for line in cells) for i in range(len(_STATUS_COLUMNS) - 1)]
    for line in cells:
        padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*padded, line[-1]]).rstrip())


def _common(p: argparse.ArgumentParser, *, selection: bool = True) -> None:
    p.add_argument("--config", type=Path, help=_("settings TOML (default: AINAS_CONFIG)"))
    if selection:
        p.add_argument(
            "--office",
            action="append",
            metavar="ID",
            help=_("代理人組織ID (repeatable); @REPORT.json takes the failed offices of an earlier run"),
        )
        p.add_argument("--all", action="store_true", help=_("every office of the inventory"))
    p.add_argument("--browser", choices=["chromium", "firefox"])
    p.add_argument("--headed", action="store_true", help=_("show the browser window"))
    p.add_argument("--concurrency", type=int, metavar="N", help=_("browser contexts at once (default 4)"))
    p.add_argument(
        "--browser-endpoint",
        metavar="WS_URL",
        help=_("use a running `playwright run-server` (ws://HOST:PORT/) instead of a local browser"),
    )


def add_subparsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c_help = _("check settings and offices without a browser (default: all offices)")
    c = sub.add_parser("check", help=c_help, description=c_help)
    c.add_argument("--config", type=Path, help=_("settings TOML (default: AINAS_CONFIG)"))
    c.add_argument("--office", action="append", metavar="ID", help=_("代理人組織ID (repeatable) or @REPORT.json"))
    c.add_argument("--all", action="store_true", help=_("every office (the default)"))
    c.add_argument(
        "--suggest",
        action="store_true",
        help=_("show, per office, the dictionary's カナ and the address's 郵便番号 next to what is set"),
    )
    c.set_defaults(handler=_check)
    r_help = _("register and update the signing certificate of offices")
    r = sub.add_parser("renew", help=r_help, description=r_help)
    _common(r)
    r.add_argument("--dry-run", action="store_true", help=_("log in and look, change nothing"))
    r.add_argument(
        "--no-trace",
        action="store_true",
        help=_("keep no Playwright trace of a failure, only its screen and HTML (a fifth less CPU)"),
    )
    r.add_argument("--report", type=Path, metavar="PATH.json", help=_("write the outcomes as JSON"))
    r.add_argument("--report-csv", type=Path, metavar="PATH.csv", help=_("write the outcomes as CSV (Excel)"))
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
    r.set_defaults(handler=_renew)
    s_help = _("registered certificate versus the newest local .p12, per office (read-only)")
    s = sub.add_parser("status", help=s_help, description=s_help)
    _common(s)
    s.add_argument("--json", action="store_true", help=_("print the table as JSON (English keys)"))
    s.add_argument("--verbose", action="store_true", help=_("show each step"))
    s.set_defaults(handler=_status)
    from ainas_bot.cli import demo

    d = sub.add_parser("demo", help=_("rehearse end to end against a local sandbox with three offices"))
    d.add_argument(
        "--workspace", type=Path, default=Path("ainas-demo"), help=_("where to write (default ./ainas-demo)")
    )
    d.add_argument("--browser", choices=["chromium", "firefox"], default="chromium")
    d.add_argument("--headed", action="store_true")
    d.set_defaults(handler=demo.run_demo)
