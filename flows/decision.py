"""The renewal decision and the comparison of what the portal read: pure functions, no browser."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

from ainas_bot._jst import format_portal_date
from ainas_bot.certinfo import CertificateInfo
from ainas_bot.portal_text import Label
from flows.pages.org_detail import CertificateRow

__all__ = ["Action", "auto_filled_differences", "decide", "entered_differences"]


class Action(enum.Enum):
    """What to do for an office, given its certificate table and the local certificate."""

    ALREADY_CURRENT = "already-current"
    CHECK_PENDING = "check-pending"  # open the pending rows' 照会 to see whether one is ours
    REGISTER = "register"


def _is_ours(row: CertificateRow, cert: CertificateInfo) -> bool:
    return (row.expiry == format_portal_date(cert.expiry_date)
            and row.trade_name_kanji == cert.trade_name_kanji
            and row.holder_name_kanji == cert.holder_name_kanji)


def decide(rows: Sequence[CertificateRow], cert: CertificateInfo) -> tuple[Action, list[CertificateRow]]:
    """Already registered and active → nothing to do; pending rows → check them; else register."""
    active = [r for r in rows if not r.pending and _is_ours(r, cert)]
    if active:
        return Action.ALREADY_CURRENT, active
    pending = [r for r in rows if r.pending]
    if pending:
        # Newest first: an interrupted earlier run left the most recent one.
        return Action.CHECK_PENDING, sorted(pending, key=lambda r: r.registered_at, reverse=True)
    return Action.REGISTER, []


def auto_filled_differences(shown: Mapping[str, str], cert: CertificateInfo) -> list[str]:
    """Fields the portal read from the certificate that differ from the local parse."""
    expected = {
        Label.TRADE_NAME_KANJI: cert.trade_name_kanji,
        Label.HOLDER_NAME_KANJI: cert.holder_name_kanji,
        Label.ADDRESS_STREET: cert.address_street,
        Label.ADDRESS_BUILDING: cert.address_building,
        Label.EXPIRY: format_portal_date(cert.expiry_date),
    }
    return [f"{label}: portal shows '{shown.get(label, '')}', certificate has '{value}'"
            for label, value in expected.items() if shown.get(label, "").strip() != value.strip()]


def entered_differences(shown: Mapping[str, str], entered: Mapping[str, str]) -> list[str]:
    """Typed fields that the portal does not show back as typed."""
    return [f"{label}: portal shows '{shown.get(label, '')}', entered '{value}'"
            for label, value in entered.items() if shown.get(label, "").strip() != value]
