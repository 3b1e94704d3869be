"""late-tables, timer-tables: the XHR answers that fill 代理人組織検索's results and 代理人組織照会's
certificate table.

They answer with JSON of ASCII only, so that its text reads the same in any page charset: `rows` (the
table's <tr>s, rendered as the page would render them), and for the search `pager` (the pager's content)
and `message` (NOT_FOUND when nothing matched); with late-tables, `late_ms` after they are asked (on top
of `latency_ms`). Like every page they need the session; without one they answer the redirect to the
login page.
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import Response

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._auth import admin_user
from ainas_bot.sandbox._orgs import org_certs, page_number, search
from ainas_bot.sandbox._records import org_for_user
from ainas_bot.sandbox._web import User, ctx_of, render_error, text_lists, url_for

__all__ = ["org_detail_certs", "org_search_rows"]


def _json(data: dict[str, str]) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=True), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


async def _late(request: Request) -> User | Response:
    ctx = ctx_of(request)
    if ctx.kit.on("late-tables"):  # timer-tables alone waits in the page, not here
        await asyncio.sleep(ctx.options.late_ms / 1000)
    return admin_user(request)


async def org_search_rows(request: Request) -> Response:
    user = await _late(request)
    if not isinstance(user, User):
        return user
    ctx = ctx_of(request)
    found = search(
        ctx.db, request.query_params.get("orgId", "").strip(), page_number(request.query_params.get("page", "1"))
    )
    values = {**found, "url": url_for(ctx, user), **text_lists()}
    return _json(
        {
            "rows": ctx.env.get_template("_search_rows.html").render(**values),
            "pager": ctx.env.get_template("_search_pager.html").render(**values) if found["rows"] else "",
            "message": found["message"],
        }
    )


async def org_detail_certs(request: Request) -> Response:
    user = await _late(request)
    if not isinstance(user, User):
        return user
    ctx = ctx_of(request)
    org = org_for_user(ctx.db, request.query_params.get("orgId", ""), user.id)
    if org is None:
        return render_error(request, texts.Message.ACCESS_DENIED, user=user, status=403)
    certs = org_certs(request, ctx.db, org["id"])
    rows = ctx.env.get_template("_cert_rows.html").render(certs=certs, url=url_for(ctx, user), **text_lists())
    return _json({"rows": rows})
