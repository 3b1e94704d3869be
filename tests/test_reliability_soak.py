"""Soak: offices against a sandbox that fails 10% of its answers, with latency jitter. Every office ends
updated, none is registered twice, and the time and retries are printed for the README.

300 offices, as CI runs it; `AINAS_SOAK_OFFICES=N` runs another number (a quick look: 20)."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures_flow import BackgroundRun, FlowWorld, assert_exactly_once, prepare

pytestmark = pytest.mark.e2e


@pytest.mark.slow
def test_soak_with_faults_and_jitter(
    sandbox_world: Callable[..., FlowWorld], capsys: pytest.CaptureFixture[str]
) -> None:
    count = int(os.environ.get("AINAS_SOAK_OFFICES", "300"))
    world = sandbox_world(orgs=count + 20, fault_rate=0.1, latency_ms=20, latency_jitter_ms=80, seed=3)
    kits = [world.make_office() for _ in range(count)]
    # At 10% of answers failing, most attempts of an office meet a fault: enough retries that none runs out.
    # No backoff: the faults are drawn per answer, not in bursts, and a doubling wait would dwarf the run.
    settings = world.settings(timeout_seconds=20, retries=15, retry_backoff_seconds=0)
    offices = prepare(kits, settings)

    started = time.monotonic()
    run = BackgroundRun(settings, offices, concurrency=8)
    run.start()
    outcomes = run.finish(4800)
    elapsed = time.monotonic() - started

    by_status = Counter(o.status for o in outcomes)
    retries = sum(o.attempts - 1 for o in outcomes)
    summary: dict[str, Any] = {
        "offices": count,
        "seconds": round(elapsed, 1),
        "outcomes": dict(by_status),
        "retries": retries,
        "most_attempts": max(o.attempts for o in outcomes),
        "requests": world.sandbox.requests_served,
    }
    with capsys.disabled():  # the figures belong in the CI log (README, "Reliability")
        print(f"\nsoak: {summary}")
    assert len(outcomes) == count
    # Every office ends updated, or clearly failed once its retries are spent — never unknown, never twice.
    spent = [o for o in outcomes if o.status == "failed"]
    assert set(by_status) <= {"updated", "resumed", "failed"}, by_status
    assert all(o.reason == "portal-unavailable" and o.attempts == 16 for o in spent), spent
    assert len(spent) <= count // 20, spent
    assert retries > 0, "a 10% fault rate forces retries"
    done = {o.office_id for o in outcomes if o.ok}
    assert_exactly_once(world, [o for o in offices if o.office.id in done])
    for office in offices:
        if office.office.id not in done:
            records = [c for c in world.certificates(office.office.id) if c["serial"] == office.certificate.serial]
            assert [c["status"] for c in records] in ([], ["pending"], ["active"]), records
