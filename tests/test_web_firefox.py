"""The web console in Firefox ESR (Debian's firefox-esr, driven over WebDriver BiDi), as some offices' staff use it:
the office list and its calendar, a .p12 dropped and checked, and a dry run followed live (htmx and server-sent
events), every request of the page to the console's own address and none elsewhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, Request, async_playwright, expect

from ainas_bot.config.browsers import find_executable
from ainas_bot.config.settings import Office
from ainas_bot.i18n import use_language
from ainas_bot.results.outcome import status_label
from ainas_bot.web.console import Console
from ainas_bot.web.server import served
from tests.fixtures_async import run_async
from tests.fixtures_flow import FlowWorld, OfficeKit

pytestmark = [pytest.mark.e2e, pytest.mark.firefox]


def _office_with_folder(kit: OfficeKit, folder: Path) -> Office:
    folder.mkdir(parents=True, mode=0o700)
    return kit.office.model_copy(update={"signing_cert": folder})


def test_the_console_in_firefox_esr_checks_a_p12_and_follows_a_dry_run(flow_world: FlowWorld, tmp_path: Path) -> None:
    exe = find_executable("firefox")
    if exe is None:
        pytest.skip("Firefox ESR is not installed (Debian: apt-get install firefox-esr)")
    kits = [flow_world.make_office(), flow_world.make_office()]
    offices = [_office_with_folder(k, tmp_path / "drop" / k.office.id) for k in kits]
    settings = flow_world.settings(
        offices=offices,
        audit_log=tmp_path / "audit.jsonl",
        artifacts_dir=tmp_path / "artifacts",
        lock_file=tmp_path / "ainas-bot.lock",
    )
    environ = {n: v for k in kits for n, v in k.environ.items() if not n.startswith("PIN_")}
    kit = kits[0]
    use_language("ja")
    dry_run_word = status_label("would-register")
    assert dry_run_word == "登録予定"
    requested: list[str] = []
    errors: list[str] = []

    async def work(page: Page, url: str) -> None:
        await page.goto(url)
        rows = page.locator("tr[data-office]")
        await expect(rows).to_have_count(len(offices))
        for office in offices:
            await expect(page.locator(f'[data-office="{office.id}"]')).to_have_count(1)
        calendar = page.frame_locator("iframe.calendar")
        await expect(calendar.locator("body")).not_to_be_empty()
        await expect(calendar.locator("body")).to_contain_text(kit.office.id)

        await page.locator(f'[data-office="{kit.office.id}"]').get_by_role("link", name="新しい証明書").click()
        await page.locator('input[type="file"]').set_input_files(kit.signing_cert)
        await page.get_by_label("証明書（.p12）の PIN").fill(kit.pin)
        await page.get_by_role("button", name="確認").click()
        result = page.locator("#drop-result")
        await expect(result.get_by_text("すべての確認に合格しました")).to_be_visible()
        await expect(result.locator('[data-field="屋号（漢字）"]')).to_contain_text(kit.notice.org_name)

        await result.get_by_role("button", name="試行（変更しない）").click()
        await expect(page).to_have_url(f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/runs/1", timeout=30_000)
        await expect(page.locator("#progress li").first).to_be_visible(timeout=120_000)
        await expect(page.locator("#recap")).to_contain_text(dry_run_word, timeout=120_000)
        await expect(page.locator(f'#recap tr[data-office="{kit.office.id}"]')).to_contain_text(dry_run_word)

    async def main(url: str) -> None:
        async with async_playwright() as pw:
            # Debian's Firefox has no Juggler: the "moz-firefox" channel drives it over WebDriver BiDi, as the bot does.
            browser = await pw.firefox.launch(channel="moz-firefox", executable_path=str(exe), headless=True)
            try:
                context = await browser.new_context()

                def note(request: Request) -> None:
                    requested.append(request.url)

                context.on("request", note)
                page = await context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                await work(page, url)
            finally:
                await browser.close()

    requests_before, uploads_before = len(flow_world.sandbox.requests_log), flow_world.sandbox.upload_posts
    certificates_before = flow_world.certificates(kit.office.id)
    with served(Console(settings, environ)) as running:
        port = running.port
        run_async(main(running.url))

    assert requested, "no request was seen"
    elsewhere = [u for u in requested if urlsplit(u).netloc != f"127.0.0.1:{port}"]
    assert not elsewhere, elsewhere
    assert not errors, errors  # htmx, its SSE extension and console.js run in Firefox without an error
    assert any(urlsplit(u).path == "/calendar" for u in requested)
    assert any(urlsplit(u).path == "/runs/1/events" for u in requested)
    # The dry run read the portal and changed nothing there; the .p12 is stored for the run, readable by us only.
    assert len(flow_world.sandbox.requests_log) > requests_before
    assert flow_world.sandbox.upload_posts == uploads_before
    assert flow_world.certificates(kit.office.id) == certificates_before
    [stored] = (tmp_path / "drop" / kit.office.id).glob("*.p12")
    assert stored.stat().st_mode & 0o077 == 0
    assert kit.pin not in "".join(requested)
