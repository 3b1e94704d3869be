"""Faults at each step of the flow: every office ends updated after a retry, or failed as
portal-unavailable once retries are spent — never in an unknown state, never registered twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Settings
from ainas_bot.sandbox import FaultRule, Sandbox, SandboxOptions
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
CASES += [
    ("upload", "drop-after"),
    ("confirm", "drop-after"),
    ("update-form", "expire-session"),
    ("confirm", "expire-session"),
    ("open", "replace-session"),
    ("confirm", "replace-session"),
]


def _records(world: FlowWorld, org_id: str, serial: str) -> list[str]:
    return [str(c["status"]) for c in world.certificates(org_id) if c["serial"] == serial]


@pytest.fixture(scope="module")
def fault_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowWorld]:
    """One sandbox for the module (50 organisations: one of its own for each of the 36 cases). A fault is a
    rule on its live `options.faults`, so each case sets its own; nothing else of the sandbox is changed."""
    root = tmp_path_factory.mktemp("faults")
    with Sandbox(SandboxOptions(state_dir=root / "sandbox", orgs=50, seed=7)) as sandbox:
        yield FlowWorld(sandbox, root)


OneOffice = Callable[[FaultRule, int], tuple[FlowWorld, OfficeKit, Settings, PreparedOffice]]


@pytest.fixture
def one_office(fault_world: FlowWorld) -> Iterator[OneOffice]:
    """`one_office(rule, retries)`: the shared sandbox applying `rule` alone, an office of its own on it, and
    settings with a 3 s timeout; the rule is taken away after the case."""

    def make(rule: FaultRule, retries: int) -> tuple[FlowWorld, OfficeKit, Settings, PreparedOffice]:
        fault_world.sandbox.options.faults[:] = [rule]
        kit = fault_world.make_office()
        settings = fault_world.settings(timeout_seconds=3, retries=retries)
        [office] = prepare([kit], settings)
        return fault_world, kit, settings, office

    yield make
    fault_world.sandbox.options.faults.clear()


@pytest.mark.parametrize(("step", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_a_fault_once_is_survived(one_office: OneOffice, step: str, kind: str) -> None:
    route, method, skip = STEPS[step]
    rule = FaultRule(route, kind, method=method, skip=skip, hang_seconds=8)  # type: ignore[arg-type]
    world, kit, settings, office = one_office(rule, 2)

    [outcome] = run(settings, [office])

    assert rule.fired == 1, "the fault happened"
    assert outcome.status == "updated", outcome
    assert outcome.attempts == 2
    assert _records(world, kit.office.id, office.certificate.serial) == ["active"]


@pytest.mark.parametrize("step", ["login", "open", "upload", "confirm"])
def test_faults_past_the_retries_end_failed_and_consistent(one_office: OneOffice, step: str) -> None:
    route, method, skip = STEPS[step]
    rule = FaultRule(route, "503", method=method, skip=skip, times=99)
    world, kit, settings, office = one_office(rule, 2)

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
def test_a_screen_that_never_answers_is_retried_not_called_changed(one_office: OneOffice, step: str) -> None:
    """The old screen still shows while the portal keeps the next one: slow, not changed, so retried."""
    route, method, skip = STEPS[step]
    rule = FaultRule(route, "hang", method=method, skip=skip, hang_seconds=120)
    world, kit, settings, office = one_office(rule, 1)

    [outcome] = run(settings, [office])

    assert rule.fired == 1
    assert (outcome.status, outcome.attempts) == ("updated", 2), outcome
    # Noticed at the screen's timeout, not by the watchdog (20 × the timeout) that bounds an attempt.
    assert outcome.seconds < 30, outcome
    assert _records(world, kit.office.id, office.certificate.serial) == ["active"]
