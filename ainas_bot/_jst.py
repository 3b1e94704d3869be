"""Japan time: AINAS dates (利用開始日, 証明書有効期限) are Japanese calendar days, whatever the machine's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["JST", "format_portal_date", "jst_date", "parse_portal_date", "today_jst"]

JST = ZoneInfo("Asia/Tokyo")


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
