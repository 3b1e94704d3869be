"""What the benchmarks measure, read while processes live: CPU time and memory (PSS) per kind of process.

The bot is the benchmark's own process. Below it: the portal (the sandbox or the floor's server, in a
process of its own, with whatever that starts), the Playwright driver (`node`), and the browser (what
the driver started). Renderers end with their context and are reaped by Chromium's zygote, whose exit
nobody waits for, so resource usage of reaped children would miss them: each process is read while it
lives and its last reading kept.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

__all__ = ["ProcessSampler", "Usage", "level_figures", "per_context_mib", "print_levels", "pss_mib"]

_ACCESS = (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess)


def pss_mib(proc: psutil.Process) -> float:
    """Proportional set size: memory shared between processes (browser processes share much) counted once."""
    try:
        return float(proc.memory_full_info().pss) / 2**20
    except _ACCESS:
        return 0.0


def _cpu(proc: psutil.Process) -> float | None:
    try:
        times = proc.cpu_times()
    except _ACCESS:
        return None
    return float(times.user + times.system)


@dataclass
class Usage:
    """CPU seconds and peak PSS per kind of process over one sampled stretch."""

    cpu: dict[str, float] = field(default_factory=lambda: {"bot": 0.0, "driver": 0.0, "browser": 0.0, "portal": 0.0})
    peak_mib: dict[str, float] = field(default_factory=lambda: {"bot": 0.0, "browser": 0.0})


class ProcessSampler(threading.Thread):
    """Samples this process and everything below it every `interval` seconds until `stop()`.

    `portal` is the pid of the portal's process: it and its own children are the portal's, and their
    memory is not the bot's. The driver and the browser are summed as "browser" for memory, as the
    README's tables always did (the driver is Playwright's, not the bot's).
    """

    def __init__(self, portal: int | None = None, interval: float = 0.1, memory_every: int = 5) -> None:
        super().__init__(daemon=True)
        self._me = psutil.Process()
        self._portal = portal
        self._interval = interval
        self._memory_every = memory_every
        self._own_cpu = 0.0
        self._halt = threading.Event()
        self._last: dict[int, tuple[str, float]] = {}
        self._start: dict[int, float] = {}
        self.usage = Usage()

    def _subtree(self, root: psutil.Process) -> list[psutil.Process]:
        try:
            return [root, *root.children(recursive=True)]
        except _ACCESS:
            return [root]

    def _processes(self) -> list[tuple[str, psutil.Process]]:
        """(kind, process): the bot, the portal's subtree, each driver and the browser it started. Anything
        else below the bot (multiprocessing's resource tracker, say) is nobody's and is left out."""
        found: list[tuple[str, psutil.Process]] = [("bot", self._me)]
        if self._portal is not None:
            with contextlib.suppress(*_ACCESS):
                found += [("portal", p) for p in self._subtree(psutil.Process(self._portal))]
        try:
            children = self._me.children()
        except _ACCESS:
            children = []
        for child in children:
            with contextlib.suppress(*_ACCESS):
                # Node names its main thread "MainThread": the driver is known by its executable.
                if Path(child.exe()).name == "node":
                    tree = self._subtree(child)
                    found += [("driver", tree[0]), *(("browser", p) for p in tree[1:])]
        return found

    def _sample(self, *, first: bool = False, memory: bool = True) -> None:
        browser_pss = 0.0
        for kind, proc in self._processes():
            cpu = _cpu(proc)
            if cpu is None:
                continue
            # What ran before the sampler started counts from now on; what starts later, from its start.
            self._start.setdefault(proc.pid, cpu if first else 0.0)
            self._last[proc.pid] = (kind, cpu)
            if memory and kind in ("driver", "browser"):
                browser_pss += pss_mib(proc)
        if memory:
            self.usage.peak_mib["bot"] = max(self.usage.peak_mib["bot"], pss_mib(self._me))
            self.usage.peak_mib["browser"] = max(self.usage.peak_mib["browser"], browser_pss)

    def run(self) -> None:
        # CPU often enough to read a renderer before it ends; memory, which costs more to read, less often.
        # The sampler runs in the bot's process: its own CPU is taken off the bot's at the end.
        started = time.thread_time()
        tick = 0
        while not self._halt.is_set():
            tick += 1
            self._sample(memory=tick % self._memory_every == 0)
            self._halt.wait(self._interval)
        self._own_cpu = time.thread_time() - started

    def __enter__(self) -> ProcessSampler:
        self._sample(first=True)  # the starting readings, before any work
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        self.join()
        self._sample()
        for pid, (kind, cpu) in self._last.items():
            self.usage.cpu[kind] += cpu - self._start.get(pid, 0.0)
        self.usage.cpu["bot"] -= self._own_cpu


def level_figures(
    count: int, concurrency: int, elapsed: float, requests: float, latency_ms: int, usage: Usage
) -> dict[str, Any]:
    """One level's figures, the same for bot, floor and job floor, so that they divide: `requests` is per
    office; `ideal` is the time the responses' latency alone takes at this concurrency."""
    ideal = requests * latency_ms / 1000 * count / concurrency
    return {
        "concurrency": concurrency,
        "offices": count,
        "seconds": elapsed,
        "per_minute": count / elapsed * 60,
        "requests_per_office": requests,
        "ideal": ideal,
        "efficiency": ideal / elapsed,
        "bot_peak_mib": usage.peak_mib["bot"],
        "browser_peak_mib": usage.peak_mib["browser"],
        **{f"{kind}_cpu": seconds / count for kind, seconds in usage.cpu.items()},
    }


def per_context_mib(rows: list[dict[str, Any]]) -> tuple[float, int, int] | None:
    """Browser memory per extra context between the lowest and the highest level measured."""
    if len(rows) < 2:
        return None
    lo, hi = min(rows, key=lambda r: r["concurrency"]), max(rows, key=lambda r: r["concurrency"])
    if hi["concurrency"] == lo["concurrency"]:
        return None
    mib = (hi["browser_peak_mib"] - lo["browser_peak_mib"]) / (hi["concurrency"] - lo["concurrency"])
    return mib, lo["concurrency"], hi["concurrency"]


def print_levels(
    header: Sequence[str],
    cells: Callable[[dict[str, Any]], list[str]],
    levels: Iterable[int],
    measure: Callable[[int], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The Markdown table of one benchmark, a row printed as each level ends, then the memory per context."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)
    rows = []
    for level in levels:
        rows.append(measure(level))
        print("| " + " | ".join(cells(rows[-1])) + " |", flush=True)
    if (extra := per_context_mib(rows)) is not None:
        print(f"\nbrowser memory per extra context: {extra[0]:.0f} MiB (from concurrency {extra[1]} to {extra[2]})")
    return rows
