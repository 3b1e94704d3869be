"""The CLI's use of the verified record: which offices `renew` leaves alone, and what `status` corrected."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping

from ainas_bot.checks.prepare import PreparedOffice, check_offices, office_message
from ainas_bot.config.settings import Settings
from ainas_bot.errors import OutputError
from ainas_bot.i18n import _
from ainas_bot.record.p12_cache import P12Cache
from ainas_bot.record.store import VerificationLog, Verified, VerifiedStore
from ainas_bot.results.due import portal_due, skipped_outcome
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Outcome

__all__ = ["Record", "RecordUse", "correction", "opened_record", "record_of", "split_offices"]


@dataclasses.dataclass
class Record:
    """The record file of a run, with the .p12 cache it holds and the log the flow writes to; all None when the
    file cannot be used, which does not stop the run (every office then goes to the portal, every .p12 is
    opened with its PIN) and is said once, after the recap, like an audit log that cannot be written."""

    store: VerifiedStore | None
    cache: P12Cache | None
    log: VerificationLog | None
    opening_error: str | None = None

    @property
    def errors(self) -> list[str]:
        return [
            *([self.opening_error] if self.opening_error else []),
            *(self.log.errors if self.log else []),
            *(self.cache.errors if self.cache else []),
        ]


@contextlib.contextmanager
def opened_record(settings: Settings) -> Iterator[Record]:
    try:
        store = VerifiedStore(settings.verified_record_path)
    except OutputError as exc:
        yield Record(
            None,
            None,
            None,
            _("{error}; not used in this run (offices go to the portal, .p12 files are opened with their PIN)").format(
                error=exc
            ),
        )
        return
    try:
        yield Record(store, P12Cache(store), VerificationLog(store))
    finally:
        store.close()


@dataclasses.dataclass
class RecordUse:
    """`renew`'s split of the prepared offices: those the portal must see, and those already proven."""

    todo: list[PreparedOffice]
    skipped: list[Outcome]
    not_started: list[Outcome]


def split_offices(
    ready: list[PreparedOffice],
    record: Record,
    settings: Settings,
    environ: Mapping[str, str],
    events: RunEvents,
    *,
    visit_all: bool,
    now: dt.datetime,
) -> RecordUse:
    """Offices proven recently are skipped; the others go to the portal, each .p12 that the cache answered for
    being opened for real first (the bytes uploaded are the bytes checked, with the PIN that opens them)."""
    use = RecordUse([], [], [])
    for office in ready:
        verified = record_of(record, office.office.id)
        why = portal_due(
            verified, office.certificate.sha256, now, reverify_days=settings.reverify_days, verify=visit_all
        )
        if why is None and verified is not None:
            use.skipped.append(skipped_outcome(office, verified))
        else:
            events.step(office.office.id, _("to the portal: {why}").format(why=why))
            use.todo.append(office)
    served = [o for o in use.todo if record.cache and _digest(o.signing_bytes) in record.cache.served]
    if not served:
        return use
    again, problems, _warnings = check_offices(
        [o.office for o in served], settings, environ, today=now.date(), cache=None
    )
    by_id = {o.office.id: o for o in again}
    use.todo = [by_id.get(o.office.id, o) if o in served else o for o in use.todo]
    failed = {p.office_id for p in problems}
    use.todo = [o for o in use.todo if o.office.id not in failed]
    for office_id in dict.fromkeys(p.office_id for p in problems):
        login = next(o.office.login_id for o in served if o.office.id == office_id)
        mine = [p for p in problems if p.office_id == office_id]
        use.not_started.append(
            Outcome.not_started(office_id, login, reason=mine[0].reason, message=_("; ").join(p.message for p in mine))
        )
    return use


def record_of(record: Record, office_id: str) -> Verified | None:
    """The office's record; one that cannot be read is none (the office goes to the portal), said once."""
    if record.store is None or record.opening_error:
        return None
    try:
        return record.store.get(office_id)
    except OutputError as exc:
        record.opening_error = _("{error}; the offices from here on went to the portal").format(error=exc)
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def correction(office_id: str, before: Verified | None, after: Verified | None, outcome: Outcome) -> str | None:
    """`status`: what the record said and what the portal showed, when the visit changed the record (`after` is
    the record once the office ended: unchanged when the portal was not read)."""
    if before is None or (after is not None and after.fingerprint == before.fingerprint):
        return None
    said = _(
        "the record said certificate {fingerprint}… (登録日時 {registered_at}, verified on {verified_on}) is "
        "registered and active"
    ).format(
        fingerprint=before.fingerprint[:23],
        registered_at=before.registered_at,
        verified_on=before.verified_on.isoformat(),
    )
    if after is not None:
        shows = _("the portal shows certificate {fingerprint}… (登録日時 {registered_at}) instead").format(
            fingerprint=after.fingerprint[:23], registered_at=after.registered_at
        )
    else:
        shows = _(
            "the portal does not show it registered and active (latest active certificate expires {latest})"
        ).format(latest=outcome.registered_expiry or _("none"))
    return office_message(office_id, _("record corrected: {said}; {shows}").format(said=said, shows=shows))
