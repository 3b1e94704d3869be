"""Firefox on a leash: `python -m flows.browser.leash BOT_PID PROFILE FIREFOX [ARGS…]` runs Firefox and ends it
(and removes its profile, which holds the office's client key) the moment the bot's process is gone.

Playwright starts the browser in a session of its own, out of reach of the bot's process group, and a
bot killed with SIGKILL leaves its driver to notice or not: Firefox kept running, its profile kept the
key. The leash watches the bot's PID through a pidfd, and Firefox gets a parent-death signal from the
leash, so neither a killed bot nor a killed leash leaves it behind.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import sys

__all__ = ["main"]

_PR_SET_PDEATHSIG = 1


def _exec_firefox(leash: int, exe: str, args: list[str]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != leash:  # the leash died before the signal was armed
        os._exit(1)
    os.execv(exe, [exe, *args])  # noqa: S606 - Firefox with the arguments Playwright gave the leash


def main(argv: list[str]) -> int:
    bot, profile, exe, args = int(argv[0]), argv[1], argv[2], argv[3:]
    try:
        bot_fd = os.pidfd_open(bot)
    except ProcessLookupError:
        return 1
    leash = os.getpid()
    child = os.fork()
    if child == 0:
        _exec_firefox(leash, exe, args)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda s, _f: os.kill(child, s))  # Playwright's own close reaches Firefox
    child_fd = os.pidfd_open(child)
    while True:
        try:
            ready, _, _ = select.select([bot_fd, child_fd], [], [])
        except InterruptedError:
            continue
        if child_fd in ready:
            _, status = os.waitpid(child, 0)
            return os.waitstatus_to_exitcode(status)
        if bot_fd in ready:
            # The bot is gone: Firefox and everything it started (this process group), then its profile.
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            shutil.rmtree(profile, ignore_errors=True)
            if os.getpgid(0) == leash:  # only a group of our own (Playwright starts the browser detached)
                os.killpg(leash, signal.SIGKILL)
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
