"""Faults at each step of the flow: every office ends updated after a retry, or failed as
portal-unavailable once retries are spent — never in an unknown state, never registered twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ainas_bot.prepare import PreparedOffice
from ainas_bot.sandbox import FaultRule
from ainas_bot.settings import Settings
from tests.fixtures_flow import FlowWorld, OfficeKit, prepare, run

pytestmark = pytest.mark.e2e

# step of the manual's procedure -> (route, method, matching requests to let through first)
STEPS = {
    "login": ("login", "POST", 0),
    "search": ("org_search", "*", 1),  # the first request is the menu; the second the search
    "open": ("org_detail", "GET", 0),
    "upload-form": ("cert_register", "GET", 0),
    "upload": ("cert_register", "POST", 0),  # its answer is the 照会 of the new record
    "update-form": ("cert_update", "GET", 0),
    "confirm": ("cert_update", "POST", 0),  # 確定; its answer is the 照会 with the entered values
    "verification": ("org_detail", "GET", 1),
}
CASES = [(step, kind) for step in STEPS for kind in ("503", "hang", "drop")]
CASES += [("upload", "drop-after"), ("confirm", "drop-after"),
          ("update-form", "expire-session"), ("confirm", "expire-session"),
          ("open", "replace-session"), ("confirm", "replace-session")]


def _records(world: FlowWorld, org_id: str, serial: str) -> list[str]:
    return [str(c["status"]) for c in world.certificates(org_id) if c["serial"] == serial]


def _one_office(sandbox_world: Callable[..., FlowWorld], rule: FaultRule, retries: int
                ) -> tuple[FlowWorld, OfficeKit, Settings, PreparedOffice]:
    """A sandbox that applies `rule`, one office on it, and settings with a 3 s timeout."""
    world = sandbox_world(faults=[rule])
    kit = world.make_office()
    settings = world.settings(timeout_seconds=3, retries=retries)
    [office] = prepare([kit], settings)
    return world, kit, settings, office


@pytest.mark.parametrize(("step", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_a_fault_once_is_survived(sandbox_world: Callable[..., FlowWorld], step: str, kind: str) -> None:
    route, method, skip = STEPS[step]
    rule = FaultRule(route, kind, method=method, skip=skip, hang_seconds=8)  # type: ignore[arg-type]
    world, kit, settings, office = _one_office(sandbox_world, rule, retries=2)

    [outcome] = run(settings, [office])

    assert rule.fired == 1, "the fault happened"
    assert outcome.status == "updated", outcome
    assert outcome.attempts == 2
    assert _records(world, kit.office.id, office.certificate.serial) == ["active"]


@pytest.mark.parametrize("step", ["login", "open", "upload", "confirm"])
def test_faults_past_the_retries_end_failed_and_consistent(sandbox_world: Callable[..., FlowWorld],
                                                           step: str) -> None:
    route, method, skip = STEPS[step]
    rule = FaultRule(route, "503", method=method, skip=skip, times=99)
    world, kit, settings, office = _one_office(sandbox_world, rule, retries=2)

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "portal-unavailable"
    assert outcome.attempts == 3
    assert outcome.artifacts, "the last failing screen is kept"
    assert _records(world, kit.office.id, office.certificate.serial) in ([], ["pending"])

    world.sandbox.options.faults.clear()
    [again] = run(settings, [office])
    assert again.status in ("updated", "resumed")
    assert _records(world, kit.office.id, office.certificate.serial) == ["active"]


@pytest.mark.parametrize("step", ["search", "confirm"])
def test_a_screen_that_never_answers_is_retried_not_called_changed(sandbox_world: Callable[..., FlowWorld],
                                                                   step: str) -> None:
    """The old screen still shows while the portal keeps the next one: slow, not changed, so retried."""
    route, method, skip = STEPS[step]
    rule = FaultRule(route, "hang", method=method, skip=skip, hang_seconds=120)
    world, kit, settings, office = _one_office(sandbox_world, rule, retries=1)

    [outcome] = run(settings, [office])

    assert rule.fired == 1
    assert (outcome.status, outcome.attempts) == ("updated", 2), outcome
    # Noticed at the screen's timeout, not by the watchdog (20 × the timeout) that bounds an attempt.
    assert outcome.seconds < 30, outcome
    assert _records(world, kit.office.id, office.certificate.serial) == ["active"]
