"""The portal's calendar: Japan time and the `YYYY/MM/DD` dates its screens show and its forms take.

The sandbox keeps its own rather than the bot's `ainas_bot.foundation.jst`, so that a wrong day or format
in the bot shows up as a disagreement with the portal instead of being shared by both.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["JAPAN", "japan_day", "read_date", "show_date"]

# Japan has kept UTC+9 without summer time since 1952, so a fixed offset is the whole zone for the
# instants the sandbox ever handles.
JAPAN = dt.timezone(dt.timedelta(hours=9), "JST")

# A year of four digits; month and day of one or two, since the form also takes what unpadded screens show.
_DATE = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})")


def japan_day(instant: dt.datetime) -> dt.date:
    """The calendar day in Japan at `instant` (a naive one is read as the machine's local time)."""
    return instant.astimezone(JAPAN).date()


def show_date(day: dt.date) -> str:
    """`YYYY/MM/DD`, zero-padded, as the portal's screens and its 利用開始日 field show a day."""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def read_date(text: str) -> dt.date:
    """The day written `YYYY/MM/DD` (or `YYYY/M/D`) in `text`; ValueError when it is not a real day."""
    found = _DATE.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"not a YYYY/MM/DD date: {text!r}")
    year, month, day = (int(part) for part in found.groups())
    return dt.date(year, month, day)
