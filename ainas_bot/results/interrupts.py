"""Ctrl-C and SIGTERM (systemd's stop, `kill`) end a run the same way: the portal work is cancelled, the browser
closes, and the outcomes known so far are written, instead of dying with nothing recorded."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Coroutine, Iterator
from types import FrameType
from typing import Any, TypeVar

__all__ = ["Interrupts", "sigterm_as_interrupt"]

T = TypeVar("T")


class Interrupts:
    """What a SIGTERM stops: the portal work while `run` runs it, else the code under way (KeyboardInterrupt)."""

    def __init__(self) -> None:
        self._main: tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]] | None = None
        self.stopped = False

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """`asyncio.run(main)`; a SIGTERM or `stop()` cancels it as Ctrl-C does, and it then raises
        KeyboardInterrupt."""

        async def guarded() -> T:
            task = asyncio.current_task()
            assert task is not None
            self._main = (asyncio.get_running_loop(), task)
            try:
                if self.stopped:  # asked to stop before the portal work began
                    raise asyncio.CancelledError
                return await main
            finally:
                self._main = None

        if self.stopped:
            main.close()
            raise KeyboardInterrupt

        try:
            return asyncio.run(guarded())
        except asyncio.CancelledError:
            if self.stopped:
                raise KeyboardInterrupt from None
            raise

    def stop(self) -> None:
        """From another thread (the console stopping while its run works): the run ends as on Ctrl-C."""
        self.stopped = True
        main = self._main
        if main is not None:
            loop, task = main
            loop.call_soon_threadsafe(task.cancel)

    def sigterm(self, frame: FrameType | None) -> None:
        self.stopped = True
        if self._main is None:
            # Between the portal's steps (the checks, the reports): Python's own Ctrl-C.
            signal.default_int_handler(signal.SIGINT, frame)
        loop, task = self._main
        # As asyncio.run does on Ctrl-C: the main task cancelled, and the loop woken if it waits in select().
        # Not by way of SIGINT: a job started with Ctrl-C ignored (`sh -c 'ainas-bot renew … &'`) must stop too.
        task.cancel()
        loop.call_soon_threadsafe(lambda: None)


@contextlib.contextmanager
def sigterm_as_interrupt(interrupts: Interrupts | None = None) -> Iterator[Interrupts]:
    """SIGTERM handled as Ctrl-C while the block runs; run the portal work through what it yields (`interrupts`
    when given, for a caller that may `stop()` the run from another thread)."""
    interrupts = interrupts or Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts  # a run of the web console, in a thread of its own: signals reach the console's server
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: interrupts.sigterm(frame))
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGTERM, previous)
