"""Login, lockout, sessions (idle expiry, one per user), logout and the single-use form tokens."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._clock import JAPAN
from ainas_bot.sandbox._seed import ROLE_ADMIN, hash_password
from ainas_bot.sandbox._web import LOGIN_PATH, User, ctx_of, read_form, redirect, render, render_error

__all__ = ["COOKIE", "LOCK_AFTER", "admin_user", "check_token", "current_user", "issue_token", "login", "logout"]

COOKIE = "JSESSIONID"
LOCK_AFTER = 5  # wrong passwords in a row
OPEN_HOURS = (8, 22)  # JST, when --closed-hours is on


def _reasons() -> dict[str, str]:
    return {"expired": texts.Message.SESSION_EXPIRED, "replaced": texts.Message.SESSION_REPLACED}


def issue_token(request: Request, session_id: str) -> str:
    ctx = ctx_of(request)
    token = secrets.token_urlsafe(24)
    ctx.db.execute(
        "INSERT INTO tokens (token, session_id, created_at) VALUES (?, ?, ?)",
        (token, session_id, ctx.options.clock().timestamp()),
    )
    return token


def check_token(request: Request, form: FormData, session_id: str, user: User | None) -> Response | None:
    """None when the form's token is this session's and unused (it is used up now); else the refusal page."""
    token = form.get("_csrf")
    with ctx_of(request).db.transaction() as conn:
        row = conn.execute(
            "SELECT session_id, used FROM tokens WHERE token = ?", (token if isinstance(token, str) else "",)
        ).fetchone()
        if row is not None and row["session_id"] == session_id and not row["used"]:
            conn.execute("UPDATE tokens SET used = 1 WHERE token = ?", (token,))
            return None
    if row is None or row["session_id"] != session_id:
        return render_error(request, texts.Message.INVALID_TRANSITION, user=user, status=400)
    return render_error(request, texts.Message.DOUBLE_SUBMIT, user=user, status=409)


def _login_page(request: Request, *, message: str = "", login_id: str = "", status: int = 200) -> Response:
    return render(
        request,
        "login.html",
        user=None,
        status=status,
        message=message,
        login_id=login_id,
        token=issue_token(request, ""),
    )


def current_user(request: Request) -> User | Response:
    """The logged-in user, or the redirect to the login page (with the reason when there is one)."""
    ctx = ctx_of(request)
    sid = request.cookies.get(COOKIE, "")
    row = (
        ctx.db.one(
            "SELECT s.user_id, s.last_seen, s.ended, u.login_id, u.role FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.id = ?",
            (sid,),
        )
        if sid
        else None
    )
    if row is None or row["ended"] == "logout":
        return redirect(request, "login")
    if row["ended"]:
        return redirect(request, "login", reason=row["ended"])
    now = ctx.options.clock().timestamp()
    if now - row["last_seen"] > ctx.options.expire_sessions_after:
        ctx.db.execute("UPDATE sessions SET ended = 'expired' WHERE id = ?", (sid,))
        return redirect(request, "login", reason="expired")
    ctx.db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (max(now, row["last_seen"]), sid))
    return User(row["user_id"], row["login_id"], row["role"], sid)


def admin_user(request: Request) -> User | Response:
    """`current_user`, refused with NO_ADMIN_RIGHTS for a 担当者."""
    user = current_user(request)
    if isinstance(user, User) and user.role != ROLE_ADMIN:
        return render_error(request, texts.Message.NO_ADMIN_RIGHTS, user=user, status=403)
    return user


async def login(request: Request) -> Response:
    if request.method == "GET":
        return _login_page(request, message=_reasons().get(request.query_params.get("reason", ""), ""))
    ctx = ctx_of(request)
    form = await read_form(request)
    refused = check_token(request, form, "", None)
    if refused is not None:
        return refused
    login_id, password = str(form.get("loginId") or ""), str(form.get("password") or "")
    now = ctx.options.clock()
    if ctx.options.closed_hours and not OPEN_HOURS[0] <= now.astimezone(JAPAN).hour < OPEN_HOURS[1]:
        return _login_page(request, message=texts.Message.CLOSED_HOURS, login_id=login_id)
    for label, value in ((texts.Label.LOGIN_ID, login_id), (texts.Label.PASSWORD, password)):
        if not value:
            return _login_page(request, message=texts.Message.REQUIRED.format(label=label), login_id=login_id)
    row = ctx.db.one("SELECT * FROM users WHERE login_id = ?", (login_id,))
    if row is None:
        return _login_page(request, message=texts.Message.LOGIN_FAILED, login_id=login_id)
    if row["locked"]:
        return _login_page(request, message=texts.Message.ACCOUNT_LOCKED, login_id=login_id)
    if not hmac.compare_digest(hash_password(password, row["salt"]), row["pw_hash"]):
        failed = row["failed"] + 1
        ctx.db.execute(
            "UPDATE users SET failed = ?, locked = ? WHERE id = ?", (failed, failed >= LOCK_AFTER, row["id"])
        )
        message = texts.Message.ACCOUNT_LOCKED if failed >= LOCK_AFTER else texts.Message.LOGIN_FAILED
        return _login_page(request, message=message, login_id=login_id)
    sid = secrets.token_hex(16).upper()
    stamp = now.timestamp()
    with ctx.db.transaction() as conn:
        conn.execute("UPDATE users SET failed = 0 WHERE id = ?", (row["id"],))
        conn.execute("UPDATE sessions SET ended = 'replaced' WHERE user_id = ? AND ended IS NULL", (row["id"],))
        conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, NULL)", (sid, row["id"], stamp, stamp))
        conn.execute("DELETE FROM tokens WHERE created_at < ?", (stamp - 86400,))
        conn.execute("DELETE FROM pending_updates WHERE created_at < ?", (stamp - 86400,))
    user = User(row["id"], row["login_id"], row["role"], sid)
    # frameset, iframe: the page holding the frame the home screen is shown in
    response = redirect(request, "top" if ctx.kit.frames else "home", user=user)
    response.set_cookie(COOKIE, sid, path=LOGIN_PATH, secure=True, httponly=True, samesite="lax")
    return response


async def logout(request: Request) -> Response:
    sid = request.cookies.get(COOKIE, "")
    if sid:
        ctx_of(request).db.execute("UPDATE sessions SET ended = 'logout' WHERE id = ? AND ended IS NULL", (sid,))
    response = redirect(request, "login")
    response.delete_cookie(COOKIE, path=LOGIN_PATH, secure=True, httponly=True, samesite="lax")
    return response
