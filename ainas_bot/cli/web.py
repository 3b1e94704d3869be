"""`ainas-bot web`: the local console (オフィス一覧, 新しい証明書, 実行, 履歴) on 127.0.0.1, opened in the browser."""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Mapping
from pathlib import Path

from ainas_bot.cli.options import settings_from_args
from ainas_bot.errors import EXIT_INTERRUPTED, EXIT_OK
from ainas_bot.i18n import _, use_language

__all__ = ["add_parser", "web"]


def web(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from ainas_bot.web.console import Console
    from ainas_bot.web.server import Served, serve

    settings = settings_from_args(args, environ)
    if args.lang is None and not _english_locale(environ):
        use_language("ja")  # the console is for office staff: Japanese unless the locale asks for English
    console = Console(settings, environ)

    def ready(served: Served) -> None:
        # The URL holds the token: it is printed for this user only, never logged.
        print(_("ainas-bot web: open {url} (Ctrl-C stops it)").format(url=served.url), flush=True)
        if not args.no_browser:
            webbrowser.open(served.url)

    interrupted = serve(console, port=args.port, idle_minutes=args.idle_minutes, ready=ready)
    if interrupted is not None:
        # Said as the CLI says an interrupted run: its offices not yet ended are in the audit log as interrupted.
        print(
            _(
                "ainas-bot web: stopped during run {id}; the offices it had not ended are recorded as interrupted"
            ).format(id=interrupted.id),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(_("ainas-bot web: stopped"), file=sys.stderr)
    return EXIT_OK


def _english_locale(environ: Mapping[str, str]) -> bool:
    value = next((environ.get(n, "") for n in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(n)), "")
    return value.lower().startswith("en")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    w_help = _("a local console in the browser: offices, new certificates, runs with live progress, history")
    w = sub.add_parser("web", help=w_help, description=w_help)
    w.add_argument("--config", type=Path, help=_("settings TOML (default: AINAS_CONFIG)"))
    w.add_argument("--port", type=int, default=0, help=_("port on 127.0.0.1 (default: a free one)"))
    w.add_argument("--no-browser", action="store_true", help=_("print the URL, do not open a browser"))
    w.add_argument(
        "--idle-minutes",
        type=float,
        default=60,
        help=_("stop after this many minutes without a request and without a run (default 60)"),
    )
    w.set_defaults(handler=web)
