"""The `ainas-bot` command: parse arguments, build settings at the edge, map errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import MutableMapping, Sequence
from typing import NoReturn

from ainas_bot import __version__
from ainas_bot.cli import certs as _cli_certs
from ainas_bot.errors import EXIT_INTERRUPTED, EXIT_USAGE, AinasBotError, ConfigError, ConfigProblems
from ainas_bot.foundation.safe_text import SafeFormatter, shown
from ainas_bot.i18n import LANGUAGES, N_, _, choose_language, ngettext, use_language

__all__ = ["main"]

EPILOG = N_(
    "exit codes: 0 ok, 1 operation failed, 2 usage or configuration error,\n"
    "3 certificate problem (wrong PIN, unusable or invalid certificate), 4 another run holds the lock,\n"
    "130 interrupted. A run of one office or many exits with the code its failed offices share\n"
    "(3 when all failed on their certificate, 2 when all on their inputs), and 1 when their reasons differ."
)


class _Parser(argparse.ArgumentParser):
    """argparse that does not repeat stray values in its errors: one of them may be a secret typed by mistake."""

    def error(self, message: str) -> NoReturn:
        # argparse hands over its message translated: the stray values are recognised by its own words.
        unrecognized = _("unrecognized arguments: %s")
        ambiguous = _("ambiguous option: %(option)s could match %(matches)s")
        if message.startswith(
            (unrecognized.split("%")[0], ambiguous.split("%")[0], "unrecognized arguments", "ambiguous option")
        ):
            message = _("{what} (not repeated here, in case one is a secret); see --help").format(
                what=message.split(":", 1)[0]
            )
        elif (choice := _("invalid choice: %(value)r (choose from %(choices)s)").split("%")[0]) in message:
            message = _("{argument}: invalid choice; see --help").format(argument=message.split(": " + choice, 1)[0])
        super().error(message)


def _translate_argparse() -> None:
    """argparse looks its words up with `gettext.gettext` in the process-wide default domain, whose
    language follows the environment alone; it is pointed at the project's catalog instead, so that
    `--lang ja` and a Japanese locale alike give Japanese usage, headings and errors."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _lang_flag(args: Sequence[str]) -> str | None:
    """`--lang X` or `--lang=X` before the command: read before argparse, whose own messages it decides."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            return None  # the command: what follows is its own
    return None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ainas-bot",
        description=_("Keep AINAS agent signing certificates current."),
        epilog=_(EPILOG),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"ainas-bot {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks and debug logs"))
    parser.add_argument(
        "--lang", choices=LANGUAGES, help=_("the language of messages (default: the locale's; Japanese for ja_JP.*)")
    )
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(  # type: ignore[assignment]
        dest="command", metavar="COMMAND", required=True
    )
    _cli_certs.add_subparsers(sub)
    from ainas_bot.cli import check, demo, notify, probe, renew, status, web

    for command in (check, renew, status, notify, web, demo):
        command.add_parser(sub)
    probe.add_subparser(sub)
    sub.add_parser("sandbox", help=_("run the local AINAS sandbox (see `ainas-bot sandbox --help`)"), add_help=False)
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
    use_language(choose_language(_lang_flag(args_list), None, os.environ))
    _translate_argparse()
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])
    if _quiet_playwright(os.environ):
        print(
            "ainas-bot: "
            + _(
                "DEBUG ignored: Playwright's debug output prints every text typed, PINs and "
                "passwords included; use --debug"
            ),
            file=sys.stderr,
        )
    try:
        if args_list[args_list.index("sandbox") if "sandbox" in args_list[:2] else len(args_list) :][:1] == ["sandbox"]:
            from ainas_bot.sandbox._cli import main as sandbox_main

            return sandbox_main(args_list[args_list.index("sandbox") + 1 :])
        if any(a.split("=", 1)[0] in ("--pi", "--pin") for a in args_list):
            # Refused before argparse, whose error message would repeat `--pin=VALUE`.
            raise ConfigError(
                _(
                    "a PIN is never taken from the command line (ps and the shell history would show it); "
                    "use --pin-env NAME, --pin-file PATH, AINAS_PIN or the prompt"
                )
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
        print("ainas-bot: " + _("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
