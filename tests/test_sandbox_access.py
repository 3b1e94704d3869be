"""Who may do what: lockout, idle expiry, one session per user, 担当者, other organisations, form tokens."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page

from ainas_bot import portal_text as pt
from ainas_bot.sandbox import Notice, Sandbox
from tests.fixtures_sandbox import PortalClient, csrf, first_group, heading, page_heading, page_message, portal_login

L, M, S = pt.Label, pt.Message, pt.Screen


def _message(page: Page) -> str:
    return page.locator("div.message").inner_text().strip()


@pytest.mark.e2e
def test_five_wrong_passwords_lock_the_account(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox, fresh_notice: Callable[[], Notice]
) -> None:
    notice = fresh_notice()
    page = portal_context(notice).new_page()
    for attempt in range(1, 6):
        portal_login(page, shared_sandbox, notice.admin_login_id, f"wrong-{attempt}")
        assert heading(page) == S.LOGIN
        assert _message(page) == (M.ACCOUNT_LOCKED if attempt == 5 else M.LOGIN_FAILED), attempt
        assert page.get_by_label(L.LOGIN_ID, exact=True).input_value() == notice.admin_login_id
        assert page.get_by_label(L.PASSWORD, exact=True).input_value() == ""
    portal_login(page, shared_sandbox, notice.admin_login_id, notice.admin_password)
    assert _message(page) == M.ACCOUNT_LOCKED  # the right password no longer helps
    portal_login(page, shared_sandbox, notice.staff_login_id, notice.staff_password)
    assert heading(page) == S.HOME  # only that user is locked


def test_a_good_login_resets_the_count_and_unknown_ids_fail_alike(
    portal_client: Callable[..., PortalClient], fresh_notice: Callable[[], Notice]
) -> None:
    client = portal_client(fresh_notice())
    for _ in range(4):
        assert page_message(client.login(password="nope")) == M.LOGIN_FAILED
    assert page_heading(client.login()) == S.HOME
    for _ in range(4):
        assert page_message(client.login(password="nope")) == M.LOGIN_FAILED
    assert page_heading(client.login()) == S.HOME
    assert page_message(client.login(login_id="zzzzz", password="x")) == M.LOGIN_FAILED
    assert page_message(client.login(password="")) == M.REQUIRED.format(label=L.PASSWORD)
    assert page_message(client.login(login_id=" ", password="x")) == M.LOGIN_FAILED


@pytest.mark.e2e
def test_an_idle_session_expires(
    portal_context: Callable[..., BrowserContext], sandbox_factory: Callable[..., Sandbox]
) -> None:
    sb = sandbox_factory(orgs=5, expire_sessions_after=60)
    notice = sb.notices[0]
    page = portal_context(notice, sb).new_page()
    portal_login(page, sb, notice.admin_login_id, notice.admin_password)
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert heading(page) == S.ORG_SEARCH
    sb.options.expire_sessions_after = 0.5  # a knob that changes while the sandbox runs
    time.sleep(0.7)
    page.get_by_label(L.ORG_ID, exact=True).fill(notice.org_id)
    page.get_by_role("button", name=L.SEARCH, exact=True).click()
    assert heading(page) == S.LOGIN and _message(page) == M.SESSION_EXPIRED
    portal_login(page, sb, notice.admin_login_id, notice.admin_password)
    assert heading(page) == S.HOME
    sb.options.expire_sessions_after = 1.5  # activity keeps a session alive past that
    for _ in range(3):
        time.sleep(0.6)
        page.get_by_role("link", name=pt.MENU[2], exact=True).click()
        assert heading(page) == S.ORG_SEARCH


@pytest.mark.e2e
def test_a_second_login_ends_the_first_session(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox, fresh_notice: Callable[[], Notice]
) -> None:
    notice = fresh_notice()
    first, second = portal_context(notice).new_page(), portal_context(notice).new_page()
    portal_login(first, shared_sandbox, notice.admin_login_id, notice.admin_password)
    portal_login(second, shared_sandbox, notice.admin_login_id, notice.admin_password)
    first.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert heading(first) == S.LOGIN and _message(first) == M.SESSION_REPLACED
    second.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert heading(second) == S.ORG_SEARCH


@pytest.mark.e2e
def test_staff_have_no_organisation_rights(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox, fresh_notice: Callable[[], Notice]
) -> None:
    notice = fresh_notice()
    page = portal_context(notice).new_page()
    portal_login(page, shared_sandbox, notice.staff_login_id, notice.staff_password)
    assert heading(page) == S.HOME
    assert page.locator("#header span.role").inner_text() == L.ROLE_STAFF
    with page.expect_response(lambda r: r.request.method == "GET" and "oss_agt" in r.url) as answer:
        page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert answer.value.status == 403
    assert heading(page) == S.ERROR and _message(page) == M.NO_ADMIN_RIGHTS
    page.get_by_role("link", name=L.LOGOUT, exact=True).click()  # the header stays usable
    assert heading(page) == S.LOGIN


@pytest.mark.e2e
def test_other_organisations_are_refused_whatever_the_url(
    portal_context: Callable[..., BrowserContext],
    portal_client: Callable[..., PortalClient],
    shared_sandbox: Sandbox,
    fresh_notice: Callable[[], Notice],
) -> None:
    mine, theirs = fresh_notice(), fresh_notice()
    their_client = portal_client(theirs)
    their_org = their_client.open_org()
    their_cert = first_group(r'href="([^"]+certId=\d+)"', their_org.text)
    page = portal_context(mine).new_page()
    portal_login(page, shared_sandbox, mine.admin_login_id, mine.admin_password)
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    page.get_by_label(L.ORG_ID, exact=True).fill(mine.org_id)
    page.get_by_role("button", name=L.SEARCH, exact=True).click()
    page.locator("table.list").get_by_role("link", name=mine.org_id, exact=True).click()
    my_org_url = page.url
    page.get_by_role("button", name=L.CERT_REGISTER, exact=True).click()
    my_register_url = page.url
    urls = [
        my_org_url.replace(f"orgId={mine.org_id}", f"orgId={theirs.org_id}"),
        my_register_url.replace(f"orgId={mine.org_id}", f"orgId={theirs.org_id}"),
        shared_sandbox.origin + their_cert,
        shared_sandbox.origin + their_cert.replace("certDetail", "certUpdate"),
        my_org_url.replace(f"orgId={mine.org_id}", "orgId=99999"),
    ]
    for url in urls:
        answer = page.goto(url)
        assert answer is not None and answer.status == 403, url
        assert heading(page) == S.ERROR and _message(page) == M.ACCESS_DENIED
    # In the list, another organisation's ID is a link like any other, and is refused the same way.
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    page.get_by_label(L.ORG_ID, exact=True).fill(theirs.org_id)
    page.get_by_role("button", name=L.SEARCH, exact=True).click()
    page.locator("table.list").get_by_role("link", name=theirs.org_id, exact=True).click()
    assert _message(page) == M.ACCESS_DENIED
    # …and a form posted to the other organisation stores nothing.
    client = portal_client(mine)
    register = client.button(client.open_org(), L.CERT_REGISTER)
    refused = client.http.post(
        str(register.url).replace(f"orgId={mine.org_id}", f"orgId={theirs.org_id}"),
        data={"_csrf": csrf(register), "certPassword": "x"},
    )
    assert refused.status_code == 403
    assert len(shared_sandbox.state()[int(theirs.org_id) - 1]["certificates"]) == 1


@pytest.mark.e2e
def test_forms_without_a_valid_token_are_refused(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox, fresh_notice: Callable[[], Notice]
) -> None:
    notice = fresh_notice()
    page = portal_context(notice).new_page()
    portal_login(page, shared_sandbox, notice.admin_login_id, notice.admin_password)
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    for tamper in ("e => e.remove()", "e => { e.value = 'forged-token' }"):
        page.locator("input[name=_csrf]").evaluate(tamper)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name=L.SEARCH, exact=True).click()
        assert answer.value.status == 400
        assert heading(page) == S.ERROR and _message(page) == M.INVALID_TRANSITION
        page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    # A token is single-use: sending one again is a double submission.
    used = page.locator("input[name=_csrf]").get_attribute("value")
    page.get_by_role("button", name=L.SEARCH, exact=True).click()
    assert heading(page) == S.ORG_SEARCH
    page.locator("input[name=_csrf]").evaluate("(e, v) => { e.value = v }", used)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=L.SEARCH, exact=True).click()
    assert answer.value.status == 409
    assert heading(page) == S.ERROR and _message(page) == M.DOUBLE_SUBMIT


def test_tokens_belong_to_one_session(
    portal_client: Callable[..., PortalClient], fresh_notice: Callable[[], Notice]
) -> None:
    one, other = portal_client(fresh_notice()), portal_client(fresh_notice())
    search_one = one.link(one.login(), pt.MENU[2])
    search_other = other.link(other.login(), pt.MENU[2])
    stolen = other.submit(search_other, {"orgId": ""}, token=csrf(search_one))
    assert stolen.status_code == 400 and page_message(stolen) == M.INVALID_TRANSITION
    login_page = one.get(one.sandbox.base_url)
    refused = one.submit(
        login_page, {"loginId": one.notice.admin_login_id, "password": one.notice.admin_password}, token=""
    )
    assert refused.status_code == 400 and page_message(refused) == M.INVALID_TRANSITION
    one.submit(login_page, {"loginId": one.notice.admin_login_id, "password": one.notice.admin_password})
    again = one.submit(login_page, {"loginId": one.notice.admin_login_id, "password": one.notice.admin_password})
    assert again.status_code == 409 and page_message(again) == M.DOUBLE_SUBMIT


def test_logout_ends_the_session(
    portal_client: Callable[..., PortalClient], fresh_notice: Callable[[], Notice]
) -> None:
    client = portal_client(fresh_notice())
    home = client.login()
    search_url = str(client.link(home, pt.MENU[2]).url)
    cookie = client.http.cookies.get("JSESSIONID")
    assert page_heading(client.link(home, L.LOGOUT)) == S.LOGIN
    client.http.cookies.set("JSESSIONID", cookie or "", path="/oss_agt/")
    answer = client.get(search_url)
    assert page_heading(answer) == S.LOGIN and page_message(answer) == ""
