"""Every screen in Chromium, through the labels a person reads: the whole certificate procedure and the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from ainas_bot import portal_text as pt
from ainas_bot.foundation.jst import JST, today_jst
from ainas_bot.sandbox import Notice, Sandbox
from tests.fixtures_sandbox import SHARED_ORGS, heading, portal_login

pytestmark = pytest.mark.e2e
L, M, S = pt.Label, pt.Message, pt.Screen


def _button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def _kv(page: Page) -> dict[str, str]:
    """The key/value rows of the page's first detail table."""
    rows = page.locator("table.detail tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").inner_text().strip()
        for i in range(rows.count())
    }


def _message(page: Page) -> str:
    return page.locator("div.message").inner_text().strip()


def _open_org(page: Page, org_id: str) -> None:
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    page.get_by_label(L.ORG_ID, exact=True).fill(org_id)
    _button(page, L.SEARCH)
    page.locator("table.list tbody").get_by_role("link", name=org_id, exact=True).click()
    assert heading(page) == S.ORG_DETAIL


def test_login_screen(portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox) -> None:
    page = portal_context(shared_sandbox.notices[0]).new_page()
    page.goto(shared_sandbox.base_url)
    assert page.title() == pt.LOGIN_TITLE
    expect(page.locator("h1")).to_have_text(pt.LOGIN_TITLE)
    assert heading(page) == S.LOGIN
    assert page.get_by_label(L.PASSWORD, exact=True).get_attribute("type") == "password"
    expect(page.get_by_role("button", name=L.LOGIN, exact=True)).to_be_visible()
    assert page.get_by_role("link", name=L.LOGOUT).count() == 0  # no header before login


def test_the_whole_certificate_procedure(
    portal_context: Callable[..., BrowserContext],
    shared_sandbox: Sandbox,
    fresh_notice: Callable[[], Notice],
    make_p12: Callable[..., Path],
) -> None:
    notice = fresh_notice()
    page = portal_context(notice).new_page()
    portal_login(page, shared_sandbox, notice.admin_login_id, notice.admin_password)
    # Home, with the header and the menu of every screen after login.
    assert heading(page) == S.HOME
    expect(page.locator("#header")).to_contain_text(pt.HEADER)
    for name in (L.PAY_REGISTERED, L.PAY_LIGHT, L.LOGOUT, *pt.MENU):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("#header")).to_contain_text(L.ROLE_ADMIN)
    # 代理人組織照会 of our organisation: the old, active record fills every cell but 代理人証明書.
    _open_org(page, notice.org_id)
    info = _kv(page)
    assert list(info)[:4] == [L.ORG_ID, L.ORG_NAME, L.ORG_SHORT_NAME, L.ORG_STATUS]
    assert info[L.ORG_ID] == notice.org_id and info[L.ORG_NAME] == notice.org_name
    assert list(info)[4:] == list(pt.ORG_DETAIL_PERMISSION_ROWS)
    assert {info[k] for k in pt.ORG_DETAIL_PERMISSION_ROWS} <= {L.ALLOWED, L.NOT_ALLOWED}
    certs = page.locator("table.certificates")
    assert certs.locator("thead th").all_inner_texts() == list(pt.CERT_TABLE_COLUMNS)
    old = certs.locator("tbody tr").first.locator("td").all_inner_texts()
    assert old[0] == "" and all(old[1:])
    for name in (L.BACK_TO_LIST, L.ORG_UPDATE, L.CERT_REGISTER):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    # 代理人証明書登録
    _button(page, L.CERT_REGISTER)
    assert heading(page) == S.CERT_REGISTER
    expect(page.get_by_text(L.REGISTER_INTRO)).to_be_visible()
    expect(page.get_by_role("button", name=L.BROWSE, exact=True)).to_be_visible()
    not_after = dt.datetime.now(dt.UTC) + dt.timedelta(days=700)
    signing = make_p12(
        "行政書士電子証明書.p12",
        password="0000-PIN",
        not_after=not_after,
        trade_name=notice.org_name,
        holder_name="山田　太郎",
    )
    page.get_by_label(L.CERT_FILE, exact=True).set_input_files(signing)
    page.get_by_label(L.CERT_PASSWORD, exact=True).fill("0000-PIN")
    _button(page, L.CONFIRM)
    # 代理人証明書照会: auto-filled from the certificate, the typed fields still empty.
    assert heading(page) == S.CERT_DETAIL
    assert _message(page) == M.REGISTERED
    detail = _kv(page)
    assert list(detail) == list(pt.CERT_DETAIL_ROWS)
    expiry = not_after.astimezone(JST).strftime("%Y/%m/%d")
    assert detail == {
        L.REGISTERED_AT: detail[L.REGISTERED_AT],
        L.TRADE_NAME_KANA: "",
        L.TRADE_NAME_KANJI: notice.org_name,
        L.HOLDER_NAME_KANA: "",
        L.HOLDER_NAME_KANJI: "山田　太郎",
        L.POSTAL_CODE: "",
        L.ADDRESS_STREET: "東京都千代田区霞が関一丁目２番３号",
        L.ADDRESS_BUILDING: "霞が関ビル５階",
        L.EXPIRY: expiry,
        L.START_DATE: "",
    }
    registered_at = detail[L.REGISTERED_AT]
    assert registered_at.startswith(today_jst().strftime("%Y/%m/%d "))
    # Back on the organisation, the pending record shows only its 登録日時.
    _button(page, L.BACK_TO_LIST)
    assert heading(page) == S.ORG_DETAIL
    pending = page.locator("table.certificates tbody tr").last.locator("td").all_inner_texts()
    assert pending == ["", registered_at, "", "", ""]
    page.get_by_role("link", name=registered_at, exact=True).click()
    assert heading(page) == S.CERT_DETAIL and _kv(page)[L.EXPIRY] == expiry
    # 代理人証明書更新
    _button(page, L.CERT_UPDATE)
    assert heading(page) == S.CERT_UPDATE
    expect(page.get_by_text(L.UPDATE_NOTICE)).to_be_visible()
    for marker in ("【1】", "【2】", "【3】", "【4】", "【5】"):
        expect(page.get_by_text(marker)).to_be_visible()
    today = today_jst().strftime("%Y/%m/%d")
    values = {
        L.TRADE_NAME_KANA: "ギョウセイショシヤマダジムショ",
        L.HOLDER_NAME_KANA: "ヤマダ　タロウ",
        L.POSTAL_CODE: "100-8977",
        L.START_DATE: today,
    }
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label(L.CERT_PASSWORD, exact=True).fill("0000-PIN")
    asked: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    _button(page, L.CONFIRM)
    assert asked == [M.CONFIRM_UPDATE]
    assert heading(page) == S.CERT_UPDATE  # cancelled: nothing posted
    assert shared_sandbox.state()[int(notice.org_id) - 1]["certificates"][-1]["status"] == "pending"
    page.once("dialog", lambda dialog: dialog.accept())
    _button(page, L.CONFIRM)
    assert heading(page) == S.CERT_DETAIL
    assert _message(page) == M.UPDATED
    detail = _kv(page)
    assert {k: detail[k] for k in values} == values
    record = shared_sandbox.state()[int(notice.org_id) - 1]["certificates"][-1]
    assert record["status"] == "active" and record["start_date"] == today.replace("/", "-")
    assert record["trade_name_kana"] == values[L.TRADE_NAME_KANA] and record["postal_code"] == "100-8977"
    # The organisation now shows the record in full; ログアウト ends the session.
    _button(page, L.BACK_TO_LIST)
    row = page.locator("table.certificates tbody tr").last.locator("td").all_inner_texts()
    assert row == ["", registered_at, notice.org_name, "山田　太郎", expiry]
    _button(page, L.BACK_TO_LIST)
    assert heading(page) == S.ORG_SEARCH
    org_search_url = page.url
    page.get_by_role("link", name=L.LOGOUT, exact=True).click()
    assert heading(page) == S.LOGIN
    page.goto(org_search_url)
    assert heading(page) == S.LOGIN


def test_organisation_search_pages_and_narrows(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox
) -> None:
    notice = shared_sandbox.notices[1]
    page = portal_context(notice).new_page()
    portal_login(page, shared_sandbox, notice.admin_login_id, notice.admin_password)
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    assert heading(page) == S.ORG_SEARCH
    table = page.locator("table.list")
    assert table.locator("thead th").all_inner_texts() == list(pt.ORG_SEARCH_COLUMNS)
    pager = page.locator("div.pager")
    expect(pager).to_contain_text(f"1 - 20 / {SHARED_ORGS} 件")
    assert table.locator("tbody tr").count() == 20
    assert pager.get_by_role("link", name=L.PAGER_PREV).count() == 0  # no previous page
    first_row = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first_row == ["1", shared_sandbox.notices[0].org_name, first_row[2], L.ORG_STATUS_OK]
    pager.get_by_role("link", name=L.PAGER_NEXT, exact=True).click()
    expect(page.locator("div.pager")).to_contain_text(f"21 - 40 / {SHARED_ORGS} 件")
    page.locator("div.pager").get_by_role("link", name="3", exact=True).click()
    expect(page.locator("div.pager")).to_contain_text(f"41 - {SHARED_ORGS} / {SHARED_ORGS} 件")
    assert page.locator("table.list tbody tr").count() == SHARED_ORGS - 40
    assert page.locator("div.pager").get_by_role("link", name=L.PAGER_NEXT).count() == 0
    page.locator("div.pager").get_by_role("link", name=L.PAGER_PREV, exact=True).click()
    expect(page.locator("div.pager")).to_contain_text(f"21 - 40 / {SHARED_ORGS} 件")
    # The ID search is exact; nothing found says so; リセット lists everything again.
    page.get_by_label(L.ORG_ID, exact=True).fill("4")
    _button(page, L.SEARCH)
    expect(page.locator("div.pager")).to_contain_text("1 - 1 / 1 件")
    assert page.locator("table.list tbody tr td").first.inner_text() == "4"
    assert page.get_by_label(L.ORG_ID, exact=True).input_value() == "4"
    page.get_by_label(L.ORG_ID, exact=True).fill("99999")
    _button(page, L.SEARCH)
    assert _message(page) == M.NOT_FOUND
    assert page.locator("table.list").count() == 0
    _button(page, L.RESET)
    expect(page.locator("div.pager")).to_contain_text(f"1 - 20 / {SHARED_ORGS} 件")
    assert page.get_by_label(L.ORG_ID, exact=True).input_value() == ""


def test_home_search_and_the_other_menu_pages(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox
) -> None:
    notice = shared_sandbox.notices[2]
    page = portal_context(notice).new_page()
    portal_login(page, shared_sandbox, notice.admin_login_id, notice.admin_password)
    page.get_by_label(L.REGISTERED_ON, exact=True).fill("2025/01/06")
    page.get_by_label(L.TARGET_CHOICES[1], exact=True).check()
    _button(page, L.SEARCH)
    assert heading(page) == S.HOME and _message(page) == M.NOT_FOUND
    assert page.get_by_label(L.TARGET_CHOICES[1], exact=True).is_checked()
    _button(page, L.RESET)
    assert page.get_by_label(L.REGISTERED_ON, exact=True).input_value() == ""
    assert page.get_by_label(L.TARGET_CHOICES[0], exact=True).is_checked()
    for name in (pt.MENU[0], pt.MENU[1], pt.MENU[3], pt.MENU[4], L.PAY_REGISTERED, L.PAY_LIGHT):
        page.get_by_role("link", name=name, exact=True).click()
        assert heading(page) == name
    _open_org(page, notice.org_id)
    _button(page, L.ORG_UPDATE)
    assert heading(page) == L.ORG_UPDATE and _kv(page)[L.ORG_ID] == notice.org_id
    _button(page, L.BACK_TO_LIST)
    assert heading(page) == S.ORG_DETAIL


def test_a_firm_administrator_opens_each_of_its_offices(
    portal_context: Callable[..., BrowserContext], shared_sandbox: Sandbox
) -> None:
    by_admin: dict[str, list[Notice]] = {}
    for n in shared_sandbox.notices:
        by_admin.setdefault(n.admin_login_id, []).append(n)
    offices = next(group for group in by_admin.values() if len(group) > 1)
    page = portal_context(offices[0]).new_page()
    portal_login(page, shared_sandbox, offices[0].admin_login_id, offices[0].admin_password)
    for office in offices:
        _open_org(page, office.org_id)
        assert _kv(page)[L.ORG_NAME] == office.org_name
