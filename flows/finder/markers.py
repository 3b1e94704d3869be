"""What page objects look for, in the portal's words: a screen by its title (`Title`), a field by its label
(`Field`), a button by its caption (`Button`), a message (`Text`), a table by its header (`Table`), a layer in
front of the screen by the button that closes it (`Overlay`). Plain values, with no browser behind them:
`flows.finder.locate` decides how each is found."""

from __future__ import annotations

import dataclasses

from ainas_bot.i18n import _

__all__ = ["Button", "Field", "Marker", "Overlay", "Table", "Text", "Title"]


@dataclasses.dataclass(frozen=True)
class Title:
    """A screen, by its title text."""

    texts: tuple[str, ...]

    def __init__(self, *texts: str) -> None:
        object.__setattr__(self, "texts", texts)

    def __str__(self) -> str:
        return _("title {text}").format(text=" / ".join(self.texts))


@dataclasses.dataclass(frozen=True)
class Field:
    """A form control, by its visible label."""

    label: str

    def __str__(self) -> str:
        return _("field {text}").format(text=self.label)


@dataclasses.dataclass(frozen=True)
class Button:
    """A button or link, by its caption."""

    caption: str

    def __str__(self) -> str:
        return _("button {text}").format(text=self.caption)


@dataclasses.dataclass(frozen=True)
class Text:
    """An element showing one of these messages."""

    messages: tuple[str, ...]

    def __init__(self, *messages: str) -> None:
        object.__setattr__(self, "messages", messages)

    def __str__(self) -> str:
        return _("message {text}").format(text=" / ".join(self.messages))


@dataclasses.dataclass(frozen=True)
class Table:
    """A table, by the texts of its header row."""

    columns: tuple[str, ...]

    def __init__(self, *columns: str) -> None:
        object.__setattr__(self, "columns", columns)

    def __str__(self) -> str:
        return _("table with columns {columns}").format(columns=", ".join(self.columns))


@dataclasses.dataclass(frozen=True)
class Overlay:
    """A layer in front of the screen that takes its clicks, by the caption of the button that closes it."""

    captions: tuple[str, ...]

    def __init__(self, *captions: str) -> None:
        object.__setattr__(self, "captions", captions)

    def __str__(self) -> str:
        return _("overlay closed by {captions}").format(captions=" / ".join(self.captions))


Marker = Title | Field | Button | Text | Table | Overlay
