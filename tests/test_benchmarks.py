"""The two benchmarks run end to end and print tables whose figures add up (both are quoted in the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_ROOT = Path(__file__).resolve().parent.parent


def _table(script: str, *args: str) -> tuple[list[dict[str, str]], str]:
    done = subprocess.run([sys.executable, str(_ROOT / "benchmarks" / script), *args], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in lines[2:]]
    return rows, done.stdout


def _check_arithmetic(row: dict[str, str], offices: int, latency_ms: int) -> None:
    level, seconds = int(row["concurrency"]), float(row["seconds"])
    requests, ideal = float(row["requests/office"]), float(row["ideal s"])
    assert ideal == pytest.approx(requests * latency_ms / 1000 * offices / level, abs=0.5)
    # Nothing runs faster than its responses arrive: an efficiency above 1 would be an accounting error.
    assert 0 < float(row["efficiency"]) <= 1
    assert float(row["offices/min"]) == pytest.approx(offices / max(seconds, 0.5) * 60, rel=0.5)
    assert float(row["browser peak MiB"]) > 100


def test_bench_renew_renews_every_office_and_counts_its_requests() -> None:
    rows, out = _table("bench_renew.py", "--offices", "2", "--latency-ms", "50", "--concurrency", "1", "2")
    assert [r["concurrency"] for r in rows] == ["1", "2"]
    for row in rows:
        assert row["updated"] == "2/2"
        # Login to logout, by the screen's own way back: the README's figures count these 14.
        assert row["requests/office"] == "14.0"
        _check_arithmetic(row, 2, 50)
    assert "browser memory per extra context:" in out


def test_bench_floor_clicks_through_eleven_screens_per_office() -> None:
    rows, out = _table("bench_floor.py", "--offices", "3", "--latency-ms", "50", "--concurrency", "1", "3")
    assert [r["concurrency"] for r in rows] == ["1", "3"]
    for row in rows:
        # 11 screens, 3 redirects, and the stylesheet once per fresh context.
        assert row["requests/office"] == "15.0"
        assert float(row["browser CPU-s/office"]) > 0.1
        assert float(row["server CPU-s/office"]) > 0
        _check_arithmetic(row, 3, 50)
    assert "browser memory per extra context:" in out
