"""Japan time: AINAS dates (利用開始日, 証明書有効期限) are Japanese calendar days, whatever the machine's zone,
and every time a person reads (log lines, reports, the audit log) is Japan time with its offset."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["JST", "format_portal_date", "jst_date", "now_jst", "parse_portal_date", "today_jst"]

JST = ZoneInfo("Asia/Tokyo")


def now_jst() -> dt.datetime:
    """The current instant in Japan time, as a person reads it (`2026-12-02T11:35:00+09:00`)."""
    return dt.datetime.now(JST)


def today_jst(now: dt.datetime | None = None) -> dt.date:
    """The calendar day in Japan at `now` (default: the current instant)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(JST).date()


def jst_date(instant: dt.datetime) -> dt.date:
    """The Japanese calendar day of an aware instant (a certificate's notBefore/notAfter)."""
    return instant.astimezone(JST).date()


def format_portal_date(day: dt.date) -> str:
    """`YYYY/MM/DD`, as AINAS shows and expects dates."""
    return day.strftime("%Y/%m/%d")


def parse_portal_date(text: str) -> dt.date:
    """Parse `YYYY/MM/DD` (ValueError when it is not one)."""
    return dt.datetime.strptime(text.strip(), "%Y/%m/%d").date()
