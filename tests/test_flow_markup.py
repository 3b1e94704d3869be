"""End to end against every markup shape the sandbox serves: the whole update, then `already-current`.

Each shape is one habit of enterprise Java portals that the real AINAS may have (`ainas-bot sandbox
--markup`); `legacy` is all of them at once. The bot knows none of them: it finds everything by what is
on screen. Every run also proves that no certificate is uploaded twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from ainas_bot.sandbox import FaultRule
from ainas_bot.sandbox._markup import SHAPES, parse_markup
from tests.fixtures_flow import FlowWorld, prepare, run

pytestmark = pytest.mark.e2e


def _update_then_already_current(world: FlowWorld, **settings: object) -> None:
    kit = world.make_office()
    config = world.settings(**settings)
    [office] = prepare([kit], config)
    events: list[str] = []

    [outcome] = run(config, [office], events=events)

    assert outcome.status == "updated", (outcome, events)
    [record] = [
        c
        for c in world.certificates(kit.office.id)
        if c["serial"] == office.certificate.serial and c["status"] == "active"
    ]
    assert record["trade_name_kana"] == kit.office.trade_name_kana  # the reading the factory typed
    assert record["holder_name_kana"] == "ヤマダ　タロウ"
    assert record["postal_code"] == "100-0013"
    assert world.sandbox.upload_posts == 1

    [again] = run(config, [office])

    assert again.status == "already-current", again
    assert world.sandbox.upload_posts == 1  # read from the settled table, never uploaded again


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_markup_shape_alone(shape: str, sandbox_world: Callable[..., FlowWorld]) -> None:
    _update_then_already_current(sandbox_world(markup=parse_markup([shape])))


def test_legacy_preset_all_shapes_at_once(sandbox_world: Callable[..., FlowWorld]) -> None:
    _update_then_already_current(sandbox_world(markup=parse_markup(["legacy"]), shuffle_paths=True))


@pytest.mark.firefox
def test_legacy_preset_in_firefox_esr(sandbox_world: Callable[..., FlowWorld]) -> None:
    _update_then_already_current(sandbox_world(markup=parse_markup(["legacy"])), browser="firefox")


def test_a_late_table_showing_the_certificate_active_is_never_uploaded_again(
    sandbox_world: Callable[..., FlowWorld],
) -> None:
    """The certificate table arrives long after the screen (2.5 s): the bot waits for it, and the second
    run finds the certificate active there instead of registering it again."""
    world = sandbox_world(markup=parse_markup(["late-tables"]), late_ms=2500)
    _update_then_already_current(world, timeout_seconds=15)


def test_a_screen_without_what_the_bot_needs_is_portal_changed_at_once(
    sandbox_world: Callable[..., FlowWorld],
) -> None:
    """代理人組織照会 arrives, but its button reads otherwise than the bot expects: the office stops at once as
    `portal-changed`, naming the screen and the button, the screen kept, and no retry."""
    world = sandbox_world()
    kit = world.make_office()
    settings = world.settings(retries=3, timeout_seconds=20, portal_text={"Label.CERT_REGISTER": "+ 証明書を追加"})
    [office] = prepare([kit], settings)
    started = time.monotonic()

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "portal-changed", outcome.message
    assert outcome.screen == "代理人組織照会"
    assert "証明書を追加" in outcome.message and "代理人証明書登録" in outcome.message  # what it saw instead
    assert outcome.attempts == 1
    assert time.monotonic() - started < 20  # not after a timeout
    assert outcome.artifacts
    assert world.sandbox.upload_posts == 0


def test_a_late_empty_search_result_that_stays_empty_is_auth_after_the_grace_period(
    sandbox_world: Callable[..., FlowWorld],
) -> None:
    """代理人組織検索's result comes by a request started after a timer, and for an ID the portal does not know
    it stays empty: the office ends `auth` naming the ID, as with a result shown at once, only after the
    screen stayed settled for the grace period, and nothing was uploaded."""
    world = sandbox_world(markup=parse_markup(["timer-tables"]))
    unknown = world.make_office(id="987654")
    settings = world.settings(timeout_seconds=15)
    [office] = prepare([unknown], settings)
    events: list[str] = []

    [outcome] = run(settings, [office], events=events)

    assert outcome.status == "failed" and outcome.reason == "auth", outcome
    assert "987654" in outcome.message and outcome.screen == "代理人組織検索", outcome.message
    assert outcome.attempts == 1
    assert world.sandbox.upload_posts == 0


@pytest.mark.parametrize(
    "shapes",
    [
        ["frameset", "notice-popup", "timer-placeholder"],
        ["iframe", "popup-register-org", "timer-tables", "late-tables"],
        ["iframe", "register-complete", "notice-popup"],
    ],
)
def test_the_shapes_of_round_three_together(shapes: list[str], sandbox_world: Callable[..., FlowWorld]) -> None:
    """The frames, the notices, the timers and the windows that close themselves in mixes `legacy` does not
    make (it takes the frameset over the iframe, and shows register-complete's screen in the popup)."""
    _update_then_already_current(sandbox_world(markup=parse_markup(shapes)))


@pytest.mark.parametrize(("route", "kind"), [("cert_update", "expire-session"), ("org_detail", "replace-session")])
def test_a_session_lost_inside_a_frame_is_told_when_the_login_takes_the_whole_window(
    route: str, kind: str, sandbox_world: Callable[..., FlowWorld]
) -> None:
    """With the screens in a frame, the portal's login page breaks out of it: the session-lost rule holds
    (the office's attempt ends as the lost session it is, and the retry from the login updates it once)."""
    world = sandbox_world(markup=parse_markup(["frameset"]))
    rule = FaultRule(route, kind, method="GET")  # type: ignore[arg-type]
    world.sandbox.options.faults[:] = [rule]
    kit = world.make_office()
    settings = world.settings(timeout_seconds=8, retries=2)
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert rule.fired == 1
    assert outcome.status == "updated" and outcome.attempts == 2, outcome
    assert world.sandbox.upload_posts == 1
