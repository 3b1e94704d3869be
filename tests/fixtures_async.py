"""Running a coroutine from a test, whatever ran before it in the same pytest process."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run_async"]

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own.

    pytest-playwright's sync fixtures are session-scoped: once a test has used `page`, the main thread
    keeps Playwright's event loop marked as running until the session ends, and `asyncio.run` there
    refuses to start. A fresh thread has no running loop, so the outcome does not depend on test order.
    """
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="test-loop") as pool:
        return pool.submit(asyncio.run, coroutine).result()
