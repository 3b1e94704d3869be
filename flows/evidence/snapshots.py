"""What `ainas-bot probe --snapshots DIR` keeps of each screen: its HTML and a screenshot, for the maintainers.

Every value that came from the settings or the secrets (login ID, password, client certificate password),
every form value and every session identifier in a URL is removed before anything is written; the
folder and its files are the owner's only.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import quote, quote_plus

from playwright.async_api import Page

from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.i18n import _
from flows.finder.locate import Text, locate, screen_frames

__all__ = ["Snapshots"]

REMOVED = "[removed]"
_WITHOUT_VALUES = Path(__file__).with_name("without_values.js").read_text(encoding="utf-8")
_SESSION_IN_URL = re.compile(r"(;jsessionid=)[^\"'?#&\s<>;]*", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^\w\-]+")


class Snapshots:
    """A folder of per-screen HTML and screenshots with the given secrets removed."""

    def __init__(self, folder: Path, secrets: list[str]) -> None:
        self.folder = folder
        self.secrets = [s for s in secrets if s]
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                _("--snapshots {folder}: cannot create the folder ({reason})").format(
                    folder=folder, reason=exc.strerror
                )
            ) from None
        if folder.is_symlink() or not folder.is_dir():
            raise ConfigError(_("--snapshots {folder}: not a folder").format(folder=folder))
        if folder.stat().st_uid == os.getuid():
            folder.chmod(0o700)
        self.written: list[Path] = []

    def scrub(self, text: str) -> str:
        """`text` without any secret, in any of the forms a page carries it (escaped, URL-encoded, JSON)."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in {secret, html.escape(secret), quote(secret), quote_plus(secret), json.dumps(secret)[1:-1]}:
                text = text.replace(form, REMOVED)
        return _SESSION_IN_URL.sub(rf"\g<1>{REMOVED}", text)

    async def keep(self, page: Page, index: int, screen: str) -> None:
        base = f"{index:02d}-{_UNSAFE_NAME.sub('_', screen) or 'screen'}"
        document: str = await page.evaluate(_WITHOUT_VALUES)
        self._write(f"{base}.html", self.scrub(document).encode("utf-8"))
        mask = []
        for frame in screen_frames(page):  # a screen in a frame shows its inputs in the same picture
            mask.append(frame.locator("input, textarea, select"))
            if self.secrets:
                mask.append(locate(frame, Text(*self.secrets)))
        self._write(f"{base}.png", await page.screenshot(full_page=True, mask=mask))

    def _write(self, name: str, data: bytes) -> None:
        path = self.folder / name
        write_private(path, data, what="snapshot")
        self.written.append(path)
