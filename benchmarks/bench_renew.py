"""Benchmark: `renew` for N offices against the sandbox with a fixed latency per response.

For each concurrency level it prints offices per minute, the ideal time (the requests on each
office's path × latency, divided by concurrency), the efficiency ratio (ideal / measured), and the
peak memory of the bot and of its browser (the Playwright driver and every browser process).

    .venv/bin/python benchmarks/bench_renew.py --offices 300 --latency-ms 150 --concurrency 1 4 8

Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ainas_bot._jst import today_jst
from ainas_bot._reading import suggest_reading
from ainas_bot.certfactory import generate_key, write_p12
from ainas_bot.events import CollectEvents
from ainas_bot.prepare import check_offices
from ainas_bot.sandbox import Sandbox, SandboxOptions
from ainas_bot.settings import Office, Settings
from flows.runner import run_offices


def _rss_kib(pid: int) -> int:
    """Proportional set size: memory shared between browser processes is counted once in the sum."""
    try:
        return int(psutil.Process(pid).memory_full_info().pss // 1024)
    except psutil.Error:
        return 0


def _descendants(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


class MemorySampler(threading.Thread):
    """Peak PSS of this process and, separately, of all its child processes (driver + browser) but `exclude`."""

    def __init__(self, exclude: set[int] | None = None) -> None:
        super().__init__(daemon=True)
        self.exclude = exclude or set()
        self.stop_event = threading.Event()
        self.peak_self = 0
        self.peak_children = 0

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.peak_self = max(self.peak_self, _rss_kib(os.getpid()))
            self.peak_children = max(self.peak_children, sum(_rss_kib(p) for p in _descendants(os.getpid())
                                                                 if p not in self.exclude))
            self.stop_event.wait(0.25)


def _offices(sandbox: Sandbox, root: Path, count: int, environ: dict[str, str]) -> list[Office]:
    keys = [generate_key() for _ in range(4)]
    logins: dict[str, int] = {}
    for n in sandbox.notices:
        logins[n.admin_login_id] = logins.get(n.admin_login_id, 0) + 1
    notices = [n for n in sandbox.notices if logins[n.admin_login_id] == 1][:count]
    if len(notices) < count:
        raise SystemExit(f"the sandbox has only {len(notices)} single-office logins; raise --orgs")
    offices = []
    for i, n in enumerate(notices):
        pin = f"bench-{i}"
        environ.update({f"PW{i}": n.admin_password, f"CC{i}": n.client_cert_password, f"PIN{i}": pin})
        p12 = write_p12(root / f"s{i}.p12", password=pin, key=keys[i % 4], trade_name=n.org_name)
        offices.append(Office(
            id=n.org_id, login_id=n.admin_login_id, login_password={"env": f"PW{i}"}, client_cert=n.client_cert,
            client_cert_password={"env": f"CC{i}"}, signing_cert=p12, pin={"env": f"PIN{i}"},
            trade_name_kana=suggest_reading(n.org_name), holder_name_kana="ヤマダ　タロウ", postal_code="100-0013",
        ))
    return offices


def bench(count: int, latency_ms: int, concurrency: int, browser: str,
          executable: Path | None = None, trace: bool = True) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ainas-bench-") as tmp:
        root = Path(tmp)
        options = SandboxOptions(state_dir=root / "sandbox", orgs=count + 40, latency_ms=0, seed=3)
        with Sandbox(options) as sandbox:
            environ: dict[str, str] = {}
            offices = _offices(sandbox, root, count, environ)
            settings = Settings(portal_url=sandbox.base_url, portal_ca=sandbox.ca_pem, browser=browser,
                                artifacts_dir=root / "artifacts", timeout_seconds=60, concurrency=concurrency,
                                executable_path=executable, trace=trace)
            ready, problems, _ = check_offices(offices, settings, environ, today=today_jst())
            assert not problems, problems
            sandbox.options.latency_ms = latency_ms
            served_before = sandbox.requests_served
            sampler = MemorySampler()
            base_self = _rss_kib(os.getpid())
            sampler.start()
            started = time.monotonic()
            outcomes = asyncio.run(run_offices(settings, ready, dry_run=False, events=CollectEvents(),
                                               concurrency=concurrency))
            elapsed = time.monotonic() - started
            sampler.stop_event.set()
            sampler.join()
            requests = (sandbox.requests_served - served_before) / count
    ok = sum(1 for o in outcomes if o.status == "updated")
    ideal = requests * latency_ms / 1000 * count / concurrency
    return {
        "concurrency": concurrency, "offices": count, "updated": ok, "seconds": elapsed,
        "per_minute": count / elapsed * 60, "requests_per_office": requests, "ideal": ideal,
        "efficiency": ideal / elapsed, "bot_peak_mib": sampler.peak_self / 1024,
        "bot_growth_mib": (sampler.peak_self - base_self) / 1024, "browser_peak_mib": sampler.peak_children / 1024,
        "cpu_seconds": sum(resource.getrusage(r).ru_utime + resource.getrusage(r).ru_stime
                           for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--browser", choices=["chromium", "firefox"], default="chromium")
    parser.add_argument("--executable-path", type=Path, help="the browser binary (default: as `renew` finds it)")
    parser.add_argument("--no-trace", action="store_true", help="as `renew --no-trace`")
    args = parser.parse_args()
    print(f"# {args.offices} offices, {args.latency_ms} ms latency per response, {args.browser}"
          f"{', no trace' if args.no_trace else ''}, "
          f"{os.cpu_count()} cores", flush=True)
    header = ("concurrency", "updated", "seconds", "offices/min", "requests/office", "ideal s", "efficiency",
              "bot peak MiB", "browser peak MiB")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)
    rows = []
    for level in args.concurrency:
        r = bench(args.offices, args.latency_ms, level, args.browser, args.executable_path, not args.no_trace)
        rows.append(r)
        print(f"| {level} | {r['updated']}/{args.offices} | {r['seconds']:.0f} | {r['per_minute']:.1f} | "
              f"{r['requests_per_office']:.1f} | {r['ideal']:.0f} | {r['efficiency']:.2f} | "
              f"{r['bot_peak_mib']:.0f} | {r['browser_peak_mib']:.0f} |", flush=True)
    if len(rows) > 1:
        lo, hi = min(rows, key=lambda r: r["concurrency"]), max(rows, key=lambda r: r["concurrency"])
        per_context = (hi["browser_peak_mib"] - lo["browser_peak_mib"]) / max(1, hi["concurrency"] - lo["concurrency"])
        print(f"\nbrowser memory per extra context: {per_context:.0f} MiB "
              f"(from concurrency {lo['concurrency']} to {hi['concurrency']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
