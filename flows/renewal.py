"""The certificate update for the offices of one login, as the manual has a person do it.

One session per login: log in once, handle each of its offices through the menu, log out. The
decision of what to do is `flows.decision`; this module only does and proves.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from ainas_bot._i18n import _
from ainas_bot._identity import backwards_refusal, check_identity, identity_refusal
from ainas_bot._jst import format_portal_date
from ainas_bot._verified import VerificationLog, Verified, now_jst
from ainas_bot.errors import (
    AinasBotError,
    BackwardsError,
    IdentityError,
    PortalMismatchError,
    PortalUnavailableError,
)
from ainas_bot.events import RunEvents
from ainas_bot.outcome import Outcome, Status
from ainas_bot.portal_text import Label, Screen
from ainas_bot.prepare import PreparedOffice
from flows._profiles import checked_copy
from flows.artifacts import save_failure_artifacts
from flows.browser import close_within
from flows.decision import (
    Action,
    CertificateRow,
    auto_filled_differences,
    decide,
    entered_differences,
    latest_active_expiry,
)
from flows.pages import CertDetailPage, CertUpdateCompletePage, HomePage, LoginPage, OrgDetailPage
from flows.pages.cert_update import UpdateForm

__all__ = ["FlowOptions", "GroupState", "renew_login_group"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_MAX_BACKOFF_SECONDS = 300.0  # doubling from 5 s, the 10th retry would otherwise wait 43 minutes
_WATCHDOG_TIMEOUTS = 20  # an office's path has about ten screens, each bounded by the timeout


@dataclasses.dataclass(frozen=True)
class FlowOptions:
    portal_url: str
    timeout_ms: float
    artifacts_dir: str
    dry_run: bool = False
    retries: int = 0
    retry_backoff_seconds: float = 0.0
    trace: bool = True
    record: VerificationLog | None = None  # told of each registration proved or disproved on the portal


class _Tracer:
    """Playwright traces record typed text: trace only between secrets, never while one is typed."""

    def __init__(self, context: BrowserContext, *, enabled: bool = True) -> None:
        self.context = context
        self.enabled = enabled
        self.active = False

    async def start(self) -> None:
        if self.active or not self.enabled:
            return
        try:
            # DOM snapshots show every step in the trace viewer; a screencast besides them cost 0.9 CPU-s
            # per office (measured), and the failing screen is kept as a screenshot anyway.
            await self.context.tracing.start(screenshots=False, snapshots=True)
            self.active = True
        except PlaywrightError as exc:  # not every browser protocol supports tracing
            log.debug("tracing unavailable: %s", exc)

    async def pause_for_secret(self) -> None:
        await self.discard()

    async def discard(self) -> None:
        """Stop without keeping anything (a trace is only kept for a failure, by the artifacts)."""
        if self.active:
            self.active = False
            try:
                await self.context.tracing.stop()
            except PlaywrightError as exc:
                log.debug("tracing could not stop: %s", exc)


async def _open_org(home: HomePage | OrgDetailPage | CertDetailPage, org_id: str) -> OrgDetailPage:
    search = await home.go_to_org_management()
    await search.search(org_id)
    return await search.open_org(org_id)


async def _back_to_org(detail: CertDetailPage, org_id: str) -> OrgDetailPage:
    """Back to the organisation by the screen's own `↑ 一覧に戻る` (one screen, where the menu and the
    search take three); by the menu where the screen has no such button."""
    if await detail.can_go_back_to_org():
        return await detail.back_to_org(org_id)
    return await _open_org(detail, org_id)


@dataclasses.dataclass
class _Progress:
    """How far earlier attempts of this run got for an office, so a retry reports what really happened."""

    uploaded: bool = False
    confirmed: bool = False
    attempts: int = 0
    registered_expiry: str | None = None
    org_name: str = ""  # 代理人組織名 as the portal showed it
    verification: Verified | None = None  # what this run proved registered and active
    notes: list[str] = dataclasses.field(default_factory=list)  # for the recap: an identity change


async def _renew_one(
    page: Page, home: HomePage, office: PreparedOffice, opts: FlowOptions, tracer: _Tracer, events: RunEvents,
    progress: _Progress,
) -> Status:
    cert = office.certificate
    oid = office.office.id
    events.step(oid, _("{screen}: {label} {office}").format(screen=Screen.ORG_SEARCH, label=Label.ORG_ID, office=oid))
    org = await _open_org(home, oid)
    rows = await org.certificates()
    progress.registered_expiry = latest_active_expiry(rows)
    action, candidates = decide(rows, cert)
    if action is not Action.ALREADY_CURRENT and opts.record is not None:
        opts.record.contradicted(oid)  # at once: an upload failing later must not leave the record standing
    await _check_identity(org, office, rows, events, progress)
    if action is Action.ALREADY_CURRENT:
        _proved(opts, office, progress, candidates)
        if progress.confirmed:  # an earlier attempt's 確定 went through before its answer was lost
            events.step(oid, _("the update of an earlier attempt is registered"))
            return "updated"
        return "already-current"
    detail: CertDetailPage | None = None
    for row in candidates:  # pending records: is one of them this certificate, uploaded by an earlier run?
        events.step(oid, _("pending record {registered_at}: comparing with the local certificate").format(
            registered_at=row.registered_at))
        shown_detail = await org.open_certificate(row)
        if not auto_filled_differences(await shown_detail.read(), cert):
            detail = shown_detail
            break
        org = await _back_to_org(shown_detail, oid)
    resuming = detail is not None and not progress.uploaded
    if opts.dry_run:
        return "would-resume" if detail else "would-register"
    if detail is None:
        events.step(oid, _("{screen}: uploading {name}").format(screen=Screen.CERT_REGISTER,
                                                                name=office.signing_p12.name))
        register = await org.start_registration()
        await tracer.pause_for_secret()
        # Set before the upload: when its answer is lost, the pending record a retry finds is this run's.
        progress.uploaded = True
        with checked_copy(office.signing_p12.name, office.signing_bytes) as checked:  # the bytes checked
            detail = await register.upload(checked, office.pin)
        differences = auto_filled_differences(await detail.read(), cert)
        if differences:
            raise PortalMismatchError(_("{screen}: the portal read the certificate differently: {differences}").format(
                screen=Screen.CERT_DETAIL, differences=_("; ").join(differences)), screen=Screen.CERT_DETAIL)
    events.step(oid, _("{screen}: typing カナ, {postal}, {start}").format(
        screen=Screen.CERT_UPDATE, postal=Label.POSTAL_CODE, start=Label.START_DATE))
    update = await detail.start_update()
    form = UpdateForm(office.trade_name_kana, office.holder_name_kana, office.postal_code,
                      format_portal_date(office.start_date))
    await tracer.pause_for_secret()

    def confirmed() -> None:
        progress.confirmed = True

    result = await update.update(form, office.pin, on_confirm=confirmed)
    await tracer.start()  # the last secret has been typed
    if isinstance(result, CertUpdateCompletePage):
        # A 完了 screen shows no values: read them from the record's 照会, reached from the organisation.
        events.step(oid, _("{screen}: reading the record from {detail}").format(
            screen=Screen.CERT_UPDATE_COMPLETE, detail=Screen.ORG_DETAIL))
        org = await result.back_to_org(oid)
        action, registered = decide(await org.certificates(), cert)
        if action is not Action.ALREADY_CURRENT:
            raise PortalMismatchError(
                _("{screen}: the new certificate is not shown as registered after the update").format(
                    screen=Screen.ORG_DETAIL), screen=Screen.ORG_DETAIL)
        updated = await org.open_certificate(registered[-1])
    else:
        updated = result
    shown = await updated.read()
    differences = entered_differences(shown, form.typed()) + auto_filled_differences(shown, cert)
    if differences:
        raise PortalMismatchError(_("{screen}: after the update the portal shows: {differences}").format(
            screen=Screen.CERT_DETAIL, differences=_("; ").join(differences)), screen=Screen.CERT_DETAIL)
    events.step(oid, _("verifying the certificate table of {office}").format(office=oid))
    org = await _back_to_org(updated, oid)
    rows = await org.certificates()
    progress.registered_expiry = latest_active_expiry(rows)
    action, active = decide(rows, cert)
    if action is not Action.ALREADY_CURRENT:
        raise PortalMismatchError(
            _("{screen}: the new certificate is not shown as registered after the update").format(
                screen=Screen.ORG_DETAIL), screen=Screen.ORG_DETAIL)
    _proved(opts, office, progress, active)
    return "resumed" if resuming else "updated"


def _proved(opts: FlowOptions, office: PreparedOffice, progress: _Progress, active: list[CertificateRow]) -> None:
    """The table shows the local certificate registered and active: recorded now, before the office ends."""
    newest = max(active, key=lambda r: r.registered)
    progress.verification = Verified(office.office.id, office.certificate.sha256, progress.org_name,
                                     newest.registered_at, now_jst())
    if opts.record is not None:
        opts.record.verified(progress.verification)


async def _check_identity(org: OrgDetailPage, office: PreparedOffice, rows: list[CertificateRow],
                          events: RunEvents, progress: _Progress) -> None:
    """Before any upload: the certificate is this organisation's, and not older than the one in force."""
    oid, cert = office.office.id, office.certificate
    org_name = await org.org_name()
    progress.org_name = org_name
    verdict = check_identity(cert, org_name, rows)
    refusal = identity_refusal(oid, cert, org_name, verdict, confirmed=office.office.identity_change_confirmed)
    if refusal:
        raise IdentityError(refusal, screen=Screen.ORG_DETAIL)
    backwards = backwards_refusal(oid, cert, rows)
    if backwards:
        raise BackwardsError(backwards, screen=Screen.ORG_DETAIL)
    if verdict.changes:
        note = (_("identity change confirmed (identity_change_confirmed): {changes}") if not verdict.matches
                else _("identity change one name kept: {changes}"))
        progress.notes.append(note.format(changes=_("; ").join(verdict.changes)))
        events.step(oid, progress.notes[-1])


def _transient(exc: AinasBotError) -> bool:
    """Faults worth another attempt: maintenance, timeouts, dropped connections, lost sessions."""
    return exc.transient


@dataclasses.dataclass
class GroupState:
    """What a login group's run has achieved so far; it outlives a crashed browser."""

    outcomes: dict[str, Outcome] = dataclasses.field(default_factory=dict)
    progress: dict[str, _Progress] = dataclasses.field(default_factory=dict)
    started: dict[str, float] = dataclasses.field(default_factory=dict)


async def renew_login_group(
    context: BrowserContext, offices: list[PreparedOffice], opts: FlowOptions, events: RunEvents,
    state: GroupState | None = None,
) -> list[Outcome]:
    """Log in once with the group's login and handle each office; every office gets an outcome.

    A transient fault ends the session: after a backoff the group logs in again and goes on from the
    office that failed, and the decision read from the portal resumes it at the right step. Business
    failures (auth, certificate, input, mismatch) are never retried; a refused login never either.
    """
    login_id = offices[0].office.login_id
    state = state if state is not None else GroupState()
    outcomes = state.outcomes
    progress = state.progress
    started = state.started
    for o in offices:
        progress.setdefault(o.office.id, _Progress())
        started.setdefault(o.office.id, 0.0)
    remaining = [o for o in offices if o.office.id not in outcomes]
    tracer = _Tracer(context, enabled=opts.trace)

    def fail(group: list[PreparedOffice], exc: AinasBotError, artifacts: list[str]) -> None:
        for office in group:
            mine = progress[office.office.id]
            outcomes[office.office.id] = Outcome.failed(
                office, exc, seconds=_elapsed(started, office), artifacts=artifacts, attempts=mine.attempts,
                registered_expiry=mine.registered_expiry, office_name=mine.org_name)
            events.done(outcomes[office.office.id])
            remaining.remove(office)

    def will_retry(office: PreparedOffice, exc: AinasBotError) -> bool:
        return _transient(exc) and progress[office.office.id].attempts <= opts.retries

    async def retry_later(office: PreparedOffice, exc: AinasBotError) -> bool:
        attempt = progress[office.office.id]
        if not will_retry(office, exc):
            return False
        delay = min(opts.retry_backoff_seconds * 2 ** (attempt.attempts - 1), _MAX_BACKOFF_SECONDS)
        events.step(office.office.id, _("{error}; retry {attempt}/{retries} in {seconds} s").format(
            error=exc, attempt=attempt.attempts, retries=opts.retries, seconds=f"{delay:g}"))
        await asyncio.sleep(delay)
        return True

    while remaining:
        page = await context.new_page()
        current = remaining[0]
        started[current.office.id] = started[current.office.id] or time.monotonic()
        try:
            events.step(current.office.id, f"{Screen.LOGIN}: {login_id}")
            home = await _watchdog(_log_in(page, opts, login_id, current), opts, Screen.LOGIN)
            await tracer.start()
        except AinasBotError as exc:
            progress[current.office.id].attempts += 1
            artifacts = [] if will_retry(current, exc) else await save_failure_artifacts(
                page, context, tracer.active, opts.artifacts_dir, current.office.id)
            tracer.active = tracer.active and not artifacts  # saving the artifacts stopped the trace
            await tracer.discard()
            await close_within(page, opts.timeout_ms / 1000)
            if not await retry_later(current, exc):
                fail(list(remaining), exc, artifacts)  # one login: its refusal fails all its offices
            continue
        in_session = True
        while remaining and in_session:
            current = remaining[0]
            started[current.office.id] = started[current.office.id] or time.monotonic()
            progress[current.office.id].attempts += 1
            try:
                status = await _watchdog(
                    _renew_one(page, home, current, opts, tracer, events, progress[current.office.id]),
                    opts, _("office {office}").format(office=current.office.id))
            except AinasBotError as exc:
                # A fault that will be retried keeps no artifacts: only a final failure needs a human.
                artifacts = [] if will_retry(current, exc) else await save_failure_artifacts(
                    page, context, tracer.active, opts.artifacts_dir, current.office.id)
                tracer.active = tracer.active and not artifacts  # saving the artifacts stopped the trace
                await tracer.discard()
                if _transient(exc):
                    in_session = False
                    if not await retry_later(current, exc):
                        fail([current], exc, artifacts)
                else:
                    fail([current], exc, artifacts)
                continue
            outcomes[current.office.id] = _succeeded(current, status, started, progress)
            events.done(outcomes[current.office.id])
            remaining.pop(0)
        if in_session:
            try:
                await HomePage(page, opts.timeout_ms).logout()
            except AinasBotError as exc:
                log.info("logout of %s did not complete: %s", login_id, exc)
        await close_within(page, opts.timeout_ms / 1000)
    return [outcomes[o.office.id] for o in offices]


async def _log_in(page: Page, opts: FlowOptions, login_id: str, office: PreparedOffice) -> HomePage:
    login = await LoginPage.open(page, opts.portal_url, opts.timeout_ms)
    return await login.log_in(login_id, office.login_password)


async def _watchdog(work: Coroutine[Any, Any, T], opts: FlowOptions, what: str) -> T:
    """Every wait on a screen is bounded by the timeout; this bounds the few browser calls that are not
    (closing, counting, tracing), so an office never hangs in an unknown state."""
    seconds = opts.timeout_ms / 1000 * _WATCHDOG_TIMEOUTS
    try:
        async with asyncio.timeout(seconds):
            return await work
    except TimeoutError:
        raise PortalUnavailableError(_("{what}: the browser did not finish within {seconds} s").format(
            what=what, seconds=f"{seconds:g}")) from None


def _elapsed(started: dict[str, float], office: PreparedOffice) -> float:
    begun = started[office.office.id]
    return time.monotonic() - begun if begun else 0.0


def _succeeded(office: PreparedOffice, status: Status, started: dict[str, float],
               progress: dict[str, _Progress]) -> Outcome:
    mine = progress[office.office.id]
    return Outcome.succeeded(
        office, status, office_name=mine.org_name,
        message=_("; ").join([_describe(status, office), *dict.fromkeys(mine.notes), *office.warnings]),
        seconds=_elapsed(started, office), attempts=mine.attempts, registered_expiry=mine.registered_expiry,
        verification=mine.verification,
    )


def _describe(status: Status, office: PreparedOffice) -> str:
    expiry = format_portal_date(office.certificate.expiry_date)
    said = {
        "updated": _("registered the certificate expiring {expiry}"),
        "resumed": _("completed the pending certificate expiring {expiry}"),
        "already-current": _("the certificate expiring {expiry} is already registered"),
        "would-register": _("would register the certificate expiring {expiry}"),
        "would-resume": _("would complete the pending certificate expiring {expiry}"),
    }.get(status)
    return said.format(expiry=expiry) if said else status
