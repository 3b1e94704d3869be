"""Does an office need the portal? Decided from the local record alone: a pure function, no I/O.

Like certbot deciding locally whether a certificate is due: a scheduled run logs in only where there
is work, or where the record is old enough that the portal should be asked again.
"""

from __future__ import annotations

import datetime as dt

from ainas_bot.i18n import _
from ainas_bot.record.store import Verified

__all__ = ["portal_due"]


def portal_due(
    record: Verified | None, fingerprint: str, now: dt.datetime, *, reverify_days: int, verify: bool = False
) -> str | None:
    """None when the office can be skipped; otherwise why it goes to the portal (for its first step line)."""
    if verify:
        return _("--verify: asking the portal")
    if record is None:
        return _("no verification recorded")
    if record.fingerprint != fingerprint:
        return _("the local certificate is not the one last verified")
    age = now - record.verified_at
    if age < dt.timedelta(0):
        return _("the recorded verification is in the future (the clock moved); asking the portal")
    if age >= dt.timedelta(days=reverify_days):
        return _("last verified on {date}, {days} days ago (reverify_days {reverify_days})").format(
            date=record.verified_on.isoformat(), days=age.days, reverify_days=reverify_days
        )
    return None
