"""Security under load and faults: no secret in any byte written nor in any command line, owner-only
artifacts and logs, an untrusted portal refused before a password is typed, no other origin reached,
and the renewal decision as properties."""

from __future__ import annotations

import asyncio
import base64
import csv
import dataclasses
import datetime as dt
import functools
import html
import io
import ipaddress
import json
import operator
import os
import shutil
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import psutil
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright
from pydantic import SecretStr

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.config.secrets import SecretRef
from ainas_bot.config.settings import Settings
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.sandbox import FaultRule
from flows.browser.chromium import launch_chromium
from flows.browser.launch import office_context
from flows.browser.options import BrowserOptions
from flows.decision import Action, decide, latest_active_expiry, renewal_status
from flows.pages.org_detail import CertificateRow
from tests.fixtures_async import run_async
from tests.fixtures_flow import FlowWorld, OfficeKit, prepare, run
from tests.fixtures_settings import settings_toml

BOT = [sys.executable, "-m", "ainas_bot"]
FIREFOX_MISSING = shutil.which("firefox-esr") is None or shutil.which("pk12util") is None
firefox = pytest.mark.firefox
needs_firefox = pytest.mark.skipif(FIREFOX_MISSING, reason="needs Debian's firefox-esr and libnss3-tools")
BROWSERS = ["chromium", pytest.param("firefox", marks=[firefox, needs_firefox])]


# ------------------------------------------------------------------------------------ the secret detector
def encoded_forms(secret: str) -> set[bytes]:
    """The ways a secret could be written: raw, UTF-16, URL-, HTML- and JSON-escaped, base64 at any alignment."""
    raw = secret.encode("utf-8")
    forms = {
        raw,
        secret.encode("utf-16-le"),
        secret.encode("utf-16-be"),
        quote(secret, safe="").encode(),
        quote_plus(secret).encode(),
        html.escape(secret).encode(),
        json.dumps(secret)[1:-1].encode(),
    }
    for offset in range(3):
        # Only the base64 characters that depend on the secret's bytes alone, whatever surrounds it.
        text = base64.b64encode(b"\0" * offset + raw).rstrip(b"=")
        text = text[(0, 2, 3)[offset] :]
        if (offset + len(raw)) % 3:
            text = text[:-1]
        forms |= {text, text.replace(b"+", b"-").replace(b"/", b"_")}
    return {f for f in forms if len(f) >= 6}


def every_byte(root: Path, *, exclude: Iterable[Path] = ()) -> list[tuple[str, bytes]]:
    """Every file under `root` (but the excluded folders), and every member of every zip, nested too."""
    skipped = [p.resolve() for p in exclude]
    found: list[tuple[str, bytes]] = []

    def add(name: str, data: bytes) -> None:
        found.append((name, data))
        if data[:4] == b"PK\x03\x04":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for member in archive.namelist():
                        add(f"{name}!{member}", archive.read(member))
            except zipfile.BadZipFile:
                pass  # only looks like a zip: its raw bytes are searched all the same

    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file() or any(path.resolve().is_relative_to(s) for s in skipped):
            continue
        add(str(path), path.read_bytes())
    return found


def leaks(haystacks: Iterable[tuple[str, bytes]], secrets: dict[str, str]) -> list[tuple[str, str]]:
    """(secret's label, where) for every secret found in any of its forms."""
    forms = {label: encoded_forms(secret) for label, secret in secrets.items()}
    return [
        (label, name)
        for name, data in haystacks
        for label, encodings in forms.items()
        if any(e in data for e in encodings)
    ]


class CmdlineSampler(threading.Thread):
    """Reads every process's command line again and again until stopped; remembers secrets seen there."""

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__(name="cmdline-sampler", daemon=True)
        self.forms = {label: {s.encode(), quote(s, safe="").encode()} for label, s in secrets.items()}
        self.found: set[tuple[str, str]] = set()
        self.programs: set[str] = set()
        self.samples = 0
        self.stopped = threading.Event()
        self.changed = threading.Condition()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(0.02)  # the pace of sampling, not a wait for the product

    def sample(self) -> None:
        for process in psutil.process_iter():
            try:
                words = process.cmdline()
            except psutil.Error:
                continue
            if not words:
                continue
            cmdline = "\0".join(words).encode("utf-8", "surrogateescape")
            self.programs.add(Path(words[0]).name)
            for label, forms in self.forms.items():
                if any(f in cmdline for f in forms):
                    self.found.add((label, " ".join(words)[:200]))
        with self.changed:
            self.samples += 1
            self.changed.notify_all()

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30) -> bool:
        with self.changed:
            return self.changed.wait_for(condition, timeout)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


def test_the_detectors_find_a_planted_secret(tmp_path: Path) -> None:
    """Without this, a search that finds nothing would prove nothing."""
    planted = "Pl4nted/Secret+x"
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (folder / "raw.txt").write_bytes(b"...." + planted.encode() + b"....")
    (folder / "utf16.txt").write_bytes(("x" + planted).encode("utf-16-le"))
    (folder / "form.txt").write_bytes(b"pin=" + quote_plus(planted).encode() + b"&x=1")
    (folder / "json.txt").write_text(json.dumps({"v": planted}), encoding="utf-8")
    for offset in range(3):
        encoded = base64.b64encode(b"xyz"[:offset] + planted.encode() + b"tail")
        (folder / f"b64-{offset}.txt").write_bytes(b"data:" + encoded)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("deep/trace.network", b"{" + planted.encode("utf-8") + b"}")
    with zipfile.ZipFile(folder / "trace.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nested.zip", inner.getvalue())
    (tmp_path / "clean.txt").write_bytes(b"nothing here " + planted[:-1].encode())
    excluded = tmp_path / "secrets"
    excluded.mkdir()
    (excluded / "pin").write_text(planted, encoding="utf-8")

    found = {where for _, where in leaks(every_byte(tmp_path, exclude=[excluded]), {"planted": planted})}

    names = {Path(w.split("!")[0]).name + ("!" + w.split("!", 1)[1] if "!" in w else "") for w in found}
    assert names == {
        "raw.txt",
        "utf16.txt",
        "form.txt",
        "json.txt",
        "b64-0.txt",
        "b64-1.txt",
        "b64-2.txt",
        "trace.zip!nested.zip!deep/trace.network",
    }

    sampler = CmdlineSampler({"planted": planted})
    sampler.start()
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()", planted], stdin=subprocess.PIPE)
    try:
        assert sampler.wait_for(lambda: bool(sampler.found)), "the sampler did not see the planted argument"
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
        sampler.stop()
    assert {label for label, _ in sampler.found} == {"planted"}


# ------------------------------------------------------------------- a bulk run with faults, through the CLI
def _store_secrets_elsewhere(kit: OfficeKit, secrets_dir: Path, how: str) -> None:
    """Move an office's secrets from the environment to the secrets directory or to files."""
    updates: dict[str, SecretRef] = {}
    for field in ("login_password", "client_cert_password", "pin"):
        ref: SecretRef = getattr(kit.office, field)
        assert ref.env is not None
        value = kit.environ.pop(ref.env)
        name = f"{field}-{kit.office.id}"
        target = secrets_dir / name if how == "secret" else secrets_dir / "files" / name
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value + "\n")
        updates[field] = SecretRef(secret=name) if how == "secret" else SecretRef(file=target)
    kit.office = kit.office.model_copy(update=updates)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A folder with a short path: Chromium's singleton socket under TMPDIR must fit in 108 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="ainas-sec-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.e2e
def test_bulk_run_with_faults_leaks_no_secret_anywhere(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path, short_tmp: Path
) -> None:
    confirm_refused = FaultRule("cert_update", "503", method="POST", skip=5, times=1000)  # past every retry
    login_dropped = FaultRule("login", "drop", method="POST", times=2)
    upload_lost = FaultRule("cert_register", "drop-after", method="POST", times=1)
    world = sandbox_world(orgs=16, fault_rate=0.03, seed=5, faults=[confirm_refused, login_dropped, upload_lost])
    normal = [world.make_office() for _ in range(6)]
    wrong_password = world.make_office()
    wrong_password.environ[wrong_password.office.login_password.env or ""] = "wr0ng-Passw0rd-7731"
    other = world.take_notice()
    foreign = world.make_office(id=other.org_id)  # its login does not administer it: refused after the login
    kits = [*normal, wrong_password, foreign]
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir(mode=0o700)
    for kit in kits[2:5]:
        _store_secrets_elsewhere(kit, secrets_dir, "secret")
    for kit in kits[5:7]:
        _store_secrets_elsewhere(kit, secrets_dir, "file")
    secrets = {
        f"{label} of {kit.office.id}": value
        for kit in kits
        for label, value in zip(("PIN", "login password", "client certificate password"), kit.secrets, strict=True)
    }
    secrets["wrong login password"] = "wr0ng-Passw0rd-7731"
    secrets["foreign organisation's password"] = other.admin_password
    key, _, _ = pkcs12.load_key_and_certificates(
        normal[0].notice.client_cert.read_bytes(), normal[0].notice.client_cert_password.encode()
    )
    assert key is not None
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    work = tmp_path / "run"
    work.mkdir()
    home, temporary = short_tmp / "home", short_tmp / "tmp"
    home.mkdir()
    temporary.mkdir()
    settings = {
        "portal_url": world.sandbox.base_url,
        "portal_ca": world.sandbox.ca_pem,
        "artifacts_dir": "out/artifacts",
        "audit_log": "logs/audit.jsonl",
        "lock_file": "run.lock",
        "secrets_dir": secrets_dir,
        "timeout_seconds": 10,
        "retries": 2,
        "retry_backoff_seconds": 0.05,
        "concurrency": 4,
    }
    config = work / "ainas.toml"
    config.write_text(
        settings_toml(settings, [kit.office.model_dump(mode="json", exclude_none=True) for kit in kits]),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")}
    env.update({k: v for kit in kits for k, v in kit.environ.items()})
    # Whatever the bot, its browsers and Playwright write to a home or temporary folder lands here too.
    # An operator's DEBUG=pw:api would have Playwright's driver print every typed text: the bot drops it.
    env["DEBUG"] = "pw:api,pw:protocol"
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": str(temporary),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
        }
    )
    report, report_csv = work / "reports" / "R.json", work / "reports" / "R.csv"

    sampler = CmdlineSampler(secrets)
    sampler.start()
    try:
        with (work / "stdout.txt").open("wb") as out, (work / "stderr.txt").open("wb") as err:
            # umask 0: every file and folder is owner-only because the bot says so, not because of the umask.
            result = subprocess.run(
                [
                    *BOT,
                    "--debug",
                    "renew",
                    "--all",
                    "--config",
                    str(config),
                    "--report",
                    str(report),
                    "--report-csv",
                    str(report_csv),
                ],
                env=env,
                stdout=out,
                stderr=err,
                timeout=600,
                check=False,
                umask=0,
            )
    finally:
        sampler.stop()

    stderr = (work / "stderr.txt").read_text(encoding="utf-8")
    assert result.returncode == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "DEBUG ignored" in stderr
    # 2. No secret on any command line, while the bot, its Playwright driver and browsers ran.
    assert not sampler.found, sampler.found
    assert sampler.samples >= 20
    assert "node" in sampler.programs and any("chrom" in p for p in sampler.programs), sampler.programs

    offices = {o["office_id"]: o for o in json.loads(report.read_text(encoding="utf-8"))["offices"]}
    assert set(offices) == {k.office.id for k in kits}
    wrong, refused = offices[wrong_password.office.id], offices[foreign.office.id]
    assert (wrong["status"], wrong["reason"]) == ("failed", "auth"), wrong
    assert {Path(p).name for p in wrong["artifacts"]} >= {"screen.png", "page.html"}
    assert refused["reason"] == "auth", refused
    assert {Path(p).name for p in refused["artifacts"]} == {"screen.png", "page.html", "trace.zip"}
    outcomes = [offices[k.office.id] for k in normal]
    for o in outcomes:
        assert o["status"] in ("updated", "resumed") or (o["reason"] == "portal-unavailable" and o["artifacts"]), o
        if o["status"] == "updated":
            assert any(
                c["serial"] == o["certificate_serial"] and c["status"] == "active"
                for c in world.certificates(o["office_id"])
            )
    assert any(o["status"] == "failed" for o in outcomes), "only 5 確定 get through: one office fails at least"
    assert any(o["status"] in ("updated", "resumed") for o in outcomes)
    # PINs were typed (an upload, an update posted), login passwords too, retries made fresh logins.
    assert login_dropped.fired == 2 and upload_lost.fired == 1 and confirm_refused.seen >= 1
    assert any(o["attempts"] > 1 for o in offices.values())
    rows = list(csv.DictReader(io.StringIO(report_csv.read_text(encoding="utf-8-sig"))))
    assert {r["office_id"] for r in rows} == set(offices)
    audit = [json.loads(line) for line in (work / "logs" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(a["office_id"] for a in audit) == sorted(offices)

    # 3. Owner-only, whatever the umask: artifacts (their folders too), audit log, reports, lock.
    artifacts_root = work / "out" / "artifacts"
    kept = [Path(p) for o in offices.values() for p in o["artifacts"]]
    assert kept
    for folder in {artifacts_root, work / "out", *(p.parent for p in kept), work / "logs", work / "reports"}:
        assert _mode(folder) == 0o700, (folder, oct(_mode(folder)))
    for path in [
        *kept,
        *artifacts_root.rglob("*"),
        work / "logs" / "audit.jsonl",
        report,
        report_csv,
        work / "run.lock",
    ]:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), (path, oct(_mode(path)))

    # 1. No secret in any byte written: outputs, logs, reports, audit, artifacts with every trace member,
    # the lock, leftovers in the home and temporary folders; only the secrets' own storage is left out.
    planted = artifacts_root / "planted" / "deep.zip"
    planted.parent.mkdir()
    with zipfile.ZipFile(planted, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("resources/x.json", b'{"v":"' + base64.b64encode(b"..canary-7f3Q/k9") + b'"}')
    haystacks = every_byte(tmp_path, exclude=[world.sandbox.state_dir, secrets_dir]) + every_byte(short_tmp)
    names = [name for name, _ in haystacks]
    for expected in (
        "stdout.txt",
        "stderr.txt",
        "R.json",
        "R.csv",
        "audit.jsonl",
        "run.lock",
        "screen.png",
        "page.html",
        "trace.zip",
    ):
        assert any(Path(n.split("!")[0]).name == expected for n in names), expected
    assert any(n.endswith(".trace") and "trace.zip!" in n for n in names), "the trace's members are searched"
    found = leaks(haystacks, {**secrets, "canary": "..canary-7f3Q/k9"})
    assert found == [("canary", f"{planted}!resources/x.json")], found
    key_forms = [der, base64.b64encode(der[48:96])]
    assert not [n for n, data in haystacks if any(f in data for f in key_forms)], "the client key was written"


# ------------------------------------------------------------------------------- an untrusted portal
class _RecordingPopen(subprocess.Popen):  # type: ignore[type-arg]
    """Every process started from this test process (the Playwright driver, certutil, pk12util)."""

    started: list[list[str]] = []  # noqa: RUF012 - reset by the test

    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        _RecordingPopen.started.append([str(a) for a in ([args] if isinstance(args, str | bytes) else args)])
        super().__init__(args, *rest, **kwargs)


@pytest.mark.e2e
@pytest.mark.parametrize("browser_kind", BROWSERS)
@pytest.mark.parametrize("trust", ["no-ca", "other-ca"])
def test_an_untrusted_portal_fails_before_any_password_is_typed(
    sandbox_world: Callable[..., FlowWorld],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    browser_kind: str,
    trust: str,
) -> None:
    world = sandbox_world(orgs=3)
    notice = world.take_notice()
    # The organisation's own client certificate, as the sandbox issues it: with the sandbox's CA bundled.
    # Playwright's TLS proxy trusts CA certificates bundled in a client .p12, so the bot must leave them out.
    _, _, chain = pkcs12.load_key_and_certificates(
        notice.client_cert.read_bytes(), notice.client_cert_password.encode()
    )
    sandbox_ca = x509.load_pem_x509_certificate(world.sandbox.ca_pem.read_bytes())
    assert sandbox_ca in chain, "the sandbox's client .p12 no longer bundles its CA: this test proves nothing"
    client = notice.client_cert
    stranger = tmp_path / "stranger-ca.pem"
    stranger.write_bytes(
        certfactory.make_ca("Stranger CA", "Elsewhere (TEST)").certificate.public_bytes(serialization.Encoding.PEM)
    )
    kit = world.make_office(notice, client_cert=client)
    config = world.settings(browser=browser_kind, portal_ca=stranger if trust == "other-ca" else None, retries=2)
    [office] = prepare([kit], config)
    _RecordingPopen.started = []
    monkeypatch.setattr(subprocess, "Popen", _RecordingPopen)

    [outcome] = run(config, [office])

    assert (outcome.status, outcome.reason, outcome.screen) == ("failed", "portal-untrusted", "ログイン"), outcome
    assert outcome.attempts == 1, "an untrusted portal is not retried"
    assert "set portal_ca" in outcome.message
    assert world.sandbox.requests_served == 0, "the portal saw a request: the login form could have been posted"
    started = _RecordingPopen.started
    assert started, "the recorder saw no process start"
    if browser_kind == "firefox":
        assert any(Path(args[0]).name == "pk12util" for args in started)
    assert not [a for a in started if any(s in " ".join(a) for s in kit.secrets)], "a secret on a command line"

    if (trust, browser_kind) == ("no-ca", "chromium"):  # with the portal's CA the same office gets in
        [trusted] = run(config.model_copy(update={"portal_ca": world.sandbox.ca_pem}), [office], dry_run=True)
        assert trusted.status == "would-register", trusted
        assert world.sandbox.requests_served > 0


# --------------------------------------------------------------------------------- other origins
@dataclasses.dataclass(frozen=True)
class Hit:
    server: str
    host: str
    path: str
    run: str
    body: bytes


class Hits:
    """Every request any of the test's servers received."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.seen: list[Hit] = []

    def add(self, hit: Hit) -> None:
        with self.changed:
            self.seen.append(hit)
            self.changed.notify_all()

    def paths(self, run_tag: str, *, elsewhere: bool) -> set[str]:
        """Paths requested in a run, from the portal's origin or from any other (its `localhost` alias too)."""
        with self.changed:
            return {
                h.path
                for h in self.seen
                if h.run == run_tag and (h.server != "portal" or h.host.startswith("localhost:")) == elsewhere
            }

    def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(condition, timeout)


# The portal's page reaches for other origins in every way a page can; `{tag}` names the run.
PROBE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>probe</title>
<link rel="stylesheet" href="{tls}/style.css?run={tag}">
<script src="{plain}/script.js?run={tag}"></script>
</head><body><h1>probe</h1>
<img src="{plain}/img.png?run={tag}"><iframe src="{plain}/frame?run={tag}"></iframe>
<script>
window.probe = async () => {
  const out = {};
  const attempt = async (name, fn) => {
    try { await fn(); out[name] = "done"; } catch (e) { out[name] = "failed: " + e; }
  };
  await attempt("fetch", () => fetch("{plain}/fetch?run={tag}", {mode: "no-cors"}));
  await attempt("fetch-tls", () => fetch("{tls}/fetch-tls?run={tag}", {mode: "no-cors"}));
  await attempt("alias", () => fetch("{alias}/alias?run={tag}", {mode: "no-cors"}));
  await attempt("post-307", () => fetch("/redirect?code=307&run={tag}&to=" +
      encodeURIComponent("{plain}/post-307?run={tag}"), {method: "POST", body: "pin={canary}", mode: "no-cors"}));
  await attempt("beacon", async () => { navigator.sendBeacon("{plain}/beacon?run={tag}", "x"); });
  await attempt("websocket", () => new Promise((ok, bad) => {
    const ws = new WebSocket("{ws}/websocket?run={tag}");
    ws.onopen = ok; ws.onerror = () => bad(new Error("error")); ws.onclose = () => bad(new Error("closed"));
  }));
  return out;
};
</script></body></html>"""
CANARY = "probe-canary-5521"


def _serve(name: str, hits: Hits, tls: ssl.SSLContext | None, page: str | None = None) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def answer(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            body_in = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hits.add(Hit(name, self.headers.get("Host", ""), parts.path, query.get("run", [""])[0], body_in))
            status, headers, body = 200, {"Content-Type": "text/plain", "Access-Control-Allow-Origin": "*"}, b"ok"
            if page is not None and parts.path == "/oss_agt/":
                port = str(self.server.server_address[1])  # type: ignore[index]  # an (host, port) pair for TCP
                body = page.replace("{tag}", query["run"][0]).replace("{port}", port).encode()
                headers = {"Content-Type": "text/html; charset=utf-8"}
            elif page is not None and parts.path == "/redirect":
                status, headers, body = int(query["code"][0]), {"Location": query["to"][0]}, b""
            self.send_response(status)
            for k, v in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = do_OPTIONS = answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=server.serve_forever, name=f"{name}-server", daemon=True).start()
    return server


def _server_tls(folder: Path, issuer: certfactory.Issuer, name: str) -> ssl.SSLContext:
    key = certfactory.generate_key()
    now = dt.datetime.now(dt.UTC)
    san = x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = certfactory.make_certificate(
        key,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
        issuer=issuer,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=30),
        extensions=[(san, False), (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)],
    )
    pem = folder / f"{name}.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    return context


@dataclasses.dataclass
class ProbeWorld:
    hits: Hits
    portal: str
    plain: str
    settings: Settings
    client_cert: Path


@pytest.fixture
def probe_world(tmp_path: Path) -> Iterator[ProbeWorld]:
    """A stand-in portal (HTTPS, its own CA) whose page reaches out, and two other servers that count."""
    hits = Hits()
    portal_ca = certfactory.make_ca("Probe Portal CA", "Probe (TEST)")
    (tmp_path / "portal-ca.pem").write_bytes(portal_ca.certificate.public_bytes(serialization.Encoding.PEM))
    plain = _serve("plain", hits, None)
    untrusted = _serve("tls", hits, _server_tls(tmp_path, certfactory.make_ca("Nobody's CA", "X"), "other"))
    plain_origin = f"http://127.0.0.1:{plain.server_address[1]}"
    page = (
        PROBE_PAGE.replace("{plain}", plain_origin)
        .replace("{ws}", plain_origin.replace("http", "ws"))
        .replace("{tls}", f"https://127.0.0.1:{untrusted.server_address[1]}")
        .replace("{alias}", "https://localhost:{port}")
        .replace("{canary}", CANARY)
    )
    portal = _serve("portal", hits, _server_tls(tmp_path, portal_ca, "portal"), page)
    origin = f"https://127.0.0.1:{portal.server_address[1]}"
    key = certfactory.generate_key()
    now = dt.datetime.now(dt.UTC)
    client = certfactory.make_certificate(
        key,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "office")]),
        issuer=portal_ca,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=30),
        client_auth=True,
    )
    client_p12 = tmp_path / "client.p12"
    client_p12.write_bytes(certfactory.pkcs12_bytes(key, client, password="probe-client-pw"))
    config = Settings(portal_url=f"{origin}/oss_agt/", portal_ca=tmp_path / "portal-ca.pem", timeout_seconds=15)
    yield ProbeWorld(hits, origin, plain_origin, config, client_p12)
    for server in (portal, plain, untrusted):
        server.shutdown()
        server.server_close()


VECTORS = {
    "/style.css",
    "/script.js",
    "/img.png",
    "/frame",
    "/fetch",
    "/fetch-tls",
    "/alias",
    "/post-307",
    "/beacon",
    "/websocket",
    "/goto",
    "/popup",
    "/redirected",
}


async def _reach_out(page: Page, world: ProbeWorld, tag: str) -> dict[str, str]:
    """Everything the probe page and the bot's own navigation can do towards other origins."""
    await page.goto(f"{world.portal}/oss_agt/?run={tag}", wait_until="load")
    assert await page.get_by_role("heading", name="probe").is_visible(), "the portal itself must be reachable"
    results: dict[str, str] = await page.evaluate("probe()")
    async with page.context.expect_page() as popup_info:
        await page.evaluate("url => { window.open(url); }", f"{world.plain}/popup?run={tag}")
    await popup_info.value  # left open: closing the context ends it, after the control run has seen its request
    for name, url in (
        ("goto", f"{world.plain}/goto?run={tag}"),
        ("redirect", f"{world.portal}/redirect?code=302&run={tag}&to={quote(world.plain)}%2Fredirected%3Frun%3D{tag}"),
    ):
        tab = await page.context.new_page()  # a refused navigation's error page must not cut the next one
        try:
            await tab.goto(url, wait_until="load")
            results[name] = "done"
        except PlaywrightError as exc:
            results[name] = f"failed: {str(exc).splitlines()[0]}"
        await tab.close()
    return results


async def _guarded_then_unguarded(world: ProbeWorld, browser: str) -> dict[str, str]:
    config = BrowserOptions.from_settings(world.settings.model_copy(update={"browser": browser}), os.environ)
    async with async_playwright() as pw:
        chromium = await launch_chromium(pw, config) if browser == "chromium" else None
        async with office_context(
            pw, chromium, config, client_cert=world.client_cert, client_cert_password=SecretStr("probe-client-pw")
        ) as context:
            guarded = await _reach_out(await context.new_page(), world, "guarded")
        if chromium is None:
            chromium = await launch_chromium(pw, config)
        # The same page in a plain context: every one of its requests arrives (the probe can detect).
        plain = await chromium.new_context(ignore_https_errors=True)
        await _reach_out(await plain.new_page(), world, "control")
        await asyncio.to_thread(world.hits.wait_for, lambda: world.hits.paths("control", elsewhere=True) >= VECTORS, 30)
        await plain.close()
        await chromium.close()
    return guarded


@pytest.mark.e2e
@pytest.mark.parametrize("browser_kind", BROWSERS)
def test_no_other_origin_is_ever_reached(probe_world: ProbeWorld, browser_kind: str) -> None:
    guarded = run_async(_guarded_then_unguarded(probe_world, browser_kind))

    assert probe_world.hits.paths("control", elsewhere=True) >= VECTORS, "the probe reaches out when unguarded"
    assert any(h.run == "control" and CANARY.encode() in h.body for h in probe_world.hits.seen), (
        "unguarded, a 307 re-posts the form to the other origin"
    )
    # Asked after the unguarded run: a guarded request that was merely late would have arrived by now.
    reached = probe_world.hits.paths("guarded", elsewhere=True)
    assert not reached, f"reached another origin: {sorted(reached)} ({guarded})"
    assert {"/oss_agt/", "/redirect"} <= probe_world.hits.paths("guarded", elsewhere=False)
    assert guarded["goto"].startswith("failed"), guarded


# ------------------------------------------------------------------------------- the renewal decision
quick = settings(max_examples=200, database=None, deadline=None)
TODAY = dt.date(2026, 6, 1)
names = st.text(st.sampled_from("山田太郎行政書士事務所法人株式会社ABC　"), min_size=1, max_size=10)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
moments = st.datetimes(min_value=dt.datetime(2016, 1, 1), max_value=dt.datetime(2035, 12, 31))


def _cert(trade: str, holder: str, expiry: dt.date) -> CertificateInfo:
    not_after = dt.datetime.combine(expiry, dt.time(12), tzinfo=dt.UTC)  # noon UTC: the same day in Japan
    return CertificateInfo(
        file="x.p12",
        profile="gyoseishoshi",
        trade_name_kanji=trade,
        holder_name_kanji=holder,
        address_street="東京都千代田区霞が関一丁目２番３号",
        address_building="",
        issuer="CN=x",
        subject="CN=y",
        not_before=not_after - dt.timedelta(days=730),
        not_after=not_after,
        serial="01",
        sha256="00",
        key_type="RSA",
        key_bits=2048,
        key_matches_certificate=True,
        key_usage=(),
        encryption={},
        warnings=(),
    )


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y/%m/%d %H:%M")


@st.composite
def tables(draw: st.DrawFn) -> tuple[CertificateInfo, list[CertificateRow], int, int]:
    """A local certificate and a table of: records of it, other active records, pending records."""
    cert = _cert(draw(names), draw(names), draw(days))
    ours = CertificateRow("", cert.trade_name_kanji, cert.holder_name_kanji, format_portal_date(cert.expiry_date))
    rows: list[CertificateRow] = []
    n_ours = draw(st.integers(0, 2))
    rows += [dataclasses.replace(ours, registered_at=_stamp(draw(moments))) for _ in range(n_ours)]
    for _ in range(draw(st.integers(0, 4))):  # active, but another certificate: one cell differs
        field = draw(st.sampled_from(["trade_name_kanji", "holder_name_kanji", "expiry"]))
        mine = getattr(cert, field) if field != "expiry" else None
        value = (
            format_portal_date(draw(days.filter(lambda d: d != cert.expiry_date)))
            if field == "expiry"
            else draw(names.filter(functools.partial(operator.ne, mine)))
        )
        rows.append(dataclasses.replace(ours, registered_at=_stamp(draw(moments)), **{field: value}))  # type: ignore[arg-type]
    n_pending = draw(st.integers(0, 3))
    rows += [CertificateRow(_stamp(draw(moments)), "", "", "") for _ in range(n_pending)]
    return cert, draw(st.permutations(rows)), n_ours, n_pending


@quick
@given(tables())
def test_decide_registers_only_when_nothing_of_ours_is_there(
    table: tuple[CertificateInfo, list[CertificateRow], int, int],
) -> None:
    cert, rows, n_ours, n_pending = table
    action, candidates = decide(rows, cert)

    if n_ours:
        assert action is Action.ALREADY_CURRENT, "a record of this certificate is active: never register again"
        assert len(candidates) == n_ours and all(not r.pending for r in candidates)
    elif n_pending:
        assert action is Action.CHECK_PENDING
        assert sorted(candidates, key=id) == sorted([r for r in rows if r.pending], key=id)
        moments_shown = [dt.datetime.strptime(r.registered_at, "%Y/%m/%d %H:%M") for r in candidates]
        assert moments_shown == sorted(moments_shown, reverse=True), "newest first"
    else:
        assert (action, candidates) == (Action.REGISTER, [])
    assert decide(list(reversed(rows)), cert)[0] is action, "the table's order does not matter"


@quick
@given(tables(), days)
def test_latest_active_expiry_ignores_pending_records(
    table: tuple[CertificateInfo, list[CertificateRow], int, int], other: dt.date
) -> None:
    _, rows, _, _ = table
    active = [dt.datetime.strptime(r.expiry, "%Y/%m/%d").date() for r in rows if not r.pending]
    assert latest_active_expiry(rows) == (max(active).isoformat() if active else None)
    garbled = [*rows, CertificateRow("2026/01/01 00:00", "x", "y", "not a date")]
    assert latest_active_expiry(garbled) == latest_active_expiry(rows)


@st.composite
def status_cases(draw: st.DrawFn) -> tuple[dt.date | None, dt.date | None, int]:
    """Registered and local expiries, often on the edges: the warning limit, today, the same day."""
    warn_days = draw(st.integers(0, 90))
    edge = st.sampled_from([warn_days - 1, warn_days, warn_days + 1, -1, 0, 1])
    offset = draw(st.none() | edge | st.integers(-400, 400))
    local_offset = draw(st.none() | st.integers(-2, 2).map(lambda k: (offset or 0) + k) | st.integers(-400, 400))
    registered = None if offset is None else TODAY + dt.timedelta(days=offset)
    local = None if local_offset is None else TODAY + dt.timedelta(days=local_offset)
    return registered, local, warn_days


@quick
@given(status_cases())
def test_renewal_status_warns_only_without_a_newer_local_file(case: tuple[dt.date | None, dt.date | None, int]) -> None:
    registered, local, warn_days = case
    days_left, warning = renewal_status(registered, local, TODAY, warn_days=warn_days)

    assert days_left == ((registered - TODAY).days if registered else None)
    newer_local = local is not None and (registered is None or local > registered)
    if newer_local:
        assert warning is None, "a newer local .p12 replaces it: nothing for a human to do"
    elif registered is None:
        assert warning is not None and "no active certificate" in warning
    else:
        assert (warning is not None) == ((registered - TODAY).days <= warn_days)
        if warning:
            assert ("expired" in warning) == (registered < TODAY)


@quick
@given(days, days, st.integers(0, 90))
def test_renewal_status_warns_earlier_expiries_too(first: dt.date, second: dt.date, warn_days: int) -> None:
    early, late = sorted((first, second))
    if renewal_status(late, None, TODAY, warn_days=warn_days)[1] is not None:
        assert renewal_status(early, None, TODAY, warn_days=warn_days)[1] is not None
