"""お知らせ案内検索: the screen after login, with the menu."""

from __future__ import annotations

from ainas_bot.portal_text import Screen
from flows.pages._base import PortalPage

__all__ = ["HomePage"]


class HomePage(PortalPage):
    screen = Screen.HOME
