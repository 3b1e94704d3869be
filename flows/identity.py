"""Does the local certificate belong to this office, and is it newer than the registered one? Pure functions.

They run on 代理人組織照会, after the certificate table is read and before any upload; `flows.renewal`
only reads the screen and acts on the verdict.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from flows.decision import CertificateRow
from flows.finder.text import normalise

__all__ = ["IdentityVerdict", "backwards_refusal", "check_identity", "current_row", "identity_refusal"]


@dataclasses.dataclass(frozen=True)
class IdentityVerdict:
    """Which of the organisation's names the certificate's names match; `changes` lists what differs."""

    matches: bool
    changes: tuple[str, ...] = ()


def current_row(rows: Sequence[CertificateRow]) -> CertificateRow | None:
    """The registered record in force: of the non-pending rows, the one expiring last (then registered last)."""
    done = [r for r in rows if not r.pending]
    return max(done, key=lambda r: (r.expiry_date or dt.date.min, r.registered)) if done else None


def _same_trade(trade: str, org_name: str) -> bool:
    # A firm's branch is named after the firm: 行政書士法人さくら 東京事務所 for 行政書士法人さくら.
    t, o = normalise(trade), normalise(org_name)
    return bool(t) and (t == o or o.startswith(t))


def check_identity(cert: CertificateInfo, org_name: str, rows: Sequence[CertificateRow]) -> IdentityVerdict:
    """The certificate matches when its 屋号 is the 代理人組織名 or the current record's 屋号, or its
    氏名又は代表者名 is the current record's; what differs from the current record is listed either way."""
    current = current_row(rows)
    trade_ok = _same_trade(cert.trade_name_kanji, org_name) or (
        current is not None and normalise(current.trade_name_kanji) == normalise(cert.trade_name_kanji)
    )
    holder_ok = current is not None and normalise(current.holder_name_kanji) == normalise(cert.holder_name_kanji)
    changes: list[str] = []
    if current is not None:
        for label, shown, local in (
            (Label.TRADE_NAME_KANJI, current.trade_name_kanji, cert.trade_name_kanji),
            (Label.HOLDER_NAME_KANJI, current.holder_name_kanji, cert.holder_name_kanji),
        ):
            if normalise(shown) != normalise(local):
                changes.append(f"{label} '{shown}' → '{local}'")
    elif not trade_ok:
        changes.append(f"{Label.ORG_NAME} '{org_name}', {Label.TRADE_NAME_KANJI} '{cert.trade_name_kanji}'")
    return IdentityVerdict(matches=trade_ok or holder_ok, changes=tuple(changes))


def identity_refusal(
    office_id: str, cert: CertificateInfo, org_name: str, verdict: IdentityVerdict, *, confirmed: bool
) -> str | None:
    """The one-line refusal when the certificate seems to be another office's, unless confirmed."""
    if verdict.matches or confirmed:
        return None
    return _(
        "office {office}: the certificate ({file}) is not this office's: {org_label} '{org_name}', certificate "
        "{trade_label} '{trade}' and {holder_label} '{holder}' ({changes}); put this office's .p12 in "
        "signing_cert, or for a genuine change set identity_change_confirmed = true"
    ).format(
        office=office_id,
        file=cert.file,
        org_label=Label.ORG_NAME,
        org_name=org_name,
        trade_label=Label.TRADE_NAME_KANJI,
        trade=cert.trade_name_kanji,
        holder_label=Label.HOLDER_NAME_KANJI,
        holder=cert.holder_name_kanji,
        changes="; ".join(verdict.changes),
    )


def backwards_refusal(office_id: str, cert: CertificateInfo, rows: Sequence[CertificateRow]) -> str | None:
    """The one-line refusal when the local certificate expires before the registered one."""
    current = current_row(rows)
    if current is None or current.expiry_date is None or cert.expiry_date >= current.expiry_date:
        return None
    return _(
        "office {office}: {label}: the local certificate ({file}) expires {expiry}, before the registered one "
        "({registered}); registering it would go backwards: put the newest .p12 in signing_cert"
    ).format(
        office=office_id,
        label=Label.EXPIRY,
        file=cert.file,
        expiry=format_portal_date(cert.expiry_date),
        registered=current.expiry,
    )
