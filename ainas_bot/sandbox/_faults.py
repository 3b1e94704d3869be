"""Faults aimed at one step of the flow, for reliability tests: `FaultRule`s on `SandboxOptions.faults`.

A rule names a route (`login`, `org_search`, `org_detail`, `cert_register`, `cert_detail`,
`cert_update`, with `--markup` also `cert_update_confirm` and the XHR `org_search_rows` and
`org_detail_certs`, …) and a method, skips the first `skip` matching requests, then fires `times` times:

- `503`: the maintenance page;
- `hang`: no answer for `hang_seconds` (past the client's timeout), then the maintenance page;
- `drop`: the connection is cut before the request is handled;
- `drop-after`: the request is handled (its effect is stored) and the connection is cut before the
  answer arrives — the case where the client cannot know whether it worked;
- `expire-session` / `replace-session`: the session ends (idle expiry, or a second login of the same
  user) just before the request is handled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from http.cookies import SimpleCookie
from typing import Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["FaultKind", "FaultRule", "apply_fault", "matching_rule", "session_id"]

FaultKind = Literal["503", "hang", "drop", "drop-after", "expire-session", "replace-session"]


@dataclasses.dataclass
class FaultRule:
    route: str
    kind: FaultKind
    method: str = "*"
    skip: int = 0
    times: int = 1
    hang_seconds: float = 30.0
    seen: int = 0
    fired: int = 0


class ConnectionDropped(Exception):
    """Raised after a partial answer: uvicorn then aborts the connection."""


class _QuietDrops(logging.Filter):
    """uvicorn logs every exception of the app; a drop made on purpose is not an error of the sandbox."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def matching_rule(rules: list[FaultRule], route: str | None, method: str) -> FaultRule | None:
    """The rule that fires for this request, counting the request against every rule it matches."""
    chosen = None
    for rule in rules:
        if rule.route != route or rule.method not in ("*", method):
            continue
        rule.seen += 1
        if chosen is None and rule.seen > rule.skip and rule.fired < rule.times:
            rule.fired += 1
            chosen = rule
    return chosen


async def _cut(send: Send) -> None:
    # Headers promise a body that never comes; raising makes uvicorn close the socket mid-answer.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"100000")],
        }
    )
    await send({"type": "http.response.body", "body": b"<html>", "more_body": True})
    raise ConnectionDropped


def session_id(scope: Scope, cookie_name: str) -> str:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if cookie_name in jar:
                return jar[cookie_name].value
    return ""


async def apply_fault(
    rule: FaultRule,
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    maintenance: ASGIApp,
    end_session: object,
) -> None:
    """Answer the request as the rule says; `end_session(session_id, reason)` ends a session."""
    if rule.kind == "503":
        await maintenance(scope, receive, send)
    elif rule.kind == "hang":
        await asyncio.sleep(rule.hang_seconds)
        await maintenance(scope, receive, send)
    elif rule.kind == "drop":
        await _cut(send)
    elif rule.kind == "drop-after":

        async def swallow(message: Message) -> None:
            return None

        await app(scope, receive, swallow)
        await _cut(send)
    else:
        reason = "expired" if rule.kind == "expire-session" else "replaced"
        end_session(reason)  # type: ignore[operator]
        await app(scope, receive, send)
