"""The knobs: faults (503 maintenance), latency, closed hours, shuffled paths — at start and while running."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from ainas_bot import portal_text as pt
from ainas_bot.foundation.jst import JST, today_jst
from ainas_bot.sandbox import Sandbox
from tests.fixtures_sandbox import PortalClient, heading, page_heading, page_message, portal_login

L, M, S = pt.Label, pt.Message, pt.Screen


@pytest.mark.e2e
def test_fault_rate_answers_with_the_maintenance_page(
    portal_context: Callable[..., BrowserContext], sandbox_factory: Callable[..., Sandbox]
) -> None:
    sb = sandbox_factory(orgs=5, fault_rate=1.0)
    notice = sb.notices[0]
    page = portal_context(notice, sb).new_page()
    answer = page.goto(sb.base_url)
    assert answer is not None and answer.status == 503
    assert heading(page) == S.MAINTENANCE
    assert page.locator("div.message").inner_text() == M.MAINTENANCE
    sb.options.fault_rate = 0.0
    portal_login(page, sb, notice.admin_login_id, notice.admin_password)
    assert heading(page) == S.HOME
    sb.options.fault_rate = 1.0
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert heading(page) == S.MAINTENANCE
    sb.options.fault_rate = 0.0
    page.go_back()
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert heading(page) == S.ORG_SEARCH  # the session survived the outage


def test_a_fraction_of_requests_fail(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(orgs=5, fault_rate=0.3)
    client = PortalClient(sb, sb.notices[0], tmp_path)
    statuses = [client.get(sb.base_url).status_code for _ in range(60)]
    client.close()
    assert set(statuses) == {200, 503}
    assert 5 <= statuses.count(503) <= 35


def test_latency_is_added_to_every_response(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(orgs=5, latency_ms=400)
    client = PortalClient(sb, sb.notices[0], tmp_path)
    client.get(sb.base_url)  # the TLS handshake is not what we measure
    started = time.monotonic()
    client.get(sb.base_url)
    assert time.monotonic() - started >= 0.4
    sb.options.latency_ms = 0
    started = time.monotonic()
    client.get(sb.base_url)
    assert time.monotonic() - started < 0.4
    client.close()


@pytest.mark.e2e
def test_closed_hours_refuse_logins_outside_8_to_22_jst(
    portal_context: Callable[..., BrowserContext], sandbox_factory: Callable[..., Sandbox]
) -> None:
    clock = {"now": dt.datetime(2025, 1, 6, 23, 30, tzinfo=JST)}
    sb = sandbox_factory(orgs=5, closed_hours=True, now=lambda: clock["now"])
    notice = sb.notices[0]
    page = portal_context(notice, sb).new_page()
    for hour, minute, opened in ((23, 30, False), (7, 59, False), (22, 0, False), (8, 0, True), (21, 59, True)):
        clock["now"] = dt.datetime(2025, 1, 6, hour, minute, tzinfo=JST).astimezone(dt.UTC)
        portal_login(page, sb, notice.admin_login_id, notice.admin_password)
        if opened:
            assert heading(page) == S.HOME, (hour, minute)
        else:
            assert heading(page) == S.LOGIN, (hour, minute)
            assert page.locator("div.message").inner_text() == M.CLOSED_HOURS, (hour, minute)
    clock["now"] = dt.datetime(2025, 1, 6, 23, 30, tzinfo=JST)
    sb.options.closed_hours = False
    portal_login(page, sb, notice.admin_login_id, notice.admin_password)
    assert heading(page) == S.HOME


def test_the_clock_override_decides_today(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, make_p12: Callable[..., Path]
) -> None:
    """利用開始日 is checked against the JST day of `now()`, not the machine's day."""
    fixed = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    sb = sandbox_factory(orgs=5, now=lambda: fixed)
    client = PortalClient(sb, sb.notices[0], tmp_path)
    register = client.button(client.open_org(), L.CERT_REGISTER)
    upload = ("c.p12", make_p12(password="1234").read_bytes(), "application/x-pkcs12")
    detail = client.submit(register, {"certPassword": "1234"}, files={"certFile": upload})
    form = client.button(detail, L.CERT_UPDATE)
    values = {"tradeNameKana": "ヤマダ", "holderNameKana": "ヤマダ", "postalCode": "100-0013", "certPassword": "1234"}
    early = client.submit(form, {**values, "startDate": today_jst().strftime("%Y/%m/%d")})
    assert M.DATE_BEFORE_TODAY in early.text
    done = client.submit(early, {**values, "startDate": today_jst(fixed).strftime("%Y/%m/%d")})
    assert page_message(done) == M.UPDATED
    client.close()


@pytest.mark.e2e
def test_shuffled_paths_leave_only_the_login_url(
    portal_context: Callable[..., BrowserContext],
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    make_p12: Callable[..., Path],
) -> None:
    sb = sandbox_factory(orgs=5, shuffle_paths=True)
    assert sb.base_url.endswith("/oss_agt/")
    notice = sb.notices[0]
    page = portal_context(notice, sb).new_page()
    portal_login(page, sb, notice.admin_login_id, notice.admin_password)
    seen = [page.url]
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    seen.append(page.url)
    page.locator("table.list").get_by_role("link", name=notice.org_id, exact=True).click()
    seen.append(page.url)
    page.get_by_role("button", name=L.CERT_REGISTER, exact=True).click()
    seen.append(page.url)
    page.get_by_label(L.CERT_FILE, exact=True).set_input_files(make_p12(password="1234"))
    page.get_by_label(L.CERT_PASSWORD, exact=True).fill("1234")
    page.get_by_role("button", name=L.CONFIRM, exact=True).click()
    assert heading(page) == S.CERT_DETAIL
    page.get_by_role("button", name=L.CERT_UPDATE, exact=True).click()
    assert heading(page) == S.CERT_UPDATE
    seen.append(page.url)
    page.wait_for_load_state("load")
    background = page.locator("h2").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"  # the stylesheet came from its shuffled path too
    for url in seen:
        assert not any(name in url for name in ("home.do", "orgSearch", "orgDetail", "certRegister", "certUpdate"))
    client = PortalClient(sb, notice, tmp_path)
    for path in ("/oss_agt/home.do", "/oss_agt/orgSearch.do", "/oss_agt/certDetail.do?certId=1"):
        answer = client.get(sb.origin + path)
        assert answer.status_code == 404 and page_heading(answer) == S.ERROR
    assert client.get(sb.base_url).status_code == 200
    client.close()
    other = sandbox_factory(orgs=5, shuffle_paths=True)
    assert set(other.paths.paths.values()) & set(sb.paths.paths.values()) == {"/oss_agt/"}


def test_unknown_urls_get_a_plain_error_page(
    shared_sandbox: Sandbox, portal_client: Callable[..., PortalClient]
) -> None:
    client = portal_client(shared_sandbox.notices[0])
    answer = client.get(shared_sandbox.origin + "/oss_agt/no-such-page.do")
    assert answer.status_code == 404 and page_heading(answer) == S.ERROR
    assert page_message(answer) == M.INVALID_TRANSITION
