"""Building the settings at the edge: TOML, `AINAS_*` variables and flags, each wrong value said as a line
naming where it came from."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsError,
    TomlConfigSettingsSource,
)

from ainas_bot.config.office import Office
from ainas_bot.config.settings import Settings
from ainas_bot.config.settings_errors import RawSource, describe_errors
from ainas_bot.errors import ConfigError, ConfigProblems
from ainas_bot.foundation.safe_files import read_regular
from ainas_bot.i18n import _

__all__ = ["MAX_SETTINGS_BYTES", "load_settings", "settings_class"]


# A settings file is a few kilobytes; one of a few thousand offices stays far below this.
MAX_SETTINGS_BYTES = 4 * 1024 * 1024


class _SettingsFile(TomlConfigSettingsSource):
    """The TOML source, reading its file as a hostile one (no FIFO, no endless file) is read."""

    def _read_file(self, file_path: Path | Any) -> dict[str, Any]:
        import tomllib

        data = read_regular(Path(file_path), limit=MAX_SETTINGS_BYTES, what=_("settings file"))
        return tomllib.loads(data.decode("utf-8"))


@functools.lru_cache(maxsize=16)  # building the class costs some 2.5 ms; one per file is enough
def settings_class(config: Path | None) -> type[Settings]:
    """`Settings` with the TOML source built for `config`: each file has its own class, so two loads in
    one process (tests, a long-lived caller) never see each other's file."""

    class FileSettings(Settings):
        source_name: ClassVar[str] = str(config) if config is not None else "settings"

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            toml = (_SettingsFile(settings_cls, toml_file=config),) if config is not None else ()
            return (init_settings, env_settings, *toml)

    FileSettings.__name__ = FileSettings.__qualname__ = "Settings"
    return FileSettings


def _raw_sources(cls: type[Settings], config: Path | None, overrides: dict[str, Any]) -> list[RawSource]:
    """What each source gave, highest first, to say where a wrong value came from."""
    # `{flag}` and `{KEY}` are filled by `RawSource.said`, per key.
    sources = [
        RawSource(_("the command-line option --{flag}"), overrides),
        RawSource(_("the environment variable AINAS_{KEY}"), EnvSettingsSource(cls)()),
    ]
    if config is not None:
        data = read_regular(config, limit=MAX_SETTINGS_BYTES, what=_("settings file"))
        sources.append(
            RawSource(
                str(config),
                _SettingsFile(cls, toml_file=config).toml_data,
                text=data.decode("utf-8", errors="replace"),
                is_file=True,
            )
        )
    else:
        sources.append(RawSource(_("settings"), {}, is_file=True))
    return sources


def _env_parse_error(exc: SettingsError) -> str:
    """pydantic-settings' 'error parsing value for field "x" from source "EnvSettingsSource"' as a line."""
    match = re.search(r'field "([^"]+)" from source "EnvSettingsSource"', str(exc))
    if match is None:
        return _("settings: {error}").format(error=exc)
    return _(
        "the environment variable {name}: not valid JSON; a list or a table is written in JSON there, e.g. "
        "{example_list} or {example_table}"
    ).format(
        name=f"AINAS_{match.group(1).upper()}", example_list='\'["a", "b"]\'', example_table='\'{"key": "value"}\''
    )


def load_settings(config: Path | None, **overrides: Any) -> Settings:
    """Build the settings from `config` (TOML), the environment and `overrides` (CLI flags)."""
    if config is not None and not config.is_file():
        raise ConfigError(_("{path}: settings file not found").format(path=config))
    given = {k: v for k, v in overrides.items() if v is not None}
    cls = settings_class(config)
    try:
        settings = cls(**given)
    except ValidationError as exc:
        lines = describe_errors(exc, _raw_sources(cls, config, given), settings=Settings, office=Office)
        raise ConfigProblems(lines) from None
    except SettingsError as exc:
        raise ConfigError(_env_parse_error(exc)) from None
    except ValueError as exc:  # TOML syntax, or not UTF-8
        raise ConfigError(_("{path}: not a valid TOML file ({error})").format(path=config, error=exc)) from None
    except RecursionError:  # tomllib and pydantic recurse once per level of nesting
        raise ConfigError(
            _("{path}: nested too deeply to be settings; see config/ainas.toml for the layout").format(path=config)
        ) from None
    if config is not None:
        base = config.resolve().parent
        settings.offices = [o.with_base(base) for o in settings.offices]
        for name in (
            "portal_ca",
            "secrets_dir",
            "artifacts_dir",
            "report_dir",
            "inventory",
            "audit_log",
            "lock_file",
            "verified_record",
        ):
            value = getattr(settings, name)
            if value is not None and not value.is_absolute():
                setattr(settings, name, base / value)
    return settings
