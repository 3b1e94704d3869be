"""The web console's guard, without a browser: only loopback names, only with the token's cookie, only POSTs from
its own pages with their CSRF token; every answer uncached under a strict Content-Security-Policy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ainas_bot.config.loading import load_settings
from ainas_bot.foundation.run_lock import lock_holder
from ainas_bot.web.console import Console
from ainas_bot.web.guard import cookie_name
from ainas_bot.web.history import read_history
from ainas_bot.web.server import Served, left_idle, served


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, audit_log=tmp_path / "audit.jsonl", artifacts_dir=tmp_path / "artifacts")
    with served(Console(settings, {})) as running:
        yield running


def _token(running: Served) -> str:
    return parse_qs(urlsplit(running.url).query)["token"][0]


@pytest.fixture
def client(console: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{console.port}", follow_redirects=False) as c:
        c.headers["x-test-token"] = _token(console)  # for the tests' own use; the console never reads it
        yield c


def _origin(client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


def _signed_in(client: httpx.Client) -> str:
    """Signs in with the token; the CSRF token the pages carry."""
    answer = client.get(f"/?token={client.headers['x-test-token']}")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert (
        f"{cookie_name(client.base_url.port or 0)}=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie
        and "Path=/" in cookie
    )
    page = client.get("/")
    assert page.status_code == 200
    return page.text.split('"X-CSRF-Token": "')[1].split('"')[0]


def test_a_wrong_host_is_403_even_with_the_token(client: httpx.Client, console: Served) -> None:
    port = console.port
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", f"192.168.1.5:{port}", ""):
        answer = client.get(f"/?token={_token(console)}", headers={"Host": host})
        assert answer.status_code == 403, host
        assert "ainas_web" not in answer.headers.get("set-cookie", "")
    assert client.get(f"/?token={_token(console)}", headers={"Host": f"localhost:{port}"}).status_code == 303


def test_without_the_token_nothing_is_served(client: httpx.Client) -> None:
    for path in ("/", "/history", "/calendar", "/offices/1", "/static/console.js", "/runs/1/events"):
        assert client.get(path).status_code == 401, path
    assert client.get("/?token=wrong").status_code == 403
    client.cookies.set(cookie_name(client.base_url.port or 0), "guessed")
    assert client.get("/").status_code == 401


def test_a_post_needs_this_consoles_origin_and_the_csrf_token(client: httpx.Client) -> None:
    csrf = _signed_in(client)
    ORIGIN = _origin(client)
    PORT = ORIGIN.rsplit(":", 1)[1]
    form = {"kind": "dry-run", "office": "1"}
    assert client.post("/runs", data=form, headers={"X-CSRF-Token": csrf}).status_code == 403  # no Origin
    cross = {"Origin": "http://evil.example", "X-CSRF-Token": csrf}
    assert client.post("/runs", data=form, headers=cross).status_code == 403
    rebound = {"Origin": f"http://evil.example:{PORT}", "X-CSRF-Token": csrf}
    assert client.post("/runs", data=form, headers=rebound).status_code == 403
    assert client.post("/runs", data=form, headers={"Origin": ORIGIN}).status_code == 403  # no token
    assert client.post("/runs", data=form, headers={"Origin": ORIGIN, "X-CSRF-Token": "x" + csrf}).status_code == 403
    # Both right: the request reaches the console (which has no office 1 to run).
    assert client.post("/runs", data=form, headers={"Origin": ORIGIN, "X-CSRF-Token": csrf}).status_code == 400


def test_the_token_is_exchanged_for_a_cookie_of_this_port_and_the_redirect_stays_here(
    client: httpx.Client, console: Served
) -> None:
    import socket

    # Sent as it is: an HTTP client would make `//evil.example/x` a request to that site.
    head = f"GET //evil.example/x?token={_token(console)} HTTP/1.1\r\nHost: 127.0.0.1:{console.port}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", console.port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 303"), answer[:200]
    assert "\r\nlocation: /evil.example/x\r\n" in answer  # a path of this console, never a site
    assert f"\r\nset-cookie: ainas_web_{console.port}=" in answer


def test_a_post_too_large_or_without_its_length_is_refused_before_it_is_read(
    client: httpx.Client, console: Served
) -> None:
    import socket

    csrf = _signed_in(client)
    headers = {"Origin": _origin(client), "X-CSRF-Token": csrf}
    chunked = client.post("/offices/1/p12", content=iter([b"--x--"]), headers=headers)
    assert chunked.status_code == 411
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    head = (
        f"POST /offices/1/p12 HTTP/1.1\r\nHost: 127.0.0.1:{console.port}\r\nOrigin: {_origin(client)}\r\n"
        f"X-CSRF-Token: {csrf}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        "Content-Length: 4000000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", console.port), timeout=10) as sock:
        sock.sendall(head.encode())  # and not one byte of the four gigabytes it announces
        answer = sock.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    too_many = client.post("/runs", content=b"office=1&" * 40_000, headers=headers)
    assert too_many.status_code == 413


def test_crafted_addresses_and_log_lines_are_answered_not_crashed_on(client: httpx.Client, tmp_path: Path) -> None:
    _signed_in(client)
    for path in ("/files/a%00b", "/files/" + "n" * 5000, "/runs/" + "9" * 5000, "/runs/1x", "/runs/-1/events"):
        assert client.get(path).status_code == 404, path[:40]
    (tmp_path / "audit.jsonl").write_text("[" * 200_000 + "\n", encoding="utf-8")
    history = client.get("/history")
    assert history.status_code == 200 and "Traceback" not in history.text


def test_every_answer_is_uncached_and_under_a_strict_policy(client: httpx.Client) -> None:
    refused = client.get("/")
    _signed_in(client)
    for answer in (refused, client.get("/"), client.get("/history"), client.get("/static/console.css")):
        assert answer.headers["cache-control"] == "no-store"
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
    calendar = client.get("/calendar")
    assert "script-src" not in calendar.headers["content-security-policy"]  # no script at all: default-src 'none'
    assert "frame-ancestors 'self'" in calendar.headers["content-security-policy"]


def test_files_are_served_only_from_the_artifacts_folder(client: httpx.Client, tmp_path: Path) -> None:
    _signed_in(client)
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / "shot.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    (tmp_path / "artifacts" / "link.png").symlink_to(tmp_path / "secret.txt")
    assert client.get("/files/shot.png").status_code == 200
    assert client.get("/files/../secret.txt").status_code == 404
    assert client.get("/files/%2e%2e/secret.txt").status_code == 404
    assert client.get("/files/link.png").status_code == 404


def test_the_history_reads_the_newest_lines_and_filters(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = [
        '{"time": "2026-12-01T09:00:00+09:00", "office_id": "1001", "outcome": "failed", "reason": "auth"}',
        "not json",
        '{"time": "2026-12-05T09:00:00+09:00", "office_id": "1002", "outcome": "updated"}',
        '{"time": "2026-12-06T09:00:00+09:00", "office_id": "1001", "outcome": "already-current"}',
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [e.office_id for e in read_history(log)] == ["1001", "1002", "1001"]
    assert [e.outcome for e in read_history(log, office="1001")] == ["already-current", "failed"]
    assert [e.office_id for e in read_history(log, status="updated")] == ["1002"]
    assert [e.time[:10] for e in read_history(log, since="2026-12-05")] == ["2026-12-06", "2026-12-05"]
    assert read_history(tmp_path / "missing.jsonl") == []


def test_a_web_run_waits_for_no_one_while_the_cli_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same lock as the CLI: a web run while a scheduled run holds it ends at once, saying so."""
    from ainas_bot.foundation.run_lock import run_lock

    monkeypatch.chdir(tmp_path)
    office = {
        "id": "3001", "login_id": "agent-3001", "login_password": {"env": "X"}, "client_cert": tmp_path / "c.p12",
        "client_cert_password": {"env": "X"}, "signing_cert": tmp_path, "pin": {"env": "X"},
        "trade_name_kana": "ヤマダ", "holder_name_kana": "ヤマダ タロウ", "postal_code": "100-0013",
    }  # fmt: skip
    settings = load_settings(None, offices=[office], audit_log=tmp_path / "audit.jsonl", lock_file=tmp_path / "l")
    console = Console(settings, {"X": "x"})
    with run_lock(settings.lock_file):
        run = console.runs.start("dry-run", settings.offices, {})
        run.wait_beyond(10_000, timeout=60)
    assert run.finished and run.error is not None and "lock" in run.error, run.error
    assert console.runs.active is None


_HOLD = "import sys; from pathlib import Path; from ainas_bot.foundation.run_lock import run_lock\n" + (
    "with run_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    sys.stdin.read()\n"
)


def _holding(lock_file: Path) -> subprocess.Popen[str]:
    """Another process holding the CLI's lock (a scheduled run) until its stdin closes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(lock_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_every_page_says_when_another_run_holds_the_lock_before_a_run_is_started(
    client: httpx.Client, tmp_path: Path
) -> None:
    _signed_in(client)
    lock_file = tmp_path / "ainas-bot.lock"  # the settings' default, in the folder the console was started from
    banner = "Another run (PID"
    assert banner not in client.get("/").text

    holder = _holding(lock_file)
    try:
        for page in ("/", "/history"):
            assert f"{banner} {holder.pid}:" in client.get(page).text
        assert lock_holder(lock_file) == holder.pid
    finally:
        holder.communicate("")
    assert banner not in client.get("/").text, "ended: it emptied the file"

    killed = _holding(lock_file)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    assert lock_file.read_text().strip() == str(killed.pid), "killed outright: its PID stays in the file"
    assert banner not in client.get("/").text, "but no process has it: the kernel let the lock go"


def test_looking_at_the_lock_never_takes_it_nor_follows_what_is_not_a_lock_file(tmp_path: Path) -> None:
    from ainas_bot.foundation.run_lock import run_lock

    lock_file = tmp_path / "l"
    assert lock_holder(lock_file) is None  # missing
    with run_lock(lock_file):
        assert lock_holder(lock_file) is None, "this process's own run is not another's"
        holder = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from ainas_bot.foundation.run_lock import "
             "lock_holder; print(lock_holder(Path(sys.argv[1])))", str(lock_file)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert holder.stdout.strip() == str(os.getpid())
    fifo, link = tmp_path / "fifo", tmp_path / "link"
    os.mkfifo(fifo)
    link.symlink_to(lock_file)
    lock_file.write_text(f"{os.getppid()}\n")
    assert [lock_holder(p) for p in (fifo, link, tmp_path)] == [None, None, None]
    assert lock_holder(lock_file) == os.getppid()


def test_a_typed_pin_waits_for_the_renewal_and_only_the_renewal_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run first, or a run refused because another is under way, leaves the PIN typed for the renewal."""
    from pydantic import SecretStr

    from ainas_bot.foundation.run_lock import run_lock
    from ainas_bot.web.runs import WebRun

    monkeypatch.chdir(tmp_path)
    office = {
        "id": "3001", "login_id": "agent-3001", "login_password": {"env": "X"}, "client_cert": tmp_path / "c.p12",
        "client_cert_password": {"env": "X"}, "signing_cert": tmp_path, "pin": {"env": "X"},
        "trade_name_kana": "ヤマダ", "holder_name_kana": "ヤマダ タロウ", "postal_code": "100-0013",
    }  # fmt: skip
    settings = load_settings(None, offices=[office], audit_log=tmp_path / "audit.jsonl", lock_file=tmp_path / "l")
    console = Console(settings, {"X": "x"})
    console.pins["3001"] = (SecretStr("Typed-PIN-1"), time.monotonic())
    with run_lock(settings.lock_file):  # every run ends at once, saying "lock"
        console.start("dry-run", settings.offices).wait_beyond(10_000, timeout=60)
        assert "3001" in console.pins
        console.runs.runs[999] = WebRun(999, "renew", ("3001",))  # a run under way
        with pytest.raises(RuntimeError):
            console.start("renew", settings.offices)
        assert "3001" in console.pins
        del console.runs.runs[999]
        console.start("renew", settings.offices).wait_beyond(10_000, timeout=60)
        assert "3001" not in console.pins
    console.pins["3001"] = (SecretStr("Typed-PIN-2"), time.monotonic() - 31 * 60)
    console.forget_old_pins()
    assert console.pins == {}


def test_control_and_bidi_characters_are_shown_as_code_points(client: httpx.Client) -> None:
    _signed_in(client)
    page = client.get("/offices/%E2%80%AEabc%1B")
    assert page.status_code == 404
    assert "&lt;U+202E&gt;abc&lt;U+001B&gt;" in page.text and "\u202e" not in page.text


def test_the_console_stops_when_left_idle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, audit_log=tmp_path / "audit.jsonl")
    with served(Console(settings, {}), idle_minutes=0.01) as running:
        deadline = time.monotonic() + 30
        while not running.server.should_exit and time.monotonic() < deadline:
            time.sleep(0.05)  # the console's own flag, set by its idle watch
        assert running.server.should_exit


@pytest.mark.parametrize(
    ("now", "last_request", "last_run_ended", "run_under_way", "stops"),
    [
        (1000.0, 0.0, 0.0, False, True),  # nobody for 1000 s
        (1000.0, 0.0, 0.0, True, False),  # a run under way keeps it up however long it takes
        (1000.0, 0.0, 950.0, False, False),  # a long run just ended, watched by nobody: the clock starts again
        (1000.0, 950.0, 0.0, False, False),  # a request 50 s ago
        (1000.0, 0.0, 899.0, False, True),  # the run ended 101 s ago
    ],
)
def test_the_idle_clock_counts_from_the_last_request_or_the_end_of_the_last_run(
    now: float, last_request: float, last_run_ended: float, run_under_way: bool, stops: bool
) -> None:
    assert (
        left_idle(
            now,
            last_request=last_request,
            last_run_ended=last_run_ended,
            run_under_way=run_under_way,
            idle_seconds=100,
        )
        is stops
    )


def test_ainas_bot_web_prints_the_url_serves_it_and_stops_on_sigterm(tmp_path: Path) -> None:
    from tests.fixtures_cli import BOT

    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    proc = subprocess.Popen(
        [*BOT, "web", "--no-browser", "--port", "0"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" ")[2]
        assert line.startswith("ainas-bot web: ") and "を開いてください" in line, line  # Japanese for staff
        with httpx.Client(follow_redirects=True) as c:
            page = c.get(url)
        assert page.status_code == 200 and "オフィス一覧" in page.text
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err


def test_the_vendored_scripts_are_the_files_published() -> None:
    import hashlib

    static = Path(__file__).resolve().parents[1] / "ainas_bot" / "web" / "static"
    rows = [line.split(" | ") for line in (static / "VENDORED.txt").read_text(encoding="utf-8").splitlines()]
    listed = {row[0]: row[-1] for row in rows if not row[0].startswith("#")}
    assert set(listed) == {p.name for p in static.glob("htmx*.js")}
    for name, digest in listed.items():
        assert hashlib.sha256((static / name).read_bytes()).hexdigest() == digest, name
