"""The job floor: the renewal's own screens, fields and upload on the sandbox, by a script that checks nothing.

`bench_floor.py` clicks through 11 small screens of its own and types nothing: it is what Playwright and
Chromium cost before any job. This floor does the job itself, as a plain Playwright script written by
someone who knows the sandbox's default markup would: the same sandbox (in a process of its own), the
same offices and values as `bench_renew.py`, the same documents in the same order, every field the bot
types (ログインID and パスワード, 代理人組織ID, the .p12 and its PIN, the five fields of 代理人証明書更新), the
same upload, each next screen awaited by its heading, and the ログアウト at the end (14 responses, as the
bot's). It finds fields by their `name`, reads nothing, settles nothing, compares nothing and keeps no
trace, so the bot's time above it is the price of its care:
finding by what is on screen, waiting for a settled screen, reading and checking what it decides from,
the trace.

    .venv/bin/python benchmarks/bench_job_floor.py --offices 8 --latency-ms 150 --concurrency 1 4 8

Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_renew
from _measure import ProcessSampler, level_figures, print_levels
from _portal import SandboxProcess
from playwright.async_api import Browser, Dialog, Page, async_playwright

from ainas_bot.checks.prepare import PreparedOffice, check_offices
from ainas_bot.config.browsers import find_executable
from ainas_bot.config.settings import Settings
from ainas_bot.foundation.jst import format_portal_date, today_jst
from ainas_bot.portal_text import Label, Screen
from ainas_bot.sandbox import SandboxOptions
from flows.browser.chromium import CHROMIUM_ARGS, client_pfx

__all__ = ["measure"]


async def _screen(page: Page, title: str) -> None:
    await page.get_by_role("heading", name=title, exact=True).wait_for()


async def _click(page: Page, role: Literal["button", "link"], caption: str, then: str) -> None:
    await page.get_by_role(role, name=caption, exact=True).click()
    await _screen(page, then)


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def _office(browser: Browser, base: str, ca: Path, office: PreparedOffice) -> None:
    """One renewal on the sandbox's default markup: what a careful person would do, minus the care."""
    pfx = client_pfx(office.office.client_cert, office.client_cert_password, ca)
    context = await browser.new_context(
        client_certificates=[{"origin": base, "pfx": pfx}],
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        accept_downloads=False,
    )
    page = await context.new_page()
    page.on("dialog", _accept)
    oid = office.office.id
    await page.goto(base)
    await _screen(page, Screen.LOGIN)
    await page.fill("[name=loginId]", office.office.login_id)
    await page.fill("[name=password]", office.login_password.get_secret_value())
    await _click(page, "button", Label.LOGIN, Screen.HOME)
    await _click(page, "link", Label.MENU_ORGS, Screen.ORG_SEARCH)
    await page.fill("[name=orgId]", oid)
    await page.get_by_role("button", name=Label.SEARCH, exact=True).click()
    await _click(page, "link", oid, Screen.ORG_DETAIL)
    await _click(page, "button", Label.CERT_REGISTER, Screen.CERT_REGISTER)
    await page.set_input_files(
        "[name=certFile]",
        {"name": office.signing_p12.name, "mimeType": "application/x-pkcs12", "buffer": office.signing_bytes},
    )
    await page.fill("[name=certPassword]", office.pin.get_secret_value())
    await _click(page, "button", Label.CONFIRM, Screen.CERT_DETAIL)
    await _click(page, "button", Label.CERT_UPDATE, Screen.CERT_UPDATE)
    for name, value in (
        ("tradeNameKana", office.trade_name_kana),
        ("holderNameKana", office.holder_name_kana),
        ("postalCode", office.postal_code),
        ("startDate", format_portal_date(office.start_date)),
        ("certPassword", office.pin.get_secret_value()),
    ):
        await page.fill(f"[name={name}]", value)
    await _click(page, "button", Label.CONFIRM, Screen.CERT_DETAIL)
    await _click(page, "button", Label.BACK_TO_LIST, Screen.ORG_DETAIL)
    await _click(page, "link", Label.LOGOUT, Screen.LOGIN)
    await context.close()


async def _run(base: str, ca: Path, offices: list[PreparedOffice], concurrency: int, executable: Path | None) -> float:
    async with async_playwright() as pw:
        exe = executable or find_executable("chromium", pw.chromium.executable_path, headless=True)
        browser = await pw.chromium.launch(headless=True, executable_path=str(exe) if exe else None, args=CHROMIUM_ARGS)
        slots = asyncio.Semaphore(concurrency)

        async def office(o: PreparedOffice) -> None:
            async with slots:
                await _office(browser, base, ca, o)

        started = time.monotonic()
        await asyncio.gather(*(office(o) for o in offices))
        elapsed = time.monotonic() - started
        await browser.close()
        return elapsed


def measure(count: int, latency_ms: int, concurrency: int, executable: Path | None = None) -> dict[str, Any]:
    """One level: a fresh sandbox in its own process, `count` offices renewed by the plain script."""
    with tempfile.TemporaryDirectory(prefix="ainas-job-floor-") as tmp:
        root = Path(tmp)
        options = SandboxOptions(state_dir=root / "sandbox", orgs=count + 40, latency_ms=latency_ms, seed=3)
        with SandboxProcess(options) as portal:
            environ: dict[str, str] = {}
            offices = bench_renew.offices_for(portal.notices, root, count, environ)
            settings = Settings(portal_url=portal.base_url, portal_ca=portal.ca_pem, artifacts_dir=root / "a")
            ready, problems, _ = check_offices(offices, settings, environ, today=today_jst())
            assert not problems, problems
            before = portal.requests_served()
            with ProcessSampler(portal=portal.pid) as sampler:
                elapsed = asyncio.run(_run(portal.base_url, portal.ca_pem, ready, concurrency, executable))
            requests = (portal.requests_served() - before) / count
    return level_figures(count, concurrency, elapsed, requests, latency_ms, sampler.usage)


def main() -> int:
    import bench_floor

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--executable-path", type=Path, help="the browser binary (default: as `renew` finds it)")
    args = parser.parse_args()
    print(
        f"# job floor: {args.offices} offices, {args.latency_ms} ms latency per response, {os.cpu_count()} cores",
        flush=True,
    )
    print_levels(
        bench_floor.HEADER,
        bench_floor.row_cells,
        args.concurrency,
        lambda level: measure(args.offices, args.latency_ms, level, args.executable_path),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
