"""The sandbox's own texts: the portal's declared texts (`portal_text.DEFAULTS`) with its `--portal-text`
overrides, built once when it starts and read by its handlers and templates.

The bot applies a run's overrides to `portal_text`'s classes for the length of the run; a sandbox in the same
process (the tests, the demo) must not show them, as a real portal would not. So the sandbox reads
`Screen`, `Label` and `Message` from here: each a view of the texts the serving sandbox holds (its context,
set by `serving`), never of the bot's.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping

from ainas_bot import portal_text as pt

__all__ = ["Label", "Message", "Screen", "lists", "serving"]

_TEXTS: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar("sandbox_texts", default=pt.DEFAULTS)


class _Group:
    """`Label.CERT_REGISTER`: the text of that name which the serving sandbox shows."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> str:
        text = _TEXTS.get().get(f"{self._name}.{attr}")
        if text is None:
            # Not one text (the choices a template lists): only texts are overridden, so the declared one.
            declared: str = getattr(getattr(pt, self._name), attr)
            return declared
        return text


Screen = _Group("Screen")
Label = _Group("Label")
Message = _Group("Message")


def lists() -> dict[str, tuple[str, ...]]:
    """`MENU`, `CERT_TABLE_COLUMNS`, …: the lists of `portal_text.LISTS` in the serving sandbox's texts."""
    texts = _TEXTS.get()
    return {list_name: tuple(texts[name] for name in names) for list_name, names in pt.LISTS.items()}


@contextlib.contextmanager
def serving(overrides: Mapping[str, str]) -> Iterator[None]:
    """The sandbox's texts for the code running within the block (its server's thread and tasks)."""
    token = _TEXTS.set({**pt.DEFAULTS, **overrides})
    try:
        yield
    finally:
        _TEXTS.reset(token)
