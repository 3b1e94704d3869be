"""The standing of every office, made from what a run prepared and proved, and from the record: the same rows
whether the portal was read in this run (`renew`, `status`) or not (`status --from-record`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import OutputError
from ainas_bot.fleet.standing import Standing, standing_of
from ainas_bot.i18n import _
from ainas_bot.record.notes import LastOutcome, last_outcomes
from ainas_bot.record.opened import opened_record
from ainas_bot.record.store import Verified, VerifiedStore
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.runs import Prepared, prepare

__all__ = ["FromRecord", "RecordView", "from_record", "read_record", "standings"]


@dataclasses.dataclass(frozen=True)
class RecordView:
    """What the record says of every office, read at once; `error` when it could not be read."""

    verified: Mapping[str, Verified]
    last: Mapping[str, LastOutcome]
    error: str | None = None


def read_record(store: VerifiedStore | None) -> RecordView:
    if store is None:
        return RecordView({}, {})
    try:
        return RecordView(store.all_verified(), last_outcomes(store))
    except OutputError as exc:
        return RecordView({}, {}, _("{error}; the record is not used for this view").format(error=exc))


def standings(
    offices: Sequence[Office],
    prepared: Prepared,
    record: RecordView,
    *,
    today: dt.date,
    thresholds: Sequence[int],
    outcomes: Sequence[Outcome] = (),
    portal_read: bool = False,
) -> list[Standing]:
    """One row per office, in the order of `offices`. With `portal_read`, a failed office's outcome is this run's
    problem and the registered certificate is what the portal's table showed."""
    local = {p.office.id: p for p in prepared.ready}
    refused = {o.office_id: o for o in prepared.refused}
    now = {o.office_id: o for o in outcomes}
    rows = []
    for office in offices:
        oid = office.id
        outcome = now.get(oid)
        portal_expiry = None
        if portal_read and outcome is not None and outcome.registered_expiry:
            portal_expiry = dt.date.fromisoformat(outcome.registered_expiry)
        problem = None
        if oid in refused:
            problem = refused[oid].message
        elif portal_read and outcome is not None and not outcome.ok:
            problem = outcome.message
        ready = local.get(oid)
        name = (outcome.office_name if outcome else "") or (refused[oid].office_name if oid in refused else "")
        rows.append(
            standing_of(
                oid,
                office_name=name,
                certificate=prepared.certificates.get(oid),
                local_file=str(ready.signing_p12) if ready else None,
                record=record.verified.get(oid),
                last=record.last.get(oid),
                today=today,
                thresholds=thresholds,
                portal_expiry=portal_expiry,
                problem=problem,
            )
        )
    return rows


@dataclasses.dataclass(frozen=True)
class FromRecord:
    """The fleet from the record and the local files alone: the rows, the checks' warnings, and what of the
    record could not be opened or read."""

    rows: list[Standing]
    warnings: list[str]
    errors: list[str]


def from_record(
    settings: Settings, offices: Sequence[Office], environ: Mapping[str, str], *, today: dt.date
) -> FromRecord:
    """Every office as `status --from-record` and the console's office list see it: no request to the portal."""
    with opened_record(settings) as record:
        # The checks before the first click, with the record's .p12 cache: what each local file holds, no browser.
        prepared = prepare(settings, offices, environ, cache=record.cache)
        view = read_record(record.store)
        rows = standings(offices, prepared, view, today=today, thresholds=settings.order_reminder_days)
        return FromRecord(rows, prepared.warnings, [e for e in (*record.errors, view.error) if e])
