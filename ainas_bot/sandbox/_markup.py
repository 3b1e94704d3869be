"""The markup shapes the sandbox can serve (`--markup NAME[,NAME…]`), each independent of the others.

Nothing tells how the real portal writes its HTML; each shape is one habit of Japanese enterprise Java web
applications of the 2010s, so that the bot can be proven against every one of them and any mix. [assumed]
"""

from __future__ import annotations

from collections.abc import Iterable

from ainas_bot.errors import ConfigError
from ainas_bot.i18n import N_, _

__all__ = ["LEGACY", "SHAPES", "parse_markup"]

SHAPES: dict[str, str] = {
    "no-labels": N_("no <label> elements and no aria attributes: a form row is <tr><th>ログインID</th><td><input>"),
    "td-keys": N_("key cells, form label cells and table headers are <td class=…>, never <th>, and no <thead>"),
    "div-titles": N_('screen titles are <div class="title">, no h1-h6 anywhere'),
    "icon-buttons": N_("buttons carry an icon glyph element beside the caption (+, icon-font, <img>, Q 検索, ✔, ▶)"),
    "input-buttons": N_("buttons are <input type=submit|button|image>; ログアウト and 登録日時 are <span onclick>"),
    "halfwidth-labels": N_("labels as the manual's text writes them: 屋号 (漢字), &nbsp;, 〜 (U+301C)"),
    "wrapped-labels": N_("long labels wrapped with <br>, required marks (※, 必須) and ： on the login labels"),
    "layout-tables": N_("the whole page inside an outer layout table, every screen's tables nested in it"),
    "js-confirm": N_("window.confirm on every 確定 and on ログアウト, in the generic wording"),
    "js-library": N_(
        "a JavaScript library of the 2010s on every page, changing the built-ins as prototype.js "
        "does: Array.from is its $A (no map function, nothing for a Set), arrays and strings "
        "carry its methods"
    ),
    "confirm-screen": N_("a 確認 screen between the 代理人証明書更新 form and the update"),
    "complete-screen": N_("a 完了 screen instead of the 代理人証明書照会 after the update"),
    "late-tables": N_("search results and the certificate table arrive by XMLHttpRequest after late_ms"),
    "timer-tables": N_(
        "search results and the certificate table arrive by XMLHttpRequest started by a timer "
        "timer_ms after load; only the table's header shows meanwhile"
    ),
    "timer-placeholder": N_(
        "every screen after login shows 処理中です。しばらくお待ちください。 until a timer "
        "puts its content (held in a <template>) in place, timer_ms after load"
    ),
    "unpadded-dates": N_("dates shown as 2028/3/5 and 登録日時 with seconds"),
    "popup-register": N_("代理人証明書登録 opens in a window.open popup that sends its opener on when done"),
    "popup-register-org": N_(
        "as popup-register, but the popup sends its opener to the organisation's 代理人組織照会; "
        "with popup-register, this one wins"
    ),
    "register-complete": N_(
        "a 代理人証明書登録完了 screen whose ↑ 一覧に戻る leads to 代理人組織照会, after the "
        "registration (in the popup with a popup shape, its button moving the opener)"
    ),
    "frameset": N_(
        "after login a <frameset>: a frame `menu` with the header and menu (links target `main`) and "
        "a frame `main` with every screen; the login page breaks out of frames"
    ),
    "iframe": N_(
        'after login one page with the header and menu and an <iframe name="main"> holding every '
        "screen; the login page breaks out of frames; with frameset, frameset wins"
    ),
    "notice-popup": N_(
        "the first home screen after login opens a window.open popup of お知らせ and is covered by an "
        "overlay 重要なお知らせ until its 閉じる is clicked"
    ),
    "windows-31j": N_("pages served and forms read in Windows-31J (cp932)"),
    "jsessionid": N_("every URL written carries ;jsessionid=<session id> in its path"),
}
LEGACY = "legacy"  # the preset: every shape at once


def parse_markup(values: Iterable[str]) -> frozenset[str]:
    """The shapes named by `values` (names or comma lists; `legacy` means all); ConfigError on an unknown name."""
    names: set[str] = set()
    for value in [values] if isinstance(values, str) else values:  # one string is a name or a list, not letters
        for raw in value.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            if name == LEGACY:
                names.update(SHAPES)
            elif name in SHAPES:
                names.add(name)
            else:
                raise ConfigError(
                    _("--markup {name}: unknown markup shape; known: {known}, and {legacy} for all of them").format(
                        name=raw.strip(), known=", ".join(SHAPES), legacy=LEGACY
                    )
                )
    return frozenset(names)
