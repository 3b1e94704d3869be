"""Finding things on a portal screen as a person does: by what is written on it, whatever the markup.

Page objects say *what* they look for, in the portal's words (`Title`, `Field`, `Button`, `Text`, `Table`, from
`flows.finder.markers`); this module decides *how*. A screen is known by its title text wherever it stands (a
heading, a `<div>`, a layout cell); a field by its visible label (a `<label>`, the th or td key cell before it
in the same row, the text just before it); a button or link by its caption, whatever the element (`button`,
`input` submit/button/image, `a`, anything clickable), icon glyphs around it ignored; a table by the texts of
its header row, th or td. Key/value rows are read from the innermost key cell.

Every comparison goes through one normaliser, `normalise` (NFKC, the wave dashes and hyphens made
one, every kind of space and line break removed), kept with the date parsing in `flows.finder.text` so that
the decisions can use it without a browser. The in-page half is `finder.js`, a Playwright
selector engine registered as `ainas`, built from the same rules (`RULES`); a test holds the two
halves to the same answers. The scripts that call it in the page are the `.js` files beside it
(`flows.finder.js`). Dates are parsed (`portal_date`), never compared as strings.
"""

from __future__ import annotations

import contextlib
import json
import weakref
from typing import Any
from urllib.parse import quote, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Locator, Page, Playwright

from flows.finder.js import call, source
from flows.finder.markers import Button, Field, Marker, Overlay, Table, Text, Title
from flows.finder.text import RULES, caption_core, normalise, portal_date, portal_datetime

__all__ = [
    "ENGINE",
    "LEFT_MARK",
    "LIBRARY",
    "READ_SCREEN",
    "Button",
    "Field",
    "Marker",
    "Overlay",
    "Table",
    "Text",
    "Title",
    "caption_core",
    "cell_texts",
    "explain",
    "locate",
    "locate_anywhere",
    "normalise",
    "portal_date",
    "portal_datetime",
    "read_pairs",
    "read_table",
    "register",
    "row_text",
    "screen_frames",
    "screen_query",
    "seen_on_screen",
    "table_rows",
]

ENGINE = "ainas"
LIBRARY = call(source(__file__, "finder.js"), RULES)
_ON_ELEMENT = source(__file__, "element.js", LIBRARY=LIBRARY)
_OVER_WINDOW = source(__file__, "window.js", LIBRARY=LIBRARY)


def _selector(kind: str, args: tuple[str, ...]) -> str:
    return f"{ENGINE}={kind}:{quote(json.dumps(list(args), ensure_ascii=False), safe='')}"


def locate(scope: Page | Frame | Locator, marker: Marker) -> Locator:
    """The elements on screen that are `marker` (in one frame: `locate_anywhere` looks in them all)."""
    return scope.locator(f"{ENGINE}={screen_query(marker)}")


def screen_frames(page: Page) -> list[Frame]:
    """The frames of the window a person sees as one screen: its own, then those of the same origin."""
    main = page.main_frame
    origin = _origin(main.url)
    return [
        main,
        *(f for f in page.frames if f is not main and not f.is_detached() and _origin(f.url) in (origin, "null")),
    ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else "null"


async def locate_anywhere(page: Page, marker: Marker) -> Locator:
    """`marker` in whichever frame of the window shows it (the window's own when none does)."""
    frames = screen_frames(page)
    if len(frames) > 1:
        for frame in frames:
            found = locate(frame, marker)
            with contextlib.suppress(PlaywrightError):  # a frame navigating away meanwhile has none
                if await found.count():
                    return found
    return locate(page, marker)


_INSTALLED: weakref.WeakSet[Playwright] = weakref.WeakSet()


async def register(pw: Playwright) -> None:
    """Register the selector engine with this Playwright, before its contexts are made; idempotent."""
    if pw in _INSTALLED:
        return
    # In Playwright's isolated world, where its own actions run: an element found there needs no adopting
    # across worlds for the click or fill (two protocol round trips each), and the portal's own scripts (a
    # prototype library patching Array, a replaced String.prototype.normalize) cannot change what the finder
    # sees.
    await pw.selectors.register(ENGINE, LIBRARY, content_script=True)
    _INSTALLED.add(pw)


# --- reading a settled screen --------------------------------------------------------------------
async def read_table(
    table: Locator, columns: tuple[str, ...], *, timeout_ms: float
) -> list[tuple[int, dict[str, str]]]:
    """The rows below the header row: (row index in the table, column → text as shown)."""
    rows: list[dict[str, Any]] = await table.evaluate(
        _ON_ELEMENT, {"name": "readTable", "args": [list(columns)]}, timeout=timeout_ms
    )
    return table_rows(rows)


async def row_text(field: Locator) -> str:
    """The text of the form row `field` is in: its label, and what the portal shows beside it."""
    text: str = await field.evaluate(_ON_ELEMENT, {"name": "rowText", "args": []})
    return text


async def _over_window(page: Page, name: str, *args: object) -> Any:
    """The finder library's function `name` over every frame's document of the window, with `args`."""
    return await page.evaluate(_OVER_WINDOW, {"name": name, "args": list(args)})


async def read_pairs(page: Page, labels: tuple[str, ...]) -> dict[str, str | None]:
    """Key/value rows: label → the value shown beside it (None when the screen has no such label)."""
    pairs: dict[str, str | None] = await _over_window(page, "readPairs", list(labels))
    return pairs


def _kind_and_args(marker: Marker) -> tuple[str, list[str]]:
    match marker:
        case Title(texts=texts):
            return "title", list(texts)
        case Field(label=label):
            return "field", [label]
        case Button(caption=caption):
            return "button", [caption]
        case Text(messages=messages):
            return "text", list(messages)
        case Table(columns=columns):
            return "table", list(columns)
        case Overlay(captions=captions):
            return "overlay", list(captions)
    raise TypeError(marker)


async def explain(page: Page, marker: Marker) -> str | None:
    """How `marker` is found on the screen, in words (`header cell <td>, <input type=text>`); None if not."""
    kind, args = _kind_and_args(marker)
    how: str | None = await _over_window(page, "explain", kind, args)
    return how


async def cell_texts(page: Page) -> list[str]:
    """Texts of the header and key cells and labels on the screen (what a missing label may be called now)."""
    texts: list[str] = await _over_window(page, "cellTexts")
    return texts


async def seen_on_screen(page: Page) -> dict[str, list[str]]:
    """Title-like texts and button captions on the screen, for a message naming what was there instead."""
    seen: dict[str, list[str]] = await _over_window(page, "seen")
    return seen


# --- what `arrive` reads of a settled screen, in the step that found it settled ----------------------
def screen_query(marker: Marker) -> str:
    """`marker` as the engine's own query (what `locate` gives Playwright after `ainas=`)."""
    kind, args = _kind_and_args(marker)
    return _selector(kind, tuple(args)).removeprefix(f"{ENGINE}=")


# What `arrive` hands `Tab.settle`: the reader of a settled screen (read_screen.js), given the mark of a
# document the bot has left (`flows.finder.tab.Tab.leaving`).
LEFT_MARK = "__ainasLeft"
READ_SCREEN = call(source(__file__, "read_screen.js", LIBRARY=LIBRARY), LEFT_MARK)


def table_rows(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, str]]]:
    """The rows `readTable` answers, as `read_table` gives them."""
    return [(int(row["index"]), {str(k): str(v) for k, v in row["cells"].items()}) for row in rows]
