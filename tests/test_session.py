"""The session of one login against a portal in memory: resume, retry, give up, never register twice.

Fast tier: no browser. The same session drives the real screens in the end-to-end tests; here every
fault is planned at the step where it hurts most (before a step, or after it took effect with its
answer lost), and the portal's own counters prove what was done.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.errors import (
    AinasBotError,
    PortalAuthError,
    PortalChangedError,
    PortalMismatchError,
    PortalUnavailableError,
    ServiceHoursError,
)
from ainas_bot.record.store import VerificationLog, VerifiedStore
from ainas_bot.results.events import CollectEvents
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.recording import RecordingEvents
from flows.renewal import FlowOptions
from flows.session import MAX_BACKOFF_SECONDS, LoginSession
from tests.fake_portal import FakePortal, make_office
from tests.fixtures_async import run_async


class Run:
    """One session run: its outcomes, the backoffs it slept, what it told."""

    def __init__(
        self,
        portal: FakePortal,
        offices: list[PreparedOffice],
        *,
        retries: int = 0,
        backoff: float = 5.0,
        dry_run: bool = False,
        record: VerificationLog | None = None,
        restarts: int = 3,
    ) -> None:
        self.slept: list[float] = []
        self.events = CollectEvents()

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        opts = FlowOptions(
            portal_url="https://ainas.invalid/",
            timeout_ms=5_000,
            artifacts_dir="artifacts",
            dry_run=dry_run,
            retries=retries,
            retry_backoff_seconds=backoff,
        )
        # The record is written where a run writes it: by the events that receive what the portal proved.
        events = RecordingEvents(self.events, None, dry_run=dry_run, record=record)
        session = LoginSession(offices, opts, events, portal.connect, sleep=sleep, browser_restarts=restarts)
        self.outcomes: list[Outcome] = run_async(session.run())
        self.by_id = {o.office_id: o for o in self.outcomes}

    def statuses(self) -> list[str]:
        return [o.status for o in self.outcomes]

    def told(self, office_id: str) -> str:
        return "\n".join(line for line in self.events.lines if line.startswith(f"[{office_id}] "))


def transient(text: str = "the portal did not answer") -> PortalUnavailableError:
    return PortalUnavailableError(text, screen="代理人組織照会")


@pytest.fixture(scope="module")
def offices() -> list[PreparedOffice]:
    return [make_office(str(1001 + i)) for i in range(3)]


def test_offices_of_one_login_share_one_login_and_each_is_proved(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices)
    portal.registered(offices[1])  # already current: looked at, nothing uploaded
    run = Run(portal, offices)
    assert run.statuses() == ["updated", "already-current", "updated"]
    assert (portal.logins, portal.connections) == (1, 1)
    assert portal.uploads == {"1001": 1, "1003": 1} and portal.updates == {"1001": 1, "1003": 1}
    assert [o.attempts for o in run.outcomes] == [1, 1, 1] and run.slept == [] and portal.artifacts == []
    assert portal.windows_open == 0 and portal.traces[0].started
    assert all(
        o.verification is not None and o.verification.fingerprint == office.certificate.sha256
        for o, office in zip(run.outcomes, offices, strict=True)
    )


def test_a_transient_fault_ends_the_session_and_the_office_resumes_after_a_new_login(
    offices: list[PreparedOffice],
) -> None:
    portal = FakePortal(offices[:2])
    portal.fail("certificates", transient(), office="1002")
    run = Run(portal, offices[:2], retries=2, backoff=5.0)
    assert run.statuses() == ["updated", "updated"]
    assert portal.logins == 2 and run.slept == [5.0]
    assert run.by_id["1002"].attempts == 2 and run.by_id["1001"].attempts == 1
    assert "retry 1/2 in 5 s" in run.told("1002")
    assert portal.artifacts == []  # a fault that was retried needs no human


def test_retries_back_off_doubling_up_to_the_cap_then_the_failure_is_final_with_its_screen() -> None:
    office = make_office("2001")
    portal = FakePortal([office])
    portal.fail("open_org", transient(), times=10)
    run = Run(portal, [office], retries=9, backoff=5.0)
    failed = run.by_id["2001"]
    assert (failed.status, failed.reason, failed.attempts) == ("failed", "portal-unavailable", 10)
    assert run.slept == [min(5.0 * 2**n, MAX_BACKOFF_SECONDS) for n in range(9)]
    assert run.slept[-1] == MAX_BACKOFF_SECONDS and portal.logins == 10
    assert failed.artifacts == ["artifacts/2001/screen.png", "artifacts/trace.zip"]  # kept once, at the end
    assert portal.uploads == {}


def test_an_upload_whose_answer_was_lost_is_completed_not_uploaded_again() -> None:
    office = make_office("3001")
    portal = FakePortal([office])
    portal.fail("upload", transient("the connection dropped"), when="after")
    run = Run(portal, [office], retries=1)
    assert run.statuses() == ["updated"]  # this run's own upload: an update, not a resume of someone's
    assert portal.uploads == {"3001": 1} and portal.updates == {"3001": 1}
    assert "comparing with the local certificate" in run.told("3001")


def test_a_pending_record_of_an_earlier_run_is_resumed_without_an_upload() -> None:
    office = make_office("3101")
    portal = FakePortal([office])
    portal.registered(office, active=False)
    run = Run(portal, [office])
    assert run.statuses() == ["resumed"] and portal.uploads == {} and portal.updates == {"3101": 1}


def test_a_pending_record_of_another_certificate_is_left_and_ours_is_registered() -> None:
    office, other = make_office("3201"), make_office("3201", trade_name="別の事務所")
    portal = FakePortal([office])
    portal.registered(other, active=False)
    run = Run(portal, [office])
    assert run.statuses() == ["updated"] and portal.uploads == {"3201": 1}
    assert [r.active for r in portal.orgs["3201"].records] == [False, True]


def test_a_confirm_whose_answer_was_lost_is_not_confirmed_again() -> None:
    office = make_office("3301")
    portal = FakePortal([office])
    portal.fail("update", transient(), when="after")
    run = Run(portal, [office], retries=1)
    assert run.statuses() == ["updated"] and run.by_id["3301"].attempts == 2
    assert portal.uploads == {"3301": 1} and portal.updates == {"3301": 1}
    assert "the update of an earlier attempt is registered" in run.told("3301")


@pytest.mark.parametrize(
    "error",
    [
        PortalMismatchError("代理人証明書照会: the portal read the certificate differently", screen="代理人証明書照会"),
        PortalChangedError("代理人組織照会: no 代理人証明書登録 button", screen="代理人組織照会"),
        ServiceHoursError("ログイン: outside its service hours"),
    ],
)
def test_a_business_failure_is_final_at_once_and_the_next_office_goes_on_in_the_same_session(
    error: AinasBotError, offices: list[PreparedOffice]
) -> None:
    portal = FakePortal(offices[:2])
    portal.fail("read", error, office="1001")
    run = Run(portal, offices[:2], retries=3)
    assert run.statuses() == ["failed", "updated"]
    assert run.by_id["1001"].reason == error.reason and run.by_id["1001"].attempts == 1
    assert run.by_id["1001"].artifacts and run.slept == [] and portal.logins == 1


def test_a_refused_login_fails_every_office_of_the_login_and_is_never_retried(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices)
    portal.fail("log_in", PortalAuthError("ログイン: wrong login ID or password; not retried"), times=5)
    run = Run(portal, offices, retries=3)
    assert run.statuses() == ["failed"] * 3 and {o.reason for o in run.outcomes} == {"auth"}
    assert portal.logins == 0 and run.slept == [] and portal.uploads == {}
    assert run.by_id["1001"].artifacts == ["artifacts/1001/screen.png"]


def test_a_login_that_times_out_is_tried_again(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices[:1])
    portal.fail("log_in", transient("ログイン: the portal did not answer within 5 s"))
    run = Run(portal, offices[:1], retries=1, backoff=2.0)
    assert run.statuses() == ["updated"] and portal.logins == 1 and run.slept == [2.0]


def test_a_dead_browser_is_replaced_and_the_work_goes_on_where_it_was(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices[:2])
    portal.fail("upload", None, when="after", office="1002")  # the browser dies as the upload lands
    run = Run(portal, offices[:2])
    assert run.statuses() == ["updated", "updated"]
    assert portal.connections == 2 and portal.uploads == {"1001": 1, "1002": 1}
    assert "restarting it (1/3)" in run.told("1002")


def test_a_browser_that_keeps_dying_ends_the_login_with_every_office_accounted_for(
    offices: list[PreparedOffice],
) -> None:
    portal = FakePortal(offices[:2])
    portal.fail("open_org", None, times=10)
    run = Run(portal, offices[:2], restarts=3)
    assert run.statuses() == ["failed", "failed"] and portal.connections == 4
    assert "kept crashing" in run.by_id["1001"].message and len(run.events.outcomes) == 2


def test_no_browser_to_be_had_fails_the_offices_without_touching_the_portal(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices[:2])
    portal.fail("connect", PortalUnavailableError("browser server ws://10.0.0.5: cannot connect"))
    run = Run(portal, offices[:2], retries=2)
    assert run.statuses() == ["failed", "failed"] and portal.logins == 0 and run.slept == []


def test_a_dry_run_decides_and_changes_nothing(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices)
    portal.registered(offices[1])
    portal.registered(offices[2], active=False)
    run = Run(portal, offices, dry_run=True)
    assert run.statuses() == ["would-register", "already-current", "would-resume"]
    assert portal.uploads == {} and portal.updates == {}


def test_a_complete_screen_is_verified_through_the_organisations_table(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices[:1], complete_screen=True)
    run = Run(portal, offices[:1])
    assert run.statuses() == ["updated"] and "reading the record from" in run.told("1001")


def test_the_record_is_written_when_proved_and_dropped_when_the_portal_contradicts_it(
    tmp_path: Path, offices: list[PreparedOffice]
) -> None:
    store = VerifiedStore(tmp_path / "ainas-verified.sqlite3")
    portal = FakePortal(offices[:2])
    portal.registered(offices[0])
    portal.fail("read", PortalMismatchError("mismatch", screen="代理人証明書照会"), office="1002")
    Run(portal, offices[:2], record=VerificationLog(store))
    proved = store.get("1001")
    assert proved is not None and proved.fingerprint == offices[0].certificate.sha256
    assert store.get("1002") is None
    portal.orgs["1001"].records.clear()  # the portal no longer shows it
    portal.fail("upload", transient(), office="1001")
    Run(portal, offices[:1], record=VerificationLog(store))
    assert store.get("1001") is None  # dropped at the first look, though that attempt then failed
    store.close()


def test_an_identity_refusal_stops_before_any_upload() -> None:
    office = make_office("4001")
    portal = FakePortal([office])
    portal.orgs["4001"].name = "全く別の法人"
    run = Run(portal, [office], retries=3)
    assert run.by_id["4001"].reason == "identity" and portal.uploads == {} and run.slept == []


def test_a_logout_that_fails_is_no_failure_of_the_offices(offices: list[PreparedOffice]) -> None:
    portal = FakePortal(offices[:1])
    portal.fail("log_out", transient())
    run = Run(portal, offices[:1], retries=2)
    assert run.statuses() == ["updated"] and portal.logins == 1 and portal.windows_open == 0
