"""Every refusal of 代理人証明書登録 and 代理人証明書更新, shown next to its field, in Chromium."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from ainas_bot import portal_text as pt
from ainas_bot.foundation.jst import today_jst
from ainas_bot.sandbox import Notice, Sandbox
from tests.fixtures_sandbox import PortalClient, first_group, heading, page_heading, portal_login

pytestmark = pytest.mark.e2e
L, M, S = pt.Label, pt.Message, pt.Screen
PIN = "7391-PIN"


def _row_text(page: Page, label: str) -> str:
    """The text of the table row holding the field labelled `label` (its error sits there)."""
    return page.locator("tr").filter(has=page.get_by_label(label, exact=True)).inner_text()


def _errors(page: Page) -> list[str]:
    return page.locator("span.error").all_inner_texts()


def _to_register_form(page: Page, sb: Sandbox, notice: Notice) -> None:
    portal_login(page, sb, notice.admin_login_id, notice.admin_password)
    page.get_by_role("link", name=pt.MENU[2], exact=True).click()
    page.locator("table.list").get_by_role("link", name=notice.org_id, exact=True).click()
    page.get_by_role("button", name=L.CERT_REGISTER, exact=True).click()
    assert heading(page) == S.CERT_REGISTER


def _upload(page: Page, file: Path | None, password: str) -> None:
    if file is not None:
        page.get_by_label(L.CERT_FILE, exact=True).set_input_files(file)
    page.get_by_label(L.CERT_PASSWORD, exact=True).fill(password)
    page.get_by_role("button", name=L.CONFIRM, exact=True).click()


def test_registration_refusals(
    portal_context: Callable[..., BrowserContext],
    shared_sandbox: Sandbox,
    fresh_notice: Callable[[], Notice],
    make_p12: Callable[..., Path],
    tmp_path: Path,
) -> None:
    notice = fresh_notice()
    page = portal_context(notice).new_page()
    _to_register_form(page, shared_sandbox, notice)
    now = dt.datetime.now(dt.UTC)
    good = make_p12("good.p12", password=PIN)
    text = tmp_path / "notes.p12"
    text.write_text("これは証明書ではありません\n", encoding="utf-8")
    pfx = tmp_path / "good.pfx"
    pfx.write_bytes(good.read_bytes())
    cases: list[tuple[Path | None, str, str, str]] = [
        (None, "", L.CERT_FILE, M.REQUIRED.format(label=L.CERT_FILE)),
        (good, PIN + "x", L.CERT_PASSWORD, M.WRONG_CERT_PASSWORD),
        (text, PIN, L.CERT_FILE, M.FILE_NOT_P12),
        (pfx, PIN, L.CERT_FILE, M.FILE_NOT_P12),
        (
            make_p12(
                "old.p12", password=PIN, not_before=now - dt.timedelta(days=800), not_after=now - dt.timedelta(days=2)
            ),
            PIN,
            L.CERT_FILE,
            M.CERT_EXPIRED,
        ),
        (
            make_p12("future.p12", password=PIN, not_before=now + dt.timedelta(days=3)),
            PIN,
            L.CERT_FILE,
            M.CERT_NOT_YET_VALID,
        ),
    ]
    for file, password, label, message in cases:
        _upload(page, file, password)
        assert heading(page) == S.CERT_REGISTER, message
        assert message in _row_text(page, label), message
        assert len(_errors(page)) == (2 if file is None else 1)
    assert M.REQUIRED.format(label=L.CERT_PASSWORD) not in _row_text(page, L.CERT_PASSWORD)
    assert len(shared_sandbox.state()[int(notice.org_id) - 1]["certificates"]) == 1  # nothing stored
    _upload(page, good, PIN)
    assert heading(page) == S.CERT_DETAIL
    page.get_by_role("button", name=L.BACK_TO_LIST, exact=True).click()
    page.get_by_role("button", name=L.CERT_REGISTER, exact=True).click()  # the same file again
    _upload(page, good, PIN)
    assert M.CERT_ALREADY_REGISTERED in _row_text(page, L.CERT_FILE)
    assert len(shared_sandbox.state()[int(notice.org_id) - 1]["certificates"]) == 2


def test_update_refusals_keep_what_was_typed(
    portal_context: Callable[..., BrowserContext],
    shared_sandbox: Sandbox,
    fresh_notice: Callable[[], Notice],
    make_p12: Callable[..., Path],
) -> None:
    notice = fresh_notice()
    page = portal_context(notice).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    _to_register_form(page, shared_sandbox, notice)
    not_after = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    _upload(page, make_p12(password=PIN, not_after=not_after), PIN)
    page.get_by_role("button", name=L.CERT_UPDATE, exact=True).click()
    assert heading(page) == S.CERT_UPDATE
    today = today_jst()
    expiry = today_jst(not_after)
    fields = (L.TRADE_NAME_KANA, L.HOLDER_NAME_KANA, L.POSTAL_CODE, L.START_DATE, L.CERT_PASSWORD)
    submissions: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        (("", "", "", "", ""), tuple(M.REQUIRED.format(label=f) for f in fields)),
        (
            ("ｷﾞｮｳｾｲｼｮｼ", "やまだ　たろう", "1234567", "2025-01-06", PIN + "x"),
            (
                M.KANA_INVALID.format(label=L.TRADE_NAME_KANA),
                M.KANA_INVALID.format(label=L.HOLDER_NAME_KANA),
                M.POSTAL_INVALID,
                M.DATE_INVALID,
                M.WRONG_CERT_PASSWORD,
            ),
        ),
        (
            ("ABC", "山田　太郎", "１２３-４５６７", (today - dt.timedelta(days=1)).strftime("%Y/%m/%d"), PIN),
            (
                M.KANA_INVALID.format(label=L.TRADE_NAME_KANA),
                M.KANA_INVALID.format(label=L.HOLDER_NAME_KANA),
                M.POSTAL_INVALID,
                M.DATE_BEFORE_TODAY,
                "",
            ),
        ),
        (
            ("ギョウセイ1", "ヤマダ タロウ", "123-45678", (expiry + dt.timedelta(days=1)).strftime("%Y/%m/%d"), PIN),
            (
                M.KANA_INVALID.format(label=L.TRADE_NAME_KANA),
                M.KANA_INVALID.format(label=L.HOLDER_NAME_KANA),
                M.POSTAL_INVALID,
                M.DATE_AFTER_EXPIRY,
                "",
            ),
        ),
        (
            ("ギョウセイショシヤマダジムショ", "ヤマダ　タロウ", "100-0013", "2025/02/30", PIN),
            ("", "", "", M.DATE_INVALID, ""),
        ),
        # The sandbox checks the postal code against the address, as the portal is assumed to; a Hokkaido code
        # for a 霞が関 address is refused.
        (
            ("ギョウセイショシヤマダジムショ", "ヤマダ　タロウ", "060-0001", today.strftime("%Y/%m/%d"), PIN),
            ("", "", M.POSTAL_MISMATCH, "", ""),
        ),
        (
            ("ギョウセイショシヤマダジムショ", "ヤマダ　タロウ", "100-0013", today.strftime("%Y/%m/%d"), PIN + "x"),
            ("", "", "", "", M.WRONG_CERT_PASSWORD),
        ),
    ]
    for typed, expected in submissions:
        for label, value in zip(fields, typed, strict=True):
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name=L.CONFIRM, exact=True).click()
        assert heading(page) == S.CERT_UPDATE, typed
        for label, value, message in zip(fields, typed, expected, strict=True):
            row = _row_text(page, label)
            if message:
                assert message in row, (label, typed)
            else:
                assert (
                    "span" not in row
                    and not page.locator("tr")
                    .filter(has=page.get_by_label(label, exact=True))
                    .locator("span.error")
                    .count()
                ), (label, typed)
            kept = page.get_by_label(label, exact=True).input_value()
            assert kept == ("" if label == L.CERT_PASSWORD else value), label
        assert len(_errors(page)) == sum(1 for m in expected if m)
    assert shared_sandbox.state()[int(notice.org_id) - 1]["certificates"][-1]["status"] == "pending"
    # The last day of validity is accepted.
    for label, value in zip(
        fields,
        ("ギョウセイショシヤマダジムショ", "ヤマダ　タロウ", "100-0013", expiry.strftime("%Y/%m/%d"), PIN),
        strict=True,
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name=L.CONFIRM, exact=True).click()
    assert heading(page) == S.CERT_DETAIL
    assert shared_sandbox.state()[int(notice.org_id) - 1]["certificates"][-1]["start_date"] == expiry.isoformat()


def test_a_seeded_record_cannot_be_updated_without_its_certificate(
    portal_client: Callable[..., PortalClient], fresh_notice: Callable[[], Notice]
) -> None:
    client = portal_client(fresh_notice())
    org = client.open_org()
    detail = client.get(html.unescape(first_group(r'<a href="([^"]+)">\d{4}/\d\d/\d\d \d\d:\d\d</a>', org.text)))
    form = client.button(detail, L.CERT_UPDATE)
    assert page_heading(form) == S.CERT_UPDATE
    answer = client.submit(
        form,
        {
            "tradeNameKana": "ヤマダ",
            "holderNameKana": "ヤマダ",
            "postalCode": "100-0013",
            "startDate": today_jst().strftime("%Y/%m/%d"),
            "certPassword": "anything",
        },
    )
    assert M.WRONG_CERT_PASSWORD in answer.text
