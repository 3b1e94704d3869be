"""代理人証明書更新: the form, with confirm-screen its 確認 screen, with complete-screen its 完了 screen."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._auth import admin_user, check_token, issue_token
from ainas_bot.sandbox._certs import detail_page
from ainas_bot.sandbox._clock import japan_day, read_date, show_date
from ainas_bot.sandbox._forms import UPDATE_FIELDS, check_update
from ainas_bot.sandbox._records import cert_for_user, cert_view, portal_date
from ainas_bot.sandbox._web import User, ctx_of, read_form, render, render_error

__all__ = ["cert_update", "cert_update_confirm"]

L = texts.Label
_TYPED = ("tradeNameKana", "holderNameKana", "postalCode", "startDate")  # what a 確認 screen keeps for its 確定
_PASSWORD_SHOWN = "********"  # [assumed] how a 確認 screen shows the password it was given


def _initial_values(row: sqlite3.Row) -> dict[str, str]:
    start = row["start_date"]
    return {
        "tradeNameKana": row["trade_name_kana"],
        "holderNameKana": row["holder_name_kana"],
        "postalCode": row["postal_code"],
        "certPassword": "",
        "startDate": show_date(dt.date.fromisoformat(start)) if start else "",
    }


def _form(
    request: Request, user: User, row: sqlite3.Row, values: dict[str, str], errors: dict[str, str] | None = None
) -> Response:
    view = cert_view(row, unpadded=ctx_of(request).kit.on("unpadded-dates"))
    return render(
        request,
        "cert_update.html",
        user=user,
        cert=view,
        values=values,
        errors=errors or {},
        fields=UPDATE_FIELDS,
        token=issue_token(request, user.session_id),
    )


def _user_and_record(request: Request) -> tuple[User, sqlite3.Row] | Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    row = cert_for_user(ctx_of(request).db, request.query_params.get("certId", ""), user.id)
    if row is None:
        return render_error(request, texts.Message.ACCESS_DENIED, user=user, status=403)
    return user, row


def _finish(request: Request, user: User, row: sqlite3.Row, values: dict[str, str]) -> Response:
    """Store the update, then show the 代理人証明書照会 (or with complete-screen the 完了 screen)."""
    ctx = ctx_of(request)
    ctx.db.execute(
        "UPDATE certificates SET trade_name_kana = ?, holder_name_kana = ?, postal_code = ?, start_date = ?,"
        " status = 'active' WHERE id = ?",
        (
            values["tradeNameKana"],
            values["holderNameKana"],
            values["postalCode"],
            read_date(values["startDate"]).isoformat(),
            row["id"],
        ),
    )
    updated = ctx.db.one("SELECT * FROM certificates WHERE id = ?", (row["id"],))
    assert updated is not None
    if ctx.kit.on("complete-screen"):
        return render(
            request, "cert_update_complete.html", user=user, cert=cert_view(updated), message=texts.Message.UPDATED
        )
    return detail_page(request, user, updated, texts.Message.UPDATED)


def _confirm_page(request: Request, user: User, row: sqlite3.Row, values: dict[str, str]) -> Response:
    """Keep the typed values (never the password) server-side, and show them for a last look."""
    ctx = ctx_of(request)
    pending_id = secrets.token_urlsafe(18)
    ctx.db.execute(
        "INSERT INTO pending_updates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (pending_id, user.session_id, row["id"], *(values[f] for f in _TYPED), ctx.options.clock().timestamp()),
    )
    view = cert_view(row, unpadded=ctx.kit.on("unpadded-dates"))
    start = portal_date(read_date(values["startDate"]), unpadded=ctx.kit.on("unpadded-dates"))
    rows = [
        (L.REGISTERED_AT, view["registered_at"]),
        (L.TRADE_NAME_KANA, values["tradeNameKana"]),
        (L.TRADE_NAME_KANJI, view["trade_name_kanji"]),
        (L.HOLDER_NAME_KANA, values["holderNameKana"]),
        (L.HOLDER_NAME_KANJI, view["holder_name_kanji"]),
        (L.POSTAL_CODE, values["postalCode"]),
        (L.ADDRESS_STREET, view["address_street"]),
        (L.ADDRESS_BUILDING, view["address_building"]),
        (L.EXPIRY, view["not_after"]),
        (L.START_DATE, start),
        (L.CERT_PASSWORD, _PASSWORD_SHOWN),
    ]
    return render(
        request,
        "cert_update_confirm.html",
        user=user,
        cert=view,
        rows=rows,
        pending_id=pending_id,
        token=issue_token(request, user.session_id),
    )


async def cert_update(request: Request) -> Response:
    found = _user_and_record(request)
    if isinstance(found, Response):
        return found
    user, row = found
    if request.method != "POST":
        return _form(request, user, row, _initial_values(row))
    ctx = ctx_of(request)
    form = await read_form(request)
    refused = check_token(request, form, user.session_id, user)
    if refused is not None:
        return refused
    values = {field: str(form.get(field) or "") for field in UPDATE_FIELDS}
    errors = check_update(
        values,
        today=japan_day(ctx.options.clock()),
        not_after=dt.date.fromisoformat(row["not_after"]),
        p12=row["p12"],
        unpadded=ctx.kit.on("unpadded-dates"),
        address=(row["address_street"], row["address_building"]),
    )
    values["certPassword"] = ""
    if errors:
        return _form(request, user, row, values, errors)
    if ctx.kit.on("confirm-screen"):
        return _confirm_page(request, user, row, values)
    return _finish(request, user, row, values)


async def cert_update_confirm(request: Request) -> Response:
    """The 確認 screen's buttons: 戻る (the form again, filled but for the password) and 確定 (the update)."""
    found = _user_and_record(request)
    if isinstance(found, Response):
        return found
    user, row = found
    ctx = ctx_of(request)
    form = await read_form(request)
    refused = check_token(request, form, user.session_id, user)
    if refused is not None:
        return refused
    pending_id = str(form.get("pendingId") or "")
    with ctx.db.transaction() as conn:
        pending = conn.execute(
            "SELECT * FROM pending_updates WHERE id = ? AND session_id = ? AND cert_id = ?",
            (pending_id, user.session_id, row["id"]),
        ).fetchone()
        conn.execute("DELETE FROM pending_updates WHERE id = ?", (pending_id,))
    if pending is None or not ctx.kit.on("confirm-screen"):
        return render_error(request, texts.Message.INVALID_TRANSITION, user=user, status=400)
    values = {
        "tradeNameKana": pending["trade_name_kana"],
        "holderNameKana": pending["holder_name_kana"],
        "postalCode": pending["postal_code"],
        "startDate": pending["start_date"],
        "certPassword": "",
    }
    if form.get("back") is not None:
        return _form(request, user, row, values)
    return _finish(request, user, row, values)
