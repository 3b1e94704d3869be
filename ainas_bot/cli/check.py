"""`ainas-bot check`: every check before the first click, for the offices selected, without a browser."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.prepare import PreparedOffice, office_message
from ainas_bot.cli.options import selected_offices, settings_from_args
from ainas_bot.config.inventory import all_offices
from ainas_bot.config.settings import Office
from ainas_bot.errors import EXIT_OK, EXIT_USAGE
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from ainas_bot.record.opened import opened_record
from ainas_bot.results.runs import prepare

__all__ = ["add_parser", "check"]


def check(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = settings_from_args(args, environ)
    offices = selected_offices(args, environ, settings, default_all=True)
    with opened_record(settings) as record:
        prepared = prepare(settings, offices, environ, cache=record.cache)
    ready, problems, certificates = prepared.ready, prepared.refused, prepared.certificates
    for error in record.errors:
        print(f"ainas-bot: {error}", file=sys.stderr)
    for w in prepared.warnings:
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


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    c.set_defaults(handler=check)
