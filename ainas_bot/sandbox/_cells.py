"""Titles, key cells, table headers and form labels in the markup shapes of `_markup` (`mk.…` in templates).

Without a shape each method writes exactly the markup the templates wrote before the shapes existed.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from ainas_bot.sandbox import _texts as texts

__all__ = ["Cells"]

L = texts.Label
# halfwidth-labels: how the manual's extracted text writes these labels; no consistency on purpose, since a
# portal built from such a text is inconsistent too. Every other label only has its spaces made &nbsp;.
_HALFWIDTH = {
    L.TRADE_NAME_KANJI: "屋号 (漢字)",
    L.TRADE_NAME_KANA: "屋号\xa0(カナ)",
    L.HOLDER_NAME_KANA: "氏名又は代表者名 (カナ)",
    L.HOLDER_NAME_KANJI: "氏名又は代表者名\xa0(漢字)",
    L.ORG_SHORT_NAME: "代理人組織名 (略称)",
    L.ADDRESS_STREET: "住所（都道府県\u301c番地）",  # WAVE DASH, as JIS writes 〜, for the FULLWIDTH TILDE
    L.ADDRESS_BUILDING: "住所 (建物名等)",
}
# wrapped-labels: the part before the <br> of each long label (the rest follows it, spaces dropped).
_WRAP_AFTER = {
    L.HOLDER_NAME_KANA: "氏名又は代表者名",
    L.HOLDER_NAME_KANJI: "氏名又は代表者名",
    L.ADDRESS_STREET: "住所",
    L.EXPIRY: "証明書",
}
# wrapped-labels: what follows the label of these form fields (both kinds of required mark, on purpose).
_MARKS = {
    "loginId": Markup("："),
    "password": Markup("："),
    "certFile": Markup('<span class="req">※</span>'),
    "certPassword": Markup('<span class="req">必須</span>'),
    "tradeNameKana": Markup('<span class="req">※</span>'),
    "holderNameKana": Markup('<span class="req">※</span>'),
    "postalCode": Markup('<span class="req">必須</span>'),
    "startDate": Markup('<span class="req">※</span>'),
}


def _nbsp(text: str) -> Markup:
    return escape(text).replace("\xa0", Markup("&nbsp;"))


class Cells:
    def __init__(self, shapes: frozenset[str]) -> None:
        self.shapes = shapes
        self.layout = "layout-tables" in shapes

    def on(self, shape: str) -> bool:
        return shape in self.shapes

    def text(self, label: str) -> Markup:
        """A label as the shapes write it (default: escaped as is)."""
        shown = label
        if self.on("halfwidth-labels"):
            shown = _HALFWIDTH.get(label, label.replace(" ", "\xa0"))
        head = _WRAP_AFTER.get(label)
        if self.on("wrapped-labels") and head is not None and shown.startswith(head):
            return _nbsp(head) + Markup("<br>") + _nbsp(shown[len(head) :].lstrip(" \xa0"))
        return _nbsp(shown)

    def title(self, text: str) -> Markup:
        if self.on("div-titles"):
            return Markup('<div class="title">{}</div>').format(text)
        return Markup("<h2>{}</h2>").format(text)

    def login_title(self, text: str) -> Markup:
        if self.on("div-titles"):
            return Markup('<div class="login-title">{}</div>').format(text)
        return Markup('<h1 class="login-title">{}</h1>').format(text)

    def key(self, label: str) -> Markup:
        """The key cell of a key/value row."""
        if self.on("td-keys"):
            return Markup('<td class="key">{}</td>').format(self.text(label))
        return Markup("<th>{}</th>").format(self.text(label))

    def heads(self, columns: Iterable[str]) -> Markup:
        """A list table's header row (td-keys: a plain row of <td class="head">, no <thead>)."""
        if self.on("td-keys"):
            return Markup("<tr>{}</tr>").format(
                Markup("").join(Markup('<td class="head">{}</td>').format(self.text(c)) for c in columns)
            )
        return Markup("<thead><tr>{}</tr></thead>").format(
            Markup("").join(Markup("<th>{}</th>").format(self.text(c)) for c in columns)
        )

    def tbody(self, *, end: bool = False) -> Markup:
        """The explicit <tbody> (or its end) around a list's rows; td-keys writes none."""
        return Markup("") if self.on("td-keys") else Markup("</tbody>") if end else Markup("<tbody>")

    def field(self, label: str, for_id: str | None = None) -> Markup:
        """The label cell of a form row (`for_id` None: a group such as radio buttons, never a <label>)."""
        inner = self.text(label)
        if self.on("wrapped-labels") and for_id in _MARKS:
            inner += _MARKS[for_id]
        if for_id is not None and not self.on("no-labels"):
            inner = Markup('<label for="{}">{}</label>').format(for_id, inner)
        if self.on("td-keys"):
            return Markup('<td class="label">{}</td>').format(inner)
        return Markup("<th>{}</th>").format(inner)

    def choice(self, for_id: str, text: str) -> Markup:
        """The caption after a radio button: its <label>, or plain text with no-labels."""
        if self.on("no-labels"):
            return escape(text)
        return Markup('<label for="{}">{}</label>').format(for_id, text)
