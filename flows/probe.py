"""First contact with a portal: walk every screen that can be seen without changing anything, and say, for
each thing the update needs, whether it is there and how it was found.

The walk: log in (one attempt), the home screen, 代理人組織管理 → 代理人組織検索 → the organisation's
代理人組織照会 (its certificate table read), the newest record's 代理人証明書照会, `+ 代理人証明書登録` (the form
opened, nothing chosen or sent), back, ログアウト. It never uploads, types no PIN and presses no 確定.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import BrowserContext, Page
from pydantic import SecretStr

from ainas_bot.errors import AinasBotError, FlowError
from flows.evidence.snapshots import Snapshots
from flows.finder.locate import (
    Button,
    Table,
    cell_texts,
    explain,
    screen_frames,
    seen_on_screen,
)
from flows.pages import CertDetailPage, LoginPage, OrgDetailPage
from flows.pages.base import MenuPage, PortalPage
from flows.pages.elements import Need
from flows.probe_report import Check, ProbeReport, ScreenReport

__all__ = ["Check", "ProbeReport", "ScreenReport", "probe_office"]


_SCRIPTS = Path(__file__).with_name("probe_scripts.js").read_text(encoding="utf-8")
# Back a page in the window's history, for a form that came in a frame (probe_back.js).
_BACK = Path(__file__).with_name("probe_back.js").read_text(encoding="utf-8")


class _Walk:
    def __init__(self, report: ProbeReport, snapshots: Snapshots | None) -> None:
        self.report = report
        self.snapshots = snapshots
        self.started = time.monotonic()

    async def screen(self, page: PortalPage, needs: list[Need]) -> ScreenReport:
        """Record what this settled screen shows of `needs` (its tables' rows read), then keep its snapshot."""
        shown = ScreenReport(page.screen, seconds=round(time.monotonic() - self.started, 2))
        current = page.page
        for need in needs:
            if need.required and need.marker is not None and await explain(current, need.marker) is None:
                await page.look_again()  # missing is a conclusion from absence: from a screen settled for the grace
                break
        seen = await seen_on_screen(current)
        cells = await cell_texts(current)
        labels = tuple(need.text for need in needs if need.marker is None)
        pairs = await page.pairs(labels) if labels else {}
        for need in needs:
            check = Check(need.what, need.name, need.text, required=need.required)
            if need.marker is None:
                check.how = "key cell" if pairs.get(need.text) is not None else None
            else:
                check.how = await explain(current, need.marker)
            if isinstance(need.marker, Table) and check.found:
                _table, read = await page.table(need.marker)
                shown.rows += [row for _index, row in read]
            if not check.found and need.what in ("title", "field", "button"):
                check.candidates = {"title": seen["titles"], "button": seen["buttons"]}.get(check.what, cells)
            shown.checks.append(check)
        shown.dialogs = list(page.tab.accepted)
        page.tab.accepted.clear()
        shown.handled = list(page.tab.handled)
        page.tab.handled.clear()
        found = await current.evaluate(_SCRIPTS)
        shown.scripts, shown.replaced = list(found["scripts"]), list(found["replaced"])
        self.report.screens.append(shown)
        if self.snapshots is not None:
            await self.snapshots.keep(current, len(self.report.screens), page.screen)
        self.started = time.monotonic()
        return shown


def _own(page: PortalPage, *kinds: str) -> list[Need]:
    """What `page`'s screen has (of these kinds, or all) besides the menu and ログアウト, which every screen
    after the login shares and the walk checks once, on the first of them."""
    return [need for need in type(page).needs(besides=MenuPage) if not kinds or need.what in kinds]


async def probe_office(
    context: BrowserContext,
    *,
    portal_url: str,
    office_id: str,
    login_id: str,
    password: SecretStr,
    timeout_ms: float,
    snapshots: Snapshots | None,
) -> ProbeReport:
    """Walk the portal as `office_id`'s administrator and report; never changes anything on the portal."""
    report = ProbeReport(office_id)
    walk = _Walk(report, snapshots)
    page = await context.new_page()
    try:
        await _walk(
            page,
            walk,
            portal_url=portal_url,
            office_id=office_id,
            login_id=login_id,
            password=password,
            timeout_ms=timeout_ms,
        )
    except AinasBotError as exc:
        screen = (
            f"{exc.screen}: "
            if isinstance(exc, FlowError) and exc.screen and not str(exc).startswith(exc.screen)
            else ""
        )
        report.error = f"{screen}{exc}"
    finally:
        await page.close()
    return report


async def _walk(
    page: Page, walk: _Walk, *, portal_url: str, office_id: str, login_id: str, password: SecretStr, timeout_ms: float
) -> None:
    async def stop_unless(shown: ScreenReport, then: Callable[[], Awaitable[None]] | None = None) -> bool:
        if shown.missing:
            if then is not None:
                await then()
            return True
        return False

    login = await LoginPage.open(page, portal_url, timeout_ms)
    shown = await walk.screen(login, login.needs())
    if await stop_unless(shown):
        return
    home = await login.log_in(login_id, password)  # one attempt: a refusal is the report's error
    shown = await walk.screen(home, home.needs())  # the menu and ログアウト every later screen shares
    if await stop_unless(shown, home.logout if await home.has(home.logout_button) else None):
        return
    search = await home.go_to_org_management()
    shown = await walk.screen(search, _own(search, "title", "field", "button"))
    if await stop_unless(shown, search.logout):
        return
    await search.search(office_id)
    link = Check("link", "", office_id, how=await explain(search.page, Button(office_id)))
    shown = await walk.screen(search, _own(search, "table"))  # the result, shown once searched
    shown.checks.append(link)
    if await stop_unless(shown, search.logout):
        return
    org = await search.open_org(office_id)
    shown = await walk.screen(org, _own(org))
    if await stop_unless(shown, org.logout):
        return
    back_at_org = await _look_at_newest_record(org, walk, office_id)
    if back_at_org is None:
        return
    register = await back_at_org.start_registration()
    await walk.screen(register, _own(register))
    back = await _leave_registration(register, office_id, timeout_ms)
    await back.logout()


async def _look_at_newest_record(org: OrgDetailPage, walk: _Walk, office_id: str) -> OrgDetailPage | None:
    """The newest record's 代理人証明書照会 (read only), and back to the organisation; None when it stopped."""
    rows = await org.certificates()
    if not rows:
        return org
    newest = max(rows, key=lambda r: r.registered)
    detail: CertDetailPage = await org.open_certificate(newest)
    shown = await walk.screen(detail, _own(detail))
    if shown.missing:
        await detail.logout()
        return None
    if await detail.can_go_back_to_org():
        return await detail.back_to_org(office_id)
    search = await detail.go_to_org_management()
    await search.search(office_id)
    return await search.open_org(office_id)


async def _leave_registration(register: PortalPage, office_id: str, timeout_ms: float) -> OrgDetailPage:
    """Back from the form without sending it: close the window the portal opened, or go back a page."""
    tab = register.tab
    if len(tab.pages) > 1:
        await tab.current.close()
    elif len(screen_frames(tab.current)) > 1:
        # The form came in a frame: the window's history goes back in that frame, the window stays.
        await tab.current.evaluate(_BACK)
    else:
        await tab.current.go_back(timeout=timeout_ms)
    org = OrgDetailPage(tab.current, timeout_ms)
    await org.arrive()
    await org.check_org_id(office_id)
    return org
