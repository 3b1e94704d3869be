"""Sandbox fixtures: factories for sandboxes, logged-in-ready browser contexts and a browser-less client.

- `sandbox_factory(orgs=5, state_dir=None, **knobs)` starts a private sandbox (stopped after the test);
- `shared_sandbox` is one session-wide sandbox of 45 organisations (3 pages, 3 multi-organisation firms);
  tests that change an organisation take their own with `fresh_notice()` so they never collide;
- `portal_context(notice, sandbox=None)` is a Chromium context presenting the organisation's client
  certificate to that sandbox; `portal_login(page, sandbox, login_id, password)` logs in;
- `portal_client(notice, sandbox=None)` is an httpx client with the client certificate, for checks
  below the browser (TLS, tokens, status codes) and for fast set-ups.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
import sqlite3
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12
from playwright.sync_api import Browser, BrowserContext, Page

from ainas_bot import portal_text as pt
from ainas_bot.sandbox import Notice, Sandbox, SandboxOptions

SHARED_ORGS = 45


def single_org_notices(sandbox: Sandbox) -> list[Notice]:
    """Notices whose administrator administers only that organisation."""
    counts: dict[str, int] = {}
    for n in sandbox.notices:
        counts[n.admin_login_id] = counts.get(n.admin_login_id, 0) + 1
    return [n for n in sandbox.notices if counts[n.admin_login_id] == 1]


@pytest.fixture
def sandbox_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def factory(orgs: int = 5, state_dir: Path | None = None, **knobs: Any) -> Sandbox:
        options = SandboxOptions(state_dir=state_dir or tmp_path_factory.mktemp("sandbox"), orgs=orgs, **knobs)
        sandbox = Sandbox(options).start()
        started.append(sandbox)
        return sandbox

    yield factory
    for sandbox in reversed(started):
        sandbox.stop()


@pytest.fixture(scope="session")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(state_dir=tmp_path_factory.mktemp("shared-sandbox"), orgs=SHARED_ORGS, seed=7)) as sb:
        yield sb


@pytest.fixture(scope="session")
def _notice_pool(shared_sandbox: Sandbox) -> Iterator[Notice]:
    return iter(single_org_notices(shared_sandbox))


@pytest.fixture
def fresh_notice(_notice_pool: Iterator[Notice]) -> Callable[[], Notice]:
    """`fresh_notice()`: an organisation of the shared sandbox that no other test has used."""

    def take() -> Notice:
        try:
            return next(_notice_pool)
        except StopIteration:
            pytest.fail(f"the shared sandbox has too few organisations; raise SHARED_ORGS ({SHARED_ORGS})")

    return take


@pytest.fixture
def portal_context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def factory(notice: Notice, sandbox: Sandbox | None = None) -> BrowserContext:
        sb = sandbox or request.getfixturevalue("shared_sandbox")
        context = browser.new_context(
            client_certificates=[
                {"origin": sb.origin, "pfxPath": str(notice.client_cert), "passphrase": notice.client_cert_password}
            ],
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


def portal_login(page: Page, sandbox: Sandbox, login_id: str, password: str) -> None:
    """Open the login URL and log in as a person would (by the labels)."""
    page.goto(sandbox.base_url)
    page.get_by_label(pt.Label.LOGIN_ID, exact=True).fill(login_id)
    page.get_by_label(pt.Label.PASSWORD, exact=True).fill(password)
    page.get_by_role("button", name=pt.Label.LOGIN, exact=True).click()


def heading(page: Page) -> str:
    return page.locator("h2").inner_text().strip()


class PortalClient:
    """A browser-less client: the organisation's client certificate, the sandbox CA, a cookie jar."""

    def __init__(self, sandbox: Sandbox, notice: Notice, folder: Path) -> None:
        key, cert, _ = pkcs12.load_key_and_certificates(
            notice.client_cert.read_bytes(), notice.client_cert_password.encode()
        )
        assert key is not None and cert is not None
        pem = folder / f"client-{notice.org_id}-{id(self)}.pem"
        pem.write_bytes(
            cert.public_bytes(Encoding.PEM) + key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        )
        context = ssl.create_default_context(cafile=str(sandbox.ca_pem))
        context.load_cert_chain(str(pem))
        self.sandbox, self.notice = sandbox, notice
        self.http = httpx.Client(base_url=sandbox.origin, verify=context, follow_redirects=True, timeout=15)

    def get(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def submit(
        self,
        page: httpx.Response,
        data: dict[str, str] | None = None,
        *,
        token: str | None = None,
        files: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Post the page's form with its token (or `token`: "" leaves it out) and `data`."""
        action = html.unescape(first_group(r'<form method="post"[^>]* action="([^"]+)"', page.text))
        fields = dict(data or {})
        token = csrf(page) if token is None else token
        if token:
            fields["_csrf"] = token
        return self.http.post(action, data=fields, files=files)

    def login(self, login_id: str | None = None, password: str | None = None) -> httpx.Response:
        page = self.get(self.sandbox.base_url)
        return self.submit(
            page,
            {
                "loginId": login_id or self.notice.admin_login_id,
                "password": password if password is not None else self.notice.admin_password,
            },
        )

    def open_org(self, org_id: str | None = None) -> httpx.Response:
        """Log in, then 代理人組織管理 → search the ID → its 代理人組織照会."""
        org_id = org_id or self.notice.org_id
        found = self.submit(self.link(self.login(), pt.MENU[2]), {"orgId": org_id, "search": "1"})
        return self.link(found, org_id)  # narrowed to one row, the pager shows no page links

    def link(self, page: httpx.Response, text: str) -> httpx.Response:
        return self.get(link_href(page, text))

    def button(self, page: httpx.Response, text: str) -> httpx.Response:
        """Follow a navigation button (`location.href=...`)."""
        pattern = r"<button type=\"button\" onclick='location.href=\"([^\"]+)\"'>" + re.escape(html.escape(text))
        return self.get(html.unescape(first_group(pattern, page.text)).replace("\\u0026", "&"))

    def close(self) -> None:
        self.http.close()


def csrf(page: httpx.Response) -> str:
    return first_group(r'name="_csrf" value="([^"]+)"', page.text)


def link_href(page: httpx.Response, text: str) -> str:
    return html.unescape(first_group(r'<a href="([^"]+)">' + re.escape(html.escape(text)) + "</a>", page.text))


def page_heading(page: httpx.Response) -> str:
    return html.unescape(first_group(r"<h2>(.*?)</h2>", page.text, re.S)).strip()


def page_message(page: httpx.Response) -> str:
    found = re.search(r'<div class="message">(.*?)</div>', page.text, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


@pytest.fixture
def portal_client(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., PortalClient]]:
    clients: list[PortalClient] = []

    def factory(notice: Notice, sandbox: Sandbox | None = None) -> PortalClient:
        client = PortalClient(sandbox or request.getfixturevalue("shared_sandbox"), notice, tmp_path)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@dataclasses.dataclass(frozen=True)
class PortalSnapshot:
    requests: int
    state: list[dict[str, Any]]
    users: list[tuple[str, int, int]]  # login ID, failed logins in a row, locked
    sessions: list[tuple[str, str | None]]  # login ID, how the session ended


def portal_snapshot(sandbox: Sandbox) -> PortalSnapshot:
    """What the sandbox holds and has served, to prove a run left it untouched."""
    uri = f"file:{sandbox.state_dir / 'sandbox.sqlite3'}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        users = db.execute("SELECT login_id, failed, locked FROM users ORDER BY id").fetchall()
        sessions = db.execute(
            "SELECT u.login_id, s.ended FROM sessions s JOIN users u ON u.id = s.user_id ORDER BY s.created_at, s.id"
        ).fetchall()
    return PortalSnapshot(sandbox.requests_served, sandbox.state(), users, sessions)


def first_group(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of `pattern`'s first match in `text`; a test failure naming the pattern when none."""
    match = re.search(pattern, text, flags)
    assert match is not None, f"no {pattern!r} in the page"
    return match.group(1)
