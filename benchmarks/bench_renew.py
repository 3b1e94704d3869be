"""Benchmark: `renew` for N offices against the sandbox with a fixed latency per response.

For each concurrency level it prints offices per minute, the ideal time (the requests on each
office's path × latency, divided by concurrency), the efficiency ratio (ideal / measured), the CPU
seconds per office of the bot, the Playwright driver, the browser and, apart, the portal, and the peak
memory of the bot and of its browser (the driver and every browser process). The sandbox runs in a
process of its own, as the floor's server does (`bench_floor.py`), so that its work is not the bot's;
`bench_compare.py` runs both on the same levels back to back.

    .venv/bin/python benchmarks/bench_renew.py --offices 300 --latency-ms 150 --concurrency 1 4 8

Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import ProcessSampler, level_figures, print_levels
from _portal import SandboxProcess

from ainas_bot.certificates.factory import generate_key, write_p12
from ainas_bot.checks.kana_reading import suggest_reading
from ainas_bot.checks.prepare import check_offices
from ainas_bot.config.settings import Office, Settings
from ainas_bot.foundation.jst import today_jst
from ainas_bot.results.events import CollectEvents
from ainas_bot.sandbox import Notice, SandboxOptions
from flows.run import visit_offices


def offices_for(all_notices: list[Notice], root: Path, count: int, environ: dict[str, str]) -> list[Office]:
    keys = [generate_key() for _ in range(4)]
    logins: dict[str, int] = {}
    for n in all_notices:
        logins[n.admin_login_id] = logins.get(n.admin_login_id, 0) + 1
    notices = [n for n in all_notices if logins[n.admin_login_id] == 1][:count]
    if len(notices) < count:
        raise SystemExit(f"the sandbox has only {len(notices)} single-office logins; raise --orgs")
    offices = []
    for i, n in enumerate(notices):
        pin = f"bench-{i}"
        environ.update({f"PW{i}": n.admin_password, f"CC{i}": n.client_cert_password, f"PIN{i}": pin})
        # Valid for five years: longer than any certificate the sandbox seeds as registered, or the office
        # would be refused as going backwards (the safety check), as one of 30 was.
        p12 = write_p12(root / f"s{i}.p12", password=pin, key=keys[i % 4], trade_name=n.org_name, valid_days=1825)
        offices.append(
            Office(
                id=n.org_id,
                login_id=n.admin_login_id,
                login_password={"env": f"PW{i}"},
                client_cert=n.client_cert,
                client_cert_password={"env": f"CC{i}"},
                signing_cert=p12,
                pin={"env": f"PIN{i}"},
                trade_name_kana=suggest_reading(n.org_name),
                holder_name_kana="ヤマダ　タロウ",
                postal_code="100-0013",
            )
        )
    return offices


def bench(
    count: int, latency_ms: int, concurrency: int, browser: str, executable: Path | None = None, trace: bool = True
) -> dict[str, Any]:
    """One level: a fresh sandbox in its own process, `count` offices renewed at `concurrency`."""
    with tempfile.TemporaryDirectory(prefix="ainas-bench-") as tmp:
        root = Path(tmp)
        options = SandboxOptions(state_dir=root / "sandbox", orgs=count + 40, latency_ms=latency_ms, seed=3)
        with SandboxProcess(options) as portal:
            environ: dict[str, str] = {}
            offices = offices_for(portal.notices, root, count, environ)
            settings = Settings(
                portal_url=portal.base_url,
                portal_ca=portal.ca_pem,
                browser=browser,
                artifacts_dir=root / "artifacts",
                timeout_seconds=60,
                concurrency=concurrency,
                executable_path=executable,
                trace=trace,
            )
            # The local checks (a .p12 opened per office) come before the portal, in `renew` as here,
            # and are not part of the run measured: `benchmarks/bench_checks.py` measures them.
            ready, problems, _ = check_offices(offices, settings, environ, today=today_jst())
            assert not problems, problems
            served_before = portal.requests_served()
            with ProcessSampler(portal=portal.pid) as sampler:
                started = time.monotonic()
                outcomes = asyncio.run(
                    visit_offices(
                        settings,
                        ready,
                        dry_run=False,
                        events=CollectEvents(),
                        concurrency=concurrency,
                        environ=os.environ,
                    )
                )
                elapsed = time.monotonic() - started
            requests = (portal.requests_served() - served_before) / count
    ok = sum(1 for o in outcomes if o.status == "updated")
    for o in outcomes:
        if o.status != "updated":  # a benchmark office that did not update is a finding, not noise
            print(f"# office {o.office_id}: {o.status} ({o.reason}): {o.message}", file=sys.stderr, flush=True)
    return {"updated": ok, **level_figures(count, concurrency, elapsed, requests, latency_ms, sampler.usage)}


HEADER = (
    "concurrency",
    "updated",
    "seconds",
    "offices/min",
    "requests/office",
    "ideal s",
    "efficiency",
    "bot CPU-s/office",
    "driver CPU-s/office",
    "browser CPU-s/office",
    "portal CPU-s/office",
    "bot peak MiB",
    "browser peak MiB",
)


def row_cells(r: dict[str, Any]) -> list[str]:
    return [
        str(r["concurrency"]),
        f"{r['updated']}/{r['offices']}",
        f"{r['seconds']:.1f}",
        f"{r['per_minute']:.1f}",
        f"{r['requests_per_office']:.1f}",
        f"{r['ideal']:.0f}",
        f"{r['efficiency']:.2f}",
        f"{r['bot_cpu']:.2f}",
        f"{r['driver_cpu']:.2f}",
        f"{r['browser_cpu']:.2f}",
        f"{r['portal_cpu']:.2f}",
        f"{r['bot_peak_mib']:.0f}",
        f"{r['browser_peak_mib']:.0f}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--browser", choices=["chromium", "firefox"], default="chromium")
    parser.add_argument("--executable-path", type=Path, help="the browser binary (default: as `renew` finds it)")
    parser.add_argument("--no-trace", action="store_true", help="as `renew --no-trace`")
    args = parser.parse_args()
    print(
        f"# {args.offices} offices, {args.latency_ms} ms latency per response, {args.browser}"
        f"{', no trace' if args.no_trace else ''}, "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    print_levels(
        HEADER,
        row_cells,
        args.concurrency,
        lambda level: bench(
            args.offices, args.latency_ms, level, args.browser, args.executable_path, not args.no_trace
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
