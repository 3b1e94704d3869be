"""Where each office stands: the certificate in force on the portal, the newest local one, when the portal last
proved it, how the last run ended and whether the next certificate must be ordered now.

One row per office, made once from what a run knows (or the record alone, `status --from-record`), and read by
every view of the fleet: the `status` table and JSON, the expiry calendar (`status --html`), the metrics
(`--metrics`) and the reminders to order (`ainas_bot.notices`). `order_threshold` is a pure function, like the
decision whether an office is due.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.record.notes import LastOutcome
from ainas_bot.record.store import Verified

__all__ = ["DEFAULT_THRESHOLDS", "Standing", "latest_end", "order_threshold", "standing_of"]

DEFAULT_THRESHOLDS = (90, 60, 30, 14, 7)


@dataclasses.dataclass(frozen=True)
class Standing:
    """One office as the fleet views show it. Dates are Japanese calendar days."""

    office_id: str
    office_name: str
    registered_expiry: dt.date | None  # 証明書有効期限 of the certificate in force on the portal, where known
    registered_fingerprint: str | None
    proved_on: dt.date | None  # the day the portal last showed a certificate of this office registered and active
    local_expiry: dt.date | None  # the newest local .p12 the PIN opens
    local_start: dt.date | None
    local_fingerprint: str | None
    local_file: str | None
    last_status: str | None  # the last run's outcome (`updated`, `failed`, …), None when none is recorded
    last_reason: str | None
    last_screen: str | None
    last_run_at: dt.datetime | None
    problem: str | None  # what stops this office now (its checks refused it, the portal could not be read)
    today: dt.date
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS

    @property
    def end(self) -> dt.date | None:
        """The last day covered: the later of the certificate in force and the newest local one (a newer local
        one is registered by the next run)."""
        return latest_end(self.registered_expiry, self.local_expiry)

    @property
    def days_left(self) -> int | None:
        """Days from today to `end`; negative once it has passed."""
        return (self.end - self.today).days if self.end else None

    @property
    def threshold(self) -> int | None:
        """The smallest reminder threshold `days_left` has reached (None: not yet, or nothing known)."""
        return order_threshold(self.days_left, self.thresholds)

    @property
    def order_now(self) -> bool:
        """No newer certificate is on disk and the one in force ends within the largest threshold."""
        return self.threshold is not None

    @property
    def failed(self) -> bool:
        return self.last_status == "failed" or self.problem is not None

    @property
    def renewal_pending(self) -> bool:
        """A newer local certificate than the one in force: the next run registers it."""
        return self.local_expiry is not None and (
            self.registered_expiry is None or self.local_expiry > self.registered_expiry
        )


def latest_end(registered: dt.date | None, local: dt.date | None) -> dt.date | None:
    known = [d for d in (registered, local) if d is not None]
    return max(known) if known else None


def order_threshold(days_left: int | None, thresholds: Iterable[int]) -> int | None:
    """The smallest of `thresholds` at or above `days_left`: 30 for 25 days left with (90, 60, 30, 14, 7)."""
    if days_left is None:
        return None
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def standing_of(
    office_id: str,
    *,
    office_name: str,
    certificate: CertificateInfo | None,
    local_file: str | None,
    record: Verified | None,
    last: LastOutcome | None,
    today: dt.date,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
    portal_expiry: dt.date | None = None,
    problem: str | None = None,
) -> Standing:
    """One office's row. The certificate in force is what the portal showed in this run (`portal_expiry`),
    else what the record last proved: the local certificate itself when the fingerprints agree."""
    registered = portal_expiry
    registered_fp = None
    if record is not None:
        registered_fp = record.fingerprint
        if registered is None:
            same = certificate is not None and record.fingerprint == certificate.sha256
            registered = certificate.expiry_date if same and certificate is not None else record.expiry
    return Standing(
        office_id=office_id,
        office_name=office_name or (record.organisation if record else "") or _name(certificate),
        registered_expiry=registered,
        registered_fingerprint=registered_fp,
        proved_on=record.verified_on if record else None,
        local_expiry=certificate.expiry_date if certificate else None,
        local_start=certificate.start_date if certificate else None,
        local_fingerprint=certificate.sha256 if certificate else None,
        local_file=local_file,
        last_status=last.status if last else None,
        last_reason=last.reason if last else None,
        last_screen=last.screen if last else None,
        last_run_at=last.ended_at if last else None,
        problem=problem,
        today=today,
        thresholds=tuple(sorted(set(thresholds), reverse=True)),
    )


def _name(certificate: CertificateInfo | None) -> str:
    return certificate.trade_name_kanji if certificate else ""
