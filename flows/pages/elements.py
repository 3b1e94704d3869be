"""What a screen has, declared once on its page object by the names of `ainas_bot.portal_text`.

A declaration is a class attribute. Read from the page object it is the finder's marker (or the labels) with
the texts in force at that moment, so that an override (`[portal_text]`, `portal_text.applied`) applies to a run
that started after the import; read from the class it is the declaration itself, which says by which name
the text can be overridden. What `arrive` looks for and reads in the step that finds a screen settled, and
what `ainas-bot probe` checks on it, are both derived from these declarations, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar, overload

from ainas_bot import portal_text
from ainas_bot.portal_text import text_of
from flows.finder.markers import Button, Field, Marker, Table, Title

__all__ = ["Columns", "Declared", "Element", "Fields", "Need", "Row", "Rows", "declared"]

V = TypeVar("V")
M = TypeVar("M", Title, Field, Button)
# Labels by one text's name (`Label.ORG_ID`), by the name of a list in portal_text (`CERT_DETAIL_ROWS`), or
# as a function giving them (a form whose fields another module orders).
LabelSource = str | Callable[[], tuple[str, ...]]
_KIND_NAMES: dict[type[Any], str] = {Title: "title", Field: "field", Button: "button"}


@dataclasses.dataclass(frozen=True)
class Need:
    """One thing a screen has, with its text in force now: what kind (`title`, `field`, `button`, `table`,
    `row`), the portal_text name to override it by, and whether the update cannot do without it."""

    what: str
    name: str
    text: str
    required: bool = True
    marker: Marker | None = None  # how the finder looks for it; None for a key/value row


class Declared(Generic[V]):
    """A declaration: on the class, itself; on a page object, what it is on the screen now (`now`)."""

    required = True

    def now(self) -> V:
        raise NotImplementedError

    def needs(self) -> tuple[Need, ...]:
        raise NotImplementedError

    @overload
    def __get__(self, page: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, page: object, owner: type[Any]) -> V: ...

    def __get__(self, page: object, owner: type[Any]) -> Self | V:
        return self if page is None else self.now()


class Element(Declared[M]):
    """A title, field or button, by its text's name: `Element(Button, "Label.CONFIRM")`."""

    def __init__(self, kind: type[M], name: str, *, required: bool = True) -> None:
        self.kind: type[M] = kind
        self.name = name
        self.required = required

    def now(self) -> M:
        return self.kind(text_of(self.name))

    def needs(self) -> tuple[Need, ...]:
        marker = self.now()
        return (Need(_KIND_NAMES[self.kind], self.name, text_of(self.name), self.required, marker),)


class Fields(Declared[tuple[Field, ...]]):
    """Several form fields by their labels (`Fields(UpdateForm.labels)`), in the order they are typed."""

    def __init__(self, labels: LabelSource, *, required: bool = True) -> None:
        self.labels, self.required = labels, required

    def now(self) -> tuple[Field, ...]:
        return tuple(Field(text) for _name, text in _labels(self.labels))

    def needs(self) -> tuple[Need, ...]:
        return tuple(Need("field", name, text, self.required, Field(text)) for name, text in _labels(self.labels))


class Row(Declared[str]):
    """A key/value row read by its label's name (`Row("Label.ORG_ID")`): on a page object, the label."""

    def __init__(self, name: str, *, required: bool = True) -> None:
        self.name, self.required = name, required

    def now(self) -> str:
        return text_of(self.name)

    def needs(self) -> tuple[Need, ...]:
        return (Need("row", self.name, self.now(), self.required),)


class Rows(Declared[tuple[str, ...]]):
    """Key/value rows read together (`Rows("CERT_DETAIL_ROWS")`): on a page object, their labels."""

    def __init__(self, labels: LabelSource, *, required: bool = True) -> None:
        self.labels, self.required = labels, required

    def now(self) -> tuple[str, ...]:
        return tuple(text for _name, text in _labels(self.labels))

    def needs(self) -> tuple[Need, ...]:
        return tuple(Need("row", name, text, self.required) for name, text in _labels(self.labels))


class Columns(Declared[Table]):
    """A table by the name of its list of column headers in portal_text (`Columns("CERT_TABLE_COLUMNS")`)."""

    def __init__(self, name: str, *, required: bool = True) -> None:
        self.name, self.required = name, required

    def now(self) -> Table:
        columns: tuple[str, ...] = getattr(portal_text, self.name)
        return Table(*columns)

    def needs(self) -> tuple[Need, ...]:
        table = self.now()
        return (Need("table", self.name, " | ".join(table.columns), self.required, table),)


def declared(cls: type, *, besides: type | None = None) -> list[Declared[Any]]:
    """The declarations of `cls` and its bases, the bases' first, in the order written; without those of
    `besides` and its bases. A name declared again in a subclass keeps its place and takes the new value."""
    found: dict[str, tuple[type, Declared[Any]]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, Declared):
                found[attr] = (klass, value)
    skipped = besides.__mro__ if besides is not None else ()
    return [value for klass, value in found.values() if klass not in skipped]


def _labels(source: LabelSource) -> tuple[tuple[str, str], ...]:
    """(name, text in force now) of each label `source` stands for."""
    if callable(source):
        return tuple((_name_of(text), text) for text in source())
    if "." in source:
        return ((source, text_of(source)),)
    texts: tuple[str, ...] = getattr(portal_text, source)
    return tuple((_name_of(text), text) for text in texts)


def _name_of(label: str) -> str:
    """The name a label's text is overridden by (`Label.EXPIRY`), found by its text in force now."""
    names = (name for name in portal_text.known_names() if name.startswith("Label.") and text_of(name) == label)
    return next(names, "Label.?")
