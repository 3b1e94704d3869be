"""`ainas-bot sandbox [options]` serves the sandbox; `ainas-bot sandbox state --state DIR` prints its state."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from ainas_bot.errors import EXIT_OK, EXIT_USAGE, ConfigError
from ainas_bot.i18n import _
from ainas_bot.portal_text import check_overrides
from ainas_bot.sandbox._markup import LEGACY, SHAPES, parse_markup
from ainas_bot.sandbox._options import NOTICES_FILE, SandboxOptions, default_state_dir
from ainas_bot.sandbox._server import Sandbox, state_json

__all__ = ["main", "serve_parser"]


def serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ainas-bot sandbox",
        description=_(
            "Serve a local imitation of the AINAS agent application over HTTPS with client certificates. "
            "`ainas-bot sandbox state --state DIR` prints the organisations, their certificate records and "
            "their users (failed logins, locks, sessions) as JSON."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8443, help=_("port to listen on, 0 for any free port (default 8443)"))
    p.add_argument(
        "--state",
        type=Path,
        default=None,
        metavar="DIR",
        help=_("state directory (default {path})").format(path=default_state_dir()),
    )
    p.add_argument("--orgs", type=int, default=304, help=_("organisations seeded on first start (default 304)"))
    p.add_argument("--seed", type=int, default=1, help=_("seed of the generated names and dates (default 1)"))
    p.add_argument("--latency-ms", type=int, default=0, help=_("delay added to every response"))
    p.add_argument("--fault-rate", type=float, default=0.0, help=_("fraction of requests answered 503 (0..1)"))
    p.add_argument(
        "--expire-sessions-after",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help=_("idle time after which a session ends (default 1800)"),
    )
    p.add_argument("--closed-hours", action="store_true", help=_("refuse logins outside 8:00-22:00 JST"))
    p.add_argument(
        "--shuffle-paths", action="store_true", help=_("randomise every path except the login URL /oss_agt/ at start")
    )
    p.add_argument(
        "--no-back-button-on-cert-detail",
        dest="cert_detail_back_button",
        action="store_false",
        help=_("show 代理人証明書照会 without ↑ 一覧に戻る, as the manual's picture of it does"),
    )
    p.add_argument(
        "--markup",
        action="append",
        default=[],
        metavar="NAME[,NAME...]",
        help=_(
            "serve the screens in these markup shapes (repeatable or a comma list; {legacy} = all): {shapes}"
        ).format(legacy=LEGACY, shapes="; ".join(f"{name}: {_(text)}" for name, text in SHAPES.items())),
    )
    p.add_argument(
        "--late-ms",
        type=int,
        default=700,
        help=_("extra delay of the table XHR answers with --markup late-tables (default 700)"),
    )
    p.add_argument(
        "--timer-ms",
        type=int,
        default=400,
        help=_("pause of the screens' timers with --markup timer-tables and timer-placeholder (default 400)"),
    )
    p.add_argument(
        "--portal-text",
        type=Path,
        default=None,
        metavar="FILE",
        help=_(
            "a TOML file of texts to show instead of the usual ones, by name (a [portal_text] table "
            "as in the bot's settings, e.g. {example}), to rehearse overrides"
        ).format(example='"Label.CERT_REGISTER" = "..."'),
    )
    return p


def load_portal_text(path: Path) -> dict[str, str]:
    """The overrides of a `--portal-text` file: its `[portal_text]` table, or the whole file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(_("--portal-text {path}: cannot be read ({error})").format(path=path, error=exc)) from None
    table = data.get("portal_text", data)
    if not isinstance(table, dict):
        raise ConfigError(_("--portal-text {path}: [portal_text] must be a table of texts").format(path=path))
    return check_overrides(table, source=str(path))


def _state_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ainas-bot sandbox state",
        description=_(
            "Print every organisation as JSON: its certificate records, and the "
            "users who can log in to it with their failed logins, lock and "
            "sessions."
        ),
    )
    p.add_argument(
        "--state",
        type=Path,
        default=None,
        metavar="DIR",
        help=_("state directory (default {path})").format(path=default_state_dir()),
    )
    return p


def _serve(args: argparse.Namespace) -> int:
    options = SandboxOptions(
        state_dir=args.state or default_state_dir(),
        orgs=args.orgs,
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        expire_sessions_after=args.expire_sessions_after,
        closed_hours=args.closed_hours,
        shuffle_paths=args.shuffle_paths,
        seed=args.seed,
        cert_detail_back_button=args.cert_detail_back_button,
        markup=parse_markup(args.markup),
        late_ms=args.late_ms,
        timer_ms=args.timer_ms,
        portal_text=load_portal_text(args.portal_text) if args.portal_text else {},
    )
    sandbox = Sandbox(options)
    with sandbox:
        first = sandbox.notices[0]
        print(_("AINAS sandbox at {url}").format(url=sandbox.base_url), flush=True)
        print("  " + _("state directory: {path}").format(path=options.state_dir))
        if options.markup:
            print(
                "  "
                + _("markup shapes:   {shapes}").format(
                    shapes=", ".join(name for name in SHAPES if name in options.markup)
                )
            )
        print("  " + _("CA certificate:  {path} (the server certificate is signed by it)").format(path=sandbox.ca_pem))
        print(
            "  "
            + _("notices:         {path} ({count} organisations: login IDs, passwords, client certificates)").format(
                path=options.state_dir / NOTICES_FILE, count=len(sandbox.notices)
            )
        )
        print(
            "  "
            + _("to log in: install {path} (its password is client_cert_password in the notices),").format(
                path=first.client_cert
            )
        )
        print(
            "  "
            + _(
                "open {url} and log in as {login} (administrator of {office} {name}; password admin_password "
                "in the notices)"
            ).format(url=sandbox.base_url, login=first.admin_login_id, office=first.org_id, name=first.org_name)
        )
        print("  " + _("Ctrl-C stops it."), flush=True)
        try:
            sandbox.wait()
        except KeyboardInterrupt:
            print(_("sandbox stopped"), file=sys.stderr)
    return EXIT_OK


def main(argv: list[str]) -> int:
    """Entry point for `ainas-bot sandbox ...` (`argv` is what follows `sandbox`)."""
    try:
        if argv[:1] == ["state"]:
            args = _state_parser().parse_args(argv[1:])
            print(json.dumps(state_json(args.state or default_state_dir()), ensure_ascii=False, indent=2))
            return EXIT_OK
        return _serve(serve_parser().parse_args(argv))
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
