"""What every handler shares: the sandbox context, its (possibly shuffled) paths, and page rendering."""

from __future__ import annotations

import dataclasses
import random
import secrets
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from ainas_bot import portal_text as pt
from ainas_bot.sandbox._db import Db
from ainas_bot.sandbox._options import SandboxOptions

__all__ = ["LOGIN_PATH", "Ctx", "Paths", "User", "ctx_of", "read_form", "redirect", "render", "render_error"]

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
    "css": "/oss_agt/css/style.css",
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

    def url(self, name: str, **params: object) -> str:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return self.paths[name] + (f"?{query}" if query else "")


@dataclasses.dataclass(frozen=True)
class User:
    id: int
    login_id: str
    role: str
    session_id: str

    @property
    def role_label(self) -> str:
        return pt.Label.ROLE_ADMIN if self.role == "admin" else pt.Label.ROLE_STAFF


@dataclasses.dataclass
class Ctx:
    """Everything the handlers need, kept on `app.state.ctx`."""

    db: Db
    options: SandboxOptions
    paths: Paths
    rng: random.Random
    requests_served: int = 0  # for benchmarks: the requests on the bot's paths
    env: jinja2.Environment = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals.update(
            HEADER=pt.HEADER, LOGIN_TITLE=pt.LOGIN_TITLE, L=pt.Label, S=pt.Screen, M=pt.Message, MENU=pt.MENU,
            ORG_SEARCH_COLUMNS=pt.ORG_SEARCH_COLUMNS, CERT_TABLE_COLUMNS=pt.CERT_TABLE_COLUMNS,
            ORG_DETAIL_PERMISSION_ROWS=pt.ORG_DETAIL_PERMISSION_ROWS, url=self.paths.url,
        )


def ctx_of(request: Request) -> Ctx:
    return cast(Ctx, request.app.state.ctx)


def render(request: Request, template: str, *, user: User | None, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = ctx_of(request)
    values.setdefault("message", "")
    html = ctx.env.get_template(template).render(user=user, **values)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def render_error(request: Request, message: str, *, user: User | None, status: int) -> HTMLResponse:
    """A refused page: heading エラー, the message, and (when logged in) the usual header and menu."""
    return render(request, "error.html", user=user, status=status, message=message)


async def read_form(request: Request) -> FormData:
    """The posted text fields; any uploaded file is dropped and its spool closed."""
    async with request.form() as form:
        return FormData([(key, value) for key, value in form.multi_items() if isinstance(value, str)])


def redirect(request: Request, name: str, **params: object) -> RedirectResponse:
    return RedirectResponse(ctx_of(request).paths.url(name, **params), status_code=303)
