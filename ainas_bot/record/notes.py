"""What the record keeps besides the portal's proofs: how each office's last run ended, and which reminders to
order a new certificate were sent, so that one is sent once per threshold and certificate, not every day.

Both live in the record file (`store.VerifiedStore`), written in one transaction each like the proofs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ainas_bot.foundation.jst import JST

if TYPE_CHECKING:  # the store opens the file and calls `put_last_outcome`; these only use its transactions
    from ainas_bot.record.store import VerifiedStore

__all__ = ["LastOutcome", "last_outcomes", "put_last_outcome", "remember_reminders", "reminders_sent"]


@dataclasses.dataclass(frozen=True)
class LastOutcome:
    """How the office's last run that kept an audit line ended (`renew`, a dry run too)."""

    office_id: str
    status: str  # an Outcome's status key (`updated`, `failed`, …)
    reason: str | None
    screen: str | None
    ended_at: dt.datetime  # aware, Japan time


def put_last_outcome(store: VerifiedStore, last: LastOutcome) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO last_outcome VALUES (?, ?, ?, ?, ?)",
            (
                last.office_id,
                last.status,
                last.reason,
                last.screen,
                last.ended_at.astimezone(JST).isoformat(timespec="seconds"),
            ),
        )


def last_outcomes(store: VerifiedStore) -> dict[str, LastOutcome]:
    with store.transaction() as db:
        rows = db.execute("SELECT office_id, status, reason, screen, ended_at FROM last_outcome").fetchall()
    found: dict[str, LastOutcome] = {}
    for office_id, status, reason, screen, ended_at in rows:
        try:
            when = dt.datetime.fromisoformat(ended_at)
        except ValueError:
            continue  # not written by this module: as if the office had no last run
        if when.tzinfo is not None:
            found[office_id] = LastOutcome(office_id, status, reason, screen, when.astimezone(JST))
    return found


def reminders_sent(store: VerifiedStore, office_id: str, fingerprint: str) -> frozenset[int]:
    """The thresholds (days left) at which a reminder about this certificate of this office was sent."""
    with store.transaction() as db:
        rows = db.execute(
            "SELECT threshold FROM order_reminders WHERE office_id = ? AND fingerprint = ?", (office_id, fingerprint)
        ).fetchall()
    return frozenset(int(row[0]) for row in rows)


def remember_reminders(
    store: VerifiedStore, office_id: str, fingerprint: str, thresholds: Iterable[int], sent_at: dt.datetime
) -> None:
    when = sent_at.astimezone(JST).isoformat(timespec="seconds")
    with store.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO order_reminders VALUES (?, ?, ?, ?)",
            [(office_id, fingerprint, int(t), when) for t in thresholds],
        )
