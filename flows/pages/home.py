"""お知らせ案内検索: the screen after login, with the menu."""

from __future__ import annotations

from flows.pages.base import PortalPage

__all__ = ["HomePage"]


class HomePage(PortalPage):
    screen_name = "HOME"
