"""代理人証明書登録, 代理人証明書照会 and 代理人証明書更新."""

from __future__ import annotations

import datetime as dt
import sqlite3

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ainas_bot import portal_text as pt
from ainas_bot._jst import JST, format_portal_date, parse_portal_date, today_jst
from ainas_bot.sandbox._auth import admin_user, check_token, issue_token
from ainas_bot.sandbox._forms import UPDATE_FIELDS, check_update, check_upload
from ainas_bot.sandbox._records import cert_for_user, cert_view, detail_rows, org_for_user
from ainas_bot.sandbox._web import User, ctx_of, read_form, render, render_error

__all__ = ["cert_detail", "cert_register", "cert_update"]


def _detail_page(request: Request, user: User, row: sqlite3.Row, message: str = "") -> Response:
    view = cert_view(row)
    return render(request, "cert_detail.html", user=user, cert=view, rows=detail_rows(view), message=message,
                  back_button=ctx_of(request).options.cert_detail_back_button)


async def cert_register(request: Request) -> Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    ctx = ctx_of(request)
    org = org_for_user(ctx.db, request.query_params.get("orgId", ""), user.id)
    if org is None:
        return render_error(request, pt.Message.ACCESS_DENIED, user=user, status=403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form() as form:  # closes the uploaded file's spool
            refused = check_token(request, form, user.session_id, user)
            if refused is not None:
                return refused
            upload = form.get("certFile")
            filename, data = "", b""
            if isinstance(upload, UploadFile):
                filename, data = upload.filename or "", await upload.read()
            password = str(form.get("certPassword") or "")
        now = ctx.options.clock()
        errors, info = check_upload(filename, data, password, today=today_jst(now))
        if info is not None and ctx.db.one("SELECT id FROM certificates WHERE org_id = ? AND serial = ?",
                                           (org["id"], info.serial)):
            errors = {"certFile": pt.Message.CERT_ALREADY_REGISTERED}
        if info is not None and not errors:
            registered_at = now.astimezone(JST).replace(second=0, microsecond=0).isoformat(timespec="minutes")
            cert_id = ctx.db.execute(
                "INSERT INTO certificates (org_id, registered_at, trade_name_kanji, holder_name_kanji, address_street,"
                " address_building, not_after, serial, status, p12) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (org["id"], registered_at, info.trade_name_kanji, info.holder_name_kanji, info.address_street,
                 info.address_building, info.expiry_date.isoformat(), info.serial, data))
            row = ctx.db.one("SELECT * FROM certificates WHERE id = ?", (cert_id,))
            assert row is not None
            return _detail_page(request, user, row, pt.Message.REGISTERED)
    return render(request, "cert_register.html", user=user, org=org, errors=errors,
                  token=issue_token(request, user.session_id))


async def cert_detail(request: Request) -> Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    row = cert_for_user(ctx_of(request).db, request.query_params.get("certId", ""), user.id)
    if row is None:
        return render_error(request, pt.Message.ACCESS_DENIED, user=user, status=403)
    return _detail_page(request, user, row)


def _initial_values(row: sqlite3.Row) -> dict[str, str]:
    start = row["start_date"]
    return {
        "tradeNameKana": row["trade_name_kana"], "holderNameKana": row["holder_name_kana"],
        "postalCode": row["postal_code"], "certPassword": "",
        "startDate": format_portal_date(dt.date.fromisoformat(start)) if start else "",
    }


async def cert_update(request: Request) -> Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    ctx = ctx_of(request)
    row = cert_for_user(ctx.db, request.query_params.get("certId", ""), user.id)
    if row is None:
        return render_error(request, pt.Message.ACCESS_DENIED, user=user, status=403)
    values, errors = _initial_values(row), {}
    if request.method == "POST":
        form = await read_form(request)
        refused = check_token(request, form, user.session_id, user)
        if refused is not None:
            return refused
        values = {field: str(form.get(field) or "") for field in UPDATE_FIELDS}
        errors = check_update(values, today=today_jst(ctx.options.clock()),
                              not_after=dt.date.fromisoformat(row["not_after"]), p12=row["p12"])
        values["certPassword"] = ""
        if not errors:
            ctx.db.execute(
                "UPDATE certificates SET trade_name_kana = ?, holder_name_kana = ?, postal_code = ?, start_date = ?,"
                " status = 'active' WHERE id = ?",
                (values["tradeNameKana"], values["holderNameKana"], values["postalCode"],
                 parse_portal_date(values["startDate"]).isoformat(), row["id"]))
            updated = ctx.db.one("SELECT * FROM certificates WHERE id = ?", (row["id"],))
            assert updated is not None
            return _detail_page(request, user, updated, pt.Message.UPDATED)
    view = cert_view(row)
    return render(request, "cert_update.html", user=user, cert=view, values=values, errors=errors,
                  fields=UPDATE_FIELDS, token=issue_token(request, user.session_id))
