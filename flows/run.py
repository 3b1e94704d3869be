"""One run, the path every office takes: its checks, whether the portal must see it, the visit, the record and
the reports.

`ainas_bot.cli` and the console call `run` and print what it returns. An office going to the portal goes on to
`flows.session` (the offices of one login), `flows.renewal` (one office's steps), `flows.pages` (a screen each)
and `flows.finder` (what is on screen): docs/architecture.md draws the path. Outcomes are made in three places
only: `ainas_bot.results.runs.prepare` for an office refused by its checks, here for one that never reaches the
portal otherwise (vouched for by the record, cut off by an interrupt), and the session for one that does.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence

from ainas_bot import portal_text
from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Settings
from ainas_bot.errors import Reason
from ainas_bot.foundation.jst import format_portal_date, now_jst
from ainas_bot.foundation.run_lock import run_lock
from ainas_bot.i18n import _
from ainas_bot.record.due import portal_due
from ainas_bot.record.opened import OpenedRecord, opened_record, record_of
from ainas_bot.record.store import Verified
from ainas_bot.results.events import RunEvents
from ainas_bot.results.interrupts import Interrupts, sigterm_as_interrupt
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.recording import RecordingEvents
from ainas_bot.results.runs import Prepared, RunRequest, RunResult, prepare, write_run_reports
from flows.renewal import FlowOptions
from flows.session import LoginSession

__all__ = [
    "Due",
    "Prepared",
    "RunRequest",
    "RunResult",
    "group_by_login",
    "prepare",
    "run",
    "split_due",
    "visit_offices",
]


@dataclasses.dataclass
class Due:
    """The ready offices split: those the portal must see, those the record vouches for, and those whose .p12,
    opened for real, did not hold what the cache said."""

    todo: list[PreparedOffice]
    skipped: list[Outcome]
    refused: list[Outcome]
    records: dict[str, Verified | None] = dataclasses.field(default_factory=dict)  # of `todo`, as read to decide


def _skipped(office: PreparedOffice, record: Verified) -> Outcome:
    """`already-current` without a visit: what the record says, and since when."""
    expiry = format_portal_date(office.certificate.expiry_date)
    on = record.verified_on.isoformat()
    said = _("the certificate expiring {expiry} is already registered (verified on {on})").format(expiry=expiry, on=on)
    return Outcome.succeeded(
        office,
        "already-current",
        office_name=record.organisation,  # the name the portal showed, else the certificate's 屋号
        message=_("; ").join([said, *office.warnings]),
        attempts=0,
        verified_on=on,
    )


def split_due(
    ready: list[PreparedOffice],
    record: OpenedRecord,
    settings: Settings,
    environ: Mapping[str, str],
    events: RunEvents,
    *,
    visit_all: bool,
    now: dt.datetime,
) -> Due:
    """Offices proven recently are skipped; the others go to the portal. A .p12 the cache answered for is
    opened for real first, and only those are checked again: the bytes uploaded are the bytes checked, with
    the PIN that opens them."""
    due = Due([], [], [])
    for office in ready:
        verified = record_of(record, office.office.id)
        why = portal_due(
            verified, office.certificate.sha256, now, reverify_days=settings.reverify_days, verify=visit_all
        )
        if why is None and verified is not None:
            due.skipped.append(_skipped(office, verified))
        else:
            events.step(office.office.id, _("to the portal: {why}").format(why=why))
            due.todo.append(office)
            due.records[office.office.id] = verified
    served = [o for o in due.todo if record.cache and _digest(o.signing_bytes) in record.cache.served]
    if not served:
        return due
    opened = prepare(settings, [o.office for o in served], environ, cache=None)
    by_id = {o.office.id: o for o in opened.ready}
    refused = {o.office_id for o in opened.refused}
    due.todo = [by_id.get(o.office.id, o) for o in due.todo if o.office.id not in refused]
    due.refused = opened.refused
    return due


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _interrupted(offices: list[PreparedOffice]) -> list[Outcome]:
    """A failed outcome for each office that had not ended when the run was stopped."""
    said = _("{reason} before this office ended; run it again (a pending upload is resumed)").format(
        reason=_("interrupted (SIGINT or SIGTERM)")
    )
    return [
        Outcome.not_started(o.office.id, o.office.login_id, reason=Reason.INTERRUPTED, message=said) for o in offices
    ]


def run(
    settings: Settings,
    request: RunRequest,
    events: RunEvents,
    environ: Mapping[str, str],
    *,
    interrupts: Interrupts | None = None,
) -> RunResult:
    """Prepare, decide, visit, record, report. Every office ends with one outcome, told to `events` as it ends
    and written to the audit log at once; an interrupt (SIGINT, SIGTERM, `interrupts.stop()`) ends the offices still
    under way."""
    with opened_record(settings) as record:
        prepared = prepare(settings, request.offices, environ, cache=record.cache)
        for warning in prepared.warnings:
            events.warning(warning)
        recording = RecordingEvents(
            events, settings.audit_log if request.audit else None, dry_run=request.dry_run, record=record.log
        )
        recording.planned(len(prepared.ready) + len(prepared.refused))
        interrupted = False
        before: dict[str, Verified | None] = {}
        visited: list[PreparedOffice] = []
        with (
            sigterm_as_interrupt(interrupts) as stoppable,
            run_lock(settings.lock_file) if request.audit else contextlib.nullcontext(),
        ):
            # Under the lock, as another run may be writing the record: only the offices it cannot vouch for go
            # to the portal.
            due = split_due(
                prepared.ready,
                record,
                settings,
                environ,
                recording,
                visit_all=request.visit_all or request.dry_run,
                now=now_jst(),
            )
            for outcome in [*prepared.refused, *due.skipped, *due.refused]:
                recording.done(outcome)
            recording.portal_started()
            visited = due.todo
            before = {o.office.id: due.records.get(o.office.id) for o in visited}
            try:
                if visited:
                    stoppable.run(_visit_later(settings, visited, recording, request, environ))
            except KeyboardInterrupt:
                interrupted = True
                ended = {o.office_id for o in recording.outcomes}
                rest = _interrupted([o for o in visited if o.office.id not in ended])
                recording.outcomes += rest
                recording.audit(rest)
                recording.ended(rest)
        records = {oid: (was, record_of(record, oid)) for oid, was in before.items()}
    order = {o.office.id: i for i, o in enumerate(prepared.ready)}
    outcomes = sorted(recording.outcomes, key=lambda o: order.get(o.office_id, -1))
    result = RunResult(prepared, outcomes, visited, [*recording.errors, *record.errors], [], interrupted, records)
    write_run_reports(request, result)
    return result


async def _visit_later(
    settings: Settings,
    offices: list[PreparedOffice],
    events: RunEvents,
    request: RunRequest,
    environ: Mapping[str, str],
) -> None:
    if request.start_delay > 0:
        events.step("-", _("scheduled: starting in {seconds} s").format(seconds=f"{request.start_delay:.0f}"))
        await asyncio.sleep(request.start_delay)  # spreads many timers' load on the portal; not a wait on a screen
    await visit_offices(
        settings, offices, dry_run=request.dry_run, events=events, environ=environ, concurrency=settings.concurrency
    )


def group_by_login(offices: Sequence[PreparedOffice]) -> list[list[PreparedOffice]]:
    """Offices sharing a login run one after another in one session (the portal allows one per user)."""
    groups: dict[str, list[PreparedOffice]] = {}
    for office in offices:
        groups.setdefault(office.office.login_id, []).append(office)
    return list(groups.values())


async def visit_offices(
    settings: Settings,
    offices: Sequence[PreparedOffice],
    *,
    dry_run: bool,
    events: RunEvents,
    environ: Mapping[str, str],
    concurrency: int = 1,
) -> list[Outcome]:
    """The portal part of a run: one browser (or a fleet of browser servers), a session per login, at most
    `concurrency` at once; every office ends with an outcome, in the order given. `environ` is the run's
    environment (Firefox is started with it; the gate takes its HTTPS proxy)."""
    from playwright.async_api import async_playwright

    from flows.browser.fleet import Browsers
    from flows.browser.options import BrowserOptions
    from flows.connection import connect

    opts = FlowOptions(
        portal_url=settings.portal_url,
        timeout_ms=settings.timeout_seconds * 1000,
        artifacts_dir=str(settings.artifacts_dir),
        dry_run=dry_run,
        retries=settings.retries,
        retry_backoff_seconds=settings.retry_backoff_seconds,
        trace=settings.trace,
    )
    # https only and Firefox without a browser server are the settings' own rules (Settings' validators).
    options = BrowserOptions.from_settings(settings, environ)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    with portal_text.applied(settings.portal_text):
        async with async_playwright() as pw:
            browsers = Browsers(pw, options)

            async def session_of(slot: int, group: list[PreparedOffice]) -> list[Outcome]:
                chromium = (lambda: browsers.get(slot)) if options.browser == "chromium" else None
                session = LoginSession(group, opts, events, connect(pw, chromium, options, opts))
                async with semaphore:
                    return await session.run()

            try:
                results = await asyncio.gather(*(session_of(i, g) for i, g in enumerate(group_by_login(offices))))
            finally:
                await browsers.close()
    by_id = {o.office_id: o for group in results for o in group}
    return [by_id[o.office.id] for o in offices]
