"""The screenshot of the web console's office list in docs/:

    .venv/bin/python docs/web_screenshot.py docs/web-console.png


Starts a sandbox portal in a temporary folder, makes five offices the way the tests do (one renewed through the
console, one whose .p12 folder is empty, one whose certificate ends within 30 days, two waiting), serves the console
in Japanese and photographs オフィス一覧 with its calendar in headless Chromium (1280×900).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from ainas_bot.config.browsers import find_executable  # noqa: E402
from ainas_bot.foundation.jst import today_jst  # noqa: E402
from ainas_bot.i18n import use_language  # noqa: E402
from ainas_bot.sandbox import Sandbox, SandboxOptions  # noqa: E402
from ainas_bot.web.console import Console  # noqa: E402
from ainas_bot.web.server import served  # noqa: E402
from tests.fixtures_flow import FlowWorld, OfficeKit  # noqa: E402

_WIDTH, _HEIGHT = 1280, 900
_ORDER_IN_DAYS = 25  # within the 30-day reminder: the row shows 今すぐ発注


def _ending_in(world: FlowWorld, days: int) -> OfficeKit:
    """An office whose local certificate ends in `days`, the one in force on the portal ending earlier (as
    tests/test_notify_cli.py `_ending_before` picks it), so nothing newer is on disk and it is time to order."""
    day = today_jst() + dt.timedelta(days=days)
    notice = next(
        n
        for n in world._free
        if max(dt.date.fromisoformat(c["not_after"]) for c in world.certificates(n.org_id) if c["status"] == "active")
        < day
    )
    world._free.remove(notice)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=700)
    return world.make_office(notice, cert={"not_before": start, "valid_days": 700 + days})


def _renew(console: Console, office_ids: list[str]) -> None:
    """One renewal through the console's own runs, as the 更新する button starts it; waits for its end."""
    run = console.runs.start("renew", [o for o in console.offices() if o.id in office_ids], {})
    deadline = time.monotonic() + 300
    while not run.finished:
        if time.monotonic() > deadline:
            raise SystemExit("the renewal did not end within 300 s")
        run.wait_beyond(len(run.events), 5.0)
    if run.error or run.result is None:
        raise SystemExit(f"the renewal stopped: {run.error}")
    print("renewal:", "; ".join(f"office {o.office_id} {o.status}" for o in run.result.outcomes))


def _photograph(url: str, out: Path) -> None:
    exe = find_executable("chromium", None, headless=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(exe) if exe else None)
        try:
            page = browser.new_page(viewport={"width": _WIDTH, "height": _HEIGHT}, locale="ja-JP")
            page.goto(url)
            page.locator("tr[data-office]").first.wait_for()
            calendar = page.frame_locator("iframe.calendar").locator("body")
            calendar.wait_for()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: web_screenshot.py OUT.png", file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="ainas-screenshot-") as tmp:
        root = Path(tmp)
        with Sandbox(SandboxOptions(state_dir=root / "sandbox", orgs=40, seed=7)) as sandbox:
            world = FlowWorld(sandbox, root)
            renewed, empty, ending = world.make_office(), world.make_office(), _ending_in(world, _ORDER_IN_DAYS)
            waiting = [world.make_office(), world.make_office()]
            kits = [renewed, empty, ending, *waiting]
            folder = root / "drop" / empty.office.id
            folder.mkdir(parents=True, mode=0o700)  # the .p12 folder of an office, nothing dropped into it yet
            offices = [k.office for k in kits]
            offices[1] = empty.office.model_copy(update={"signing_cert": folder})
            settings = world.settings(
                offices=offices,
                audit_log=root / "audit.jsonl",
                artifacts_dir=root / "artifacts",
                lock_file=root / "ainas-bot.lock",
            )
            environ = {name: value for k in kits for name, value in k.environ.items()}
            use_language("ja")
            console = Console(settings, environ)
            _renew(console, [renewed.office.id, empty.office.id])
            with served(console) as running:
                _photograph(running.url, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
