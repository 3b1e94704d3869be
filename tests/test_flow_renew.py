"""End to end: the renewal flow in a real browser against the sandbox."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import pytest
from playwright.async_api import async_playwright

from ainas_bot.certificates.factory import write_p12
from ainas_bot.checks.kana_reading import suggest_reading
from ainas_bot.checks.prepare import PreparedOffice, check_offices
from ainas_bot.config.settings import Settings
from ainas_bot.foundation.jst import JST, today_jst
from flows.browser.chromium import launch_chromium
from flows.browser.launch import office_context
from flows.browser.options import BrowserOptions
from flows.pages import CertDetailPage, LoginPage
from tests.fixtures_async import run_async
from tests.fixtures_flow import FlowWorld, OfficeKit, prepare, run

pytestmark = pytest.mark.e2e


def _active(world: FlowWorld, org_id: str, serial: str) -> list[dict[str, object]]:
    return [c for c in world.certificates(org_id) if c["serial"] == serial and c["status"] == "active"]


def test_fresh_update_then_already_current(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    settings = flow_world.settings()
    [office] = prepare([kit], settings)
    before = len(flow_world.certificates(kit.office.id))
    events: list[str] = []

    [outcome] = run(settings, [office], events=events)

    assert outcome.status == "updated", outcome
    [record] = _active(flow_world, kit.office.id, office.certificate.serial)
    assert record["trade_name_kana"] == suggest_reading(kit.notice.org_name)  # what the factory typed
    assert record["holder_name_kana"] == "ヤマダ　タロウ"
    assert record["postal_code"] == "100-0013"
    assert record["start_date"] == today_jst().isoformat()  # typed as YYYY/MM/DD, stored as a date
    assert record["trade_name_kanji"] == kit.notice.org_name
    assert len(flow_world.certificates(kit.office.id)) == before + 1
    assert any("代理人証明書更新" in e for e in events)

    [again] = run(settings, [office])
    assert again.status == "already-current"
    assert len(flow_world.certificates(kit.office.id)) == before + 1


async def _upload_only(world: FlowWorld, office: PreparedOffice) -> None:
    """What an earlier run did before it was stopped: log in, upload, and nothing more."""
    settings = world.settings()
    async with async_playwright() as pw:
        options = BrowserOptions.from_settings(settings, os.environ)
        browser = await launch_chromium(pw, options)
        async with office_context(
            pw,
            browser,
            options,
            client_cert=office.office.client_cert,
            client_cert_password=office.client_cert_password,
        ) as context:
            page = await context.new_page()
            login = await LoginPage.open(page, settings.portal_url, 15000)
            home = await login.log_in(office.office.login_id, office.login_password)
            search = await home.go_to_org_management()
            await search.search(office.office.id)
            org = await search.open_org(office.office.id)
            register = await org.start_registration()
            detail = await register.upload(office.signing_p12, office.pin)
            assert isinstance(detail, CertDetailPage)  # the sandbox's default: the new record's 照会
            assert (await detail.read())["屋号（漢字）"] == office.certificate.trade_name_kanji
        await browser.close()


def test_resume_after_a_stop_between_upload_and_update(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    settings = flow_world.settings()
    [office] = prepare([kit], settings)
    run_async(_upload_only(flow_world, office))
    [pending] = [c for c in flow_world.certificates(kit.office.id) if c["serial"] == office.certificate.serial]
    assert pending["status"] == "pending"

    [dry] = run(settings, [office], dry_run=True)
    assert dry.status == "would-resume", dry.message

    [outcome] = run(settings, [office])
    assert outcome.status == "resumed", outcome
    records = [c for c in flow_world.certificates(kit.office.id) if c["serial"] == office.certificate.serial]
    assert [r["status"] for r in records] == ["active"]


def test_resume_when_an_active_record_shares_the_pending_records_minute(
    sandbox_world: Callable[..., FlowWorld],
) -> None:
    """登録日時 is shown to the minute: the pending record's own link is opened, not the first with its text."""
    fixed = dt.datetime.now(dt.UTC)
    world = sandbox_world(now=lambda: fixed)
    kit = world.make_office()
    settings = world.settings()
    [last_year] = run(settings, prepare([kit], settings))
    assert last_year.status == "updated"
    write_p12(kit.signing_cert, password=kit.pin, trade_name=kit.notice.org_name, valid_days=1100)
    [office] = prepare([kit], settings)
    run_async(_upload_only(world, office))
    minutes = {
        str(c["status"]): c["registered_at"]
        for c in world.certificates(kit.office.id)
        if c["serial"] in (last_year.certificate_serial, office.certificate.serial)
    }
    assert minutes["active"] == minutes["pending"]  # the premise: the active one is listed first

    [outcome] = run(settings, [office])

    assert outcome.status == "resumed", outcome
    records = [c for c in world.certificates(kit.office.id) if c["serial"] == office.certificate.serial]
    assert [r["status"] for r in records] == ["active"]


def test_back_to_the_organisation_by_its_button_or_by_the_menu(sandbox_world: Callable[..., FlowWorld]) -> None:
    """Twice the bot returns from 代理人証明書照会 to 代理人組織照会: after looking at a pending record that is
    another certificate, and to verify the update. By `↑ 一覧に戻る` (one screen) where the screen has it,
    by the menu and the search (three screens) where it has not, as in the manual's picture."""
    served: dict[bool, int] = {}
    for back_button in (True, False):
        world = sandbox_world(cert_detail_back_button=back_button)
        kit = world.make_office()
        other = world.make_office(kit.notice, cert={"valid_days": 500})  # another expiry: another certificate
        settings = world.settings()
        [other_office] = prepare([other], settings)
        run_async(_upload_only(world, other_office))  # a pending record that is not this certificate
        [office] = prepare([kit], settings)
        before = world.sandbox.requests_served

        [outcome] = run(settings, [office])

        served[back_button] = world.sandbox.requests_served - before
        assert outcome.status == "updated", outcome
        assert len(_active(world, kit.office.id, office.certificate.serial)) == 1
        assert [
            c["status"] for c in world.certificates(kit.office.id) if c["serial"] == other_office.certificate.serial
        ] == ["pending"]
    assert served[False] - served[True] == 2 * 2, served


def test_dry_run_changes_nothing(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    settings = flow_world.settings()
    [office] = prepare([kit], settings)
    before = flow_world.certificates(kit.office.id)

    [outcome] = run(settings, [office], dry_run=True)

    assert outcome.status == "would-register"
    assert flow_world.certificates(kit.office.id) == before


def test_mismatch_stops_before_anything_is_typed(flow_world: FlowWorld) -> None:
    # The local parse reads 氏名 from O (a mapping for an unknown layout); the portal reads CN. Its カナ then
    # do not read that 氏名: confirmed, so that the portal's reading is what stops the office.
    kit = flow_world.make_office(kana_confirmed=True)
    settings = flow_world.settings(
        certificate_mapping={"holder_name_kanji": ["subject:2.5.4.10"], "trade_name_kanji": ["subject:2.5.4.10"]}
    )
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "mismatch"
    assert "氏名又は代表者名（漢字）" in outcome.message
    records = [c for c in flow_world.certificates(kit.office.id) if c["serial"] == office.certificate.serial]
    assert [r["status"] for r in records] == ["pending"]
    assert (records[0]["trade_name_kana"], records[0]["holder_name_kana"], records[0]["postal_code"]) == ("", "", "")


def test_wrong_password_is_reported_and_not_retried(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    kit.environ = {**kit.environ, "PW_WRONG": "not-the-password"}
    kit.office = kit.office.model_copy(
        update={"login_password": kit.office.login_password.model_copy(update={"env": "PW_WRONG"})}
    )
    settings = flow_world.settings()
    [office] = prepare([kit], settings)
    before = flow_world.certificates(kit.office.id)

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "auth"
    assert "wrong login ID or password" in outcome.message
    assert outcome.screen == "ログイン"
    assert flow_world.certificates(kit.office.id) == before


def test_locked_account(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    kit.environ = {**kit.environ, "PW_WRONG": "not-the-password"}
    wrong = kit.office.model_copy(
        update={"login_password": kit.office.login_password.model_copy(update={"env": "PW_WRONG"})}
    )
    settings = flow_world.settings()
    good = kit.office
    kit.office = wrong
    [bad_office] = prepare([kit], settings)
    outcomes = run(settings, [bad_office] * 1)
    for _ in range(4):
        outcomes += run(settings, [bad_office])
    assert [o.reason for o in outcomes] == ["auth"] * 5
    kit.office = good
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.reason == "auth"
    assert "locked" in outcome.message


def test_staff_user_has_no_rights(flow_world: FlowWorld) -> None:
    notice = flow_world.take_notice()
    kit = flow_world.make_office(notice, login_id=notice.staff_login_id)
    kit.environ = {**kit.environ, "PW_STAFF": notice.staff_password}
    kit.office = kit.office.model_copy(
        update={"login_password": kit.office.login_password.model_copy(update={"env": "PW_STAFF"})}
    )
    settings = flow_world.settings()
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "auth"
    assert "権限" in outcome.message


def test_field_error_from_the_portal_is_reported_verbatim(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    settings = flow_world.settings()
    [office] = prepare([kit], settings)
    # Bypass the local checks to see the portal's own: a postal code without its hyphen.
    office = PreparedOffice(**{**office.__dict__, "postal_code": "1000013"})

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "input"
    assert "郵便番号: 郵便番号は「123-4567」の形式で入力してください。" in outcome.message
    assert outcome.artifacts, "the failing screen is kept"


def _checked_the_day_before(kits: list[OfficeKit], settings: Settings) -> list[PreparedOffice]:
    """The offices as checked before midnight (Japan time), for a run that goes on past it."""
    environ = {k: v for kit in kits for k, v in kit.environ.items()}
    yesterday = today_jst() - dt.timedelta(days=1)
    ready, problems, _warnings = check_offices([k.office for k in kits], settings, environ, today=yesterday)
    assert not problems, problems
    return ready


def test_a_run_past_midnight_types_the_new_day_for_today(flow_world: FlowWorld) -> None:
    """利用開始日 "today" is the day of typing: the day of the checks is refused by the portal after midnight."""
    kit = flow_world.make_office()
    settings = flow_world.settings()
    [office] = _checked_the_day_before([kit], settings)
    assert office.start_date == today_jst() - dt.timedelta(days=1)

    [outcome] = run(settings, [office])

    assert outcome.status == "updated", outcome
    [record] = _active(flow_world, kit.office.id, office.certificate.serial)
    assert record["start_date"] == today_jst().isoformat()


def test_a_given_start_date_that_passed_at_midnight_stops_the_office_before_the_upload(
    flow_world: FlowWorld,
) -> None:
    yesterday = today_jst() - dt.timedelta(days=1)
    kit = flow_world.make_office(start_date=yesterday)
    settings = flow_world.settings()
    [office] = _checked_the_day_before([kit], settings)
    before, uploads = flow_world.certificates(kit.office.id), flow_world.sandbox.upload_posts

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "input"
    assert f"start_date {yesterday:%Y/%m/%d} has passed" in outcome.message, outcome.message
    assert (flow_world.certificates(kit.office.id), flow_world.sandbox.upload_posts) == (before, uploads)

    # Once registered, the date that passed is nothing to type: the office is current, not failed.
    kit.office = kit.office.model_copy(update={"start_date": "today"})
    assert run(settings, prepare([kit], settings))[0].status == "updated"
    [current] = run(settings, [office])
    assert current.status == "already-current", current


def test_closed_hours(sandbox_world) -> None:  # type: ignore[no-untyped-def]
    night = dt.datetime.now(JST).replace(hour=23, minute=30)
    world = sandbox_world(closed_hours=True, now=lambda: night)
    kit = world.make_office()
    settings = world.settings()
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.reason == "portal-unavailable"
    assert "service hours" in outcome.message


def test_maintenance_page(sandbox_world) -> None:  # type: ignore[no-untyped-def]
    world = sandbox_world(fault_rate=1.0)
    kit = world.make_office()
    settings = world.settings(timeout_seconds=10)
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.status == "failed"
    assert outcome.reason == "portal-unavailable"


def test_shuffled_paths(sandbox_world) -> None:  # type: ignore[no-untyped-def]
    world = sandbox_world(shuffle_paths=True)
    kit = world.make_office()
    settings = world.settings()
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.status == "updated", outcome
    assert _active(world, kit.office.id, office.certificate.serial)


@pytest.mark.firefox
def test_full_update_in_firefox_esr(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office(cert={"profile": "shogyo-touki", "encryption": "legacy"})
    settings = flow_world.settings(browser="firefox")
    [office] = prepare([kit], settings)

    [outcome] = run(settings, [office])

    assert outcome.status == "updated", outcome
    assert _active(flow_world, kit.office.id, office.certificate.serial)
    [again] = run(settings, [office])
    assert again.status == "already-current"
