"""How the bot launches Chromium: Playwright's own switches kept, the per-window popup page gone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ainas_bot.config.browsers import debian_executable, find_executable
from flows.browser.chromium import CHROMIUM_ARGS, UNSHOWN_POPUP_FEATURES

pytestmark = pytest.mark.e2e

# Run in a process of its own, so that every renderer below it belongs to this one launch.
_PROBE = textwrap.dedent("""
    import asyncio, json, sys
    import psutil
    from playwright.async_api import async_playwright

    async def main():
        executable, args = sys.argv[1], json.loads(sys.argv[2])
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=args)
            for _ in range(2):
                page = await (await browser.new_context()).new_page()
                await page.set_content("<p>x</p>")
            cdp = await browser.new_browser_cdp_session()
            urls = [t["url"] for t in (await cdp.send("Target.getTargets"))["targetInfos"]]
            disabled, renderers = set(), 0
            for process in psutil.Process().children(recursive=True):
                try:  # a renderer may rewrite its command line as one string: split it again
                    words = " ".join(process.cmdline()).split()
                except psutil.Error:
                    continue
                if "--type=renderer" in words:
                    renderers += 1
                    for word in words:
                        if word.startswith("--disable-features="):
                            disabled |= set(word.split("=", 1)[1].split(","))
            await browser.close()
        print(json.dumps({"urls": urls, "disabled": sorted(disabled), "renderers": renderers}))

    asyncio.run(main())
""")


def _probe(args: list[str], exe: Path | None) -> dict[str, Any]:
    if exe is None:
        pytest.fail("Chromium is not installed (./bootstrap.sh setup installs it)")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(exe), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_bot_keeps_playwrights_disabled_features_and_drops_the_popup_pages() -> None:
    # The full browser: what runs headed, or headless where the headless shell is not installed.
    full = debian_executable("chromium")
    plain = _probe([], full)
    ours = _probe(CHROMIUM_ARGS, full)
    # Without the switch, each context's window has its popup page: the premise of the switch.
    assert any("omnibox-popup" in str(url) for url in plain["urls"])
    assert not any("omnibox-popup" in str(url) for url in ours["urls"])
    assert ours["renderers"] < plain["renderers"]
    missing = set(plain["disabled"]) - set(ours["disabled"])
    assert not missing, f"Playwright disables {sorted(missing)} too: add them to PLAYWRIGHT_DISABLED_FEATURES"
    assert set(UNSHOWN_POPUP_FEATURES) <= set(ours["disabled"])


def test_headless_runs_take_the_headless_shell_with_one_renderer_per_context() -> None:
    shell = find_executable("chromium")
    assert shell is not None and shell.name == "chromium-headless-shell", (
        f"headless Chromium is {shell}; ./bootstrap.sh setup installs Debian's chromium-headless-shell"
    )
    assert find_executable("chromium", headless=False) == debian_executable("chromium")
    plain = _probe([], debian_executable("chromium"))
    ours = _probe(CHROMIUM_ARGS, shell)
    assert not any("omnibox-popup" in str(url) for url in ours["urls"])
    assert ours["renderers"] == 2  # the two contexts' pages, nothing else
    missing = set(plain["disabled"]) - set(ours["disabled"])
    assert not missing, f"Playwright disables {sorted(missing)} too: add them to PLAYWRIGHT_DISABLED_FEATURES"
