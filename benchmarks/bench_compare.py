"""The bot against the floor, like for like: the same number of offices, latency and concurrency levels,
each level run by the bot (`bench_renew.py`), then by the floor (`bench_floor.py`), then by the job floor
(`bench_job_floor.py`) back to back, each with its server in a process of their own whose CPU is printed
apart. The floor is what Playwright and Chromium cost before any job (docs/benchmarks.md's targets are against it);
the job floor does the renewal's own screens, fields and upload with nothing checked, so that bot / job
floor is the price of the bot's care and job floor / floor the price of the job itself.

    .venv/bin/python benchmarks/bench_compare.py --offices 100 --latency-ms 150 --concurrency 1 4 8

For each level: seconds and offices per minute of each, the CPU seconds per office on the bot's side
(the bot's own process, the Playwright driver, the browser) and the portal's apart, and the ratios bot /
floor and bot / job floor for time and bot-side CPU; then the browser memory per extra context of each,
from the lowest level to the highest, and the differences. The targets (docs/benchmarks.md) are checked and
printed as met or not.
Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_floor
import bench_job_floor
import bench_renew
from _measure import per_context_mib

# Time bot / floor at most this, per concurrency level (the default for levels not named).
TIME_TARGETS = {1: 1.05}
TIME_TARGET_DEFAULT = 1.15
MEMORY_MARGIN_MIB = 10.0

HEADER = (
    "concurrency",
    "bot s",
    "floor s",
    "job floor s",
    "time bot/floor",
    "time bot/job floor",
    "bot offices/min",
    "bot-side CPU-s/office (bot+driver+browser)",
    "floor CPU-s/office (same)",
    "job floor CPU-s/office (same)",
    "CPU bot/floor",
    "CPU bot/job floor",
    "portal CPU-s/office (sandbox / floor server / sandbox for the job floor)",
    "requests/office (bot / job floor)",
    "updated",
)


def _side(r: dict[str, Any]) -> float:
    return float(r["bot_cpu"] + r["driver_cpu"] + r["browser_cpu"])


def _split(r: dict[str, Any]) -> str:
    return f"{_side(r):.2f} ({r['bot_cpu']:.2f}+{r['driver_cpu']:.2f}+{r['browser_cpu']:.2f})"


def _cells(bot: dict[str, Any], floor: dict[str, Any], job: dict[str, Any]) -> list[str]:
    return [
        str(bot["concurrency"]),
        f"{bot['seconds']:.1f}",
        f"{floor['seconds']:.1f}",
        f"{job['seconds']:.1f}",
        f"{bot['seconds'] / floor['seconds']:.2f}",
        f"{bot['seconds'] / job['seconds']:.2f}",
        f"{bot['per_minute']:.1f}",
        _split(bot),
        _split(floor),
        _split(job),
        f"{_side(bot) / _side(floor):.2f}",
        f"{_side(bot) / _side(job):.2f}",
        f"{bot['portal_cpu']:.2f} / {floor['portal_cpu']:.2f} / {job['portal_cpu']:.2f}",
        f"{bot['requests_per_office']:.1f} / {job['requests_per_office']:.1f}",
        f"{bot['updated']}/{bot['offices']}",
    ]


def _per_context(rows: list[dict[str, Any]]) -> float | None:
    extra = per_context_mib(rows)
    return None if extra is None else extra[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--executable-path", type=Path, help="the browser binary (default: as `renew` finds it)")
    parser.add_argument("--no-trace", action="store_true", help="the bot as `renew --no-trace` (default: traces on)")
    args = parser.parse_args()
    print(
        f"# bot vs floor: {args.offices} offices, {args.latency_ms} ms latency per response, chromium, "
        f"{'no trace' if args.no_trace else 'traces on'}, {os.cpu_count()} cores",
        flush=True,
    )
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER), flush=True)
    bots: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    met = True
    with (
        tempfile.TemporaryDirectory(prefix="ainas-compare-") as tmp,
        bench_floor.floor_server(args.latency_ms, Path(tmp)) as server,
    ):
        pfxs = bench_floor.client_pfxs(args.offices, Path(tmp))
        for level in args.concurrency:
            bot = bench_renew.bench(
                args.offices, args.latency_ms, level, "chromium", args.executable_path, trace=not args.no_trace
            )
            floor = bench_floor.measure(server, pfxs, args.latency_ms, level, args.executable_path)
            job = bench_job_floor.measure(args.offices, args.latency_ms, level, args.executable_path)
            bots.append(bot)
            floors.append(floor)
            jobs.append(job)
            print("| " + " | ".join(_cells(bot, floor, job)) + " |", flush=True)
    print()
    for bot, floor, job in zip(bots, floors, jobs, strict=True):
        level = bot["concurrency"]
        target = TIME_TARGETS.get(level, TIME_TARGET_DEFAULT)
        ratio = bot["seconds"] / floor["seconds"]
        ok = ratio <= target and bot["updated"] == bot["offices"]
        met &= ok
        print(
            f"time at concurrency {level}: bot/floor {ratio:.2f}, target at most {target:.2f}: "
            f"{'met' if ok else 'NOT met'} (bot/job floor {bot['seconds'] / job['seconds']:.2f}, "
            f"job floor/floor {job['seconds'] / floor['seconds']:.2f})"
        )
    bot_mib, floor_mib, job_mib = _per_context(bots), _per_context(floors), _per_context(jobs)
    if job_mib is not None:
        print(f"browser memory per extra context of the job floor: {job_mib:.0f} MiB")
    if bot_mib is not None and floor_mib is not None:
        ok = bot_mib <= floor_mib + MEMORY_MARGIN_MIB
        met &= ok
        lo, hi = min(args.concurrency), max(args.concurrency)
        print(
            f"browser memory per extra context (concurrency {lo} to {hi}): bot {bot_mib:.0f} MiB, floor "
            f"{floor_mib:.0f} MiB, bot - floor {bot_mib - floor_mib:+.0f} MiB, target at most "
            f"+{MEMORY_MARGIN_MIB:.0f}: {'met' if ok else 'NOT met'}"
        )
    peaks = ", ".join(f"{b['concurrency']}: {b['bot_peak_mib']:.0f}" for b in bots)
    print(f"\nbot peak MiB per level: {peaks}")
    print(f"targets: {'all met' if met else 'not all met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
