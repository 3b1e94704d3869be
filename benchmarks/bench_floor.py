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
import multiprocessing
import os
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_renew import MemorySampler, _descendants
from playwright.async_api import async_playwright

from ainas_bot.browsers import find_executable
from ainas_bot.sandbox._pki import client_p12, ensure_pki
from flows.browser import CHROMIUM_ARGS

SCREENS = 11
REDIRECTED = {3, 6, 8}  # the clicks into these screens post a form answered by 303, like 検索, 確定, 確定
_CSS = (Path(__file__).resolve().parent.parent / "ainas_bot" / "sandbox" / "static" / "style.css").read_bytes()


def _screen(n: int) -> bytes:
    rows = "".join(f"<tr><th>項目{i}</th><td>内容{i}</td></tr>" for i in range(12))
    method, to = ("post", f"/r{n + 1}") if n + 1 in REDIRECTED else ("get", f"/s{n + 1}")
    nxt = f'<form method="{method}" action="{to}">'
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>OSS申請共同利用システム</title>'
            f'<link rel="stylesheet" type="text/css" href="/style.css"></head><body>'
            f'<div class="header">OSS申請共同利用システム <a href="/s1">ログアウト</a></div>'
            f'<h2>画面{n}</h2><table>{rows}</table>{nxt}<button type="submit">次へ</button></form>'
            f'</body></html>').encode()


def serve(cert: Path, key: Path, ca: Path, latency_ms: int, port: multiprocessing.SimpleQueue[int],
          served: Synchronized[int]) -> None:
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
            if path == "/style.css":
                self._answer(200, _CSS, {"Content-Type": "text/css", "Cache-Control": "max-age=3600"})
            else:
                self._answer(200, _screen(int(path[2:])), {"Content-Type": "text/html; charset=UTF-8",
                                                                "Cache-Control": "no-store"})

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
        browser = await pw.chromium.launch(headless=True, executable_path=str(exe) if exe else None,
                                           args=CHROMIUM_ARGS)
        slots = asyncio.Semaphore(concurrency)

        async def office(pfx: bytes) -> None:
            async with slots:
                context = await browser.new_context(client_certificates=[{"origin": base, "pfx": pfx}],
                                                    locale="ja-JP", timezone_id="Asia/Tokyo", accept_downloads=False)
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


def _cpu_seconds(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)  # of all its threads


class CpuSampler(threading.Thread):
    """CPU time of every process below this one but `exclude`, the last reading of each kept when it ends.

    Renderers end with their context and are reaped by Chromium's zygote, whose own exit is not waited
    for: resource usage of reaped children would miss them, so each process is read while it lives.
    """

    def __init__(self, exclude: set[int]) -> None:
        super().__init__(daemon=True)
        self.exclude = exclude
        self.stop_event = threading.Event()
        self.seconds: dict[int, float] = {}

    def run(self) -> None:
        while not self.stop_event.is_set():
            for pid in _descendants(os.getpid()):
                if pid not in self.exclude and (cpu := _cpu_seconds(pid)) is not None:
                    self.seconds[pid] = cpu
            self.stop_event.wait(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--executable-path", type=Path, help="the browser binary (default: as `renew` finds it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ainas-floor-") as tmp:
        pki = ensure_pki(Path(tmp), seed=0)
        pfxs = [client_p12(pki.issuer, i, str(i), f"事務所{i}", "") for i in range(args.offices)]
        fork = multiprocessing.get_context("fork")  # before any thread or event loop exists in this process
        port: multiprocessing.SimpleQueue[int] = fork.SimpleQueue()
        served: Synchronized[int] = fork.Value("i", 0)
        server = fork.Process(target=serve, args=(pki.cert, pki.key, pki.ca, args.latency_ms, port, served),
                              daemon=True)
        server.start()
        base = f"https://127.0.0.1:{port.get()}"
        print(f"# floor: {args.offices} offices, {SCREENS} screens each, {args.latency_ms} ms latency per response, "
              f"{os.cpu_count()} cores", flush=True)
        header = ("concurrency", "seconds", "offices/min", "requests/office", "ideal s", "efficiency",
                  "browser CPU-s/office", "server CPU-s/office", "browser peak MiB")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header), flush=True)
        peaks = {}
        try:
            for level in args.concurrency:
                before, server_before = served.value, _cpu_seconds(server.pid or 0) or 0.0
                sampler, cpu = MemorySampler(exclude={server.pid or 0}), CpuSampler(exclude={server.pid or 0})
                sampler.start()
                cpu.start()
                elapsed = asyncio.run(_run(base, pfxs, level, args.executable_path))
                for thread in (sampler, cpu):
                    thread.stop_event.set()
                    thread.join()
                server_cpu = ((_cpu_seconds(server.pid or 0) or 0.0) - server_before) / args.offices
                requests = (served.value - before) / args.offices
                ideal = requests * args.latency_ms / 1000 * args.offices / level
                peaks[level] = sampler.peak_children / 1024
                print(f"| {level} | {elapsed:.0f} | {args.offices / elapsed * 60:.1f} | {requests:.1f} | {ideal:.0f} | "
                      f"{ideal / elapsed:.2f} | {sum(cpu.seconds.values()) / args.offices:.2f} | {server_cpu:.2f} | "
                      f"{peaks[level]:.0f} |", flush=True)
        finally:
            server.terminate()
            server.join()
    if len(peaks) > 1:
        lo, hi = min(peaks), max(peaks)
        print(f"\nbrowser memory per extra context: {(peaks[hi] - peaks[lo]) / (hi - lo):.0f} MiB "
              f"(from concurrency {lo} to {hi})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
