"""`ainas-bot notify --test`: one test message to every notification target of the settings, each said sent or
not, so the path to the people is known to work before a run needs it."""

from __future__ import annotations

import argparse
import dataclasses
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from ainas_bot.cli.options import settings_from_args
from ainas_bot.errors import EXIT_FAILED, EXIT_OK, ConfigError
from ainas_bot.foundation.jst import now_jst
from ainas_bot.i18n import _
from ainas_bot.notices.messages import test_message
from ainas_bot.notices.send import Notifier
from ainas_bot.notices.telling import notifier_of

__all__ = ["add_parser", "notify"]


def notify(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = settings_from_args(args, environ)
    if not settings.notify:
        raise ConfigError(
            _("no notification target in the settings; add one, e.g. {example}").format(
                example='notify = [ { url = { secret = "mail-url" } } ]'
            )
        )
    notifier = notifier_of(settings, environ)
    wanted = {t.name for t in settings.notify if t.name} if args.target else None
    if args.target and not set(args.target) <= (wanted or set()):
        raise ConfigError(
            _("no notification target named {names}; the named ones are: {known}").format(
                names=", ".join(sorted(set(args.target) - (wanted or set()))),
                known=", ".join(sorted(wanted or ())) or _("none"),
            )
        )
    message = test_message("failed", socket.gethostname(), now_jst())
    for target in notifier.targets:
        if args.target and target.label not in args.target:
            continue
        # Every event a target asked for is this test's: one message to each target, whatever its events.
        one = Notifier([dataclasses.replace(target, events=(message.event,))])
        if one.send(message):
            print(_("sent to {target}").format(target=target.label))
        notifier.problems += one.problems
    for problem in notifier.problems:
        print(f"ainas-bot: {problem}", file=sys.stderr)
    return EXIT_FAILED if notifier.problems else EXIT_OK


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    n_help = _("send a test message to the notification targets of the settings")
    n = sub.add_parser("notify", help=n_help, description=n_help)
    n.add_argument("--config", type=Path, help=_("settings TOML (default: AINAS_CONFIG)"))
    n.add_argument("--test", action="store_true", required=True, help=_("send one test message to each target"))
    n.add_argument("--target", action="append", metavar="NAME", help=_("only the target of this name (repeatable)"))
    n.set_defaults(handler=notify)
