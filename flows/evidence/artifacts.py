"""What is kept of a failing screen: a screenshot, the page HTML and the trace, owner-only."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from ainas_bot.errors import OutputError
from ainas_bot.foundation.jst import now_jst
from ainas_bot.foundation.safe_files import child_path, make_private_dir, write_private
from ainas_bot.i18n import _
from flows.finder.locate import screen_frames

__all__ = ["save_failure_artifacts"]

log = logging.getLogger(__name__)


async def save_failure_artifacts(
    page: Page, context: BrowserContext, tracing: bool, artifacts_dir: str, office_id: str
) -> list[str]:
    stamp = now_jst().strftime("%Y%m%dT%H%M%S%f%z")  # Japan time, as every time a person reads
    # The office ID is digits (settings), and child_path refuses anything that would leave artifacts_dir.
    saved: list[str] = []
    try:
        folder = child_path(Path(artifacts_dir), f"{stamp}-{office_id}")
        make_private_dir(folder)  # artifacts_dir too, when this creates it; never an existing folder's mode
    except OutputError as exc:
        # The office's own failure is what its outcome must say; a full disk here is logged beside it.
        log.warning(
            "%s", _("could not keep the failing screen of {office}: {error}").format(office=office_id, error=exc)
        )
        return saved
    try:
        # A password typed but not yet posted is still in its field: empty every one first.
        frames = screen_frames(page)
        for frame in frames:
            for field in await frame.locator("input[type=password]").all():
                await field.fill("", timeout=2000)
        # Owner-only: artifacts may show personal data.
        write_private(folder / "screen.png", await page.screenshot(full_page=True, timeout=10_000), what="artifact")
        saved.append(str(folder / "screen.png"))
        write_private(folder / "page.html", (await page.content()).encode("utf-8"), what="artifact")
        saved.append(str(folder / "page.html"))
        for number, frame in enumerate(frames[1:], start=1):  # the screen of a frameset is in its frames
            name = folder / f"frame-{number}.html"
            write_private(name, (await frame.content()).encode("utf-8"), what="artifact")
            saved.append(str(name))
    except (PlaywrightError, OutputError, OSError) as exc:
        log.info("could not save the failing screen of %s: %s", office_id, exc)
    if tracing:
        trace = folder / "trace.zip"
        try:
            await context.tracing.stop(path=trace)  # the caller's tracer then has nothing left to stop
            os.chmod(trace, 0o600)
            saved.append(str(trace))
        except (PlaywrightError, OSError) as exc:
            log.info("could not save the trace of %s: %s", office_id, exc)
    return saved
