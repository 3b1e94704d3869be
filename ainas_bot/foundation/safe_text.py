"""Text from certificates, inventories and the portal, made safe to show.

A certificate's O or CN is chosen by whoever made the file: an ESC sequence rewrites the terminal, a
line break forges a line of output, a bidi control reorders what the operator reads, `[/bold]` is rich
markup, and `=cmd|…` in a CSV cell is a formula to Excel. Each is shown as what it is instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from rich.markup import escape

from ainas_bot.foundation.jst import JST

__all__ = ["SafeFormatter", "csv_cell", "json_safe", "markup_safe", "shown"]

# C0 and C1 controls, DEL, the bidi embeddings, overrides, isolates and marks, the Unicode line and
# paragraph separators: everything that moves the cursor, changes the terminal or reorders the line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# json.dumps escapes the C0 controls itself; its own line breaks between items must stay.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# Excel (and LibreOffice) read a cell starting with one of these as a formula; a tab or CR as well.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def shown(text: str) -> str:
    """`text` with every control and bidi character written as its code point, `<U+001B>`."""
    return _UNSAFE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def markup_safe(text: str) -> str:
    """`shown(text)` with rich markup escaped, for a string rich will parse."""
    return escape(shown(text))


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as the text it is, never runs as a formula."""
    safe = shown(text)
    return "'" + safe if safe.startswith(_FORMULA_START) else safe


def json_safe(dumped: str) -> str:
    """A JSON document (from `json.dumps(..., ensure_ascii=False)`) with the characters `shown` names
    written as `\\uXXXX` escapes: the same values for a program, nothing a terminal acts on."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


class SafeFormatter(logging.Formatter):
    """Log lines with `shown` applied: a portal's or a certificate's text never forges or rewrites a line."""

    def format(self, record: logging.LogRecord) -> str:
        return shown(super().format(record)).replace("<U+000A>", "\n  ")  # a traceback (--debug) keeps its lines

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """Japan time with its offset (`2026-12-02T11:35:00+09:00`), as every other time the bot prints."""
        return dt.datetime.fromtimestamp(record.created, JST).isoformat(timespec="seconds")
