"""The session of one login: its offices from the first login to the last outcome.

One object owns what a careful person keeps track of across attempts: how often each office was tried,
when to try again and after how long, when the browser must be replaced, and when a failure is final
and its screen worth keeping for a human. It reaches the portal only through `flows.screens`, so every
one of these decisions is unit-tested against a fake portal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.errors import AinasBotError, BrowserLostError, PortalUnavailableError
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.i18n import _
from ainas_bot.portal_text import Screen
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Outcome, Status
from flows.renewal import FlowOptions, OfficeProgress, renew_office
from flows.screens import Connect, Connection, Menu

__all__ = ["BROWSER_RESTARTS", "MAX_BACKOFF_SECONDS", "LoginSession"]

log = logging.getLogger(__name__)
T = TypeVar("T")
BROWSER_RESTARTS = 3  # per login; a browser that keeps dying is not the portal's fault
MAX_BACKOFF_SECONDS = 300.0  # doubling from 5 s, the 10th retry would otherwise wait 43 minutes
_WATCHDOG_TIMEOUTS = 20  # an office's path has about ten screens, each bounded by the timeout


class LoginSession:
    """The offices sharing one login, one after another in one portal session (the portal allows one per user).

    A transient fault ends the portal session: after a backoff the login is made again and the work goes
    on from the office that failed, the decision read from the portal resuming it at the right step.
    Business failures (auth, certificate, input, mismatch) are never retried, a refused login never
    either; a lost browser is replaced up to `BROWSER_RESTARTS` times. Every office gets an outcome.
    """

    def __init__(
        self,
        offices: list[PreparedOffice],
        opts: FlowOptions,
        events: RunEvents,
        connect: Connect,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        browser_restarts: int = BROWSER_RESTARTS,
    ) -> None:
        self.offices = offices
        self.login_id = offices[0].office.login_id
        self.opts = opts
        self.events = events
        self.connect = connect
        self.sleep = sleep
        self.browser_restarts = browser_restarts
        self.outcomes: dict[str, Outcome] = {}
        self.progress = {o.office.id: OfficeProgress() for o in offices}
        self._started: dict[str, float] = {}

    @property
    def remaining(self) -> list[PreparedOffice]:
        return [o for o in self.offices if o.office.id not in self.outcomes]

    async def run(self) -> list[Outcome]:
        """Every office's outcome, in the order given."""
        for restart in range(self.browser_restarts + 1):
            if not self.remaining:
                break
            first = self.remaining[0]
            try:
                async with self.connect(first) as connection:
                    await self._visit(connection)
            except BrowserLostError as exc:
                lost_at = self.remaining[0] if self.remaining else first  # the office it died under
                self.events.step(
                    lost_at.office.id,
                    _("browser lost ({error}); restarting it ({attempt}/{limit})").format(
                        error=exc, attempt=restart + 1, limit=self.browser_restarts
                    ),
                )
            except AinasBotError as exc:  # no browser or context to be had: nothing of the portal was touched
                self._fail(self.remaining, exc, [])
        self._fail(self.remaining, PortalUnavailableError(_("the browser kept crashing; not finished")), [])
        return [self.outcomes[o.office.id] for o in self.offices]

    async def _visit(self, connection: Connection) -> None:
        """Log in, do the offices, log out; again after a backoff when a transient fault ended the session."""
        while self.remaining:
            current = self.remaining[0]
            self._start_clock(current)
            try:
                self.events.step(current.office.id, f"{Screen.LOGIN}: {self.login_id}")
                home = await self._watchdog(connection.log_in(self.login_id, current.login_password), Screen.LOGIN)
                await connection.tracing.start()
            except AinasBotError as exc:
                self.progress[current.office.id].attempts += 1
                artifacts = await self._keep_if_final(connection, current, exc)
                await connection.close_window()
                if not await self._retry_later(current, exc):
                    self._fail(self.remaining, exc, artifacts)  # one login: its refusal fails all its offices
                continue
            in_session = await self._offices(connection, home)
            if in_session:
                try:
                    await connection.log_out()
                except AinasBotError as exc:
                    log.info("logout of %s did not complete: %s", self.login_id, exc)
            await connection.close_window()

    async def _offices(self, connection: Connection, home: Menu) -> bool:
        """The remaining offices in this portal session; False when a transient fault ended the session."""
        while self.remaining:
            current = self.remaining[0]
            self._start_clock(current)
            progress = self.progress[current.office.id]
            progress.attempts += 1
            try:
                status = await self._watchdog(
                    renew_office(home, current, self.opts, connection.tracing, self.events, progress),
                    _("office {office}").format(office=current.office.id),
                )
            except AinasBotError as exc:
                artifacts = await self._keep_if_final(connection, current, exc)
                if exc.transient:
                    if not await self._retry_later(current, exc):
                        self._fail([current], exc, artifacts)
                    return False
                self._fail([current], exc, artifacts)
                continue
            self._done(self._succeeded(current, status))
        return True

    # --- the decisions ------------------------------------------------------------------------
    def will_retry(self, office: PreparedOffice, exc: AinasBotError) -> bool:
        """Transient faults get `retries` more attempts; the rest are final at once."""
        return exc.transient and self.progress[office.office.id].attempts <= self.opts.retries

    def backoff_seconds(self, office: PreparedOffice) -> float:
        """Before the next attempt: doubling from `retry_backoff_seconds`, never above `MAX_BACKOFF_SECONDS`."""
        attempts = self.progress[office.office.id].attempts
        return min(self.opts.retry_backoff_seconds * 2.0 ** (attempts - 1), MAX_BACKOFF_SECONDS)

    async def _keep_if_final(self, connection: Connection, office: PreparedOffice, exc: AinasBotError) -> list[str]:
        """A fault that will be retried keeps nothing: only a final failure needs a human to look at it."""
        artifacts = [] if self.will_retry(office, exc) else await connection.save_artifacts(office.office.id)
        await connection.tracing.discard()
        return artifacts

    async def _retry_later(self, office: PreparedOffice, exc: AinasBotError) -> bool:
        if not self.will_retry(office, exc):
            return False
        delay = self.backoff_seconds(office)
        self.events.step(
            office.office.id,
            _("{error}; retry {attempt}/{retries} in {seconds} s").format(
                error=exc,
                attempt=self.progress[office.office.id].attempts,
                retries=self.opts.retries,
                seconds=f"{delay:g}",
            ),
        )
        await self.sleep(delay)
        return True

    async def _watchdog(self, work: Coroutine[Any, Any, T], what: str) -> T:
        """Every wait on a screen is bounded by the timeout; this bounds the few browser calls that are not
        (closing, counting, tracing), so an office never hangs in an unknown state."""
        seconds = self.opts.timeout_ms / 1000 * _WATCHDOG_TIMEOUTS
        try:
            async with asyncio.timeout(seconds):
                return await work
        except TimeoutError:
            raise PortalUnavailableError(
                _("{what}: the browser did not finish within {seconds} s").format(what=what, seconds=f"{seconds:g}")
            ) from None

    # --- outcomes -----------------------------------------------------------------------------
    def _start_clock(self, office: PreparedOffice) -> None:
        self._started.setdefault(office.office.id, time.monotonic())

    def _elapsed(self, office: PreparedOffice) -> float:
        begun = self._started.get(office.office.id)
        return time.monotonic() - begun if begun is not None else 0.0

    def _done(self, outcome: Outcome) -> None:
        self.outcomes[outcome.office_id] = outcome
        self.events.done(outcome)

    def _fail(self, offices: list[PreparedOffice], exc: AinasBotError, artifacts: list[str]) -> None:
        for office in list(offices):
            mine = self.progress[office.office.id]
            self._done(
                Outcome.failed(
                    office,
                    exc,
                    seconds=self._elapsed(office),
                    artifacts=artifacts,
                    attempts=mine.attempts,
                    registered_expiry=mine.registered_expiry,
                    office_name=mine.org_name,
                )
            )

    def _succeeded(self, office: PreparedOffice, status: Status) -> Outcome:
        mine = self.progress[office.office.id]
        return Outcome.succeeded(
            office,
            status,
            office_name=mine.org_name,
            message=_("; ").join([_describe(status, office), *dict.fromkeys(mine.notes), *office.warnings]),
            seconds=self._elapsed(office),
            attempts=mine.attempts,
            registered_expiry=mine.registered_expiry,
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
