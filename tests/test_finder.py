"""The finder in a real browser, on markup shapes written here: labels, key cells, captions, titles, tables,
the one normaliser on both sides, settled screens and dialogs."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Locator, Page, Route

from ainas_bot.errors import PortalChangedError
from flows.finder import locate as finder
from flows.finder import tab as _tab
from flows.finder.locate import Button, Field, Table, Text, Title, locate
from flows.pages.base import PortalPage
from tests.fixtures_browser import in_chromium

pytestmark = pytest.mark.e2e


class _Screen(PortalPage):
    def __init__(self, page: Page, timeout_ms: float, screen_name: str) -> None:
        super().__init__(page, timeout_ms)
        self.screen_name = screen_name


async def _names(page: Page, marker: finder.Marker) -> list[str]:
    return [
        await el.get_attribute("name") or await el.get_attribute("id") or ""
        for el in await locate(page, marker).element_handles()
    ]


FORM = """<table><tr><td><table class="layout">
<tr><th><label for="a">ログインID</label></th><td><input id="a" name="by-label"></td></tr>
<tr><th>パスワード</th><td><input type="password" name="by-th"></td></tr>
<tr><td class="key">屋号&nbsp;(カナ)<span class="req">※</span></td><td><input name="by-td"> 【1】</td></tr>
<tr><td class="key">氏名又は代表者名<br>（カナ）</td><td><input name="by-wrapped"></td></tr>
<tr><td class="key">住所（都道府県〜番地）</td><td>東京都千代田区</td></tr>
<tr><td colspan="2">郵便番号：<input name="by-text-before"></td></tr>
<tr><td class="key">証明書ファイル</td><td><input type="file" name="file" style="display:none">
<button type="button">参照</button></td></tr>
</table></td></tr></table>"""


def test_fields_by_label_key_cell_or_text_before_them() -> None:
    async def work(page: Page) -> None:
        await page.set_content(FORM)
        assert await _names(page, Field("ログインID")) == ["by-label"]
        assert await _names(page, Field("パスワード")) == ["by-th"]
        assert await _names(page, Field("屋号（カナ）")) == ["by-td"]
        assert await _names(page, Field("氏名又は代表者名（カナ）")) == ["by-wrapped"]
        assert await _names(page, Field("郵便番号")) == ["by-text-before"]
        assert await _names(page, Field("証明書ファイル")) == ["file"]
        assert await _names(page, Field("屋号（漢字）")) == []
        pairs = await finder.read_pairs(page, ("住所（都道府県～番地）", "代理人組織ID"))
        assert pairs == {"住所（都道府県～番地）": "東京都千代田区", "代理人組織ID": None}

    in_chromium(work)


def test_the_finder_is_out_of_reach_of_the_portals_own_scripts() -> None:
    # A portal of the 2010s may carry a library that patches the built-ins; the engine runs in Playwright's
    # isolated world, where the page's scripts are not, so it finds what a person sees all the same.
    async def work(page: Page) -> None:
        await page.set_content(
            FORM
            + """<button type="button" name="go">確定</button><script>
String.prototype.normalize = function () { return "壊"; };
Array.from = function () { return []; };
Array.prototype.filter = function () { return []; };
</script>"""
        )
        assert await page.evaluate("Array.from([1, 2]).length") == 0  # the page's own world is broken
        assert await _names(page, Field("屋号（カナ）")) == ["by-td"]
        assert await _names(page, Button("確定")) == ["go"]

    in_chromium(work)


BUTTONS = """<div class="title">代理人組織照会</div>
<button type="button" name="plus"><span class="icon">+</span>代理人証明書登録</button>
<input type="button" name="up" value="↑ 一覧に戻る">
<input type="image" name="search" alt="検索" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<a href="#" name="glyph"><i>\ue0a1</i>代理人組織更新</a>
<span onclick="void 0" name="q"><span class="icon-search">Q</span> 申請データ統計検索</span>
<div onclick="void 0"><button name="inner">確定 ✔</button></div>"""


def test_buttons_by_caption_whatever_the_element_and_its_glyphs() -> None:
    async def work(page: Page) -> None:
        await page.set_content(BUTTONS)
        assert await _names(page, Button("+ 代理人証明書登録")) == ["plus"]
        assert await _names(page, Button("↑ 一覧に戻る")) == ["up"]
        assert await _names(page, Button("Q 検索")) == ["search"]
        assert await _names(page, Button("代理人組織更新")) == ["glyph"]
        assert await _names(page, Button("申請データ統計検索")) == ["q"]
        assert await _names(page, Button("確定")) == ["inner"]  # the innermost clickable
        assert await locate(page, Title("代理人組織照会")).count() == 1
        # A caption is not a title: the screen after `+ 代理人証明書登録` is not this one.
        assert await locate(page, Title("代理人証明書登録")).count() == 0

    in_chromium(work)


TABLES = """<table class="layout"><tr><td>
<table class="outer"><tr><td>代理人組織ID</td><td>A001</td></tr><tr><td>
<table class="list">
<tr><td class="head">代理人証明書</td><td class="head">登録日時</td><td class="head">屋号 (漢字)</td>
<td class="head">氏名又は代表者名<br>(漢字)</td><td class="head">証明書有効期限</td></tr>
<tr><td></td><td><span onclick="void 0">2025/1/6 12:00:05</span></td><td>行政書士テスト事務所</td><td>山田　太郎</td>
<td>2028/3/5</td></tr>
<tr><td colspan="5">以上</td></tr>
</table></td></tr></table></td></tr></table>"""


def test_tables_by_header_texts_innermost_rows_only() -> None:
    async def work(page: Page) -> None:
        await page.set_content(TABLES)
        columns = ("代理人証明書", "登録日時", "屋号（漢字）", "氏名又は代表者名（漢字）", "証明書有効期限")
        table = locate(page, Table(*columns))
        assert await table.count() == 1
        assert await table.get_attribute("class") == "list"
        rows = await finder.read_table(table, columns, timeout_ms=5000)
        assert rows == [
            (
                1,
                {
                    "代理人証明書": "",
                    "登録日時": "2025/1/6 12:00:05",
                    "屋号（漢字）": "行政書士テスト事務所",
                    "氏名又は代表者名（漢字）": "山田　太郎",
                    "証明書有効期限": "2028/3/5",
                },
            )
        ]
        assert (await finder.read_pairs(page, ("代理人組織ID",)))["代理人組織ID"] == "A001"
        assert await locate(page, Text("以上")).count() == 1

    in_chromium(work)


CORPUS = [
    "屋号（漢字）",
    "屋号 (漢字)",
    "住所（都道府県～番地）",
    "住所&nbsp;（都道府県〜番地）",
    "+ 代理人証明書登録",
    "↑ 一覧に戻る",
    "Q 検索",
    "\ue0a1 一覧に戻る",
    "確定 ✔",
    "ｶﾀｶﾅ　テスト",
    "ログインID：",
    "【1】屋号（カナ）※",
    "氏名又は代表者名\n（カナ）",
    "１２３－４５６７",
    "(必須) 郵便番号",
    "2025/01/06\u00a012:00",
    "<前",
    "次>",
]

# What finder.js's labelKey leaves of each text: normalised, without 【1】, ※, (必須) and a trailing colon.
LABEL_KEYS = {
    "屋号（漢字）": "屋号(漢字)",
    "屋号 (漢字)": "屋号(漢字)",
    "住所（都道府県～番地）": "住所(都道府県~番地)",
    "住所&nbsp;（都道府県〜番地）": "住所&nbsp;(都道府県~番地)",
    "+ 代理人証明書登録": "+代理人証明書登録",
    "↑ 一覧に戻る": "↑一覧に戻る",
    "Q 検索": "Q検索",
    "\ue0a1 一覧に戻る": "\ue0a1一覧に戻る",
    "確定 ✔": "確定✔",
    "ｶﾀｶﾅ　テスト": "カタカナテスト",
    "ログインID：": "ログインID",
    "【1】屋号（カナ）※": "屋号(カナ)",
    "氏名又は代表者名\n（カナ）": "氏名又は代表者名(カナ)",
    "１２３－４５６７": "123-4567",
    "(必須) 郵便番号": "郵便番号",
    "2025/01/06\u00a012:00": "2025/01/0612:00",
    "<前": "<前",
    "次>": "次>",
}


def test_one_normaliser_on_both_sides() -> None:
    async def work(page: Page) -> None:
        js = await page.evaluate(
            f"corpus => {{ const lib = ({finder.LIBRARY}); return corpus.map(t => "
            "[lib.key(t), lib.labelKey(t), lib.core(t)]); }",
            CORPUS,
        )
        python = [[finder.normalise(t), LABEL_KEYS[t], finder.caption_core(t)] for t in CORPUS]
        assert js == python

    in_chromium(work)
    assert finder.normalise("屋号 (漢字)") == finder.normalise("屋号（漢字）")
    assert finder.caption_core("Q 検索") == "検索"
    assert finder.caption_core("+ 代理人証明書登録") == finder.caption_core("代理人証明書登録")


def test_dates_are_parsed_not_compared_as_text() -> None:
    assert finder.portal_date("2028/3/5") == finder.portal_date("2028/03/05") == dt.date(2028, 3, 5)
    assert finder.portal_datetime("2025/1/6 12:00:05") == dt.datetime(2025, 1, 6, 12, 0, 5)
    assert finder.portal_date("２０２８／０３／０５") == dt.date(2028, 3, 5)
    with pytest.raises(ValueError, match="not a date"):
        finder.portal_date("2028/13")


LATE = """<div class="title">代理人組織照会</div>
<table id="t"><tr><td>登録日時</td><td>証明書有効期限</td></tr></table>
<script>document.addEventListener("DOMContentLoaded", () => fetch("/rows").then(r => r.text()).then(html => {
  document.getElementById("t").insertAdjacentHTML("beforeend", html); }));</script>"""


def test_a_late_filled_table_is_read_only_once_the_screen_has_settled() -> None:
    async def work(page: Page) -> None:
        async def serve(route: Route) -> None:
            if route.request.url.endswith("/rows"):
                await asyncio.sleep(0.6)
                await route.fulfill(
                    body="<tr><td>2025/01/06 12:00</td><td>2028/03/05</td></tr>", content_type="text/html"
                )
            else:
                await route.fulfill(body=LATE, content_type="text/html; charset=utf-8")

        await page.route("https://portal.test/**", serve)
        screen = _Screen(page, 5000, "ORG_DETAIL")
        await page.goto("https://portal.test/", wait_until="domcontentloaded")
        columns = ("登録日時", "証明書有効期限")
        early = await finder.read_table(locate(page, Table(*columns)), columns, timeout_ms=5000)
        assert early == []  # what a bot that does not wait would have concluded from
        await screen.arrive()
        _, rows = await screen.table(columns)
        assert [cells["証明書有効期限"] for _, cells in rows] == ["2028/03/05"]

    in_chromium(work)


ROWS = "<tr><td>2025/01/06 12:00</td><td>2028/03/05</td></tr>"
HEAD = """<div class="title">代理人組織照会</div>
<table id="t"><tr><td>登録日時</td><td>証明書有効期限</td></tr></table>"""
# Shapes of a screen changed by its script half a second after `load`, each of which the bot must wait for
# (with a quiet period longer than that: the test is of which screens get one).
SCRIPTED = {
    # a timer that starts the request filling the table
    "timer-then-request": HEAD
    + """<script>addEventListener("load", () => setTimeout(() => fetch("/rows")
      .then(r => r.text()).then(html => document.getElementById("t").insertAdjacentHTML("beforeend", html)), 500));
      </script>""",
    # a script that fills the table from a timer, no request at all
    "timer-only": HEAD
    + """<script>addEventListener("load", () => setTimeout(() => document.getElementById("t")
      .insertAdjacentHTML("beforeend", __ROWS__), 500));</script>""".replace("__ROWS__", repr(ROWS)),
    # the same, by a script that removed itself before `load`: nothing on screen shows that script ran
    "self-removing-script": HEAD
    + """<script>(() => { const me = document.currentScript;
      addEventListener("load", () => setTimeout(() => document.getElementById("t")
      .insertAdjacentHTML("beforeend", __ROWS__), 500)); me.remove(); })();</script>""".replace("__ROWS__", repr(ROWS)),
    # an inline handler that runs unasked, no script element
    "onload-handler": HEAD
    + """<img src="/pixel.gif" onload="setTimeout(() => document.getElementById('t')
      .insertAdjacentHTML('beforeend', '__ROWS__'), 500)">""".replace("__ROWS__", ROWS),
}


@pytest.mark.parametrize("shape", sorted(SCRIPTED))
def test_a_screen_changed_by_its_script_after_load_is_read_only_once_changed(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tab, "QUIET_MS", 1500)

    async def work(page: Page) -> None:
        async def serve(route: Route) -> None:
            if route.request.url.endswith("/rows"):
                await asyncio.sleep(0.4)
                await route.fulfill(body=ROWS, content_type="text/html")
            elif route.request.url.endswith("/pixel.gif"):
                await route.fulfill(body=b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif")
            else:
                await route.fulfill(body=SCRIPTED[shape], content_type="text/html; charset=utf-8")

        await page.route("https://portal.test/**", serve)
        screen = _Screen(page, 5000, "ORG_DETAIL")
        await page.goto("https://portal.test/", wait_until="load")
        await screen.arrive()
        _, rows = await screen.table(("登録日時", "証明書有効期限"))
        assert [cells["証明書有効期限"] for _, cells in rows] == ["2028/03/05"]

    in_chromium(work, watch_scripts=True)


def test_a_screen_that_runs_no_script_has_settled_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """No quiet period on a document without script: with one of 3 s, a static screen settles at once,
    and the same screen showing one script element waits it out."""
    monkeypatch.setattr(_tab, "QUIET_MS", 3000)

    async def work(page: Page) -> None:
        loop = asyncio.get_running_loop()
        for body, at_least, below in ((HEAD + ROWS, 0.0, 1.5), (HEAD + "<script>void 0</script>", 3.0, 10.0)):
            await page.set_content(body)
            screen = _Screen(page, 10_000, "ORG_DETAIL")
            started = loop.time()
            await screen.arrive()
            assert at_least <= loop.time() - started < below, body

    in_chromium(work, watch_scripts=True)


DIALOG = """<div class="title">代理人証明書登録</div>
<form onsubmit="return confirm('送信しますか')"><button type="submit">確定</button></form>
<button type="button" onclick="if (confirm('削除しますか')) document.title = 'deleted'">削除</button>"""


def test_confirm_dialogs_accepted_only_where_the_bot_means_to_submit() -> None:
    async def work(page: Page) -> None:
        await page.set_content(DIALOG)
        screen = _Screen(page, 5000, "CERT_REGISTER")
        with pytest.raises(PortalChangedError, match="削除しますか"):
            await screen.click("削除")
        assert await page.title() != "deleted"
        with screen.submitting():
            await screen.click("確定")
        assert screen.tab.accepted == ["送信しますか"]

    in_chromium(work)


USES = """<div class="title">代理人証明書登録</div>
<table><tr><td class="key">証明書ファイル</td><td><input type="file" name="file"></td></tr>
<tr><td class="key">証明書パスワード</td><td><input type="password" name="pin"></td></tr></table>
<a href="#" onclick="document.title = 'confirmed'; return false">確定</a> <a href="#">ログアウト</a>"""


class _Register(_Screen):
    def uses(self) -> tuple[finder.Marker, ...]:
        return (Field("証明書ファイル"), Field("証明書パスワード"), Button("確定"), Button("一覧に戻る"))


def test_what_a_screen_uses_is_looked_for_in_the_step_that_finds_it_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Filling, clicking and asking after what the page object uses costs no look of its own; anything else
    is looked for when asked, and a thing missing from the settled screen is portal-changed at once."""
    looks: list[str] = []
    count = Locator.count

    async def counted(self: Locator) -> int:
        looks.append(str(self))
        return await count(self)

    monkeypatch.setattr(Locator, "count", counted)

    async def work(page: Page) -> None:
        await page.set_content(USES)
        screen = _Register(page, 5000, "CERT_REGISTER")
        await screen.arrive()
        await screen.fill("証明書パスワード", "1234")
        assert not await screen.has(Button("一覧に戻る"))
        await screen.click("確定")
        assert looks == [] and await page.title() == "confirmed"
        await screen.click("ログアウト")  # a look now: the click before may have changed the screen
        assert len(looks) == 1
        with pytest.raises(PortalChangedError, match="代理人証明書登録: no field 利用開始日"):
            await screen.fill("利用開始日", "2026/12/01")

    in_chromium(work)


READS = """<div class="title">代理人組織照会</div>
<table><tr><td class="key">代理人組織ID</td><td>1001</td></tr></table>
<table><tr><th>登録日時</th><th>証明書有効期限</th></tr><tr><td>2026/03/05 10:00</td><td>2028/03/05</td></tr></table>
<a href="#" onclick="document.title = 'clicked'; return false">一覧に戻る</a>"""


class _Org(_Screen):
    def reads(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        return ("代理人組織ID", "代理人組織名"), (("登録日時", "証明書有効期限"), ("代理人組織ID", "状態"))


# prototype.js 1.7's `Array.from` (its `$A`): no map function, and nothing for a Set or an iterator.
PROTOTYPE_JS = """<script>Array.from = function $A(iterable) {
  if (!iterable) return [];
  if ("toArray" in Object(iterable)) return iterable.toArray();
  var length = iterable.length || 0, results = new Array(length);
  while (length--) results[length] = iterable[length];
  return results;
};</script>"""


def test_a_portal_carrying_prototype_js_is_read_and_used_as_any_other() -> None:
    """The settle-and-read script runs in the page's own world, beside the portal's libraries."""

    async def work(page: Page) -> None:
        await page.set_content(PROTOTYPE_JS + READS)
        assert await page.evaluate("Array.from(new Set([1])).length") == 0  # the page's Array.from is $A
        org = _Org(page, 5000, "ORG_DETAIL")
        await org.arrive()
        assert await org.pairs(("代理人組織ID",)) == {"代理人組織ID": "1001"}
        _table, rows = await org.table(("登録日時", "証明書有効期限"))
        assert rows == [(1, {"登録日時": "2026/03/05 10:00", "証明書有効期限": "2028/03/05"})]
        await page.set_content(PROTOTYPE_JS + USES)
        register = _Register(page, 5000, "CERT_REGISTER")
        await register.arrive()
        await register.fill("証明書パスワード", "1234")
        assert await page.locator("[name=pin]").input_value() == "1234"

    in_chromium(work)


def test_what_a_screen_reads_is_read_in_the_step_that_finds_it_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows and tables the page object reads come with the settled screen, as the separate reads give them;
    after a click they are read again, from the screen as it is then."""
    reads: list[str] = []

    def counting(method: Callable[..., Awaitable[object]]) -> Callable[..., Awaitable[object]]:
        async def counted(self: object, expression: str, *args: object, **kwargs: object) -> object:
            reads.append(expression[:20])
            return await method(self, expression, *args, **kwargs)

        return counted

    async def work(page: Page) -> None:
        await page.set_content(READS)
        screen = _Org(page, 5000, "ORG_DETAIL")
        await screen.arrive()
        monkeypatch.setattr(Page, "evaluate", counting(Page.evaluate))
        monkeypatch.setattr(Locator, "evaluate", counting(Locator.evaluate))
        assert await screen.pairs(("代理人組織ID", "代理人組織名")) == {"代理人組織ID": "1001", "代理人組織名": None}
        _table, rows = await screen.table(("登録日時", "証明書有効期限"))
        assert rows == [(1, {"登録日時": "2026/03/05 10:00", "証明書有効期限": "2028/03/05"})]
        assert reads == []
        await screen.click("一覧に戻る")
        await page.evaluate("document.querySelector('td:last-child').textContent = '1002'")
        reads.clear()
        assert await screen.pairs(("代理人組織ID",)) == {"代理人組織ID": "1002"}
        assert len(reads) == 1
        with pytest.raises(PortalChangedError, match="no table with columns 代理人組織ID, 状態"):
            await screen.table(("代理人組織ID", "状態"))

    in_chromium(work)
