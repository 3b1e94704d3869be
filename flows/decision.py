"""The renewal decision and the comparison of what the portal read: pure functions, no browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from flows.finder.text import normalise, portal_date, portal_datetime

__all__ = [
    "Action",
    "CertificateRow",
    "auto_filled_differences",
    "decide",
    "entered_differences",
    "latest_active_expiry",
    "renewal_status",
]


@dataclasses.dataclass(frozen=True)
class CertificateRow:
    """One row of the certificate table, as shown; a pending record shows only its 登録日時."""

    registered_at: str
    trade_name_kanji: str
    holder_name_kanji: str
    expiry: str
    # Which row of the table it is: 登録日時 is shown to the minute, so two records can share their link text.
    position: int = dataclasses.field(default=0, compare=False)

    @property
    def pending(self) -> bool:
        return not (self.trade_name_kanji.strip() or self.holder_name_kanji.strip() or self.expiry.strip())

    @property
    def expiry_date(self) -> dt.date | None:
        try:
            return portal_date(self.expiry)
        except ValueError:
            return None

    @property
    def registered(self) -> dt.datetime:
        """登録日時 as a time (the earliest possible one when it cannot be read), to sort by."""
        try:
            return portal_datetime(self.registered_at)
        except ValueError:
            return dt.datetime.min


class Action(enum.Enum):
    """What to do for an office, given its certificate table and the local certificate."""

    ALREADY_CURRENT = "already-current"
    CHECK_PENDING = "check-pending"  # open the pending rows' 照会 to see whether one is ours
    REGISTER = "register"


def _is_ours(row: CertificateRow, cert: CertificateInfo) -> bool:
    return (
        row.expiry_date == cert.expiry_date
        and normalise(row.trade_name_kanji) == normalise(cert.trade_name_kanji)
        and normalise(row.holder_name_kanji) == normalise(cert.holder_name_kanji)
    )


def decide(rows: Sequence[CertificateRow], cert: CertificateInfo) -> tuple[Action, list[CertificateRow]]:
    """Already registered and active → nothing to do; pending rows → check them; else register."""
    active = [r for r in rows if not r.pending and _is_ours(r, cert)]
    if active:
        return Action.ALREADY_CURRENT, active
    pending = [r for r in rows if r.pending]
    if pending:
        # Newest first: an interrupted earlier run left the most recent one.
        return Action.CHECK_PENDING, sorted(pending, key=lambda r: r.registered, reverse=True)
    return Action.REGISTER, []


def _same(label: str, shown: str, expected: str) -> bool:
    """Dates as dates (`2028/3/5` is `2028/03/05`), texts through the one normaliser."""
    if label in (Label.EXPIRY, Label.START_DATE):
        try:
            return portal_date(shown) == portal_date(expected)
        except ValueError:
            return False
    return normalise(shown) == normalise(expected)


def auto_filled_differences(shown: Mapping[str, str], cert: CertificateInfo) -> list[str]:
    """Fields the portal read from the certificate that differ from the local parse."""
    expected = {
        Label.TRADE_NAME_KANJI: cert.trade_name_kanji,
        Label.HOLDER_NAME_KANJI: cert.holder_name_kanji,
        Label.ADDRESS_STREET: cert.address_street,
        Label.ADDRESS_BUILDING: cert.address_building,
        Label.EXPIRY: format_portal_date(cert.expiry_date),
    }
    return [
        _("{label}: portal shows '{shown}', certificate has '{value}'").format(
            label=label, shown=shown.get(label, ""), value=value
        )
        for label, value in expected.items()
        if not _same(label, shown.get(label, ""), value)
    ]


def entered_differences(shown: Mapping[str, str], entered: Mapping[str, str]) -> list[str]:
    """Typed fields that the portal does not show back as typed."""
    return [
        _("{label}: portal shows '{shown}', entered '{value}'").format(
            label=label, shown=shown.get(label, ""), value=value
        )
        for label, value in entered.items()
        if not _same(label, shown.get(label, ""), value)
    ]


def latest_active_expiry(rows: Sequence[CertificateRow]) -> str | None:
    """The latest 証明書有効期限 among active records, as `YYYY-MM-DD` (None when there is none)."""
    days = [row.expiry_date for row in rows if not row.pending and row.expiry_date is not None]
    return max(days).isoformat() if days else None


def renewal_status(
    registered: dt.date | None, local: dt.date | None, today: dt.date, *, warn_days: int = 30
) -> tuple[int | None, str | None]:
    """Days the registered certificate has left, and a warning when it needs a human.

    Warn when the registered certificate expires within `warn_days` (or has expired, or none is
    registered) and no newer local .p12 exists to replace it.
    """
    days_left = (registered - today).days if registered else None
    newer_local = local is not None and (registered is None or local > registered)
    if newer_local:
        return days_left, None
    if registered is None:
        return None, _("no active certificate is registered and no local .p12 can replace it")
    if days_left is not None and days_left < 0:
        return days_left, _("the registered certificate expired {days} days ago and no newer local .p12 exists").format(
            days=-days_left
        )
    if days_left is not None and days_left <= warn_days:
        return days_left, _("the registered certificate expires in {days} days and no newer local .p12 exists").format(
            days=days_left
        )
    return days_left, None
