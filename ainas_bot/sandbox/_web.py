"""What every handler shares: the sandbox context, its (possibly shuffled) paths, and page rendering."""

from __future__ import annotations

import dataclasses
import functools
import random
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ainas_bot import portal_text as pt
from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._buttons import Kit
from ainas_bot.sandbox._db import Db
from ainas_bot.sandbox._options import SandboxOptions
from ainas_bot.sandbox._transport import CP932_CHARSET, encode_cp932

__all__ = [
    "LOGIN_PATH",
    "Ctx",
    "Paths",
    "User",
    "ctx_of",
    "html_page",
    "read_form",
    "redirect",
    "render",
    "render_error",
    "text_lists",
    "url_for",
]

LOGIN_PATH = "/oss_agt/"
_PATHS = {
    "login": LOGIN_PATH,
    "logout": "/oss_agt/logout.do",
    "home": "/oss_agt/home.do",
    "menu": "/oss_agt/menu.do",
    "org_search": "/oss_agt/orgSearch.do",
    "org_detail": "/oss_agt/orgDetail.do",
    "org_update": "/oss_agt/orgUpdate.do",
    "cert_register": "/oss_agt/certRegister.do",
    "cert_detail": "/oss_agt/certDetail.do",
    "cert_update": "/oss_agt/certUpdate.do",
    "cert_update_confirm": "/oss_agt/certUpdateConfirm.do",  # confirm-screen: the 確認 screen's 戻る and 確定
    "org_search_rows": "/oss_agt/orgSearchList.do",  # late-tables, timer-tables: the XHR answers
    "org_detail_certs": "/oss_agt/certList.do",
    "top": "/oss_agt/top.do",  # frameset, iframe: what the login leads to, the screens in its frame
    "header": "/oss_agt/header.do",  # frameset: the menu frame's document
    "notice": "/oss_agt/notice.do",  # notice-popup: the window the first home screen opens
    "css": "/oss_agt/css/style.css",
    "js": "/oss_agt/js/prototype.js",  # js-library
}
_TEMPLATES = Path(__file__).parent / "templates"


class Paths:
    """Route name -> URL path; with `shuffle`, every path but the login URL is random for this start."""

    def __init__(self, *, shuffle: bool) -> None:
        self.paths = dict(_PATHS)
        if shuffle:
            for name in _PATHS:
                if name != "login":
                    self.paths[name] = f"/oss_agt/{secrets.token_hex(6)}{'.css' if name == 'css' else '.do'}"

    def url(self, name: str, jsessionid: str | None = None, **params: object) -> str:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        session = f";jsessionid={jsessionid}" if jsessionid else ""
        return self.paths[name] + session + (f"?{query}" if query else "")


@dataclasses.dataclass(frozen=True)
class User:
    id: int
    login_id: str
    role: str
    session_id: str

    @property
    def role_label(self) -> str:
        return texts.Label.ROLE_ADMIN if self.role == "admin" else texts.Label.ROLE_STAFF


@dataclasses.dataclass
class Ctx:
    """Everything the handlers need, kept on `app.state.ctx`."""

    db: Db
    options: SandboxOptions
    paths: Paths
    rng: random.Random
    requests_served: int = 0  # for benchmarks: the requests on the bot's paths
    # (method, route name) of every request, for tests that prove a client only looked (probe)
    requests_log: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    upload_posts: int = 0  # POSTs that reached 代理人証明書登録, whatever their answer
    # notice-popup: the sessions whose home screen has shown its notices. Kept in memory: a restarted
    # sandbox shows them once more, as a portal whose application server restarted would.
    noticed_sessions: set[str] = dataclasses.field(default_factory=set)
    env: jinja2.Environment = dataclasses.field(init=False)
    kit: Kit = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals.update(
            HEADER=pt.HEADER,
            LOGIN_TITLE=pt.LOGIN_TITLE,
            L=texts.Label,
            S=texts.Screen,
            M=texts.Message,
            ORG_DETAIL_PERMISSION_ROWS=pt.ORG_DETAIL_PERMISSION_ROWS,
            url=self.paths.url,
        )
        self.kit = Kit(self.options.markup)
        self.env.globals.update(
            mk=self.kit,
            CHARSET=CP932_CHARSET if self.kit.on("windows-31j") else "UTF-8",
            popup=False,
            late_source="",
            framed=bool(self.kit.frames),
        )


def ctx_of(request: Request) -> Ctx:
    return cast(Ctx, request.app.state.ctx)


def url_for(ctx: Ctx, user: User | None) -> Callable[..., str]:
    """The `url(name, **params)` of a page: with jsessionid, every URL carries the user's session in its path."""
    if user is not None and ctx.kit.on("jsessionid"):
        return functools.partial(ctx.paths.url, jsessionid=user.session_id)
    return ctx.paths.url


def html_page(ctx: Ctx, html: str, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An HTML answer, in Windows-31J with windows-31j."""
    if ctx.kit.on("windows-31j"):
        return Response(
            encode_cp932(html), status_code=status, headers=headers, media_type=f"text/html; charset={CP932_CHARSET}"
        )
    return HTMLResponse(html, status_code=status, headers=headers)


def text_lists() -> dict[str, tuple[str, ...]]:
    """The lists of labels templates show, read now: with the portal-text overrides in force."""
    return {
        "MENU": texts.lists()["MENU"],
        "ORG_SEARCH_COLUMNS": texts.lists()["ORG_SEARCH_COLUMNS"],
        "CERT_TABLE_COLUMNS": texts.lists()["CERT_TABLE_COLUMNS"],
    }


def render(request: Request, template: str, *, user: User | None, status: int = 200, **values: Any) -> Response:
    ctx = ctx_of(request)
    values.update(text_lists())
    values.setdefault("message", "")
    values.setdefault("timer_ms", ctx.options.timer_ms)  # read now: it may change while the sandbox runs
    values.setdefault("url", url_for(ctx, user))
    html = ctx.env.get_template(template).render(user=user, **values)
    return html_page(ctx, html, status=status, headers={"Cache-Control": "no-store"})


def render_error(request: Request, message: str, *, user: User | None, status: int) -> Response:
    """A refused page: heading エラー, the message, and (when logged in) the usual header and menu."""
    return render(request, "error.html", user=user, status=status, message=message)


async def read_form(request: Request) -> FormData:
    """The posted text fields; any uploaded file is dropped and its spool closed."""
    async with request.form() as form:
        return FormData([(key, value) for key, value in form.multi_items() if isinstance(value, str)])


def redirect(request: Request, name: str, *, user: User | None = None, **params: object) -> RedirectResponse:
    return RedirectResponse(url_for(ctx_of(request), user)(name, **params), status_code=303)
