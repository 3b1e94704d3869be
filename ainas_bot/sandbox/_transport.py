"""What a Java servlet container does below the application: `;jsessionid=` path parameters (jsessionid) and
Windows-31J pages and form posts (windows-31j)."""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CP932_CHARSET", "Transport", "encode_cp932"]

CP932_CHARSET = "Windows-31J"  # the name Java gives cp932, in Content-Type and <meta charset>
_JSESSIONID = re.compile(r";jsessionid=[^/?;]*", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _cp932_safe(char: str) -> bool:
    # Round trip, not just "encodes": cp932 maps U+301C (〜), U+2212 (−) and a few more onto the bytes of
    # other characters (～, －), which a browser then shows; those must go as character references.
    try:
        return char.encode("cp932").decode("cp932") == char
    except UnicodeError:
        return False


def encode_cp932(text: str) -> bytes:
    """HTML text in cp932, every character it cannot carry faithfully as a numeric character reference."""
    table = {ord(c): f"&#{ord(c)};" for c in set(text) if ord(c) > 0x7F and not _cp932_safe(c)}
    return text.translate(table).encode("cp932")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _set_header(scope: Scope, name: bytes, value: str) -> None:
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k != name] + [(name, value.encode("latin-1"))]


class Transport:
    """ASGI middleware: strips `;jsessionid=…` before routing, reads posted forms as cp932 (a browser posts in
    its page's charset; the application below reads UTF-8)."""

    def __init__(self, app: ASGIApp, *, jsessionid: bool, cp932: bool) -> None:
        self.app, self.jsessionid, self.cp932 = app, jsessionid, cp932

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        if self.jsessionid:
            scope["path"] = _JSESSIONID.sub("", scope["path"])
            if isinstance(scope.get("raw_path"), bytes):
                scope["raw_path"] = _JSESSIONID.sub("", scope["raw_path"].decode("latin-1")).encode("latin-1")
        if self.cp932 and scope["method"] == "POST":
            content_type = _header(scope, b"content-type")
            if content_type.startswith("multipart/form-data") and "charset=" not in content_type:
                # Starlette's multipart parser decodes the text parts in the charset this parameter names.
                _set_header(scope, b"content-type", content_type + "; charset=cp932")
            elif content_type.startswith("application/x-www-form-urlencoded"):
                receive = await self._utf8_body(scope, receive)
        await self.app(scope, receive, send)

    @staticmethod
    async def _utf8_body(scope: Scope, receive: Receive) -> Receive:
        """The urlencoded body re-encoded in UTF-8 (Starlette's form parser only reads that)."""
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first: Message = message  # a disconnect: passed on as it came
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                pairs = parse_qsl(
                    b"".join(chunks).decode("latin-1"), keep_blank_values=True, encoding="cp932", errors="replace"
                )
                body = urlencode(pairs, encoding="utf-8").encode("ascii")
                _set_header(scope, b"content-length", str(len(body)))
                first = {"type": "http.request", "body": body, "more_body": False}
                break
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return first
            return await receive()

        return replay
