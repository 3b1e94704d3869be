"""`ainas-bot demo`: the whole job, rehearsed against a local sandbox.

Creates a workspace, starts the sandbox, makes signing certificates of three profiles for three
offices, writes their settings (secrets by reference, in a secrets directory), renews them with a
progress line per step, then runs again to show they are `already-current`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from ainas_bot.certificates.factory import write_p12
from ainas_bot.checks.prepare import check_offices
from ainas_bot.cli.console import ConsoleEvents, print_recap
from ainas_bot.config.loading import load_settings
from ainas_bot.errors import EXIT_FAILED, EXIT_OK, ConfigError
from ainas_bot.foundation.jst import today_jst
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.i18n import _
from ainas_bot.results.outcome import Outcome

__all__ = ["add_parser", "run_demo"]

_MARKER = ".ainas-demo"
# Three offices of different profiles, typed the way operators type (hiragana, 〒, full-width digits). The
# 屋号 is the sandbox organisation's name, so its カナ is the reading the sandbox seeded with it (the
# bot refuses カナ that do not read the kanji); each postal code is the one of its address.
_OFFICES: list[dict[str, Any]] = [
    {
        "profile": "shogyo-touki",
        "encryption": "legacy",
        "layout": "subject",
        "holder": "桜井　一郎",
        "street": "東京都千代田区霞が関一丁目２番３号",
        "building": "霞が関ビル５階",
        "kana_in": "hiragana",
        "holder_kana": "サクライ　イチロウ",
        "postal": "〒100-0013",
    },
    {
        "profile": "gyoseishoshi",
        "encryption": "modern",
        "layout": "subject",
        "holder": "山田　花子",
        "street": "大阪府大阪市北区梅田1-1-1",
        "building": "",
        "kana_in": "katakana",
        "holder_kana": "やまだ　はなこ",
        "postal": "５３０－０００１",
    },
    {
        "profile": "gyoseishoshi",
        "encryption": "modern",
        "layout": "san",
        "string_type": "bmp",
        "holder": "鈴木　次郎",
        "street": "愛知県名古屋市中区三の丸三丁目１番２号",
        "building": "三の丸ビル２０１",
        "kana_in": "katakana",
        "holder_kana": "ｽｽﾞｷ ｼﾞﾛｳ",
        "postal": "4600001",
    },
]


def _fresh_workspace(path: Path) -> Path:
    path = path.resolve()
    if path.exists():
        if not (path / _MARKER).exists():
            raise ConfigError(
                _("{path}: exists and is not a demo workspace; choose another --workspace").format(path=path)
            )
        shutil.rmtree(path)
    path.mkdir(parents=True, mode=0o700)
    (path / _MARKER).write_text("created by ainas-bot demo\n")
    return path


def _secret(folder: Path, key: str, value: str) -> dict[str, str]:
    write_private(folder / key, value.encode(), what="demo secret")
    return {"secret": key}


def _write_settings(ws: Path, base_url: str, ca: Path, offices: list[dict[str, Any]]) -> Path:
    document = {
        "portal_url": base_url,
        "portal_ca": str(ca),
        "secrets_dir": "secrets",
        "artifacts_dir": "artifacts",
        "timeout_seconds": 30,
        "offices": [
            {
                "id": o["id"],
                "login_id": o["login_id"],
                "login_password": o["login_password"],
                "client_cert": o["client_cert"],
                "client_cert_password": o["client_cert_password"],
                "signing_cert": o["signing_cert"],
                "pin": o["pin"],
                "trade_name_kana": o["trade_kana"],
                "holder_name_kana": o["holder_kana"],
                "postal_code": o["postal"],
            }
            for o in offices
        ],
    }
    path = ws / "ainas.toml"
    path.write_text(
        "# Written by `ainas-bot demo`: the sandbox and three offices. Secrets live in ./secrets (0600).\n"
        + tomli_w.dumps(document),
        encoding="utf-8",
    )
    return path


def _say(text: str) -> None:
    print(text, flush=True)


def run_demo(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from ainas_bot.sandbox import Sandbox, SandboxOptions
    from flows.run import visit_offices

    ws = _fresh_workspace(args.workspace)
    _say("== " + _("workspace {path}").format(path=ws))
    with Sandbox(SandboxOptions(state_dir=ws / "sandbox", orgs=24)) as sandbox:
        _say("== " + _("sandbox running at {url} (CA {ca})").format(url=sandbox.base_url, ca=sandbox.ca_pem))
        notices, seen = [], set()
        for notice in sandbox.notices:
            if notice.admin_login_id not in seen:
                seen.add(notice.admin_login_id)
                notices.append(notice)
            if len(notices) == len(_OFFICES):
                break
        offices = []
        for index, (notice, spec) in enumerate(zip(notices, _OFFICES, strict=True), start=1):
            pin = f"demo-pin-{index}-{os.urandom(3).hex()}"
            signing = write_p12(
                ws / "certificates" / f"office-{notice.org_id}.p12",
                profile=spec["profile"],
                trade_name=notice.org_name,
                holder_name=spec["holder"],
                address_street=spec["street"],
                address_building=spec["building"],
                password=pin,
                encryption=spec["encryption"],
                layout=spec["layout"],
                string_type=spec.get("string_type", "utf8"),
                not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                valid_days=3 * 365,
            )
            secrets = ws / "secrets"
            kana = next(
                c["trade_name_kana"]
                for org in sandbox.state()
                if org["org_id"] == notice.org_id
                for c in org["certificates"]
                if c["trade_name_kanji"] == notice.org_name
            )
            if spec["kana_in"] == "hiragana":
                kana = "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in kana)
            offices.append(
                {
                    **spec,
                    "trade_kana": kana,
                    "id": notice.org_id,
                    "login_id": notice.admin_login_id,
                    "login_password": _secret(secrets, f"office-{notice.org_id}-password", notice.admin_password),
                    "client_cert": str(notice.client_cert),
                    "client_cert_password": _secret(
                        secrets, f"office-{notice.org_id}-client-cert", notice.client_cert_password
                    ),
                    "signing_cert": str(signing.relative_to(ws)),
                    "pin": _secret(secrets, f"office-{notice.org_id}-pin", pin),
                }
            )
            _say(
                "   "
                + _("office {office} {name}: {profile} certificate ({encryption}), login {login}").format(
                    office=notice.org_id,
                    name=notice.org_name,
                    profile=spec["profile"],
                    encryption=spec["encryption"],
                    login=notice.admin_login_id,
                )
            )
        config = _write_settings(ws, sandbox.base_url, sandbox.ca_pem, offices)
        _say("== " + _("settings written to {path}").format(path=config))
        settings = load_settings(config, browser=args.browser, headless=not args.headed)
        ready, problems, _warnings = check_offices(settings.offices, settings, environ, today=today_jst())
        if problems:
            for p in problems:
                print(_("problem: {message}").format(message=p), file=sys.stderr)
            return EXIT_FAILED

        results: list[list[Outcome]] = []
        for title in (_("first run: register and update"), _("second run: nothing left to do")):
            _say(f"== {title} ({args.browser})")
            events = ConsoleEvents(len(ready), sys.stdout, interactive=False)
            outcomes = asyncio.run(
                visit_offices(settings, ready, dry_run=False, events=events, environ=environ, concurrency=1)
            )
            print_recap(outcomes, sys.stdout, interactive=False)
            results.append(outcomes)
        state = {org["org_id"]: org for org in sandbox.state()}
        _say("== " + _("the sandbox now holds, per office:"))
        for r in ready:
            active = [
                c
                for c in state[r.office.id]["certificates"]
                if c["status"] == "active" and c["serial"] == r.certificate.serial
            ]
            for c in active:
                _say(
                    f"   {r.office.id}: {c['trade_name_kanji']} / {c['trade_name_kana']} / {c['postal_code']} / "
                    f"利用開始日 {c['start_date']} / 有効期限 {c['not_after']}"
                )
    first_ok = all(o.status == "updated" for o in results[0])
    second_ok = all(o.status == "already-current" for o in results[1])
    _say("== " + (_("demo succeeded") if first_ok and second_ok else _("demo FAILED")))
    return EXIT_OK if first_ok and second_ok else EXIT_FAILED


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("demo", help=_("rehearse end to end against a local sandbox with three offices"))
    d.add_argument(
        "--workspace", type=Path, default=Path("ainas-demo"), help=_("where to write (default ./ainas-demo)")
    )
    d.add_argument("--browser", choices=["chromium", "firefox"], default="chromium")
    d.add_argument("--headed", action="store_true")
    d.set_defaults(handler=run_demo)
