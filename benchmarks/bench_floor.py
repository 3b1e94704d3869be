"""Floor: what Playwright and Chromium cost on their own, before the bot does anything.

For each office a fresh context presents its own client certificate, opens the first of 11 small
screens and clicks through the other 10 (a button by its role, then the next heading by its role),
three of the clicks posting a form that answers with a redirect, as the portal's do. There is no
form filling, no reading of screens, no .p12 parsing, no portal logic: a renewal does all of this and
more. The server is a plain threaded HTTPS server in a child process of its own, requiring a client
certificate and answering each request after a fixed latency; its CPU time is printed apart and its
memory is not counted. Browser, arguments and context options are the ones `renew` uses.

    .venv/bin/python benchmarks/bench_floor.py --offices 300 --latency-ms 150 --concurrency 8 4

Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import ssl
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import ProcessSampler, level_figures, print_levels
from playwright.async_api import async_playwright

from ainas_bot.config.browsers import find_executable
from ainas_bot.sandbox._pki import client_p12, ensure_pki
from flows.browser.chromium import CHROMIUM_ARGS

SCREENS = 11
REDIRECTED = {3, 6, 8}  # the clicks into these screens post a form answered by 303, like 検索, 確定, 確定
_CSS = (Path(__file__).resolve().parent.parent / "ainas_bot" / "sandbox" / "static" / "style.css").read_bytes()


def _screen(n: int) -> bytes:
    rows = "".join(f"<tr><th>項目{i}</th><td>内容{i}</td></tr>" for i in range(12))
    method, to = ("post", f"/r{n + 1}") if n + 1 in REDIRECTED else ("get", f"/s{n + 1}")
    nxt = f'<form method="{method}" action="{to}">'
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>OSS申請共同利用システム</title>'
        f'<link rel="stylesheet" type="text/css" href="/style.css"></head><body>'
        f'<div class="header">OSS申請共同利用システム <a href="/s1">ログアウト</a></div>'
        f'<h2>画面{n}</h2><table>{rows}</table>{nxt}<button type="submit">次へ</button></form>'
        f"</body></html>"
    ).encode()


def serve(
    cert: Path, key: Path, ca: Path, latency_ms: int, port: multiprocessing.SimpleQueue[int], served: Synchronized[int]
) -> None:
    class Screen(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else the body waits for the ACK of the headers (40 ms, delayed ACK)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            with served.get_lock():
                served.value += 1
            time.sleep(latency_ms / 1000)  # the fixed latency per response, as `sandbox --latency-ms`
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            screen = re.fullmatch(r"/s([1-9][0-9]?)", path)
            if path == "/style.css":
                self._answer(200, _CSS, {"Content-Type": "text/css", "Cache-Control": "max-age=3600"})
            elif screen and int(screen[1]) <= SCREENS:
                self._answer(
                    200,
                    _screen(int(screen[1])),
                    {"Content-Type": "text/html; charset=UTF-8", "Cache-Control": "no-store"},
                )
            else:  # a browser's /favicon.ico, or anything else: answered as any web server does
                self._answer(404, b"not found", {"Content-Type": "text/plain; charset=UTF-8"})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._answer(303, b"", {"Location": f"/s{self.path[2:]}"})

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    tls.load_verify_locations(ca)
    tls.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), Screen)
    server.daemon_threads = True
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    port.put(server.server_address[1])
    server.serve_forever()


async def _run(base: str, pfxs: list[bytes], concurrency: int, executable: Path | None) -> float:
    async with async_playwright() as pw:
        exe = executable or find_executable("chromium", pw.chromium.executable_path, headless=True)
        browser = await pw.chromium.launch(headless=True, executable_path=str(exe) if exe else None, args=CHROMIUM_ARGS)
        slots = asyncio.Semaphore(concurrency)

        async def office(pfx: bytes) -> None:
            async with slots:
                context = await browser.new_context(
                    client_certificates=[{"origin": base, "pfx": pfx}],
                    locale="ja-JP",
                    timezone_id="Asia/Tokyo",
                    accept_downloads=False,
                )
                page = await context.new_page()
                await page.goto(f"{base}/s1")
                await page.get_by_role("heading", name="画面1", exact=True).wait_for()
                for n in range(2, SCREENS + 1):
                    await page.get_by_role("button", name="次へ").click()
                    await page.get_by_role("heading", name=f"画面{n}", exact=True).wait_for()
                await context.close()

        started = time.monotonic()
        await asyncio.gather(*(office(p) for p in pfxs))
        elapsed = time.monotonic() - started
        await browser.close()
        return elapsed


@dataclass
class FloorServer:
    base: str
    pid: int
    served: Synchronized[int]


@contextlib.contextmanager
def floor_server(latency_ms: int, tmp: Path) -> Iterator[FloorServer]:
    """The plain HTTPS server in a process of its own (`spawn`: a clean interpreter, no threads inherited)."""
    pki = ensure_pki(tmp, seed=0)
    spawn = multiprocessing.get_context("spawn")
    port: multiprocessing.SimpleQueue[int] = spawn.SimpleQueue()
    served: Synchronized[int] = spawn.Value("i", 0)
    server = spawn.Process(target=serve, args=(pki.cert, pki.key, pki.ca, latency_ms, port, served), daemon=True)
    server.start()
    try:
        yield FloorServer(f"https://127.0.0.1:{port.get()}", server.pid or 0, served)
    finally:
        server.terminate()
        server.join()


def client_pfxs(count: int, tmp: Path) -> list[bytes]:
    pki = ensure_pki(tmp, seed=0)
    return [client_p12(pki.issuer, i, str(i), f"事務所{i}", "") for i in range(count)]


def measure(
    server: FloorServer, pfxs: list[bytes], latency_ms: int, concurrency: int, executable: Path | None
) -> dict[str, Any]:
    """One level of the floor: every office through the 11 screens at `concurrency`."""
    count = len(pfxs)
    before = server.served.value
    with ProcessSampler(portal=server.pid) as sampler:
        elapsed = asyncio.run(_run(server.base, pfxs, concurrency, executable))
    requests = (server.served.value - before) / count
    return level_figures(count, concurrency, elapsed, requests, latency_ms, sampler.usage)


HEADER = (
    "concurrency",
    "seconds",
    "offices/min",
    "requests/office",
    "ideal s",
    "efficiency",
    "bot CPU-s/office",
    "driver CPU-s/office",
    "browser CPU-s/office",
    "server CPU-s/office",
    "browser peak MiB",
)


def row_cells(r: dict[str, Any]) -> list[str]:
    return [
        str(r["concurrency"]),
        f"{r['seconds']:.1f}",
        f"{r['per_minute']:.1f}",
        f"{r['requests_per_office']:.1f}",
        f"{r['ideal']:.0f}",
        f"{r['efficiency']:.2f}",
        f"{r['bot_cpu']:.2f}",
        f"{r['driver_cpu']:.2f}",
        f"{r['browser_cpu']:.2f}",
        f"{r['portal_cpu']:.2f}",
        f"{r['browser_peak_mib']:.0f}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--executable-path", type=Path, help="the browser binary (default: as `renew` finds it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ainas-floor-") as tmp, floor_server(args.latency_ms, Path(tmp)) as server:
        pfxs = client_pfxs(args.offices, Path(tmp))
        print(
            f"# floor: {args.offices} offices, {SCREENS} screens each, {args.latency_ms} ms latency per response, "
            f"{os.cpu_count()} cores",
            flush=True,
        )
        print_levels(
            HEADER,
            row_cells,
            args.concurrency,
            lambda level: measure(server, pfxs, args.latency_ms, level, args.executable_path),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
