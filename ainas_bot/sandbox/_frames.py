"""What surrounds the screens in some markup shapes: the page of frames the login leads to and the document of
its menu frame (frameset, iframe), and the window of notices the first home screen opens (notice-popup).

With frameset or iframe every screen is the same page as without them, rendered without the header and
menu (the frame's page holds those) and shown in the frame named `main`; a screen's links and forms
stay in that frame, the menu's links target it and its ログアウト the whole window (`_top`). The login page
breaks out of any frame, since a session that ended sends the frame there. [assumed]
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._auth import current_user
from ainas_bot.sandbox._web import User, ctx_of, render, render_error

__all__ = ["NOTICE_LINES", "first_home", "header_page", "notice_page", "top_page"]

# [assumed] What a portal's notice window says: the kind of text such windows carry, nothing the bot needs.
NOTICE_LINES = (
    "年末年始（12/29～1/3）はサービスを停止します。",
    "停止期間中の納付は、1月4日以降に行ってください。",
    "ご不明な点は、協会の窓口までお問い合わせください。",
)
# [assumed] What the overlay of the first home screen says.
IMPORTANT_LINES = (
    "代理人証明書の有効期限をご確認ください。",
    "有効期限を過ぎた証明書では申請できません。",
)


def _refused_unless(request: Request, user: User, shape_on: bool) -> Response | None:
    """The answer to such a page's URL when its shape is off: no such transition."""
    return None if shape_on else render_error(request, texts.Message.INVALID_TRANSITION, user=user, status=404)


async def top_page(request: Request) -> Response:
    """frameset: the <frameset> of the menu frame and the `main` frame; iframe: the header, the menu and an
    <iframe name="main">. Either shows the home screen in `main` first."""
    user = current_user(request)
    if not isinstance(user, User):
        return user
    return _refused_unless(request, user, bool(ctx_of(request).kit.frames)) or render(
        request, "frame_top.html", user=user
    )


async def header_page(request: Request) -> Response:
    """frameset: the menu frame's document, what base.html's header is without frames."""
    user = current_user(request)
    if not isinstance(user, User):
        return user
    return _refused_unless(request, user, ctx_of(request).kit.frames == "frameset") or render(
        request, "frame_menu.html", user=user
    )


async def notice_page(request: Request) -> Response:
    """notice-popup: the window of notices (needs the session, as every page does)."""
    user = current_user(request)
    if not isinstance(user, User):
        return user
    return _refused_unless(request, user, ctx_of(request).kit.on("notice-popup")) or render(
        request, "notice.html", user=user, popup=True, lines=NOTICE_LINES
    )


def first_home(request: Request, user: User) -> tuple[str, ...]:
    """notice-popup: the overlay's lines when this is the session's first home screen, else ()."""
    ctx = ctx_of(request)
    if not ctx.kit.on("notice-popup") or user.session_id in ctx.noticed_sessions:
        return ()
    ctx.noticed_sessions.add(user.session_id)
    return IMPORTANT_LINES
