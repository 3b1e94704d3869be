"""The web console in a real browser against the sandbox, as office staff use it: drop a .p12, type its PIN, check,
renew, and see 更新済み; a wrong PIN, another office's certificate and a kana that does not read the name are shown
before anything is sent to the portal; afterwards the PIN is in no file, log, answer or screenshot."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from ainas_bot.config.settings import Office, Settings
from ainas_bot.i18n import use_language
from ainas_bot.web.console import Console
from ainas_bot.web.server import Served, served
from tests.fixtures_browser import in_chromium
from tests.fixtures_cli import all_bytes
from tests.fixtures_flow import FlowWorld, OfficeKit
from tests.fixtures_smtp import SmtpServer, text_of

pytestmark = pytest.mark.e2e


@dataclasses.dataclass
class Staff:
    """A console on the sandbox, with offices whose signing_cert is a folder to drop into."""

    world: FlowWorld
    settings: Settings
    running: Served
    kits: dict[str, OfficeKit]
    root: Path


def _office_with_folder(kit: OfficeKit, folder: Path) -> Office:
    folder.mkdir(parents=True, mode=0o700)
    return kit.office.model_copy(update={"signing_cert": folder})


@pytest.fixture
def staff(flow_world: FlowWorld, tmp_path: Path) -> Iterator[Staff]:
    kits = {k.office.id: k for k in (flow_world.make_office(), flow_world.make_office())}
    offices = [_office_with_folder(k, tmp_path / "drop" / k.office.id) for k in kits.values()]
    settings = flow_world.settings(
        offices=offices,
        audit_log=tmp_path / "audit.jsonl",
        artifacts_dir=tmp_path / "artifacts",
        lock_file=tmp_path / "ainas-bot.lock",
    )
    environ = {name: value for k in kits.values() for name, value in k.environ.items() if not name.startswith("PIN_")}
    use_language("ja")
    with served(Console(settings, environ)) as running:
        yield Staff(flow_world, settings, running, kits, tmp_path)


async def _drop(page: Page, staff: Staff, office_id: str, p12: Path, pin: str) -> None:
    await page.goto(staff.running.url)
    await page.locator(f'[data-office="{office_id}"]').get_by_role("link", name="新しい証明書").click()
    await page.locator('input[type="file"]').set_input_files(p12)
    await page.get_by_label("証明書（.p12）の PIN").fill(pin)
    await page.get_by_role("button", name="確認").click()


def test_staff_drop_a_p12_type_the_pin_renew_and_see_it_updated(staff: Staff, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    office_id, kit = next(iter(staff.kits.items()))
    answers: list[bytes] = []
    shot = staff.root / "console.png"

    async def work(page: Page) -> None:
        async def keep(response: object) -> None:
            with contextlib.suppress(Exception):  # a stream or a redirect has no body to keep
                answers.append(await response.body())  # type: ignore[attr-defined]

        page.on("response", keep)
        await _drop(page, staff, office_id, kit.signing_cert, kit.pin)
        await expect(page.get_by_text("すべての確認に合格しました")).to_be_visible()
        await expect(page.get_by_label("証明書（.p12）の PIN")).to_have_value("")  # not kept in the page once sent
        await expect(page.locator('[data-field="屋号（漢字）"]')).to_contain_text(kit.notice.org_name)
        await page.get_by_role("button", name="更新する").click()
        await expect(page.locator("#recap")).to_contain_text("更新済み", timeout=120_000)
        await page.screenshot(path=shot, full_page=True)

    in_chromium(work)

    stored = list((staff.root / "drop" / office_id).glob("*.p12"))
    assert len(stored) == 1 and stored[0].stat().st_mode & 0o077 == 0
    secret = kit.pin.encode()
    for path, data in all_bytes(staff.root):
        assert secret not in data, path
    assert all(secret not in a for a in answers)
    assert kit.pin not in caplog.text


def test_a_wrong_pin_another_offices_certificate_and_a_wrong_kana_are_shown_before_the_portal(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    mine, other = flow_world.make_office(), flow_world.make_office()
    misread = flow_world.make_office(trade_name_kana="タナカギョウセイショシジムショ")
    kits = [mine, other, misread]
    offices = [_office_with_folder(k, tmp_path / "drop" / k.office.id) for k in kits]
    settings = flow_world.settings(
        offices=offices, audit_log=tmp_path / "audit.jsonl", lock_file=tmp_path / "ainas-bot.lock"
    )
    environ = {n: v for k in kits for n, v in k.environ.items() if not n.startswith("PIN_")}
    use_language("ja")
    requests_before, uploads_before = list(flow_world.sandbox.requests_log), flow_world.sandbox.upload_posts
    said: dict[str, str] = {}
    fields: dict[str, list[str]] = {}

    async def work(page: Page) -> None:
        async def attempt(case: str, office: OfficeKit, p12: Path, pin: str) -> None:
            await _drop(page, staff_of, office.office.id, p12, pin)
            result = page.locator("#drop-result")
            await expect(result.get_by_text("何も保存せず、ポータルには何も送っていません。")).to_be_visible()
            said[case] = await result.inner_text()
            fields[case] = await result.locator("tr.wrong th").all_inner_texts()

        await attempt("wrong-pin", mine, mine.signing_cert, "Wr0ng-PIN-7731")
        await attempt("another-office", mine, other.signing_cert, other.pin)
        await attempt("kana", misread, misread.signing_cert, misread.pin)

    with served(Console(settings, environ)) as running:
        staff_of = Staff(flow_world, settings, running, {k.office.id: k for k in kits}, tmp_path)
        in_chromium(work)

    assert "PIN" in said["wrong-pin"], said["wrong-pin"]
    assert "屋号（カナ）" in fields["another-office"], said["another-office"]
    assert other.notice.org_name in said["another-office"]  # the certificate's own name, shown as the portal would
    assert fields["kana"] == ["屋号（カナ）"], said["kana"]
    assert "タナカギョウセイショシジムショ" in said["kana"]
    assert flow_world.sandbox.requests_log == requests_before and flow_world.sandbox.upload_posts == uploads_before
    assert not list((tmp_path / "drop").rglob("*.p12"))  # nothing refused was stored


def test_a_failure_shows_its_artifacts_then_history_the_portal_read_and_a_probe(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    good = flow_world.make_office()
    locked_out = flow_world.make_office()
    kits = [good, locked_out]
    wrong = {
        n: ("Wr0ng-Passw0rd-1" if n.startswith("PW_") and n in locked_out.environ else v)
        for k in kits
        for n, v in k.environ.items()
    }
    settings = flow_world.settings(
        offices=[k.office for k in kits],
        audit_log=tmp_path / "audit.jsonl",
        artifacts_dir=tmp_path / "artifacts",
        lock_file=tmp_path / "ainas-bot.lock",
    )
    use_language("ja")
    seen: dict[str, str] = {}

    async def work(page: Page) -> None:
        await page.goto(running.url)
        await page.locator(f'[data-office="{locked_out.office.id}"] input[name="office"]').check()
        await page.get_by_role("button", name="更新する").click()
        recap = page.locator("#recap")
        await expect(recap.locator(f'tr[data-office="{locked_out.office.id}"] td.outcome')).to_have_text(
            "失敗", timeout=120_000
        )
        link = recap.locator("a[href^='/files/']").filter(has_text=".png").first
        answer = await page.request.get(f"http://127.0.0.1:{running.port}{await link.get_attribute('href')}")
        assert answer.status == 200 and (await answer.body()).startswith(b"\x89PNG")
        await expect(page.locator("#running")).to_be_empty()  # the header no longer says a run is under way

        await page.goto(f"http://127.0.0.1:{running.port}/history?status=failed")
        rows = page.locator("table.history tbody tr[data-office]")
        await expect(rows).to_have_count(1)
        seen["history"] = await rows.first.inner_text()

        await page.goto(f"http://127.0.0.1:{running.port}/")
        await page.locator(f'[data-office="{good.office.id}"] input[name="office"]').check()
        await page.get_by_role("button", name="今すぐポータルを読む").click()
        await expect(recap.locator(f'tr[data-office="{good.office.id}"] td.outcome')).to_have_text(
            "登録予定", timeout=120_000
        )
        await page.goto(f"http://127.0.0.1:{running.port}/")
        await page.locator(f'[data-office="{good.office.id}"] input[name="office"]').check()
        await page.get_by_role("button", name="ポータルを調べる").click()
        await expect(page.locator("pre.probe")).to_contain_text(f"事務所 {good.office.id}", timeout=120_000)
        seen["probe"] = await page.locator("pre.probe").inner_text()

    with served(Console(settings, wrong)) as running:
        in_chromium(work)

    assert locked_out.office.id in seen["history"] and "認証" in seen["history"], seen["history"]
    assert seen["probe"].splitlines()[-1].startswith("正常: "), seen["probe"]


def test_a_renewal_from_the_console_tells_people_as_the_cli_does(
    flow_world: FlowWorld, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """The console's 更新する is `renew`: the same notifications (one "renewed" mail here), its problems on the page."""
    kit = flow_world.make_office()
    notify = [{"url": {"env": "MAIL_URL"}, "name": "事務所メール", "events": ["renewed"]}]
    settings = flow_world.settings(
        offices=[kit.office], audit_log=tmp_path / "audit.jsonl", lock_file=tmp_path / "ainas-bot.lock", notify=notify
    )
    console = Console(settings, {**kit.environ, "MAIL_URL": smtp_server.url()})

    run = console.start("renew", list(settings.offices))
    run.wait_beyond(10_000, timeout=240)

    assert run.finished and run.error is None and run.result is not None
    assert [o.status for o in run.result.outcomes] == ["updated"]
    (mail,) = smtp_server.mails
    assert kit.office.id in str(mail["Subject"]) and kit.office.id in text_of(mail)
    assert not [e for e in run.events if e.kind == "warning"]
