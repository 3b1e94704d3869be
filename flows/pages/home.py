"""お知らせ案内検索: the screen after login, with the menu."""

from __future__ import annotations

from typing import ClassVar

from flows.pages.base import MenuPage

__all__ = ["HomePage"]


class HomePage(MenuPage):
    screen_name = "HOME"
    known_by_title: ClassVar[bool] = False  # it is known by the ログアウト every screen after the login has
