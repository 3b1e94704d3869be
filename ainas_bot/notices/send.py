"""Sending one message to the targets that asked for its event, through apprise; what cannot be sent is one line.

A notification never changes a run's outcome or exit code: a mail server down, a wrong URL, a secret missing
are each said as one line naming the target (by its name or where its URL comes from, never the URL), and the
run's result stands. Apprise's own log is kept from the terminal: its debug lines carry the URL's tokens.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from ainas_bot.config.notify import Event, NotifyTarget
from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import _

__all__ = ["Message", "Notifier", "Target", "masked", "resolve_targets"]

# Apprise's logger: with a handler of its own, Python's last-resort handler never prints its warnings.
_LOG = logging.getLogger("apprise")
_LOG.addHandler(logging.NullHandler())
_SEND_SECONDS = 60.0  # one message to one target; a mail server that answers nothing is given up on
_ERRNO = re.compile(r"^Socket Exception: (\[Errno -?\d+\] [^:/@?]+)$")


@dataclasses.dataclass(frozen=True)
class Message:
    """What one event says: a subject line naming the office and the action, and a plain-text body."""

    event: Event
    subject: str
    body: str


@dataclasses.dataclass(frozen=True)
class Target:
    """A target with its URL resolved from its secret reference (held as a secret, never printed)."""

    label: str
    url: SecretStr
    events: tuple[Event, ...]


def resolve_targets(
    targets: Sequence[NotifyTarget], environ: Mapping[str, str], secrets_dir: Path | None
) -> tuple[list[Target], list[str]]:
    """Each target's URL read from where its reference says; a target whose secret cannot be read is left out,
    with one line saying why (the run goes on)."""
    resolved: list[Target] = []
    problems: list[str] = []
    for target in targets:
        what = _("notify target {target}").format(target=target.label())
        try:
            url = target.url.resolve(environ, secrets_dir, what=what)
        except ConfigError as exc:
            problems.append(_("{error}; nothing is sent to it").format(error=exc))
            continue
        resolved.append(Target(target.label(), url, target.events))
    return resolved, problems


class Notifier:
    """Sends messages to the targets; `problems` gathers what could not be sent, one line each."""

    def __init__(self, targets: Sequence[Target], problems: Sequence[str] = ()) -> None:
        self.targets = list(targets)
        self.problems = list(problems)
        self.sent: list[tuple[str, Message]] = []  # (target label, message) delivered

    def wants(self, event: Event) -> bool:
        return any(event in t.events for t in self.targets)

    def send(self, message: Message) -> bool:
        """To every target of the message's event; True when at least one took it."""
        delivered = False
        for target in self.targets:
            if message.event not in target.events:
                continue
            why = _deliver(target, message)
            if why is None:
                delivered = True
                self.sent.append((target.label, message))
            else:
                self.problems.append(
                    _("notification ({event}) to {target} not sent: {why}").format(
                        event=message.event, target=target.label, why=why
                    )
                )
        return delivered


@contextlib.contextmanager
def _apprise_log_kept() -> Iterator[None]:
    """Apprise's debug lines, for this call only, to its own capture and nowhere else (they carry the URL)."""
    level, propagate = _LOG.level, _LOG.propagate
    _LOG.setLevel(logging.DEBUG)
    _LOG.propagate = False
    try:
        yield
    finally:
        _LOG.setLevel(level)
        _LOG.propagate = propagate


def _deliver(target: Target, message: Message) -> str | None:
    """None when sent; otherwise why not, with every part of the URL that could be secret masked."""
    import apprise  # on first use: it loads some 190 service plugins (0.3 s)

    url = target.url.get_secret_value()
    with _apprise_log_kept(), warnings.catch_warnings():
        # Its PGP support imports the standard library's `imghdr`, deprecated on 3.11 and 3.12, as plugins load.
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        sender = apprise.Apprise()
        if not sender.add(url):
            return _("the URL is not one apprise knows (see https://github.com/caronc/apprise/wiki)")
        try:
            result = sender.notify(
                body=message.body,
                title=message.subject,
                body_format=apprise.NotifyFormat.TEXT,
                timeout=_SEND_SECONDS,
                log_level=logging.DEBUG,
            )
        except Exception as exc:  # a notifier's fault must never end the run, whatever it raises
            return masked(f"{type(exc).__name__}: {exc}", url)
    if result:
        return None
    said = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]
    said += [m.group(1) for e in result.logs() if (m := _ERRNO.match(e.message))]
    return masked("; ".join(dict.fromkeys(said)) or _("the service refused it"), url)


def masked(text: str, url: str) -> str:
    """`text` with the URL's user, password, path and query values replaced: a service's token lives in any, and
    in the host where it is not a server's name (Telegram's bot token, Discord's webhook, Pushover's token)."""
    parts = urlsplit(url)
    secrets = {parts.username or "", parts.password or ""} | _host_secrets(parts.netloc)
    secrets |= {p for p in parts.path.split("/") if len(p) > 3}
    secrets |= {kv.partition("=")[2] for kv in parts.query.split("&")}
    secrets |= {unquote(s) for s in secrets}
    for secret in sorted((s for s in secrets if len(s) > 3), key=len, reverse=True):
        text = text.replace(secret, "****")
    return shown(" ".join(text.split()))


def _host_secrets(netloc: str) -> set[str]:
    """Each part of the URL's host and port that is not a server's name, address or port."""
    place = netloc.rpartition("@")[2]
    if place.startswith("["):  # an IPv6 address, and its port
        return set()
    return {
        piece
        for piece in place.split(":")
        if not ("." in piece or piece.lower() == "localhost" or (piece.isdigit() and len(piece) <= 5))
    }
