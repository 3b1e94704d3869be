"""The record as one run uses it: the store, the .p12 cache it holds and the log the run's proofs go to, opened
once; a file that cannot be used is said once and the run goes on without it."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from ainas_bot.config.settings import Settings
from ainas_bot.errors import OutputError
from ainas_bot.i18n import _
from ainas_bot.record.p12_cache import P12Cache
from ainas_bot.record.store import VerificationLog, Verified, VerifiedStore

__all__ = ["OpenedRecord", "opened_record", "record_of"]


@dataclasses.dataclass
class OpenedRecord:
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
def opened_record(settings: Settings) -> Iterator[OpenedRecord]:
    try:
        store = VerifiedStore(settings.verified_record_path)
    except OutputError as exc:
        yield OpenedRecord(
            None,
            None,
            None,
            _("{error}; not used in this run (offices go to the portal, .p12 files are opened with their PIN)").format(
                error=exc
            ),
        )
        return
    try:
        yield OpenedRecord(store, P12Cache(store), VerificationLog(store))
    finally:
        store.close()


def record_of(record: OpenedRecord, office_id: str) -> Verified | None:
    """The office's record; one that cannot be read is none (the office goes to the portal), said once."""
    if record.store is None or record.opening_error:
        return None
    try:
        return record.store.get(office_id)
    except OutputError as exc:
        record.opening_error = _("{error}; the offices from here on went to the portal").format(error=exc)
        return None
