"""Benchmark: opening a .p12 with its PIN versus answering from the record's cache.

Prints the CPU milliseconds of `open_p12` + `describe` of one signing .p12, of a cache hit (lookup, the PIN
verifier at the file's rounds, rebuilding the description), of the bare verifier at 10 000 and 100 000
rounds, and the CPU seconds of checking 20 offices (two .p12 files each) without the cache, with a cold
one and with a warm one.

    .venv/bin/python benchmarks/bench_p12_cache.py

Every number printed is measured in this run; nothing is estimated.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_zero_work import write_config

from ainas_bot.certificates.certinfo import describe
from ainas_bot.certificates.factory import generate_key, write_p12
from ainas_bot.certificates.p12 import open_p12
from ainas_bot.checks.prepare import check_offices
from ainas_bot.config.loading import load_settings
from ainas_bot.foundation.jst import today_jst
from ainas_bot.record.p12_cache import P12Cache, verifier_rounds
from ainas_bot.record.store import VerifiedStore
from ainas_bot.sandbox import Sandbox, SandboxOptions

_TIMES = 40


def _cpu_ms(fn: Callable[[], object]) -> float:
    fn()
    started = time.process_time()
    for _ in range(_TIMES):
        fn()
    return (time.process_time() - started) / _TIMES * 1000


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="ainas-cache-"))
    data = write_p12(root / "one.p12", password="1234", key=generate_key()).read_bytes()  # noqa: S106
    rounds = verifier_rounds(data)
    print(f"open_p12 + describe: {_cpu_ms(lambda: describe(open_p12(data, '1234', name='x'), file='x')):.1f} ms CPU")
    store = VerifiedStore(root / "record.sqlite3")
    cache = P12Cache(store)
    cache.remember_signing(data, "1234", describe(open_p12(data, "1234", name="x"), file="x"), mapping={})
    print(
        f"cache hit, verifier at {rounds} rounds: "
        f"{_cpu_ms(lambda: cache.signing(data, '1234', file='x', mapping={})):.1f} ms CPU"
    )
    digest = hashlib.sha256(data).digest()
    for n in (10_000, 100_000):
        ms = _cpu_ms(lambda n=n: hashlib.pbkdf2_hmac("sha256", b"1234", digest, n))  # type: ignore[misc]
        print(f"PBKDF2-SHA256 {n} rounds: {ms:.1f} ms CPU")
    with Sandbox(SandboxOptions(state_dir=root / "sandbox", orgs=60, seed=3)) as sandbox:
        config, environ = write_config(root, sandbox.base_url, str(sandbox.ca_pem), sandbox.notices, 20, 4)
    settings = load_settings(config)

    def check(with_cache: P12Cache | None) -> float:
        started = time.process_time()
        ready, problems, _ = check_offices(settings.offices, settings, environ, today=today_jst(), cache=with_cache)
        assert not problems and len(ready) == 20, problems
        return time.process_time() - started

    print(
        f"check of 20 offices: no cache {check(None):.2f} CPU-s, cold cache {check(P12Cache(store)):.2f} CPU-s, "
        f"warm cache {check(P12Cache(store)):.2f} CPU-s"
    )
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
