"""代理人証明書登録 (in a popup window with popup-register or popup-register-org; with register-complete
followed by its 完了 screen) and 代理人証明書照会."""

from __future__ import annotations

import sqlite3

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._auth import admin_user, check_token, issue_token
from ainas_bot.sandbox._clock import JAPAN, japan_day
from ainas_bot.sandbox._forms import check_upload
from ainas_bot.sandbox._records import cert_for_user, cert_view, detail_rows, org_for_user
from ainas_bot.sandbox._web import User, ctx_of, render, render_error, url_for

__all__ = ["cert_detail", "cert_register", "detail_page"]


def detail_page(request: Request, user: User, row: sqlite3.Row, message: str = "") -> Response:
    ctx = ctx_of(request)
    view = cert_view(row, unpadded=ctx.kit.on("unpadded-dates"))
    return render(
        request,
        "cert_detail.html",
        user=user,
        cert=view,
        rows=detail_rows(view),
        message=message,
        back_button=ctx.options.cert_detail_back_button,
    )


async def cert_register(request: Request) -> Response:
    ctx = ctx_of(request)
    if request.method == "POST":
        ctx.upload_posts += 1  # before any check: the bot's tests prove a certificate is never sent twice
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    org = org_for_user(ctx.db, request.query_params.get("orgId", ""), user.id)
    if org is None:
        return render_error(request, texts.Message.ACCESS_DENIED, user=user, status=403)
    errors: dict[str, str] = {}
    popup = ctx.kit.popup_register
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
        errors, info = check_upload(filename, data, password, today=japan_day(now))
        if info is not None and ctx.db.one(
            "SELECT id FROM certificates WHERE org_id = ? AND serial = ?", (org["id"], info.serial)
        ):
            errors = {"certFile": texts.Message.CERT_ALREADY_REGISTERED}
        if info is not None and not errors:
            # unpadded-dates shows 登録日時 with its seconds, so it keeps them; the default keeps minutes.
            if ctx.kit.on("unpadded-dates"):
                registered_at = now.astimezone(JAPAN).replace(microsecond=0).isoformat(timespec="seconds")
            else:
                registered_at = now.astimezone(JAPAN).replace(second=0, microsecond=0).isoformat(timespec="minutes")
            cert_id = ctx.db.execute(
                "INSERT INTO certificates (org_id, registered_at, trade_name_kanji, holder_name_kanji, address_street,"
                " address_building, not_after, serial, status, p12) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (
                    org["id"],
                    registered_at,
                    info.trade_name_kanji,
                    info.holder_name_kanji,
                    info.address_street,
                    info.address_building,
                    info.expiry_date.isoformat(),
                    info.serial,
                    data,
                ),
            )
            done = _done(request, user, org["id"], cert_id, popup=popup)
            if done is not None:
                return done
            row = ctx.db.one("SELECT * FROM certificates WHERE id = ?", (cert_id,))
            assert row is not None
            return detail_page(request, user, row, texts.Message.REGISTERED)
    return render(
        request,
        "cert_register.html",
        user=user,
        org=org,
        errors=errors,
        popup=popup,
        token=issue_token(request, user.session_id),
    )


def _done(request: Request, user: User, org_id: str, cert_id: int, *, popup: bool) -> Response | None:
    """What a registration's 確定 shows when it is not the new record's 代理人証明書照会 (None: that one)."""
    ctx = ctx_of(request)
    url = url_for(ctx, user)
    if ctx.kit.on("register-complete"):
        # [assumed] In a popup the 完了 screen is the popup's, as the form was: its 一覧に戻る shows the
        # organisation in the opener and closes the popup.
        return render(
            request,
            "cert_register_complete.html",
            user=user,
            popup=popup,
            message=texts.Message.REGISTERED,
            next=url("org_detail", orgId=org_id),
        )
    if ctx.kit.on("popup-register-org"):
        return render(request, "popup_done.html", user=user, next=url("org_detail", orgId=org_id))
    if popup:
        return render(request, "popup_done.html", user=user, next=url("cert_detail", certId=cert_id))
    return None


async def cert_detail(request: Request) -> Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    row = cert_for_user(ctx_of(request).db, request.query_params.get("certId", ""), user.id)
    if row is None:
        return render_error(request, texts.Message.ACCESS_DENIED, user=user, status=403)
    return detail_page(request, user, row)
