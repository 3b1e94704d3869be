"""A private copy of the Firefox application for one run: the system's install left as it is, plus an
AutoConfig script that logs the profile's key database in with the password the run gives Firefox.

The profile's key database is protected by a random password that is never written to disk (see
`flows.browser.nss_profile`). A protected database makes Firefox ask for that password the first time the client
key is used, a prompt WebDriver BiDi cannot answer, so the run logs the database in itself, at startup.
Firefox runs AutoConfig (`defaults/pref/autoconfig.js` naming a script in the application folder) only
from its own application folder, which it takes from `/proc/self/exe`: the binary is copied (a symlink
would resolve to the system's folder) and every other entry of the install is a symlink to it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.i18n import _

__all__ = ["PASSWORD_VARIABLE", "application_folder", "firefox_environment", "install_folder", "login_failure"]

# Firefox's environment is the only place the password goes: the script reads it, then empties it so
# the processes Firefox starts afterwards (content, sockets, media) do not inherit it.
PASSWORD_VARIABLE = "AINAS_BOT_KEY_DB_PASSWORD"

_TAG = "ainas-bot: "
_FAILED = "the profile's key database could not be logged in"

_AUTOCONFIG = (
    "// ainas-bot: run ainas-bot.cfg, unobscured and with chrome privileges (it logs the key database in)\n"
    'pref("general.config.filename", "ainas-bot.cfg");\n'
    'pref("general.config.obscure_value", 0);\n'
    'pref("general.config.sandbox_enabled", false);\n'
)
# PK11_CheckUserPassword, through js-ctypes on the NSS library Firefox has loaded: the one call that logs
# a token in with a given password (nsIPKCS11Token.login asks the user). Creating the internal key token
# first makes Firefox initialise NSS on the profile. A refused password ends Firefox at once, so the run
# fails at launch instead of waiting on a prompt nobody sees.
# Firefox runs it as `ainas-bot.cfg`; only the project's own constants are written into it.
_SCRIPT = (
    Path(__file__)
    .with_name("firefox_login.js")
    .read_text(encoding="utf-8")
    .replace("__PASSWORD_VARIABLE__", PASSWORD_VARIABLE)
    .replace("__TAG__", _TAG)
    .replace("__FAILED__", _FAILED)
)


def firefox_environment(environ: Mapping[str, str], db_password: SecretStr) -> dict[str, str | float | bool]:
    """The environment Firefox is started with. Playwright's `env` replaces the browser's: the run's own
    environment, as Playwright would pass it, and the password, which the start-up script takes out again."""
    return {**environ, PASSWORD_VARIABLE: db_password.get_secret_value()}


def login_failure(browser_log: str) -> str | None:
    """What the start-up script reported in Firefox's output when it could not log the key database in."""
    if _TAG + _FAILED not in browser_log:
        return None
    said = [line.split(_TAG, 1)[1].strip() for line in browser_log.splitlines() if _TAG in line]
    return "; ".join(dict.fromkeys(said))


def install_folder(executable: Path) -> Path:
    """The folder of the Firefox install `executable` runs from, refused when it is not one."""
    real = executable.resolve()
    folder = real.parent
    if not real.is_file() or not (folder / "omni.ja").is_file() or not (folder / "libnss3.so").is_file():
        raise ConfigError(
            _(
                "{path}: not the Firefox binary of a Firefox install (its folder should hold omni.ja and "
                "libnss3.so, as /usr/lib/firefox-esr does)"
            ).format(path=executable)
        )
    return folder


def _mirror(source: Path, target: Path, skip: set[str]) -> None:
    target.mkdir(mode=0o700)
    for entry in source.iterdir() if source.is_dir() else ():
        if entry.name not in skip:
            (target / entry.name).symlink_to(entry)


def application_folder(folder: Path, executable: Path) -> Path:
    """`folder/app`, the Firefox install of `executable` mirrored with our AutoConfig; returns its binary."""
    install = install_folder(executable)
    binary = executable.resolve().name
    app = folder / "app"
    _mirror(install, app, {binary, "defaults"})
    shutil.copyfile(install / binary, app / binary)
    os.chmod(app / binary, 0o700)
    _mirror(install / "defaults", app / "defaults", {"pref"})
    # An AutoConfig of the install's own is left out: general.config.filename names one script only.
    prefs = app / "defaults" / "pref"
    _mirror(install / "defaults" / "pref", prefs, {"autoconfig.js"})
    for path, text in ((prefs / "autoconfig.js", _AUTOCONFIG), (app / "ainas-bot.cfg", _SCRIPT)):
        write_private(path, text.encode("utf-8"), exclusive=True, what="Firefox AutoConfig")
    return app / binary
