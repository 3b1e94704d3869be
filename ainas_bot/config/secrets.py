"""Secrets given by reference: an environment variable, a file, or a key of the secrets directory.

Plain values never appear in an inventory file; resolving happens at the edge, with the environment
passed in, so library code never reads `os.environ`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_files import read_secret_line
from ainas_bot.i18n import _

__all__ = ["REF_KINDS", "SecretRef", "parse_ref_string", "read_secret_file"]


def read_secret_file(path: Path, *, what: str, warnings: list[str] | None = None) -> SecretStr:
    """The first line of a secret file (a regular file, or a symlink to an owner-only one); a warning is
    added when others can read it."""
    line, shared = read_secret_line(path, what=what)
    line = line.removeprefix("\ufeff")  # Windows Notepad starts a UTF-8 file with a BOM; it is no part of the secret
    if warnings is not None and shared:
        warnings.append(
            _("{what}: secret file {path} is readable by others; run chmod 600 {path}").format(what=what, path=path)
        )
    return SecretStr(line)


REF_KINDS = ("env", "file", "secret")


def parse_ref_string(text: str) -> dict[str, str] | None:
    """`env:NAME`, `file:PATH` or `secret:KEY` as the fields of a SecretRef; None for anything else."""
    kind, sep, rest = text.partition(":")
    if sep and kind in REF_KINDS and rest.strip():
        return {kind: rest.strip()}
    return None


class SecretRef(BaseModel):
    """Where a secret lives: exactly one of `env`, `file`, `secret` (a key of the secrets directory).

    Also written as one string, `env:NAME`, `file:PATH` or `secret:KEY` (the form CSV inventories use).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = None
    file: Path | None = None
    secret: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_plain_values(cls, data: object) -> object:
        if isinstance(data, str):
            parsed = parse_ref_string(data)
            if parsed is not None:
                return parsed
        if isinstance(data, (str, int, float)):  # a PIN written as a TOML number is a plain value too
            raise ValueError(
                _("a plain-text secret is not allowed here; reference it instead: {env}, {file} or {secret}").format(
                    env='{ env = "VARIABLE" }',
                    file='{ file = "/path/to/file" }',
                    secret='{ secret = "key-in-secrets-dir" }',  # noqa: S106
                )
            )
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        given = [k for k in ("env", "file", "secret") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(_("give exactly one of env, file or secret"))
        return self

    def describe(self) -> str:
        if self.env:
            return _("environment variable {name}").format(name=self.env)
        if self.file:
            return _("file {path}").format(path=self.file)
        return _("secrets-directory key {key}").format(key=self.secret)

    def resolve(
        self,
        environ: Mapping[str, str],
        secrets_dir: Path | None,
        *,
        what: str,
        warnings: list[str] | None = None,
    ) -> SecretStr:
        if self.env:
            if self.env not in environ:
                raise ConfigError(_("{what}: environment variable {name} is not set").format(what=what, name=self.env))
            return SecretStr(environ[self.env])
        if self.file:
            return read_secret_file(self.file, what=what, warnings=warnings)
        if secrets_dir is None:
            raise ConfigError(
                _("{what}: refers to secret '{key}' but no secrets_dir is configured").format(
                    what=what, key=self.secret
                )
            )
        return read_secret_file(secrets_dir / str(self.secret), what=what, warnings=warnings)
