"""Soak: 300 offices against a sandbox that fails 10% of its answers, with latency jitter. Every office
ends updated, none is registered twice, and the time and retries are printed for the README."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures_flow import FlowWorld, prepare
from tests.test_reliability_recovery import _assert_exactly_once, _BackgroundRun

pytestmark = pytest.mark.e2e


@pytest.mark.slow
def test_soak_300_offices_with_faults_and_jitter(sandbox_world: Callable[..., FlowWorld],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    world = sandbox_world(orgs=320, fault_rate=0.1, latency_ms=20, latency_jitter_ms=80, seed=3)
    kits = [world.make_office() for _ in range(300)]
    settings = world.settings(timeout_seconds=20, retries=8, retry_backoff_seconds=0.2)
    offices = prepare(kits, settings)

    started = time.monotonic()
    run = _BackgroundRun(settings, offices, concurrency=8)
    run.start()
    outcomes = run.finish(3600)
    elapsed = time.monotonic() - started

    by_status = Counter(o.status for o in outcomes)
    retries = sum(o.attempts - 1 for o in outcomes)
    summary: dict[str, Any] = {"seconds": round(elapsed, 1), "outcomes": dict(by_status), "retries": retries,
                               "requests": world.sandbox.requests_served}
    with capsys.disabled():  # the figures belong in the CI log (README, "Reliability")
        print(f"\nsoak: {summary}")
    assert len(outcomes) == 300
    assert set(by_status) <= {"updated", "resumed"}, [o for o in outcomes if not o.ok][:5]
    assert retries > 0, "a 10% fault rate forces retries"
    _assert_exactly_once(world, offices)
