"""`ainas-bot inspect` and `ainas-bot make-cert`."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.cells import cell_len

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import CertificateInfo, check_validity, describe
from ainas_bot.certificates.p12 import open_p12, read_p12_bytes
from ainas_bot.certificates.raw_dump import raw_dump
from ainas_bot.config.loading import load_settings
from ainas_bot.config.secrets import read_secret_file
from ainas_bot.errors import AinasBotError, ConfigError
from ainas_bot.foundation.jst import JST
from ainas_bot.foundation.safe_text import json_safe, shown
from ainas_bot.i18n import N_, _
from ainas_bot.portal_text import Label

__all__ = ["add_pin_arguments", "add_subparsers", "read_pin"]


def add_pin_arguments(parser: argparse.ArgumentParser, what: str = N_("the certificate PIN")) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--pin-env", metavar="NAME", help=_("read {what} from this environment variable").format(what=_(what))
    )
    group.add_argument(
        "--pin-file",
        metavar="PATH",
        type=Path,
        help=_("read {what} from the first line of this file").format(what=_(what)),
    )


def read_pin(args: argparse.Namespace, environ: Mapping[str, str], *, confirm: bool = False) -> SecretStr:
    """The PIN from --pin-env, --pin-file, AINAS_PIN or a hidden prompt; never from argv."""
    if args.pin_env:
        if args.pin_env not in environ:
            raise ConfigError(_("--pin-env: environment variable {name} is not set").format(name=args.pin_env))
        return SecretStr(environ[args.pin_env])
    if args.pin_file:
        return read_secret_file(args.pin_file, what="--pin-file")
    if "AINAS_PIN" in environ:
        return SecretStr(environ["AINAS_PIN"])
    if not sys.stdin.isatty():
        raise ConfigError(_("no PIN given: use --pin-env NAME, --pin-file PATH or AINAS_PIN (no terminal to ask on)"))
    pin = getpass.getpass(_("PIN (証明書パスワード): "))
    if confirm and getpass.getpass(_("PIN again: ")) != pin:
        raise ConfigError(_("the two PINs typed differ"))
    return SecretStr(pin)


def _human(info: CertificateInfo, raw: dict[str, Any] | None) -> str:
    def when(d: dt.datetime) -> str:
        return d.astimezone(JST).strftime("%Y/%m/%d %H:%M JST")

    rows = [
        (_("File"), info.file),
        (_("Profile"), info.profile),
        (Label.TRADE_NAME_KANJI, info.trade_name_kanji),
        (Label.HOLDER_NAME_KANJI, info.holder_name_kanji),
        (Label.ADDRESS_STREET, info.address_street),
        (Label.ADDRESS_BUILDING, info.address_building or _("(none)")),
        (
            Label.EXPIRY,
            _("{date}  (valid {start} – {end})").format(
                date=f"{info.expiry_date:%Y/%m/%d}", start=when(info.not_before), end=when(info.not_after)
            ),
        ),
        (_("Issuer"), info.issuer),
        (_("Subject"), info.subject),
        (_("Serial"), info.serial),
        ("SHA-256", info.sha256),
        (
            _("Key"),
            (
                _("{type} {bits} bits, matches the certificate")
                if info.key_matches_certificate
                else _("{type} {bits} bits, DOES NOT match the certificate")
            ).format(type=info.key_type, bits=info.key_bits),
        ),
        (_("Key usage"), ", ".join(info.key_usage) or _("(not restricted)")),
        (_("Encryption"), _("certificates {certificates}; key {key}; MAC {mac}").format(**info.encryption)),
    ]
    width = max(cell_len(k) for k, _v in rows)
    lines = [f"{k}{' ' * (width - cell_len(k))}  {shown(v)}" for k, v in rows]
    lines += [_("Warning  {warning}").format(warning=shown(w)) for w in info.warnings]
    if raw is not None:
        lines.append(json_safe(json.dumps(raw, ensure_ascii=False, indent=2)))
    return "\n".join(lines)


def _inspect(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    path: Path = args.cert
    data = read_p12_bytes(path)
    pin = read_pin(args, environ)
    config = args.config or (Path(environ["AINAS_CONFIG"]) if environ.get("AINAS_CONFIG") else None)
    mapping = load_settings(config).certificate_mapping if config else {}
    contents = open_p12(data, pin.get_secret_value(), name=str(path))
    # --raw exists to study a certificate whose names the bot cannot find (the generic profile): it is shown,
    # with what to do next, instead of refused.
    info = describe(contents, file=str(path), mapping=mapping, require_names=not args.raw)
    check_validity(info)
    raw = raw_dump(contents.certificate) if args.raw else None
    hint = None
    if not info.trade_name_kanji and not info.holder_name_kanji:
        hint = _(
            "{path}: no Japanese name fields found (屋号/氏名); find them in the raw dump and map them in the "
            "settings' [certificate_mapping] (example in config/ainas.toml), then run "
            "`ainas-bot inspect --config SETTINGS` again"
        ).format(path=path)
    if args.json:
        out = info.as_json()
        if raw is not None:
            out["raw"] = raw
        if hint is not None:
            out["hint"] = hint
        print(json_safe(json.dumps(out, ensure_ascii=False, indent=2)))
    else:
        print(_human(info, raw))
        if hint is not None:
            print(_("Hint  {hint}").format(hint=shown(hint)))
    return 0


def _date(text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a date like 2026-01-31").format(text=text)) from None
    return dt.datetime.combine(day, dt.time(0, 0), JST)


def _make_cert(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    pin = read_pin(args, environ, confirm=True)
    not_before = args.not_before
    not_after = args.not_after or ((not_before or dt.datetime.now(dt.UTC)) + dt.timedelta(days=args.valid_days))
    try:
        certfactory.write_p12(
            args.out,
            profile=args.profile,
            trade_name=args.trade_name,
            holder_name=args.holder_name,
            address_street=args.street,
            address_building=args.building,
            not_before=not_before,
            not_after=not_after,
            password=pin.get_secret_value(),
            encryption=args.encryption,
            layout=args.layout,
            string_type=args.string_type,
        )
    except OSError as exc:
        raise AinasBotError(
            _("{path}: cannot be written ({error})").format(path=args.out, error=exc.strerror)
        ) from None
    print(
        _("wrote {path} ({profile}, {encryption}, expires {expiry})").format(
            path=args.out,
            profile=args.profile,
            encryption=args.encryption,
            expiry=f"{not_after.astimezone(JST):%Y/%m/%d}",
        )
    )
    return 0


def add_subparsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("inspect", help=_("show what AINAS will read from a signing certificate (.p12)"))
    p.add_argument("cert", type=Path, metavar="CERT.p12")
    add_pin_arguments(p)
    p.add_argument("--json", action="store_true", help=_("one JSON object with stable keys"))
    p.add_argument("--raw", action="store_true", help=_("add every subject attribute and extension"))
    p.add_argument("--config", type=Path, help=_("settings file with a [certificate_mapping] (default: AINAS_CONFIG)"))
    p.set_defaults(handler=_inspect)

    m = sub.add_parser("make-cert", help=_("write a realistic TEST signing certificate (.p12)"))
    m.add_argument("out", type=Path, metavar="OUT.p12")
    m.add_argument("--profile", choices=["shogyo-touki", "gyoseishoshi", "generic"], default="gyoseishoshi")
    m.add_argument(
        "--layout",
        choices=["subject", "san"],
        default="subject",
        help=_("gyoseishoshi: Japanese names in the subject DN or in a subjectAltName directoryName"),
    )
    m.add_argument("--trade-name", default="山田行政書士事務所", help=Label.TRADE_NAME_KANJI)
    m.add_argument("--holder-name", default="山田　太郎", help=Label.HOLDER_NAME_KANJI)
    m.add_argument("--street", default="東京都千代田区霞が関一丁目２番３号", help=Label.ADDRESS_STREET)
    m.add_argument(
        "--building", default="霞が関ビル５階", help=_("{label} ('' for none)").format(label=Label.ADDRESS_BUILDING)
    )
    m.add_argument("--not-before", type=_date, help=_("start of validity (default: yesterday)"))
    m.add_argument("--not-after", type=_date, help=_("end of validity (default: start + --valid-days)"))
    m.add_argument("--valid-days", type=int, default=730, help=_("days of validity (default 730)"))
    m.add_argument("--encryption", choices=["modern", "legacy", "legacy-3des"], default="modern")
    m.add_argument("--string-type", choices=["utf8", "bmp"], default="utf8")
    add_pin_arguments(m, N_("the password to protect the file with"))
    m.set_defaults(handler=_make_cert)
