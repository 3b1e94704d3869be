"""The files the console links to: the run reports, and a failure's artifacts, served only from the folders the
settings name, never through a link; what is not an image is downloaded, never rendered under the console."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import quote

from starlette.responses import FileResponse, PlainTextResponse, Response

from ainas_bot.config.settings import Settings
from ainas_bot.i18n import _

__all__ = ["file_under", "relative", "reports"]


def reports(settings: Settings) -> list[Path]:
    """The newest fifty JSON reports of scheduled runs, newest first."""
    folder = settings.report_dir or settings.artifacts_dir
    try:
        found = [p for p in folder.glob("report-*.json") if p.is_file() and not p.is_symlink()]
    except OSError:
        return []
    return sorted(found, reverse=True)[:50]


def relative(path: Path, settings: Settings) -> str:
    """A file's address under /files/, relative to the artifacts or report folder it lies in."""
    for root in filter(None, (settings.artifacts_dir, settings.report_dir)):
        with contextlib.suppress(ValueError, OSError):
            return quote(str(path.resolve().relative_to(root.resolve())))
    return ""


def file_under(name: str, settings: Settings) -> Response:
    """A report or a failure's artifact, only from the artifacts or report folder, never through a link."""
    for root in filter(None, (settings.artifacts_dir, settings.report_dir)):
        try:  # a NUL, a name longer than the system takes, a loop of links: no such file either
            base = root.resolve()
            path = (base / name).resolve()
            found = path.is_relative_to(base) and path.is_file() and not (base / name).is_symlink()
        except (OSError, ValueError, RuntimeError):
            found = False
        if found:
            # A failure's screenshot is shown; its HTML (the portal's page) and trace are downloaded, never rendered
            # under this console's address.
            shown = path.suffix.lower() in (".png", ".jpg", ".jpeg", ".json")
            return FileResponse(path, headers={"Content-Disposition": "inline" if shown else "attachment"})
    return PlainTextResponse(_("no such file"), status_code=404)
