"""A page of Chromium to work on, set up as the bot's own contexts are, for tests of in-page code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Page, async_playwright

from ainas_bot.config.browsers import find_executable
from flows.finder import locate as finder
from flows.finder.tab import SCRIPT_WATCH
from tests.fixtures_async import run_async

__all__ = ["in_chromium"]


def in_chromium(work: Callable[[Page], Awaitable[None]], *, watch_scripts: bool = False) -> None:
    """`work` on a fresh page of headless Chromium, the finder's selector engine registered."""

    async def main() -> None:
        async with async_playwright() as pw:
            await finder.register(pw)
            exe = find_executable("chromium", pw.chromium.executable_path, headless=True)
            browser = await pw.chromium.launch(executable_path=str(exe) if exe else None)
            try:
                context = await browser.new_context()
                if watch_scripts:  # as `flows.browser.launch.office_context` does
                    await context.add_init_script(script=SCRIPT_WATCH)
                await work(await context.new_page())
            finally:
                await browser.close()

    run_async(main())
