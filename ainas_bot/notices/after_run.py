"""After a run: which messages it calls for, and the reminders to order remembered in the record.

The decision is pure (`reminders_due`): an office is reminded when the days left of the last certificate known
reach a threshold not yet reminded for that certificate. The sending and the remembering follow it; a reminder
that reached nobody is not remembered, so the next run tries again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from ainas_bot.errors import OutputError
from ainas_bot.fleet.standing import Standing
from ainas_bot.i18n import _
from ainas_bot.notices.messages import RunFacts, digest_message, failed_message, order_message, renewed_message
from ainas_bot.notices.send import Notifier
from ainas_bot.record.notes import remember_reminders, reminders_sent
from ainas_bot.record.store import VerifiedStore

__all__ = ["Reminder", "certificate_key", "notify_after_run", "reminders_due"]


@dataclasses.dataclass(frozen=True)
class Reminder:
    """An office to remind: the threshold its days left reached, and every threshold reached (remembered)."""

    standing: Standing
    threshold: int
    reached: tuple[int, ...]
    key: str


def certificate_key(standing: Standing) -> str | None:
    """The certificate whose end the reminder is about: the later of the registered and the local one."""
    if standing.local_expiry is not None and standing.end == standing.local_expiry and standing.local_fingerprint:
        return standing.local_fingerprint
    if standing.registered_fingerprint:
        return standing.registered_fingerprint
    return f"expiry:{standing.end.isoformat()}" if standing.end else None


def reminders_due(standings: Sequence[Standing], sent: Callable[[str, str], frozenset[int]]) -> list[Reminder]:
    """The offices whose days left reached a threshold not yet reminded for that certificate; one reminder
    each, however many thresholds were passed since the last run (100 days left, then 25: one, at 30)."""
    due = []
    for s in standings:
        key = certificate_key(s)
        threshold = s.threshold
        if key is None or threshold is None or s.days_left is None:
            continue
        if threshold in sent(s.office_id, key):
            continue
        reached = tuple(t for t in s.thresholds if s.days_left <= t)
        due.append(Reminder(s, threshold, reached, key))
    return due


def notify_after_run(
    notifier: Notifier,
    facts: RunFacts,
    standings: Sequence[Standing],
    store: VerifiedStore | None,
    places: Mapping[str, str],
    now: dt.datetime,
) -> None:
    """Failed, renewed, the reminders to order, then the digest; what cannot be sent or remembered goes to
    `notifier.problems`. `places` says where each office's next .p12 goes (its signing_cert)."""
    for message in (failed_message(facts), renewed_message(facts)):
        if message is not None and notifier.wants(message.event):
            notifier.send(message)
    if notifier.wants("order-new-certificate"):
        _remind(notifier, facts, standings, store, places, now)
    if notifier.wants("digest"):
        notifier.send(digest_message(facts, standings))


def _remind(
    notifier: Notifier,
    facts: RunFacts,
    standings: Sequence[Standing],
    store: VerifiedStore | None,
    places: Mapping[str, str],
    now: dt.datetime,
) -> None:
    if store is None:
        notifier.problems.append(_("order reminders: the record cannot be used, so none is sent (none would be kept)"))
        return
    try:
        due = reminders_due(standings, lambda office_id, key: reminders_sent(store, office_id, key))
    except OutputError as exc:
        notifier.problems.append(_("order reminders: {error}").format(error=exc))
        return
    for reminder in due:
        place = places.get(reminder.standing.office_id)
        message = order_message(reminder.standing, reminder.threshold, facts, place=place)
        if not notifier.send(message):
            continue
        try:
            remember_reminders(store, reminder.standing.office_id, reminder.key, reminder.reached, now)
        except OutputError as exc:
            notifier.problems.append(
                _("order reminder for office {office} sent but not remembered: {error}").format(
                    office=reminder.standing.office_id, error=exc
                )
            )
