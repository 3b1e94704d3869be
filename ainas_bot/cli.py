"""The `ainas-bot` command: parse arguments, build settings at the edge, map errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import MutableMapping, Sequence
from typing import NoReturn

from ainas_bot import __version__, _cli_certs
from ainas_bot._safe_text import SafeFormatter, shown
from ainas_bot.errors import EXIT_INTERRUPTED, EXIT_USAGE, AinasBotError, ConfigError, ConfigProblems

__all__ = ["main"]

EPILOG = """exit codes: 0 ok, 1 operation failed, 2 usage or configuration error,
3 certificate problem (wrong PIN, unusable or invalid certificate), 4 another run holds the lock,
130 interrupted. A run of one office or many exits with the code its failed offices share
(3 when all failed on their certificate, 2 when all on their inputs), and 1 when their reasons differ."""


class _Parser(argparse.ArgumentParser):
    """argparse that does not repeat stray values in its errors: one of them may be a secret typed by mistake."""

    def error(self, message: str) -> NoReturn:
        if message.startswith(("unrecognized arguments", "ambiguous option")):
            message = message.split(":", 1)[0] + " (not repeated here, in case one is a secret); see --help"
        elif "invalid choice" in message:
            message = message.split(": invalid choice", 1)[0] + ": invalid choice; see --help"
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ainas-bot", description="Keep AINAS agent signing certificates current.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ainas-bot {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(  # type: ignore[assignment]
        dest="command", metavar="COMMAND", required=True)
    _cli_certs.add_subparsers(sub)
    from ainas_bot import _cli_renew

    _cli_renew.add_subparsers(sub)
    from ainas_bot import _cli_probe

    _cli_probe.add_subparser(sub)
    sub.add_parser("sandbox", help="run the local AINAS sandbox (see `ainas-bot sandbox --help`)", add_help=False)
    return parser


def _quiet_playwright(environ: MutableMapping[str, str]) -> bool:
    """Drop a DEBUG that turns on Playwright's driver logging (`pw:api`, `pw:protocol`, `*`), which the driver
    inherits from this process; True when one was dropped."""
    names = [n.strip() for n in environ.get("DEBUG", "").split(",")]
    if any(n.startswith(("pw", "*")) for n in names):
        del environ["DEBUG"]
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])
    if _quiet_playwright(os.environ):
        print("ainas-bot: DEBUG ignored: Playwright's debug output prints every text typed, PINs and passwords "
              "included; use --debug", file=sys.stderr)
    try:
        if args_list[args_list.index("sandbox") if "sandbox" in args_list[:2] else len(args_list):][:1] == ["sandbox"]:
            from ainas_bot.sandbox._cli import main as sandbox_main

            return sandbox_main(args_list[args_list.index("sandbox") + 1 :])
        if any(a.split("=", 1)[0] in ("--pi", "--pin") for a in args_list):
            # Refused before argparse, whose error message would repeat `--pin=VALUE`.
            raise ConfigError(
                "a PIN is never taken from the command line (ps and the shell history would show it); "
                "use --pin-env NAME, --pin-file PATH, AINAS_PIN or the prompt"
            )
        parser = _parser()
        try:
            args = parser.parse_args(args_list)
        except SystemExit as exc:
            return EXIT_USAGE if exc.code not in (0, None) else 0
        return int(args.handler(args, os.environ))
    except AinasBotError as exc:
        if debug:
            raise
        for line in exc.lines if isinstance(exc, ConfigProblems) else (str(exc),):
            print(f"ainas-bot: {shown(line)}", file=sys.stderr)  # may quote a certificate's or an inventory's text
        return exc.exit_code
    except KeyboardInterrupt:
        print("ainas-bot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
