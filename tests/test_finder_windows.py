"""The portal as a person sees it, round 3, in a real browser on screens written here: a screen in frames is
one screen, a timer's work is waited for, a placeholder is never content, a conclusion from absence waits for
the grace period, and what a person closes (an overlay, a window of notices) is closed, while one whose
words the bot does not know stops it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from playwright.async_api import Page, Route

from ainas_bot.errors import PortalChangedError
from ainas_bot.portal_text import ABSENCE_GRACE_MS
from flows.finder.markers import Button, Title
from flows.pages.base import PortalPage
from tests.fixtures_browser import in_chromium

pytestmark = pytest.mark.e2e

ORIGIN = "https://portal.test"
COLUMNS = ("登録日時", "証明書有効期限")
ROWS = "<tr><td>2025/01/06 12:00</td><td>2028/03/05</td></tr>"
TABLE = '<table id="t"><tr><td>登録日時</td><td>証明書有効期限</td></tr></table>'


class _Screen(PortalPage):
    def __init__(self, page: Page, timeout_ms: float, screen_name: str) -> None:
        super().__init__(page, timeout_ms)
        self.screen_name = screen_name


def _site(page: Page, documents: dict[str, str]) -> Callable[[Route], object]:
    """Serve `documents` by path on the portal's origin."""

    async def serve(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        await route.fulfill(
            body=documents.get(path, "not found"),
            status=200 if path in documents else 404,
            content_type="text/html; charset=utf-8",
        )

    return serve


async def _opened(page: Page, documents: dict[str, str], path: str = "/", timeout_ms: float = 5000) -> _Screen:
    """The portal's `documents` served, `path` loaded: 代理人組織照会 as a screen to arrive on."""
    await page.route(f"{ORIGIN}/**", _site(page, documents))
    await page.goto(f"{ORIGIN}{path}", wait_until="load")
    return _Screen(page, timeout_ms, "ORG_DETAIL")


async def _rows(screen: PortalPage) -> list[str]:
    _, rows = await screen.table(COLUMNS)
    return [cells["証明書有効期限"] for _, cells in rows]


FRAMESET = {
    "/": '<frameset rows="80,*"><frame name="menu" src="/menu"><frame name="main" src="/home"></frameset>',
    "/menu": '<div>OSS申請共同利用システム <a href="/login" target="_top">ログアウト</a> '
    '<a href="/org" target="main">代理人組織管理</a></div>',
    "/home": "<h2>お知らせ案内検索</h2>",
    "/org": '<div class="title">代理人組織照会</div>' + TABLE.replace("</table>", ROWS + "</table>"),
    "/login": "<script>if (window.top !== window.self) window.top.location.href = location.href;</script>"
    '<label>ログインID <input name="id"></label>',
}


@pytest.mark.parametrize("holder", ["frameset", "iframe"])
def test_a_screen_in_frames_is_one_screen_and_a_navigation_in_a_frame_is_a_screen_change(holder: str) -> None:
    documents = dict(FRAMESET)
    if holder == "iframe":
        documents["/"] = documents["/menu"] + '<iframe name="main" src="/home" width="100%" height="600"></iframe>'

    async def work(page: Page) -> None:
        await page.route(f"{ORIGIN}/**", _site(page, documents))
        await page.goto(f"{ORIGIN}/", wait_until="load")
        home = _Screen(page, 5000, "HOME")
        await home.arrive()
        assert await home.has(Button("ログアウト"))
        await home.click("代理人組織管理")  # in the menu's frame (or the window's own document)
        org = _Screen(page, 5000, "ORG_DETAIL")
        await org.arrive()  # arrived by a navigation of the main frame alone
        assert await _rows(org) == ["2028/03/05"]
        assert any("main" in handled for handled in org.tab.handled), org.tab.handled
        await org.click("ログアウト")  # the login page takes the whole window back
        login = _Screen(page, 5000, "LOGIN")
        from flows.finder.locate import Field

        await login.arrive(Field("ログインID"))
        assert len(page.frames) == 1

    in_chromium(work, watch_scripts=True)


def test_a_table_filled_by_a_request_after_a_timer_is_read_once_filled() -> None:
    """A timer first (600 ms, longer than the quiet period), then the request: the screen has not settled
    while the timer is pending."""
    documents = {
        "/": '<div class="title">代理人組織照会</div>'
        + TABLE
        + """<script>
        setTimeout(() => fetch("/rows").then(r => r.text()).then(html =>
          document.getElementById("t").insertAdjacentHTML("beforeend", html)), 600);</script>""",
        "/rows": ROWS,
    }

    async def work(page: Page) -> None:
        screen = await _opened(page, documents)
        await screen.arrive()
        assert await _rows(screen) == ["2028/03/05"]

    in_chromium(work, watch_scripts=True)


def test_a_clock_ticking_by_timers_does_not_keep_a_screen_from_settling() -> None:
    documents = {
        "/": '<div class="title">代理人組織照会</div><span id="clock"></span>'
        + TABLE
        + """<script>
        (function tick() { document.getElementById("clock").textContent = new Date().toISOString();
                           setTimeout(tick, 400); })();</script>"""
    }

    async def work(page: Page) -> None:
        screen = await _opened(page, documents, timeout_ms=10_000)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await screen.arrive()
        assert loop.time() - started < 3.0  # two rounds waited for at most, not the whole timeout

    in_chromium(work, watch_scripts=True)


def test_a_placeholder_is_never_content() -> None:
    """「処理中です」 replaced after 2.5 s by a timer longer than the bound (so not counted): the placeholder
    alone keeps the screen from settling."""
    documents = {
        "/": '<div class="title">代理人組織照会</div><div id="p">処理中です。しばらくお待ちください。</div>'
        + """<script>setTimeout(() => { document.getElementById("p").outerHTML = '"""
        + TABLE.replace("</table>", ROWS + "</table>")
        + """'; }, 2500);</script>"""
    }

    async def work(page: Page) -> None:
        screen = await _opened(page, documents, timeout_ms=8000)
        await screen.arrive()
        assert await _rows(screen) == ["2028/03/05"]

    in_chromium(work, watch_scripts=True)


def test_a_conclusion_from_absence_waits_for_the_grace_period() -> None:
    """Rows a poll brings (setInterval, not counted) 0.9 s after load: the first read is empty, the look
    again after the grace period finds them; an empty table that stays empty stays empty."""
    poll = """<script>let n = 0; const poll = setInterval(() => { if (++n < 3) return; clearInterval(poll);
        document.getElementById("t").insertAdjacentHTML("beforeend", '__ROWS__'); }, 300);</script>"""
    documents = {
        "/late": '<div class="title">代理人組織照会</div>' + TABLE + poll.replace("__ROWS__", ROWS),
        "/empty": '<div class="title">代理人組織照会</div>' + TABLE + "<script>void 0</script>",
    }

    async def work(page: Page) -> None:
        screen = await _opened(page, documents, "/late", timeout_ms=8000)
        await screen.arrive()
        assert await _rows(screen) == []  # what a first read concludes
        await screen.look_again()
        assert await _rows(screen) == ["2028/03/05"]
        await page.goto(f"{ORIGIN}/empty", wait_until="load")
        loop = asyncio.get_running_loop()
        await screen.arrive()
        started = loop.time()
        await screen.look_again()
        assert loop.time() - started >= ABSENCE_GRACE_MS / 1000
        assert await _rows(screen) == []

    in_chromium(work, watch_scripts=True)


OVERLAY = """<h2>お知らせ案内検索</h2><a href="/next">代理人組織管理</a>
<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:rgba(0,0,0,.5);z-index:99" id="o">
<div style="margin:100px auto;width:400px;background:#fff">__TITLE__<p>年末年始はサービスを停止します。</p>
<button onclick="document.getElementById('o').style.display='none'">__CAPTION__</button></div></div>"""


def test_an_overlay_of_notices_is_closed_before_the_next_click() -> None:
    documents = {
        "/": OVERLAY.replace("__TITLE__", "<b>重要なお知らせ</b>").replace("__CAPTION__", "OK"),
        "/next": "<h2>代理人組織検索</h2>",
    }

    async def work(page: Page) -> None:
        await page.route(f"{ORIGIN}/**", _site(page, documents))
        await page.goto(f"{ORIGIN}/", wait_until="load")
        home = _Screen(page, 5000, "HOME")
        await home.arrive()
        assert any("重要なお知らせ" in handled and "OK" in handled for handled in home.tab.handled), home.tab.handled
        await home.click("代理人組織管理")  # not intercepted: the overlay is gone
        await _Screen(page, 5000, "ORG_SEARCH").arrive()

    in_chromium(work, watch_scripts=True)


def test_an_overlay_whose_words_the_bot_does_not_know_stops_it() -> None:
    documents = {"/": OVERLAY.replace("__TITLE__", "<b>削除しますか</b>").replace("__CAPTION__", "OK")}

    async def work(page: Page) -> None:
        await page.route(f"{ORIGIN}/**", _site(page, documents))
        await page.goto(f"{ORIGIN}/", wait_until="load")
        with pytest.raises(PortalChangedError, match=r"overlay covers the screen.*削除しますか"):
            await _Screen(page, 5000, "HOME").arrive()
        assert await page.locator("#o").is_visible()  # nothing was pressed

    in_chromium(work, watch_scripts=True)


def test_a_window_of_notices_opened_by_itself_is_read_and_closed() -> None:
    documents = {
        "/": '<h2>お知らせ案内検索</h2><a href="/next">代理人組織管理</a><script>'
        'addEventListener("load", () => setTimeout(() => window.open("/notice", "notice", '
        '"width=400,height=300"), 300));</script>',
        "/notice": "<h1>お知らせ</h1><p>12/29～1/3 はサービスを停止します。</p>"
        '<input type="button" value="閉じる" onclick="window.close()">',
        "/next": "<h2>代理人組織検索</h2>",
    }

    async def work(page: Page) -> None:
        await page.context.route(f"{ORIGIN}/**", _site(page, documents))
        await page.goto(f"{ORIGIN}/", wait_until="load")
        home = _Screen(page, 5000, "HOME")
        await home.arrive()
        assert any("サービスを停止" in handled for handled in home.tab.handled), home.tab.handled
        assert home.tab.pages == [page]
        await home.click("代理人組織管理")
        await _Screen(page, 5000, "ORG_SEARCH").arrive(Title("代理人組織検索"))

    in_chromium(work, watch_scripts=True)


def test_a_window_whose_words_the_bot_does_not_know_still_stops_it() -> None:
    documents = {
        "/": '<h2>お知らせ案内検索</h2><script>addEventListener("load", () => '
        'window.open("/other", "other", "width=400,height=300"));</script>',
        "/other": '<h1>アンケート</h1><input type="button" value="閉じる" onclick="window.close()">',
    }

    async def work(page: Page) -> None:
        await page.context.route(f"{ORIGIN}/**", _site(page, documents))
        await page.goto(f"{ORIGIN}/", wait_until="load")
        with pytest.raises(PortalChangedError, match="アンケート"):
            await _Screen(page, 3000, "HOME").arrive()

    in_chromium(work, watch_scripts=True)


def test_a_timer_given_as_text_and_frames_within_frames_are_waited_for_and_read() -> None:
    """Shapes nobody asked for, of the same family: a portal of the 2000s writes `setTimeout("fill()", 600)`
    (a callback as text), inside an iframe that sits inside a frame of a frameset."""
    documents = {
        "/": '<frameset rows="40,*"><frame name="menu" src="/menu"><frame name="body" src="/outer"></frameset>',
        "/menu": "<a>ログアウト</a>",
        "/outer": '<iframe name="main" src="/screen" width="100%" height="500"></iframe>',
        "/screen": '<div class="title">代理人組織照会</div>'
        + TABLE
        + """<script>
            function fill() { document.getElementById("t").insertAdjacentHTML("beforeend", '__ROWS__'); }
            setTimeout("fill()", 600);</script>""".replace("__ROWS__", ROWS),
    }

    async def work(page: Page) -> None:
        screen = await _opened(page, documents)
        await screen.arrive()
        assert await _rows(screen) == ["2028/03/05"]
        assert await screen.has(Button("ログアウト"))

    in_chromium(work, watch_scripts=True)
