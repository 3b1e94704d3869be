"""Reading organisations and certificate records for the screens, with the access rule applied."""

from __future__ import annotations

import datetime as dt
import sqlite3

from ainas_bot import portal_text as pt
from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._clock import show_date
from ainas_bot.sandbox._db import Db

__all__ = ["cert_for_user", "cert_view", "detail_rows", "org_for_user", "permission_rows", "portal_date"]

_DETAIL_FIELDS = (
    "registered_at",
    "trade_name_kana",
    "trade_name_kanji",
    "holder_name_kana",
    "holder_name_kanji",
    "postal_code",
    "address_street",
    "address_building",
    "not_after",
    "start_date",
)


def org_for_user(db: Db, org_id: str, user_id: int) -> sqlite3.Row | None:
    """The organisation when the user administers it; None for another's (or one that does not exist)."""
    return db.one(
        "SELECT o.* FROM orgs o JOIN memberships m ON m.org_id = o.id WHERE o.id = ? AND m.user_id = ?",
        (org_id, user_id),
    )


def cert_for_user(db: Db, cert_id: str, user_id: int) -> sqlite3.Row | None:
    if not cert_id.isdigit():
        return None
    return db.one(
        "SELECT c.* FROM certificates c JOIN memberships m ON m.org_id = c.org_id WHERE c.id = ? AND m.user_id = ?",
        (int(cert_id), user_id),
    )


def permission_rows(org: sqlite3.Row) -> list[tuple[str, str]]:
    flags = str(org["permissions"])
    return [
        (label, texts.Label.ALLOWED if flag == "1" else texts.Label.NOT_ALLOWED)
        for label, flag in zip(pt.ORG_DETAIL_PERMISSION_ROWS, flags, strict=True)
    ]


def _portal_datetime(text: str, *, unpadded: bool) -> str:
    at = dt.datetime.fromisoformat(text)
    if unpadded:  # Java's `yyyy/M/d HH:mm:ss`
        return f"{at.year}/{at.month}/{at.day} {at:%H:%M:%S}"
    return at.strftime("%Y/%m/%d %H:%M")


def portal_date(day: dt.date, *, unpadded: bool) -> str:
    """`YYYY/MM/DD`, or with unpadded-dates `YYYY/M/D`."""
    return f"{day.year}/{day.month}/{day.day}" if unpadded else show_date(day)


def _portal_date(text: str | None, *, unpadded: bool) -> str:
    return portal_date(dt.date.fromisoformat(text), unpadded=unpadded) if text else ""


def cert_view(row: sqlite3.Row, *, unpadded: bool = False) -> dict[str, str]:
    """A certificate record as the screens show it: `YYYY/MM/DD HH:MM`, `YYYY/MM/DD`, empty when unset
    (`unpadded`: `YYYY/M/D HH:MM:SS` and `YYYY/M/D`)."""
    view = {field: str(row[field] or "") for field in _DETAIL_FIELDS}
    view["registered_at"] = _portal_datetime(row["registered_at"], unpadded=unpadded)
    view["not_after"] = _portal_date(row["not_after"], unpadded=unpadded)
    view["start_date"] = _portal_date(row["start_date"], unpadded=unpadded)
    view["id"] = str(row["id"])
    view["org_id"] = str(row["org_id"])
    view["status"] = str(row["status"])
    return view


def detail_rows(view: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) in the order of CERT_DETAIL_ROWS."""
    return [
        (label, view[field]) for label, field in zip(texts.lists()["CERT_DETAIL_ROWS"], _DETAIL_FIELDS, strict=True)
    ]
