"""Benchmark: a scheduled `renew` with nothing to do.

A sandbox with N offices is served by a child process of its own; `ainas-bot renew --all --scheduled` runs
once as a command (it registers every office), then again. For the second run it prints the requests the
sandbox received, the wall and CPU seconds of the command (its interpreter's start included) and its exit
code, and its output.

    .venv/bin/python benchmarks/bench_zero_work.py --offices 300

Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import SandboxProcess

from ainas_bot.certificates.factory import generate_key, write_p12
from ainas_bot.checks.kana_reading import suggest_reading
from ainas_bot.sandbox import Notice, SandboxOptions


def write_config(
    root: Path, base_url: str, ca: str, notices: list[Notice], count: int, concurrency: int
) -> tuple[Path, dict[str, str]]:
    logins: dict[str, int] = {}
    for n in notices:
        logins[n.admin_login_id] = logins.get(n.admin_login_id, 0) + 1
    single = [n for n in notices if logins[n.admin_login_id] == 1][:count]
    if len(single) < count:
        raise SystemExit(f"the sandbox has only {len(single)} single-office logins")
    keys = [generate_key() for _ in range(4)]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")}
    settings: dict[str, Any] = {
        "portal_url": base_url,
        "portal_ca": str(ca),
        "concurrency": concurrency,
        "timeout_seconds": 60,
        "offices": [],
    }
    for i, n in enumerate(single):
        pin = f"bench-{i}"
        environ.update({f"PW{i}": n.admin_password, f"CC{i}": n.client_cert_password, f"PIN{i}": pin})
        p12 = write_p12(
            root / "signing" / f"s{i}.p12", password=pin, key=keys[i % 4], trade_name=n.org_name, valid_days=1000
        )
        office = {
            "id": n.org_id,
            "login_id": n.admin_login_id,
            "login_password": {"env": f"PW{i}"},
            "client_cert": str(n.client_cert),
            "client_cert_password": {"env": f"CC{i}"},
            "signing_cert": str(p12),
            "pin": {"env": f"PIN{i}"},
            "trade_name_kana": suggest_reading(n.org_name),
            "holder_name_kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
            "postal_code": "100-0013",
        }
        settings["offices"].append(office)
    config = root / "ainas.toml"
    config.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return config, environ


def _renew(config: Path, environ: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """The command's result, its wall seconds and its CPU seconds (with its own children: the browser)."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "ainas_bot", "renew", "--all", "--scheduled", "--config", str(config)],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, wall, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4, help="of the first run (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ainas-zero-") as tmp:
        root = Path(tmp)
        with SandboxProcess(SandboxOptions(state_dir=root / "sandbox", orgs=args.offices + 40, seed=3)) as portal:
            config, environ = write_config(
                root, portal.base_url, str(portal.ca_pem), portal.notices, args.offices, args.concurrency
            )
            first, first_seconds, first_cpu = _renew(config, environ)
            print(
                f"first run: exit {first.returncode}, {first_seconds:.1f} s wall, {first_cpu:.1f} CPU-s: "
                f"{first.stdout.strip()}"
            )
            if first.returncode != 0:
                print(first.stderr, file=sys.stderr)
                return 1
            before = portal.requests_served()
            second, seconds, cpu = _renew(config, environ)
            requests = portal.requests_served() - before
    print(f"second run: {requests} requests, {seconds:.2f} s wall, {cpu:.2f} CPU-s, exit {second.returncode}")
    print(f"second run's output: {second.stdout.strip()!r}; stderr {second.stderr.strip()!r}")
    return 0 if second.returncode == 0 and requests == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
