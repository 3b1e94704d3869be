"""What every command that works on offices takes from its arguments: the settings, built once here at the
edge, and the offices selected."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

from ainas_bot.config.inventory import all_offices, select_offices
from ainas_bot.config.loading import load_settings
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _

__all__ = ["common_options", "selected_offices", "settings_from_args"]


def settings_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    config = args.config or (Path(environ["AINAS_CONFIG"]) if environ.get("AINAS_CONFIG") else None)
    overrides = {
        "browser": getattr(args, "browser", None),
        "headless": False if getattr(args, "headed", False) else None,
        "concurrency": getattr(args, "concurrency", None),
        "browser_endpoint": getattr(args, "browser_endpoint", None),
        "trace": False if getattr(args, "no_trace", False) else None,
    }
    return load_settings(config, **overrides)


def selected_offices(
    args: argparse.Namespace, environ: Mapping[str, str], settings: Settings, *, default_all: bool
) -> Sequence[Office]:
    """The offices named (`--office`, `@REPORT.json`) or all of them; a run without settings is refused, as it
    would know no office."""
    if not (args.config or environ.get("AINAS_CONFIG") or settings.offices or settings.inventory):
        raise ConfigError(
            _(
                "no settings file: --config was not given and AINAS_CONFIG is not set, so no office is "
                "known; name the settings with --config PATH or AINAS_CONFIG=PATH (a commented example "
                "is config/ainas.toml)"
            )
        )
    every = getattr(args, "all", False) or (default_all and not args.office)
    return select_offices(all_offices(settings), args.office, all_offices=every)


def common_options(p: argparse.ArgumentParser, *, selection: bool = True) -> None:
    p.add_argument("--config", type=Path, help=_("settings TOML (default: AINAS_CONFIG)"))
    if selection:
        p.add_argument(
            "--office",
            action="append",
            metavar="ID",
            help=_("代理人組織ID (repeatable); @REPORT.json takes the failed offices of an earlier run"),
        )
        p.add_argument("--all", action="store_true", help=_("every office of the inventory"))
    p.add_argument("--browser", choices=["chromium", "firefox"])
    p.add_argument("--headed", action="store_true", help=_("show the browser window"))
    p.add_argument("--concurrency", type=int, metavar="N", help=_("browser contexts at once (default 4)"))
    p.add_argument(
        "--browser-endpoint",
        metavar="WS_URL",
        help=_("use a running `playwright run-server` (ws://HOST:PORT/) instead of a local browser"),
    )
