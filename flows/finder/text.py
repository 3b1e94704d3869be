"""The one normaliser every comparison of portal text goes through, and the portal's dates: pure, no browser.

`normalise` is NFKC with the wave dashes and hyphens made one and every kind of space and line break
removed, so `屋号 (漢字)` and `屋号（漢字）` are the same label. The in-page half of the finder
(`flows/finder/finder.js`) is built from the same `RULES`, and a test holds the two halves to the same answers.
Dates are parsed (`portal_date`), never compared as strings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ainas_bot.portal_text import LABEL_DECORATIONS, PLACEHOLDER_MAX_CHARS, PLACEHOLDER_WORDS

__all__ = ["DASHES", "RULES", "WAVES", "caption_core", "normalise", "portal_date", "portal_datetime"]

# Kept apart because a person reads them as the same character; NFKC leaves them distinct.
WAVES = "\u301c\u3030\uff5e\u223c\u2053~"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
RULES = {
    "waves": WAVES,
    "dashes": DASHES,
    "decorations": list(LABEL_DECORATIONS),
    "placeholders": list(PLACEHOLDER_WORDS),
    "placeholder_max": PLACEHOLDER_MAX_CHARS,
}
_SPACE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_CHARS = str.maketrans({**{c: "~" for c in WAVES}, **{c: "-" for c in DASHES}})


def _spaced(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_CHARS)


def normalise(text: str) -> str:
    """The form two texts are compared in: `屋号 (漢字)` and `屋号（漢字）` are the same label."""
    return _SPACE.sub("", _spaced(text))


def _glyph(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "SP" or ch.isspace()


def caption_core(text: str) -> str:
    """A caption without the icon glyphs around it: `+ 代理人証明書登録` → `代理人証明書登録`, `Q 検索` → `検索`."""
    t = _SPACE.sub(" ", "".join(" " if unicodedata.category(c) == "Co" else c for c in _spaced(text))).strip()
    start, end = 0, len(t)
    while start < end and _glyph(t[start]):
        start += 1
    while end > start and _glyph(t[end - 1]):
        end -= 1
    t = t[start:end]
    t = re.sub(r"^[A-Za-z]\s+(?=[^\x00-\x7f])", "", t)
    t = re.sub(r"(?<=[^\x00-\x7f])\s+[A-Za-z]$", "", t)
    return _SPACE.sub("", t)


_DATE = re.compile(
    r"^(\d{4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def portal_datetime(text: str) -> dt.datetime:
    """A date or date-time as a portal shows it (`2028/3/5`, `2025/01/06 12:00:05`); ValueError otherwise."""
    match = _DATE.match(_spaced(text).strip())
    if not match:
        raise ValueError(f"not a date: {text!r}")
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    return dt.datetime(y, mo, d, h, mi, s)


def portal_date(text: str) -> dt.date:
    return portal_datetime(text).date()
