"""Screens before the certificates: お知らせ案内検索, the menu pages, 代理人組織検索 and 代理人組織照会."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._auth import admin_user, check_token, current_user, issue_token
from ainas_bot.sandbox._db import Db
from ainas_bot.sandbox._frames import first_home
from ainas_bot.sandbox._records import cert_view, org_for_user, permission_rows
from ainas_bot.sandbox._web import User, ctx_of, read_form, render, render_error, url_for

__all__ = ["PAGE_SIZE", "home", "menu_page", "org_certs", "org_detail", "org_search", "org_update", "search"]

PAGE_SIZE = 20
PAGER_WINDOW = 6  # page numbers shown at once, as in the manual's `<前 1 2 3 4 5 6 次>`
_MENU_PAGES = {str(i): label for i, label in enumerate(texts.lists()["MENU"])} | {
    "pay": texts.Label.PAY_REGISTERED,
    "pay-light": texts.Label.PAY_LIGHT,
}


async def home(request: Request) -> Response:
    user = current_user(request)
    if not isinstance(user, User):
        return user
    message, registered_on, target = "", "", "0"
    if request.method == "POST":
        form = await read_form(request)
        refused = check_token(request, form, user.session_id, user)
        if refused is not None:
            return refused
        if form.get("reset") is None:
            # The sandbox publishes no お知らせ: every search finds nothing.
            message = texts.Message.NOT_FOUND
            registered_on, target = str(form.get("registeredOn") or ""), str(form.get("target") or "0")
    return render(
        request,
        "home.html",
        user=user,
        message=message,
        registered_on=registered_on,
        target=target,
        token=issue_token(request, user.session_id),
        notice=first_home(request, user),
    )


async def menu_page(request: Request) -> Response:
    """The menu entries the sandbox does not imitate: a page with their name and nothing found."""
    user = current_user(request)
    if not isinstance(user, User):
        return user
    title = _MENU_PAGES.get(request.query_params.get("item", ""))
    if title is None:
        return render_error(request, texts.Message.INVALID_TRANSITION, user=user, status=404)
    return render(request, "placeholder.html", user=user, title=title, message=texts.Message.NOT_FOUND)


def _pager(page: int, pages: int) -> list[tuple[str, int | None]]:
    """(text, page to link or None) for `<前`, the window of page numbers and `次>`."""
    first = max(1, min(page - 2, pages - PAGER_WINDOW + 1))
    entries: list[tuple[str, int | None]] = [(texts.Label.PAGER_PREV, page - 1 if page > 1 else None)]
    entries += [(str(n), None if n == page else n) for n in range(first, min(pages, first + PAGER_WINDOW - 1) + 1)]
    entries.append((texts.Label.PAGER_NEXT, page + 1 if page < pages else None))
    return entries


def search(db: Db, org_id: str, page: int) -> dict[str, Any]:
    """The values of a result page of 代理人組織検索 (the exact ID, or every organisation when empty)."""
    where, params = ("WHERE id = ?", (org_id,)) if org_id else ("", ())
    row = db.one(f"SELECT COUNT(*) AS n FROM orgs {where}", params)  # noqa: S608 - fixed clauses
    total = int(row["n"]) if row else 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    rows = db.rows(
        f"SELECT * FROM orgs {where} ORDER BY seq LIMIT ? OFFSET ?",  # noqa: S608 - fixed clauses
        (*params, PAGE_SIZE, (page - 1) * PAGE_SIZE),
    )
    count = f"{(page - 1) * PAGE_SIZE + 1} - {(page - 1) * PAGE_SIZE + len(rows)} / {total} 件" if total else ""
    return {
        "org_id": org_id,
        "page": page,
        "rows": rows,
        "count": count,
        "pager": _pager(page, pages) if total else [],
        "message": "" if total else texts.Message.NOT_FOUND,
    }


def page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


async def org_search(request: Request) -> Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    ctx = ctx_of(request)
    org_id, page = "", 1
    if request.method == "POST":
        form = await read_form(request)
        refused = check_token(request, form, user.session_id, user)
        if refused is not None:
            return refused
        org_id = "" if form.get("reset") is not None else str(form.get("orgId") or "").strip()
    else:
        org_id = request.query_params.get("orgId", "").strip()
        page = page_number(request.query_params.get("page", "1"))
    token = issue_token(request, user.session_id)
    if ctx.kit.xhr_tables:
        # The page only names the XHR that brings its rows, its pager and its NOT_FOUND.
        source = url_for(ctx, user)("org_search_rows", orgId=org_id or None, page=page)
        return render(request, "org_search.html", user=user, org_id=org_id, late_source=source, token=token)
    return render(request, "org_search.html", user=user, token=token, late_source="", **search(ctx.db, org_id, page))


async def org_detail(request: Request) -> Response:
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    ctx = ctx_of(request)
    db = ctx.db
    org = org_for_user(db, request.query_params.get("orgId", ""), user.id)
    if org is None:
        return render_error(request, texts.Message.ACCESS_DENIED, user=user, status=403)
    if ctx.kit.xhr_tables:
        source = url_for(ctx, user)("org_detail_certs", orgId=org["id"])
        return render(
            request,
            "org_detail.html",
            user=user,
            org=org,
            permissions=permission_rows(org),
            certs=[],
            late_source=source,
        )
    return render(
        request,
        "org_detail.html",
        user=user,
        org=org,
        permissions=permission_rows(org),
        certs=org_certs(request, db, org["id"]),
        late_source="",
    )


def org_certs(request: Request, db: Db, org_id: str) -> list[dict[str, str]]:
    """The organisation's certificate records as its table shows them."""
    unpadded = ctx_of(request).kit.on("unpadded-dates")
    return [
        cert_view(r, unpadded=unpadded)
        for r in db.rows("SELECT * FROM certificates WHERE org_id = ? ORDER BY registered_at, id", (org_id,))
    ]


async def org_update(request: Request) -> Response:
    """代理人組織更新 is outside the certificate procedure: the organisation, read only."""
    user = admin_user(request)
    if not isinstance(user, User):
        return user
    org = org_for_user(ctx_of(request).db, request.query_params.get("orgId", ""), user.id)
    if org is None:
        return render_error(request, texts.Message.ACCESS_DENIED, user=user, status=403)
    return render(request, "org_update.html", user=user, org=org, permissions=permission_rows(org))
