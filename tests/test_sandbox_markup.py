"""The markup shapes (`--markup`), below the browser: each shape's defining property on every screen it touches,
alone and all at once (`legacy`), and the behaviour some of them add (確認, 完了, XHR, popup, cp932, jsessionid)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import ssl
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12
from jinja2.utils import htmlsafe_json_dumps
from playwright.sync_api import BrowserContext, Dialog, Frame, Locator, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page as BrowserPage

from ainas_bot import portal_text as pt
from ainas_bot.certificates.factory import make_p12
from ainas_bot.errors import ConfigError
from ainas_bot.foundation.jst import JST
from ainas_bot.sandbox import Sandbox, SandboxOptions
from ainas_bot.sandbox._cli import serve_parser
from ainas_bot.sandbox._markup import SHAPES, parse_markup
from tests.fixtures_sandbox import first_group

L, M, S = pt.Label, pt.Message, pt.Screen
# 5 March: one-digit month and day, so that unpadded dates differ from padded ones.
NOW = dt.datetime(2026, 3, 5, 9, 7, 5, tzinfo=JST)
EXPIRY = dt.datetime(2028, 3, 5, 12, 0, tzinfo=JST)
KANA = {"tradeNameKana": "ヤマダギョウセイショシジムショ", "holderNameKana": "ヤマダ　タロウ"}
TYPED = {**KANA, "postalCode": "100-0013", "startDate": "2026/03/05", "certPassword": "1234"}


@dataclasses.dataclass
class Form:
    action: str
    hidden: dict[str, str]


@dataclasses.dataclass
class Page:
    response: httpx.Response
    text: str  # decoded in the page's charset

    @property
    def title(self) -> str:
        found = re.search(r'<h2>(.*?)</h2>|<div class="title">(.*?)</div>', self.text, re.S)
        return html.unescape((found.group(1) or found.group(2)) if found else "").strip()

    @property
    def message(self) -> str:
        found = re.search(r'<div class="message">(.*?)</div>', self.text, re.S)
        return html.unescape(found.group(1)).strip() if found else ""

    @property
    def forms(self) -> list[Form]:
        forms = []
        for attrs, body in re.findall(r'<form method="post"([^>]*)>(.*?)</form>', self.text, re.S):
            action = html.unescape(first_group(r'action="([^"]*)"', attrs))
            hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
            forms.append(Form(action, {k: html.unescape(v) for k, v in hidden}))
        return forms


def _decoded(response: httpx.Response) -> str:
    cp932 = "charset=Windows-31J" in response.headers.get("content-type", "")
    return response.content.decode("cp932" if cp932 else "utf-8")


class Client:
    """The first organisation's administrator, posting as a browser does: in the page's charset."""

    def __init__(self, sandbox: Sandbox, folder: Path) -> None:
        notice = sandbox.notices[0]
        key, cert, _ = pkcs12.load_key_and_certificates(
            notice.client_cert.read_bytes(), notice.client_cert_password.encode()
        )
        assert key is not None and cert is not None
        pem = folder / f"client-{id(self)}.pem"
        pem.write_bytes(
            cert.public_bytes(Encoding.PEM) + key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        )
        context = ssl.create_default_context(cafile=str(sandbox.ca_pem))
        context.load_cert_chain(str(pem))
        self.sb, self.notice = sandbox, notice
        self.cp932 = "windows-31j" in sandbox.options.markup
        self.http = httpx.Client(base_url=sandbox.origin, verify=context, follow_redirects=True, timeout=15)

    def url(self, name: str, **params: Any) -> str:
        return self.sb.paths.url(name, **params)

    def get(self, url: str) -> Page:
        response = self.http.get(url)
        return Page(response, _decoded(response))

    def post(self, url: str, fields: dict[str, str], files: dict[str, Any] | None = None) -> Page:
        charset = "cp932" if self.cp932 else "utf-8"
        if files is not None:
            response = self.http.post(url, data={k: v.encode(charset) for k, v in fields.items()}, files=files)
        else:
            response = self.http.post(
                url,
                content=urlencode(fields, encoding=charset),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
        return Page(response, _decoded(response))

    def submit(
        self, page: Page, data: dict[str, str] | None = None, *, form: int = 0, files: dict[str, Any] | None = None
    ) -> Page:
        chosen = page.forms[form]
        return self.post(chosen.action, {**chosen.hidden, **(data or {})}, files)

    def login(self) -> Page:
        return self.submit(
            self.get(self.sb.base_url), {"loginId": self.notice.admin_login_id, "password": self.notice.admin_password}
        )

    def late_rows(self, page: Page) -> dict[str, str]:
        """The answer of the XHR a late-tables page starts (its URL as the page's script names it)."""
        source = json.loads(first_group(r"var source = (\"[^\"]*\");", page.text))
        rows: dict[str, str] = self.http.get(source, headers={"X-Requested-With": "XMLHttpRequest"}).json()
        return rows


def _p12(password: str = "1234", **kwargs: Any) -> tuple[str, bytes, str]:
    data = make_p12(
        password=password,
        not_before=NOW - dt.timedelta(days=1),
        not_after=EXPIRY,
        trade_name="山田行政書士事務所",
        holder_name="山田　太郎",
        **kwargs,
    )
    return ("cert.p12", data, "application/x-pkcs12")


@pytest.fixture
def start(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Iterator[Callable[..., tuple[Sandbox, Client]]]:
    clients: list[Client] = []

    def factory(*shapes: str, **knobs: Any) -> tuple[Sandbox, Client]:
        knobs.setdefault("late_ms", 20)
        sb = sandbox_factory(orgs=3, markup=frozenset(shapes), now=lambda: NOW, **knobs)
        clients.append(Client(sb, tmp_path))
        return sb, clients[-1]

    yield factory
    for client in clients:
        client.http.close()


def _cert_id(page: Page) -> str:
    return first_group(r"certId=(\d+)", page.text)


def _frame_src(page: Page, name: str) -> str:
    """The URL a page's frame or iframe named `name` loads."""
    return html.unescape(first_group(rf'<i?frame name="{name}" src="([^"]+)"', page.text))


def _opened(page: Page, window: str) -> str:
    """The URL a page's script opens in the window named `window`."""
    return str(json.loads(first_group(rf'window.open\(("[^"]+"), "{window}"', page.text)))


def walk(client: Client) -> dict[str, Page]:
    """Every screen once, through the whole certificate procedure, whatever the shapes. With frameset or
    iframe, `top` is the page the login leads to and `menu_frame` (frameset) the menu frame's document;
    with notice-popup, `notice` is the window the first home screen opens."""
    shapes, org = client.sb.options.markup, client.notice.org_id
    pages = {"login": client.get(client.sb.base_url)}
    landing = client.login()
    if shapes & {"frameset", "iframe"}:
        pages["top"] = landing
        if "frameset" in shapes:
            pages["menu_frame"] = client.get(_frame_src(landing, "menu"))
        landing = client.get(_frame_src(landing, "main"))
    pages["home"] = landing
    if "notice-popup" in shapes:
        pages["notice"] = client.get(_opened(pages["home"], "notice"))
    pages["home_search"] = client.submit(pages["home"], {"registeredOn": "2026/03/05", "target": "1", "search": "1"})
    pages["menu"] = client.get(client.url("menu", item="1"))
    pages["org_search"] = client.get(client.url("org_search"))
    pages["search_one"] = client.submit(pages["org_search"], {"orgId": org, "search": "1"})
    pages["org_detail"] = client.get(client.url("org_detail", orgId=org))
    pages["org_update"] = client.get(client.url("org_update", orgId=org))
    pages["register"] = client.get(client.url("cert_register", orgId=org))
    pages["registered"] = client.submit(pages["register"], {"certPassword": "1234"}, files={"certFile": _p12()})
    pages["org_detail_pending"] = client.get(client.url("org_detail", orgId=org))
    xhr = bool(shapes & {"late-tables", "timer-tables"})
    if xhr:  # the rows as the XHR brings them, to be checked like the pages
        for name in ("org_search", "org_detail_pending"):
            rows = client.late_rows(pages[name])
            pages[f"{name}_rows"] = Page(pages[name].response, rows["rows"] + rows.get("pager", ""))
    else:
        pages["org_search_rows"], pages["org_detail_pending_rows"] = pages["org_search"], pages["org_detail_pending"]
    cert_id = str(max(int(n) for n in re.findall(r"certId=(\d+)", pages["org_detail_pending_rows"].text)))
    pages["cert_detail"] = client.get(client.url("cert_detail", certId=cert_id))
    pages["update"] = client.get(client.url("cert_update", certId=cert_id))
    pages["update_errors"] = client.submit(pages["update"], {**TYPED, "postalCode": "1"})
    pages["updated"] = client.submit(pages["update_errors"], TYPED)
    if "confirm-screen" in shapes:
        pages["confirm"] = pages["updated"]
        pages["updated"] = client.submit(pages["confirm"], form=1)
    pages["org_detail_active"] = client.get(client.url("org_detail", orgId=org))
    return pages


def _chrome(pages: dict[str, Page]) -> Page:
    """The page holding the header and the menu: the screens', the menu frame's or the iframe's page."""
    return pages.get("menu_frame") or pages.get("top") or pages["home"]


def _screens(pages: dict[str, Page]) -> dict[str, Page]:
    """The screens shown after the login (their tables' XHR answers and the pages of frames are not)."""
    return {
        name: page
        for name, page in pages.items()
        if name not in ("login", "top", "menu_frame") and not name.endswith("_rows")
    }


def _plain(text: str) -> str:
    """Numeric character references read (windows-31j writes some characters so), named ones kept."""
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), text)


def _js(text: str) -> str:
    return str(htmlsafe_json_dumps(text))


class _TableDepth(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open, self.depths = 0, dict[str, int]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.open += 1
            self.depths.setdefault(dict(attrs).get("class") or "", self.open)

    def handle_endtag(self, tag: str) -> None:
        self.open -= tag == "table"


# shape -> the check of its defining property on the pages of `walk` (written to hold beside any other shape)
def _no_labels(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, page in pages.items():
        assert "<label" not in page.text and "aria-" not in page.text, name
    assert re.search(
        r'<tr><(th|td class="label")>ログインID：?</(th|td)>\n<td><input type="text" id="loginId"', pages["login"].text
    )
    assert re.search(r'<input type="radio" id="target0"[^>]*>全ての利用者様', pages["home"].text)


def _td_keys(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, page in pages.items():
        assert not re.search(r"<th[\s>]|<thead", page.text), name
    assert f'<td class="key">{L.ORG_ID}</td><td>1</td>' in pages["org_detail"].text
    assert f'<tr><td class="head">{L.CERT}</td><td class="head">{L.REGISTERED_AT}</td>' in pages["org_detail"].text
    assert re.search(r'<td class="label">(<label for="loginId">)?ログインID', pages["login"].text)


def _div_titles(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, page in pages.items():
        assert not re.search(r"<h[1-6][\s>]", page.text), name
    assert f'<div class="title">{S.ORG_SEARCH}</div>' in pages["org_search"].text
    assert f'<div class="login-title">{pt.LOGIN_TITLE}</div>' in pages["login"].text


def _icon_buttons(pages: dict[str, Page], sb: Sandbox) -> None:
    detail, register = _plain(pages["org_detail"].text), _plain(pages["register"].text)
    if "input-buttons" in sb.options.markup:  # an <input> holds no element: the glyph is in its caption
        assert 'value="\ue0a1 一覧に戻る"' in detail and 'value="+ 代理人証明書登録"' in detail
        assert 'value="✔ 確定"' in register and 'value="▶ ログイン"' in _plain(pages["login"].text)
        return
    assert '<span class="icon">+</span> 代理人証明書登録</button>' in detail
    assert '<i class="ic">\ue0a1</i> 一覧に戻る</button>' in detail
    assert '<span class="icon-search">Q</span> 検索</button>' in pages["org_search"].text
    assert '<span class="icon">✔</span> 確定</button>' in register
    assert '<span class="icon">▶</span> ログイン</button>' in _plain(pages["login"].text)
    assert re.search(
        r'<img src="data:image/[^"]+" alt="" class="icon"> 代理人証明書更新</button>', pages["cert_detail"].text
    )


def _input_buttons(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, page in pages.items():
        assert "<button" not in page.text, name
    assert re.search(r'<input type="submit" value="(✔ )?確定">', _plain(pages["register"].text))
    assert re.search(r"<input type=\"button\" value=\"\+ 代理人証明書登録\" onclick='", pages["org_detail"].text)
    assert re.search(r'<input type="image" name="search" src="data:image/[^"]+" alt="検索"', pages["org_search"].text)
    assert re.search(r"<span class=\"link\" onclick='[^']*location.href=[^']*'>ログアウト</span>", _chrome(pages).text)
    rows = pages["org_detail_pending_rows"].text
    assert re.search(r"<span class=\"link\" onclick='location.href=[^']+'>20\d\d/", rows)


def _halfwidth_labels(pages: dict[str, Page], sb: Sandbox) -> None:
    wrap = "<br>" if "wrapped-labels" in sb.options.markup else " "
    assert (
        "<th>代理人組織名 (略称)</th>" in pages["org_detail"].text
        or "代理人組織名 (略称)</td>" in pages["org_detail"].text
    )
    assert "屋号 (漢字)" in pages["org_detail"].text  # the certificate table's header
    assert f"氏名又は代表者名{wrap}(カナ)" in pages["update"].text
    assert "(軽)&nbsp;新車新規申請可否" in pages["org_detail"].text
    detail = _plain(pages["cert_detail"].text)
    assert f"住所{wrap.strip()}（都道府県\u301c番地）" in detail and "都道府県\uff5e番地" not in detail


def _wrapped_labels(pages: dict[str, Page], sb: Sandbox) -> None:
    paren = "(" if "halfwidth-labels" in sb.options.markup else "（"
    assert f"氏名又は代表者名<br>{paren}カナ" in pages["update"].text
    assert re.search(r"住所<br>（都道府県[～〜]番地）", _plain(pages["cert_detail"].text))
    assert "証明書<br>有効期限" in pages["org_detail"].text
    assert '<span class="req">※</span>' in pages["register"].text
    assert '<span class="req">必須</span>' in pages["update"].text
    assert "ログインID：" in pages["login"].text and "パスワード：" in pages["login"].text


def _layout_tables(pages: dict[str, Page], sb: Sandbox) -> None:
    for name in ("login", "home", "org_search", "org_detail", "register", "cert_detail", "update", "updated"):
        assert '<body>\n<table class="layout"' in pages[name].text, name
    depth = _TableDepth()
    depth.feed(pages["org_detail"].text)
    assert depth.depths["layout"] == 1 and depth.depths["detail"] >= 3  # layout > frame > the screen's own


def _js_confirm(pages: dict[str, Page], sb: Sandbox) -> None:
    asked = f"return confirm({_js(M.CONFIRM_SUBMIT)})"
    assert asked in pages["register"].text and asked in pages["update"].text
    assert M.CONFIRM_UPDATE not in pages["update"].text and _js(M.CONFIRM_UPDATE) not in pages["update"].text
    assert f"confirm({_js(M.CONFIRM_LOGOUT)})" in _chrome(pages).text
    if "confirm-screen" in sb.options.markup:
        assert asked in pages["confirm"].text


def _js_library(pages: dict[str, Page], sb: Sandbox) -> None:
    tag = re.compile(
        f'<script type="text/javascript" src="{re.escape(sb.paths.paths["js"])}(;jsessionid=[^"]+)?"></script>'
    )
    for name, page in pages.items():
        if not name.endswith("_rows"):
            assert tag.search(page.text), name


def _confirm_screen(pages: dict[str, Page], sb: Sandbox) -> None:
    confirm = _plain(pages["confirm"].text)
    assert pages["confirm"].title == S.CERT_UPDATE_CONFIRM
    for value in (*KANA.values(), "100-0013", "********"):
        assert f"<td>{value}</td>" in confirm
    assert "1234" not in re.sub(r'value="[^"]*"', "", confirm)  # the password is never shown
    assert len(pages["confirm"].forms) == 2 and L.BACK in confirm and L.CONFIRM in confirm


def _complete_screen(pages: dict[str, Page], sb: Sandbox) -> None:
    done = pages["updated"]
    assert done.title == S.CERT_UPDATE_COMPLETE and done.message == M.UPDATED
    assert 'class="detail"' not in done.text and KANA["tradeNameKana"] not in done.text
    assert sb.paths.url("org_detail", orgId=sb.notices[0].org_id).split("?")[0] in done.text
    assert "一覧に戻る" in done.text


def _late_tables(pages: dict[str, Page], sb: Sandbox) -> None:
    detail_path = sb.paths.paths["org_detail"]
    for name in ("org_search", "search_one"):
        assert M.LOADING in pages[name].text and detail_path not in pages[name].text, name
    assert re.search(r"(<thead><tr><th>|<tr><td class=\"head\">)代理人組織ID", pages["org_search"].text)
    assert "XMLHttpRequest" in pages["org_search"].text and "DOMContentLoaded" in pages["org_search"].text
    assert detail_path in pages["org_search_rows"].text and "1 - 3 / 3 件" in pages["org_search_rows"].text
    assert sb.paths.paths["cert_detail"] in pages["org_detail_pending_rows"].text
    assert sb.paths.paths["cert_detail"] not in pages["org_detail_pending"].text


def _unpadded_dates(pages: dict[str, Page], sb: Sandbox) -> None:
    for name in ("cert_detail", "org_detail_pending_rows"):
        assert "2026/3/5 09:07:05" in pages[name].text and "2026/03/05" not in pages[name].text, name
    assert "<td>2028/3/5</td>" in pages["cert_detail"].text and "2028/03/05" not in pages["cert_detail"].text


def _popup_done(pages: dict[str, Page], sb: Sandbox, target: str) -> None:
    """The form opened in a popup, which sends its opener to `target` when the registration is done."""
    opens = re.search(r'window.open\(("[^"]+"), "certRegister", "width=\d+', pages["org_detail"].text)
    assert opens and sb.paths.paths["cert_register"] in json.loads(opens.group(1))
    assert 'id="header"' not in pages["register"].text and pages["register"].title == S.CERT_REGISTER
    done = pages["registered"].text
    assert "window.opener.location.href = next;" in done and "window.close();" in done
    next_url = json.loads(first_group(r"var next = (\"[^\"]*\");", done))
    assert sb.paths.paths[target] in next_url and 'id="header"' not in done


def _popup_register(pages: dict[str, Page], sb: Sandbox) -> None:
    to_org = {"popup-register-org", "register-complete"} & sb.options.markup
    _popup_done(pages, sb, "org_detail" if to_org else "cert_detail")


def _popup_register_org(pages: dict[str, Page], sb: Sandbox) -> None:
    _popup_done(pages, sb, "org_detail")
    assert f"orgId={sb.notices[0].org_id}" in pages["registered"].text
    assert "certId=" not in pages["registered"].text


def _register_complete(pages: dict[str, Page], sb: Sandbox) -> None:
    done = pages["registered"]
    assert done.title == S.CERT_REGISTER_COMPLETE and done.message == M.REGISTERED
    assert "一覧に戻る" in done.text and 'class="detail"' not in done.text and "certId=" not in done.text
    assert sb.paths.url("org_detail", orgId=sb.notices[0].org_id).split("?")[0] in done.text


def _frames_breakout(pages: dict[str, Page]) -> None:
    """The login page leaves any frame; no screen holds the header, which the frame's page has."""
    assert "if (window.top !== window.self) { window.top.location.href = window.location.href; }" in pages["login"].text
    for name, page in _screens(pages).items():
        assert 'id="header"' not in page.text and L.PAY_LIGHT not in page.text, name


def _menu_targets(chrome: Page) -> None:
    """The header and menu of a frame's page: links into the frame `main`, ログアウト for the whole window."""
    assert pt.HEADER in chrome.text and chrome.text.count(' target="main">') == len(pt.MENU) + 2
    for item in (*pt.MENU, L.PAY_REGISTERED, L.PAY_LIGHT):
        assert re.search(rf'<a href="[^"]+" target="main">{re.escape(item)}</a>', chrome.text), item
    assert re.search(r"""target="_top"[^>]*>ログアウト</a>|top\.location\.href=[^']*'>ログアウト</span>""", chrome.text)
    assert L.ROLE_ADMIN in chrome.text


def _frameset(pages: dict[str, Page], sb: Sandbox) -> None:
    top = pages["top"].text
    assert re.search(r'<frameset rows="[^"]+"[^>]*>\n<frame name="menu" src="[^"]+"[^>]*>\n<frame name="main"', top)
    assert "<body" not in top.split("<noframes>")[0] and "<iframe" not in top
    assert sb.paths.paths["home"] in _frame_src(pages["top"], "main")
    assert pages["home"].title == S.HOME
    _menu_targets(pages["menu_frame"])
    assert 'id="content"' not in pages["menu_frame"].text
    _frames_breakout(pages)


def _iframe(pages: dict[str, Page], sb: Sandbox) -> None:
    if "frameset" in sb.options.markup:  # frameset wins
        assert all("<iframe" not in page.text for page in pages.values())
        return
    top = pages["top"].text
    assert re.search(r'<iframe name="main" src="[^"]+" width="100%" height="\d{3,}"', top)
    assert sb.paths.paths["home"] in _frame_src(pages["top"], "main") and "<frameset" not in top
    _menu_targets(pages["top"])
    _frames_breakout(pages)


def _notice_popup(pages: dict[str, Page], sb: Sandbox) -> None:
    home = pages["home"].text
    assert re.search(
        r'window.addEventListener\("load", function \(\) \{\n  window.open\("[^"]+", "notice", '
        r'"width=520,height=420"\);',
        home,
    )
    overlay = first_group(r'(<div class="overlay"[^>]*>)', home)
    for style in (
        "position: fixed",
        "top: 0",
        "left: 0",
        "width: 100%",
        "height: 100%",
        "z-index: 10000",
        "background: rgba(0, 0, 0, 0.5)",
    ):
        assert style in overlay, style
    assert S.IMPORTANT_NOTICE in home and L.CLOSE in home and "closeImportantNotice()" in home
    assert pages["home"].title == S.HOME  # the overlay's title is no screen title
    notice = pages["notice"]
    assert notice.title == S.NOTICE and f"<title>{S.NOTICE}</title>" in notice.text
    assert "年末年始（12/29～1/3）はサービスを停止します。" in _plain(notice.text)
    assert L.CLOSE in notice.text and "window.close()" in notice.text and 'id="header"' not in notice.text
    for name in ("home_search", "menu", "org_search"):  # once per session
        assert "overlay" not in pages[name].text and '"notice"' not in pages[name].text, name


def _timer_tables(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, table in (("org_search", "orgList"), ("org_detail_pending", "certList")):
        text = pages[name].text
        assert re.search(rf'<table class="list[^"]*" id="{table}">', text), name
        assert f"setTimeout(load, {sb.options.timer_ms});" in text and "XMLHttpRequest" in text, name
        for row in re.findall(r'<tr class="loading"[^>]*>', text):  # only while the request is out
            assert 'style="display: none"' in row, name
    assert sb.paths.paths["org_detail"] not in pages["org_search"].text
    assert re.search(r"(<thead><tr><th>|<tr><td class=\"head\">)代理人組織ID", pages["org_search"].text)
    assert sb.paths.paths["org_detail"] in pages["org_search_rows"].text
    assert sb.paths.paths["cert_detail"] in pages["org_detail_pending_rows"].text


def _timer_placeholder(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, page in _screens(pages).items():
        if "<template" not in page.text and "window.opener" in page.text:
            continue  # popup-register's page that only moves its opener: no screen
        assert page.text.count("<template") == 1, name
        head, template, tail = re.split(r"<template[^>]*>|</template>", page.text)
        assert f'<div class="processing" id="processing">{M.PROCESSING}</div>' in head, name
        assert re.search(r"<h2>|<div class=\"title\">", head), name  # the title shows at once
        assert "<script" not in template, name
        for content in ("<form", 'class="message"', 'class="detail"', 'class="list'):
            assert content not in head, (name, content)
        assert f"}}, {sb.options.timer_ms});" in tail and "importNode" in tail, name
    assert "<form" in _screens(pages)["register"].text.split("<template")[1]
    assert "<template" not in pages["login"].text and M.PROCESSING not in pages["login"].text


def _windows_31j(pages: dict[str, Page], sb: Sandbox) -> None:
    for name, page in pages.items():
        if name.endswith("_rows"):
            continue
        assert page.response.headers["content-type"] == "text/html; charset=Windows-31J", name
        assert '<meta charset="Windows-31J">' in page.text, name
        page.response.content.decode("cp932")  # strict
    with pytest.raises(UnicodeDecodeError):
        pages["home"].response.content.decode("utf-8")
    record = sb.state()[0]["certificates"][-1]
    assert (record["trade_name_kana"], record["holder_name_kana"]) == tuple(KANA.values())


def _jsessionid(pages: dict[str, Page], sb: Sandbox) -> None:
    landing = pages.get("top") or pages["home"]
    login_redirect = landing.response.history[-1].headers["location"]
    sid = landing.response.history[0].cookies["JSESSIONID"]
    assert f";jsessionid={sid}" in login_redirect
    for name, page in pages.items():
        if name == "login":
            continue
        urls = re.findall(r'"(/oss_agt/[^"]*)"', page.text)
        assert urls, name
        for url in urls:
            assert f";jsessionid={sid}" in url, (name, url)


CHECKS: dict[str, Callable[[dict[str, Page], Sandbox], None]] = {
    "no-labels": _no_labels,
    "td-keys": _td_keys,
    "div-titles": _div_titles,
    "icon-buttons": _icon_buttons,
    "input-buttons": _input_buttons,
    "halfwidth-labels": _halfwidth_labels,
    "wrapped-labels": _wrapped_labels,
    "layout-tables": _layout_tables,
    "js-confirm": _js_confirm,
    "js-library": _js_library,
    "confirm-screen": _confirm_screen,
    "complete-screen": _complete_screen,
    "late-tables": _late_tables,
    "unpadded-dates": _unpadded_dates,
    "timer-tables": _timer_tables,
    "timer-placeholder": _timer_placeholder,
    "popup-register": _popup_register,
    "popup-register-org": _popup_register_org,
    "register-complete": _register_complete,
    "frameset": _frameset,
    "iframe": _iframe,
    "notice-popup": _notice_popup,
    "windows-31j": _windows_31j,
    "jsessionid": _jsessionid,
}


def test_every_shape_has_a_check() -> None:
    assert set(CHECKS) == set(SHAPES)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_alone(shape: str, start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start(shape)
    pages = walk(client)
    CHECKS[shape](pages, sb)
    assert pages["updated"].message == M.UPDATED
    assert sb.state()[0]["certificates"][-1]["status"] == "active"


@pytest.mark.parametrize("shuffle", [False, True])
def test_legacy_is_every_shape_at_once(shuffle: bool, start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start("legacy", shuffle_paths=shuffle)
    assert sb.options.markup == frozenset(SHAPES)
    pages = walk(client)
    for check in CHECKS.values():
        check(pages, sb)
    record = sb.state()[0]["certificates"][-1]
    assert record["status"] == "active" and record["start_date"] == "2026-03-05"
    if shuffle:
        assert "orgSearch" not in pages["org_search"].response.url.path


def test_no_check_holds_on_the_default_markup(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    """The checks have teeth: on today's markup every one of them fails."""
    sb, client = start()
    pages = walk(client)
    for shape, check in CHECKS.items():
        with pytest.raises((AssertionError, KeyError)):
            check(pages, sb)
            pytest.fail(f"the {shape} check holds on the default markup")  # raises Failed, not caught above


def test_the_library_every_page_loads_is_served_as_javascript(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    _sb, client = start("js-library")
    client.login()
    library = client.get(client.url("js"))
    assert library.response.headers["content-type"].startswith("text/javascript")
    assert "Array.from = $A;" in library.text and "toJSON" in library.text


def _update_form(client: Client) -> tuple[Page, str]:
    client.login()
    registered = client.submit(
        client.get(client.url("cert_register", orgId=client.notice.org_id)),
        {"certPassword": "1234"},
        files={"certFile": _p12()},
    )
    cert_id = _cert_id(registered)
    return client.get(client.url("cert_update", certId=cert_id)), cert_id


def test_the_confirm_screen_holds_the_values_and_only_its_confirm_updates(
    start: Callable[..., tuple[Sandbox, Client]],
) -> None:
    sb, client = start("confirm-screen")
    form, _ = _update_form(client)
    refused = client.submit(form, {**TYPED, "holderNameKana": "yamada"})
    assert refused.title == S.CERT_UPDATE and M.KANA_INVALID.format(label=L.HOLDER_NAME_KANA) in refused.text
    confirm = client.submit(refused, TYPED)
    assert confirm.title == S.CERT_UPDATE_CONFIRM
    rows = dict(re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", confirm.text))
    assert rows[L.TRADE_NAME_KANA] == KANA["tradeNameKana"] and rows[L.CERT_PASSWORD] == "********"
    assert rows[L.START_DATE] == "2026/03/05" and rows[L.POSTAL_CODE] == "100-0013"
    assert sb.state()[0]["certificates"][-1]["status"] == "pending"  # the form's 確定 stored nothing
    back = client.submit(confirm, form=0)
    assert back.title == S.CERT_UPDATE
    assert f'name="tradeNameKana" value="{KANA["tradeNameKana"]}"' in back.text
    assert 'name="certPassword" value=""' in back.text
    assert sb.state()[0]["certificates"][-1]["status"] == "pending"
    again = client.submit(back, {**TYPED, "postalCode": "100-6005"})
    done = client.submit(again, form=1)
    assert done.title == S.CERT_DETAIL and done.message == M.UPDATED
    record = sb.state()[0]["certificates"][-1]
    assert record["status"] == "active" and record["postal_code"] == "100-6005"
    assert client.submit(again, form=1).message == M.DOUBLE_SUBMIT  # the same 確定 posted twice
    # The first 確認 page was left by its 戻る: its 確定 shares the token that used up.
    assert client.submit(confirm, form=1).message == M.DOUBLE_SUBMIT
    assert sb.state()[0]["certificates"][-1]["postal_code"] == "100-6005"


def test_late_tables_answer_after_late_ms_and_need_the_session(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start("late-tables", late_ms=300)
    client.login()
    started = time.monotonic()
    page = client.get(client.url("org_search"))
    assert time.monotonic() - started < 0.3
    assert sb.paths.paths["org_detail"] not in page.text and M.LOADING in page.text
    started = time.monotonic()
    rows = client.late_rows(page)
    assert time.monotonic() - started >= 0.3
    assert rows["message"] == "" and rows["rows"].count("<tr") == 3 and "1 - 3 / 3 件" in rows["pager"]
    none = client.submit(page, {"orgId": "99999", "search": "1"})
    assert none.message == ""  # the page does not know yet
    assert client.late_rows(none) == {"rows": "", "pager": "", "message": M.NOT_FOUND}
    certs = client.late_rows(client.get(client.url("org_detail", orgId=client.notice.org_id)))
    assert set(certs) == {"rows"} and sb.paths.paths["cert_detail"] in certs["rows"]
    client.get(client.url("logout"))
    answer = client.http.get(client.url("org_search_rows"))
    assert answer.url.path == sb.paths.paths["login"] and "<form" in answer.text  # redirected to the login page


def test_a_refused_popup_registration_stays_in_the_popup(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    _, client = start("popup-register")
    client.login()
    form = client.get(client.url("cert_register", orgId=client.notice.org_id))
    refused = client.submit(form, {"certPassword": "wrong"}, files={"certFile": _p12()})
    assert refused.title == S.CERT_REGISTER and M.WRONG_CERT_PASSWORD in refused.text
    assert "window.opener" not in refused.text and 'id="header"' not in refused.text
    done = client.submit(refused, {"certPassword": "1234"}, files={"certFile": _p12()})
    assert "window.opener.location.href" in done.text
    next_url = json.loads(first_group(r"var next = (\"[^\"]*\");", done.text))
    assert client.get(next_url).title == S.CERT_DETAIL


@pytest.mark.parametrize("shape", ["frameset", "iframe"])
def test_the_login_leads_to_the_page_of_frames(shape: str, start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start(shape)
    login = client.get(sb.base_url)
    assert "window.top.location.href = window.location.href" in login.text
    top = client.login()
    assert top.response.url.path == sb.paths.paths["top"] and top.title == ""  # no screen of its own
    home = client.get(_frame_src(top, "main"))
    assert home.title == S.HOME and 'id="header"' not in home.text and "window.top" not in home.text
    header = client.get(client.url("header"))
    if shape == "frameset":
        assert header.response.status_code == 200 and L.LOGOUT in header.text and "<frame" not in header.text
    else:
        assert header.response.status_code == 404 and header.message == M.INVALID_TRANSITION
    refused = client.get(client.url("cert_detail", certId="999"))  # an error shows in the frame too
    assert refused.title == S.ERROR and 'id="header"' not in refused.text
    client.get(client.url("logout"))
    again = client.get(client.url("top"))  # no session: the login page, which leaves the frames
    assert again.response.url.path == sb.paths.paths["login"] and "window.top.location.href" in again.text


def test_frameset_wins_over_iframe_and_neither_page_exists_without_them(
    start: Callable[..., tuple[Sandbox, Client]],
) -> None:
    _, client = start("frameset", "iframe")
    top = client.login()
    assert "<frameset" in top.text and "<iframe" not in top.text
    _, plain = start()
    assert plain.login().title == S.HOME
    for name in ("top", "header", "notice"):
        page = plain.get(plain.url(name))
        assert page.response.status_code == 404 and page.message == M.INVALID_TRANSITION, name
    assert "window.top" not in plain.get(plain.sb.base_url).text


@pytest.mark.parametrize("frames", [(), ("frameset",), ("iframe",)])
def test_the_notices_show_once_per_login(frames: tuple[str, ...], start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start("notice-popup", *frames)
    landing = client.login()
    home = client.get(_frame_src(landing, "main")) if frames else landing
    assert S.IMPORTANT_NOTICE in home.text and home.title == S.HOME
    if frames:
        assert "overlay" not in landing.text and '"notice"' not in landing.text  # in the frame, not around it
    notice = client.get(_opened(home, "notice"))
    assert notice.title == S.NOTICE and 'id="header"' not in notice.text
    searched = client.submit(home, {"registeredOn": "", "target": "0", "search": "1"})
    assert searched.message == M.NOT_FOUND and S.IMPORTANT_NOTICE not in searched.text
    assert S.IMPORTANT_NOTICE not in client.get(client.url("home")).text
    client.get(client.url("logout"))
    assert client.get(client.url("notice")).response.url.path == sb.paths.paths["login"]  # needs the session
    landing = client.login()
    home = client.get(_frame_src(landing, "main")) if frames else landing
    assert S.IMPORTANT_NOTICE in home.text  # a new session: shown again


def test_timer_tables_wait_in_the_page_and_late_tables_at_the_server(
    start: Callable[..., tuple[Sandbox, Client]],
) -> None:
    sb, client = start("timer-tables", late_ms=2000, timer_ms=250)
    client.login()
    page = client.get(client.url("org_search"))
    assert "setTimeout(load, 250);" in page.text and M.LOADING not in page.text and 'class="loading"' not in page.text
    started = time.monotonic()
    rows = client.late_rows(page)
    assert time.monotonic() - started < 1.0  # late_ms is late-tables' alone
    assert rows["rows"].count("<tr") == 3 and "1 - 3 / 3 件" in rows["pager"]
    none = client.submit(page, {"orgId": "99999", "search": "1"})
    assert none.message == "" and client.late_rows(none)["message"] == M.NOT_FOUND
    sb.options.timer_ms = 30  # read with every page
    assert "setTimeout(load, 30);" in client.get(client.url("org_detail", orgId=client.notice.org_id)).text
    both, client = start("timer-tables", "late-tables", late_ms=300)
    client.login()
    page = client.get(client.url("org_detail", orgId=client.notice.org_id))
    assert re.search(r'<tr class="loading" style="display: none"><td colspan="5">' + M.LOADING, page.text)
    started = time.monotonic()
    assert both.paths.paths["cert_detail"] in client.late_rows(page)["rows"]
    assert time.monotonic() - started >= 0.3


def test_the_placeholder_holds_the_content_whose_forms_still_post(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start("timer-placeholder", "late-tables", "js-confirm", timer_ms=120)
    login = client.get(sb.base_url)
    assert M.PROCESSING not in login.text and "<template" not in login.text  # before the login: no placeholder
    client.login()
    search = client.get(client.url("org_search"))
    before, content, after = re.split(r"<template[^>]*>|</template>", search.text)
    assert M.PROCESSING in before and "<form" in content and 'id="orgList"' in content
    assert '"screenshown"' in after and "setTimeout" in after and "}, 120);" in after
    found = client.submit(search, {"orgId": client.notice.org_id, "search": "1"})
    assert found.title == S.ORG_SEARCH and client.late_rows(found)["pager"].count("1 - 1 / 1 件") == 1
    register = client.get(client.url("cert_register", orgId=client.notice.org_id))
    form = register.text.split("<template")[1]
    assert 'type="file" id="certFile"' in form and "return confirm(" in form
    done = client.submit(register, {"certPassword": "1234"}, files={"certFile": _p12()})
    assert done.title == S.CERT_DETAIL and done.message == M.REGISTERED and "<template" in done.text


@pytest.mark.parametrize("shapes", [("popup-register-org",), ("popup-register", "popup-register-org")])
def test_the_org_popup_sends_its_opener_to_the_organisation(
    shapes: tuple[str, ...], start: Callable[..., tuple[Sandbox, Client]]
) -> None:
    sb, client = start(*shapes)
    client.login()
    org = client.notice.org_id
    assert '"certRegister"' in client.get(client.url("org_detail", orgId=org)).text
    form = client.get(client.url("cert_register", orgId=org))
    refused = client.submit(form, {"certPassword": "wrong"}, files={"certFile": _p12()})
    assert refused.title == S.CERT_REGISTER and "window.opener" not in refused.text
    done = client.submit(refused, {"certPassword": "1234"}, files={"certFile": _p12()})
    next_url = json.loads(first_group(r"var next = (\"[^\"]*\");", done.text))
    shown = client.get(next_url)
    assert shown.title == S.ORG_DETAIL and shown.response.url.params["orgId"] == org
    assert sb.state()[0]["certificates"][-1]["status"] == "pending"


@pytest.mark.parametrize("popup", [False, True])
def test_the_registration_ends_on_its_complete_screen(
    popup: bool, start: Callable[..., tuple[Sandbox, Client]]
) -> None:
    sb, client = start("register-complete", *(("popup-register",) if popup else ()))
    client.login()
    org = client.notice.org_id
    done = client.submit(
        client.get(client.url("cert_register", orgId=org)), {"certPassword": "1234"}, files={"certFile": _p12()}
    )
    assert done.title == S.CERT_REGISTER_COMPLETE and done.message == M.REGISTERED
    assert ('id="header"' in done.text) is not popup
    if popup:  # its button moves the opener and closes the popup
        assert "onclick='backToList()'>↑ 一覧に戻る</button>" in done.text and "window.close();" in done.text
        back = json.loads(first_group(r"var next = (\"[^\"]*\");", done.text))
    else:
        back = json.loads(html.unescape(first_group(r"onclick='location.href=(\"[^\"]*\")'>↑ 一覧に戻る", done.text)))
    shown = client.get(back)
    assert shown.title == S.ORG_DETAIL and shown.response.url.params["orgId"] == org
    assert sb.state()[0]["certificates"][-1]["status"] == "pending"


def test_cp932_posts_store_the_kana_both_urlencoded_and_multipart(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start("windows-31j", "halfwidth-labels")
    form, _ = _update_form(client)
    assert "&#12316;" in form.response.content.decode("ascii", "replace")  # 〜 has no faithful cp932 byte
    fields = {**form.forms[0].hidden, **TYPED, "tradeNameKana": "ギョウセイショシ　ヤマダ"}
    multipart = {k: (None, v.encode("cp932")) for k, v in fields.items()}
    done = client.http.post(form.forms[0].action, files=multipart)
    assert _decoded(done).count(M.UPDATED) == 1
    assert sb.state()[0]["certificates"][-1]["trade_name_kana"] == "ギョウセイショシ　ヤマダ"


def test_jsessionid_paths_route_and_a_reposted_form_is_refused(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    _, client = start("jsessionid")
    home = client.login()
    sid = client.http.cookies["JSESSIONID"]
    search = client.get(first_group(r'href="([^"]*orgSearch[^"]*)"', home.text))
    assert search.title == S.ORG_SEARCH and f"orgSearch.do;jsessionid={sid}" in search.response.url.path
    assert search.forms[0].action.startswith(f"/oss_agt/orgSearch.do;jsessionid={sid}")
    found = client.submit(search, {"orgId": client.notice.org_id, "search": "1"})
    assert f'href="/oss_agt/orgDetail.do;jsessionid={sid}?orgId={client.notice.org_id}"' in found.text
    assert client.submit(search, {"orgId": "2", "search": "1"}).message == M.DOUBLE_SUBMIT
    assert client.get("/oss_agt/orgSearch.do;jsessionid=SOMETHINGELSE").title == S.ORG_SEARCH  # the cookie decides


def test_unpadded_dates_accept_both_kinds_of_start_date(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start("unpadded-dates")
    form, cert_id = _update_form(client)
    done = client.submit(form, {**TYPED, "startDate": "2026/3/5"})
    assert done.message == M.UPDATED and "<td>2026/3/5</td>" in done.text
    again = client.submit(client.get(client.url("cert_update", certId=cert_id)), {**TYPED, "startDate": "2026/03/6"})
    assert again.message == M.UPDATED and sb.state()[0]["certificates"][-1]["start_date"] == "2026-03-06"
    plain, _ = start()
    assert plain.options.markup == frozenset()


def test_upload_posts_count_every_post_to_the_registration(start: Callable[..., tuple[Sandbox, Client]]) -> None:
    sb, client = start()
    client.login()
    form = client.get(client.url("cert_register", orgId=client.notice.org_id))
    assert sb.upload_posts == 0
    refused = client.submit(form, {"certPassword": "wrong"}, files={"certFile": _p12()})
    done = client.submit(refused, {"certPassword": "1234"}, files={"certFile": _p12()})
    assert done.message == M.REGISTERED
    assert client.submit(refused, {"certPassword": "1234"}, files={"certFile": _p12()}).message == M.DOUBLE_SUBMIT
    client.get(client.url("logout"))
    client.post(form.forms[0].action, {"certPassword": "1234"}, files={"certFile": _p12()})  # no session
    assert sb.upload_posts == 4


def test_markup_names_presets_and_errors() -> None:
    assert parse_markup(["legacy"]) == frozenset(SHAPES)
    assert parse_markup(["td-keys,no-labels", " JS-Confirm ", ""]) == {"td-keys", "no-labels", "js-confirm"}
    assert SandboxOptions(markup=frozenset({"legacy"})).markup == frozenset(SHAPES)
    assert parse_markup("js-confirm,td-keys") == {"js-confirm", "td-keys"}
    with pytest.raises(ConfigError, match="--markup bogus: unknown markup shape; known: no-labels, td-keys"):
        parse_markup(["div-titles,bogus"])
    with pytest.raises(ConfigError, match="--late-ms -1"):
        SandboxOptions(late_ms=-1).validate()
    with pytest.raises(ConfigError, match="--timer-ms -1: give 0 or more milliseconds"):
        SandboxOptions(timer_ms=-1).validate()
    SandboxOptions(timer_ms=0).validate()
    args = serve_parser().parse_args(
        ["--markup", "td-keys,no-labels", "--markup", "jsessionid", "--late-ms", "5", "--timer-ms", "7"]
    )
    assert parse_markup(args.markup) == {"td-keys", "no-labels", "jsessionid"} and args.late_ms == 5
    assert args.timer_ms == 7
    defaults = serve_parser().parse_args([])
    assert parse_markup(defaults.markup) == frozenset() and defaults.late_ms == SandboxOptions().late_ms
    assert defaults.timer_ms == SandboxOptions().timer_ms == 400


def test_the_cli_names_the_known_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    from ainas_bot.cli.main import main

    assert main(["sandbox", "--markup", "no-labels,nope"]) != 0
    err = capsys.readouterr().err
    assert "--markup nope: unknown markup shape" in err and all(name in err for name in SHAPES)


def _click_closing(button: Locator) -> None:
    """Click a button whose handler closes its window: the click's own answer may be lost with the window (the
    caller waits for the window's close event, which is what matters)."""
    try:
        button.click()
    except PlaywrightError as lost:
        assert "closed" in str(lost), lost


@pytest.mark.e2e
def test_legacy_in_a_browser(
    start: Callable[..., tuple[Sandbox, Client]], portal_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    """What only a browser shows: the screens in the frameset's `main` frame, the notices' window and the
    overlay that blocks the screen until closed, the placeholder and the timers, the XHR filling the
    tables, the popup's 完了 screen sending its opener on and closing, a cancelled confirm posting
    nothing, カナ going out in Shift_JIS, the icon font's glyph surviving cp932."""
    sb, _ = start("legacy", late_ms=300)
    notice, org = sb.notices[0], sb.notices[0].org_id
    context = portal_context(notice, sb)
    page = context.new_page()
    asked: list[str] = []

    def answer(dialog: Dialog, *, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    def title(of: BrowserPage | Frame) -> str:
        return of.locator("div.title").inner_text().strip()

    page.goto(sb.base_url)
    page.fill("input[name=loginId]", notice.admin_login_id)
    page.fill("input[name=password]", notice.admin_password)
    with context.expect_page() as notice_window:  # opened by the first home screen's load handler
        page.get_by_role("button", name="▶ ログイン", exact=True).click()
    assert f";jsessionid={page.context.cookies()[0]['value']}" in page.url
    main, menu = page.frame(name="main"), page.frame(name="menu")
    assert main is not None and menu is not None and page.locator("div.title").count() == 0
    expect(notice_window.value.locator("div.title")).to_have_text(S.NOTICE)
    with notice_window.value.expect_event("close"):
        _click_closing(notice_window.value.get_by_role("button", name=L.CLOSE, exact=True))
    assert title(main) == S.HOME
    overlay = main.locator("div.overlay")
    expect(overlay).to_contain_text(S.IMPORTANT_NOTICE)
    with pytest.raises(PlaywrightError, match="intercepts pointer events"):  # the overlay covers the screen
        main.get_by_role("button", name=L.SEARCH, exact=True).click(timeout=1000)
    overlay.get_by_role("button", name=L.CLOSE, exact=True).click()
    expect(overlay).to_be_hidden()
    page.once("dialog", lambda d: answer(d, accept=False))
    menu.get_by_text(L.LOGOUT, exact=True).click()
    assert asked == [M.CONFIRM_LOGOUT] and title(main) == S.HOME  # cancelled: still logged in
    menu.get_by_role("link", name=pt.MENU[2], exact=True).click()
    expect(main.locator("#orgList").get_by_role("link", name=org, exact=True)).to_be_visible()
    main.fill("input[name=orgId]", org)  # waits for the placeholder to give way to the form
    main.get_by_role("button", name=L.SEARCH, exact=True).click()  # the image button, by its alt text
    expect(main.locator("div.pager")).to_contain_text("1 - 1 / 1 件")
    main.locator("#orgList").get_by_role("link", name=org, exact=True).click()
    expect(main.locator("#certList span.link")).to_have_count(1)  # the seeded record, come by XHR
    assert main.locator("#certList tr.loading").count() == 0
    with page.expect_popup() as opened:
        main.get_by_role("button", name=L.CERT_REGISTER, exact=True).click()
    popup = opened.value
    assert title(popup) == S.CERT_REGISTER and popup.locator("#header").count() == 0
    p12 = tmp_path / "signing.p12"
    p12.write_bytes(_p12()[1])
    popup.set_input_files("input[name=certFile]", p12)
    popup.fill("input[name=certPassword]", "1234")
    popup.once("dialog", lambda d: answer(d, accept=True))
    popup.get_by_role("button", name="✔ 確定", exact=True).click()
    expect(popup.locator("div.title")).to_have_text(S.CERT_REGISTER_COMPLETE)
    assert popup.locator("div.message").inner_text() == M.REGISTERED and sb.upload_posts == 1
    with popup.expect_event("close"):
        _click_closing(popup.get_by_role("button", name="\ue0a1 一覧に戻る", exact=True))
    expect(main.locator("div.title")).to_have_text(S.ORG_DETAIL)  # the opener: the frame that opened it
    main.locator("#certList span.link", has_text="2026/3/5 09:07:05").click()
    expect(main.locator("div.title")).to_have_text(S.CERT_DETAIL)
    expect(main.locator("td.key").first).to_be_visible()  # once the placeholder has given way
    keys = main.locator("td.key").all_inner_texts()
    assert "住所\n（都道府県\u301c番地）" in keys  # 〜 arrived as a character reference, shown as itself
    main.locator("input[type=button]").first.click()  # 代理人証明書更新: its icon is an <img>, not in the caption
    expect(main.locator("div.title")).to_have_text(S.CERT_UPDATE)
    for name, value in TYPED.items():
        main.fill(f"input[name={name}]", value)
    page.once("dialog", lambda d: answer(d, accept=False))
    main.get_by_role("button", name="✔ 確定", exact=True).click()
    assert title(main) == S.CERT_UPDATE and sb.state()[0]["certificates"][-1]["status"] == "pending"
    page.once("dialog", lambda d: answer(d, accept=True))
    main.get_by_role("button", name="✔ 確定", exact=True).click()
    expect(main.locator("div.title")).to_have_text(S.CERT_UPDATE_CONFIRM)
    page.once("dialog", lambda d: answer(d, accept=True))
    main.get_by_role("button", name="✔ 確定", exact=True).click()
    expect(main.locator("div.title")).to_have_text(S.CERT_UPDATE_COMPLETE)
    expect(main.locator("div.message")).to_have_text(M.UPDATED)
    assert asked[1:] == [M.CONFIRM_SUBMIT] * 4  # registration, the update dismissed then accepted, 確認
    record = sb.state()[0]["certificates"][-1]
    assert record["status"] == "active"
    assert (record["trade_name_kana"], record["holder_name_kana"]) == tuple(KANA.values())
    main.get_by_role("button", name="\ue0a1 一覧に戻る", exact=True).click()
    expect(main.locator("#certList span.link")).to_have_count(2)
    assert page.locator("div.title").count() == 0 and page.frame(name="main") is not None  # still in the frames
