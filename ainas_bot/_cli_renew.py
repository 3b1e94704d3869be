"""`ainas-bot check`, `renew` and `demo` (filled in with the flows)."""

from __future__ import annotations

import argparse

__all__ = ["add_subparsers"]


def add_subparsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    return None
