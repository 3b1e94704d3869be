"""Buttons and links in the markup shapes of `_markup`: `Kit` is the `mk` of every template (with `Cells`)."""

from __future__ import annotations

import base64

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._cells import Cells

__all__ = ["POPUP_NAME", "Kit"]

L, M = texts.Label, texts.Message
POPUP_NAME = "certRegister"
_POPUP_FEATURES = "width=760,height=560,resizable=yes,scrollbars=yes"


def _svg(text: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode()


# An image button of a magnifier (input-buttons' 検索: its name is only its alt text) and a pencil icon.
_SEARCH_IMAGE = _svg(
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="22"><rect x=".5" y=".5" width="63" height="21" '
    'rx="3" fill="#e5e7eb" stroke="#6b7280"/><circle cx="29" cy="10" r="5" fill="none" stroke="#1f2937" '
    'stroke-width="2"/><path d="M33 14l5 5" stroke="#1f2937" stroke-width="2"/></svg>'
)
_PENCIL = _svg(
    '<svg xmlns="http://www.w3.org/2000/svg" width="12" height="12"><path d="M1 11l1-4 6-6 3 3-6 6z" '
    'fill="#374151"/></svg>'
)
# icon-buttons: caption -> (kind, glyph, caption without its glyph). The manual draws + and ↑ before two
# captions, and Q beside 検索; the kinds are mixed as a portal grown over years mixes them. The font
# glyphs are private-use characters of an icon font the page does not have.
_ICONS = {
    L.CERT_REGISTER: ("span", "+", L.CERT_REGISTER.removeprefix("+ ")),
    L.BACK_TO_LIST: ("font", "\ue0a1", L.BACK_TO_LIST.removeprefix("↑ ")),
    L.SEARCH: ("search", "Q", L.SEARCH),
    L.CONFIRM: ("span", "✔", L.CONFIRM),
    L.LOGIN: ("span", "▶", L.LOGIN),
    L.CERT_UPDATE: ("img", _PENCIL, L.CERT_UPDATE),
    L.BACK: ("font", "\ue0a2", L.BACK),
}
_GLYPH = {
    "span": Markup('<span class="icon">{}</span> {}'),
    "font": Markup('<i class="ic">{}</i> {}'),
    "search": Markup('<span class="icon-search">{}</span> {}'),
    "img": Markup('<img src="{}" alt="" class="icon"> {}'),
}


def _js(value: str) -> Markup:
    """A JavaScript string literal safe in a single-quoted attribute (what the templates' `tojson` writes)."""
    return htmlsafe_json_dumps(value)


class Kit(Cells):
    """What templates write through `mk`: the shapes' cells (Cells) and their buttons and links."""

    @property
    def frames(self) -> str:
        """The shape that shows the screens in a frame named `main` (frameset wins over iframe), or ""."""
        return "frameset" if self.on("frameset") else "iframe" if self.on("iframe") else ""

    @property
    def popup_register(self) -> bool:
        return self.on("popup-register") or self.on("popup-register-org")

    @property
    def xhr_tables(self) -> bool:
        """Whether the search results and the certificate table come by XMLHttpRequest."""
        return self.on("late-tables") or self.on("timer-tables")

    def caption(self, label: str) -> Markup:
        icon = _ICONS.get(label) if self.on("icon-buttons") else None
        if icon is None:
            return Markup("{}").format(label)
        kind, glyph, text = icon
        return _GLYPH[kind].format(glyph, text)

    def value(self, label: str) -> str:
        """An input button's caption: its glyph as text, since an <input> holds no element."""
        icon = _ICONS.get(label) if self.on("icon-buttons") else None
        return label if icon is None or icon[0] == "img" else f"{icon[1]} {icon[2]}"

    def confirm_text(self, default: str | None) -> str | None:
        """The wording of a 確定's dialog: js-confirm's generic one, else the screen's own (None: no dialog)."""
        return M.CONFIRM_SUBMIT if self.on("js-confirm") else default

    def onsubmit(self, default: str | None = None) -> Markup:
        """` onsubmit=…` asking before a 確定 posts (cancelling posts nothing), or nothing."""
        text = self.confirm_text(default)
        return Markup(" onsubmit='return confirm({})'").format(_js(text)) if text else Markup("")

    def submit(self, label: str, name: str | None = None, value: str = "1") -> Markup:
        named = Markup(' name="{}"').format(name) if name else Markup("")
        if self.on("input-buttons"):
            if label == L.SEARCH:
                return Markup('<input type="image"{} src="{}" alt="{}" class="search">').format(
                    named, _SEARCH_IMAGE, label
                )
            return Markup('<input type="submit"{} value="{}">').format(named, self.value(label))
        if name:
            named += Markup(' value="{}"').format(value)
        return Markup('<button type="submit"{}>{}</button>').format(named, self.caption(label))

    def _button(self, label: str, onclick: Markup) -> Markup:
        if self.on("input-buttons"):
            return Markup('<input type="button" value="{}" onclick=\'{}\'>').format(self.value(label), onclick)
        return Markup("<button type=\"button\" onclick='{}'>{}</button>").format(onclick, self.caption(label))

    def nav(self, label: str, url: str) -> Markup:
        """A button that goes to `url`."""
        return self._button(label, Markup("location.href={}").format(_js(url)))

    def call(self, label: str, function: str) -> Markup:
        """A button that calls the page's (or the window's) function `function`, such as `window.close`."""
        return self._button(label, Markup("{}()").format(function))

    def register(self, url: str) -> Markup:
        """`+ 代理人証明書登録`: a plain button, or with a popup shape one that opens the form in a new window."""
        if not self.popup_register:
            return self.nav(L.CERT_REGISTER, url)
        return self._button(
            L.CERT_REGISTER, Markup("window.open({}, {}, {})").format(_js(url), _js(POPUP_NAME), _js(_POPUP_FEATURES))
        )

    def browse(self) -> Markup:
        script = Markup("document.getElementById('certFile').click()")
        if self.on("input-buttons"):
            return Markup('<input type="button" value="{}" onclick="{}">').format(L.BROWSE, script)
        return Markup('<button type="button" onclick="{}">{}</button>').format(script, L.BROWSE)

    def link(self, text: str, url: str) -> Markup:
        """A link such as a 登録日時; input-buttons writes a <span onclick> instead."""
        if self.on("input-buttons"):
            return Markup("<span class=\"link\" onclick='location.href={}'>{}</span>").format(_js(url), text)
        return Markup('<a href="{}">{}</a>').format(url, text)

    def logout(self, url: str, *, top: bool = False) -> Markup:
        """ログアウト; `top`: from a frame's menu, leaving the frames for the whole window."""
        ask = self.on("js-confirm")
        if self.on("input-buttons"):
            go = Markup("{}location.href={}").format("top." if top else "", _js(url))
            if ask:
                go = Markup("if (confirm({})) {}").format(_js(M.CONFIRM_LOGOUT), go)
            return Markup("<span class=\"link\" onclick='{}'>{}</span>").format(go, L.LOGOUT)
        target = Markup(' target="_top"') if top else Markup("")
        if ask:
            return Markup("<a href=\"{}\"{} onclick='return confirm({})'>{}</a>").format(
                url, target, _js(M.CONFIRM_LOGOUT), L.LOGOUT
            )
        return Markup('<a href="{}"{}>{}</a>').format(url, target, L.LOGOUT)
