"""The NSS databases of a Firefox profile: the office's client key imported under a random password that
lives in this process and Firefox's only.

Anyone who could read the profile while it exists could export a key kept under an empty password with
`pk12util -o`; under a random one the key database holds the key encrypted with a password that never
touches the disk or a command line: NSS's tools read it, and the .p12's, from inherited pipes
(`/dev/fd/N`), and Firefox from its environment (`flows.browser.firefox_app`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _

__all__ = ["firefox_profile"]

# NSS's tools read a password file into a 4 KiB buffer: a longer password would be cut, and refused.
_MAX_PASSWORD_BYTES = 4000


def _nss(args: list[str | SecretStr]) -> None:
    """Run an NSS tool; each secret among `args` goes to it through a pipe, named `/dev/fd/N`."""
    tool = str(args[0])
    if shutil.which(tool) is None:
        raise ConfigError(
            _("Firefox needs `{tool}` to install the client certificate (Debian: libnss3-tools)").format(tool=tool)
        )
    argv: list[str] = []
    pipes: list[int] = []
    try:
        for arg in args:
            if not isinstance(arg, SecretStr):
                argv.append(arg)
                continue
            read, write = os.pipe()
            pipes.append(read)
            with os.fdopen(write, "wb") as fh:  # far below a pipe's capacity: never blocks
                fh.write(arg.get_secret_value().encode())
            argv.append(f"/dev/fd/{read}")
        result = subprocess.run(argv, capture_output=True, text=True, check=False, pass_fds=pipes)
    finally:
        for fd in pipes:
            os.close(fd)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else result.returncode
        raise ConfigError(_("{tool}: could not set up the Firefox profile ({reason})").format(tool=tool, reason=last))


def firefox_profile(folder: Path, client_cert: Path, password: SecretStr, portal_ca: Path | None) -> SecretStr:
    """NSS databases in `folder` holding `client_cert`'s key (and trusting `portal_ca`), protected by a new
    random password, which is returned."""
    if len(password.get_secret_value().encode()) > _MAX_PASSWORD_BYTES:
        raise ConfigError(
            _("client_cert_password of {path}: longer than the {limit} bytes Firefox's certificate tools read").format(
                path=client_cert, limit=_MAX_PASSWORD_BYTES
            )
        )
    db = f"sql:{folder}"
    db_password = SecretStr(secrets.token_urlsafe(32))
    _nss(["certutil", "-N", "-d", db, "-f", db_password])
    _nss(["pk12util", "-i", str(client_cert), "-d", db, "-k", db_password, "-w", password])
    if portal_ca is not None:
        _nss(
            ["certutil", "-A", "-n", "AINAS portal CA", "-t", "C,,", "-i", str(portal_ca), "-d", db, "-f", db_password]
        )
    return db_password
