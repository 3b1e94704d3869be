"""Settings: one object built at the edge (the CLI) and passed down.

Precedence, highest first: command-line flags, `AINAS_*` environment variables (nested with `__`,
e.g. `AINAS_TIMEOUT_SECONDS`), the TOML file (`--config` or `AINAS_CONFIG`), then the defaults below.
The secrets directory holds the secrets that `{ secret = "key" }` references name, and no settings: none
of the settings is a secret, and a file there must not change one unseen.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from ainas_bot.config.notify import DEFAULT_ORDER_DAYS, NotifyTarget, check_order_days
from ainas_bot.config.secrets import SecretRef
from ainas_bot.config.settings_errors import RawSource, describe_errors
from ainas_bot.errors import ConfigError, ConfigProblems
from ainas_bot.foundation.safe_files import read_regular
from ainas_bot.foundation.typed_text import clean_id
from ainas_bot.i18n import _

__all__ = ["DEFAULT_PORTAL_URL", "Office", "Settings", "load_settings", "settings_class"]

DEFAULT_PORTAL_URL = "https://www.oss-ainas.jp/oss_agt/"


class Office(BaseModel):
    """One agent organisation to keep current (代理人組織), as written in the inventory."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="代理人組織ID")
    login_id: str = Field(min_length=1)
    login_password: SecretRef
    client_cert: Path
    client_cert_password: SecretRef
    signing_cert: Path = Field(description="a .p12, or a folder where the newest valid .p12 the PIN opens is taken")
    pin: SecretRef
    trade_name_kana: str
    holder_name_kana: str
    postal_code: str = Field(description='NNN-NNNN, or "auto": derived from the certificate\'s address')
    start_date: Literal["today"] | dt.date = "today"
    # Confirmations of what the checks before the first click cannot tell from a mistake.
    identity_change_confirmed: bool = Field(default=False, description="a new representative or a renamed office")
    postal_code_confirmed: bool = Field(default=False, description="a 事業所 code, not in Japan Post's data")
    kana_confirmed: bool = Field(default=False, description="a reading the dictionary does not know")

    @field_validator("id", "login_id", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("login_id")
    @classmethod
    def _clean_id(cls, value: str, info: ValidationInfo) -> str:
        return clean_id(value, field=str(info.field_name))

    @field_validator("id")
    @classmethod
    def _digits(cls, value: str) -> str:
        # 代理人組織IDs are digits (which also keeps separators and controls out of the artifact folders it
        # names): one rule, decided before any other check of the ID.
        text = unicodedata.normalize("NFKC", value).strip()
        if not re.fullmatch(r"[0-9]{1,20}", text, re.ASCII):
            raise ValueError(_("a 代理人組織ID is digits only (up to 20), as the portal shows it"))
        return text

    def with_base(self, base: Path) -> Office:
        """Relative paths are relative to the settings file."""

        def fix(p: Path) -> Path:
            return p if p.is_absolute() else base / p

        def fix_ref(ref: SecretRef) -> SecretRef:
            return ref.model_copy(update={"file": fix(ref.file)}) if ref.file else ref

        return self.model_copy(
            update={
                "client_cert": fix(self.client_cert),
                "signing_cert": fix(self.signing_cert),
                "login_password": fix_ref(self.login_password),
                "client_cert_password": fix_ref(self.client_cert_password),
                "pin": fix_ref(self.pin),
            }
        )


class Settings(BaseSettings):
    """Everything a run needs, from the TOML file, the environment and the command line."""

    model_config = SettingsConfigDict(env_prefix="AINAS_", env_nested_delimiter="__", extra="forbid")

    portal_url: str = DEFAULT_PORTAL_URL
    portal_ca: Path | None = Field(default=None, description="CA of the portal when it is not in the system store")
    browser: Literal["chromium", "firefox"] = "chromium"
    headless: bool = True
    executable_path: Path | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    artifacts_dir: Path = Path("ainas-artifacts")
    trace: bool = Field(
        default=True,
        description="keep a Playwright trace of a failed office's steps "
        "(costs about a fifth of the CPU of a run; the failing screen is kept without it)",
    )
    report_dir: Path | None = None
    secrets_dir: Path | None = None
    certificate_mapping: dict[str, list[str]] = Field(default_factory=dict)
    offices: list[Office] = Field(default_factory=list)
    inventory: Path | None = Field(
        default=None,
        description="a CSV (UTF-8 or Shift_JIS; comma, tab or semicolon), or an Excel workbook (.xlsx), "
        "of offices (see config/offices.csv), besides [[offices]]",
    )
    inventory_sheet: str | None = Field(default=None, description="the sheet of an .xlsx inventory (default: first)")
    concurrency: int = Field(default=4, ge=1, le=64, description="browser contexts at once")
    retries: int = Field(default=3, ge=0, le=20, description="retries of transient portal faults per office")
    retry_backoff_seconds: float = Field(default=5.0, ge=0, description="first backoff; doubles each retry")
    audit_log: Path = Path("ainas-audit.jsonl")
    lock_file: Path = Path("ainas-bot.lock")
    verified_record: Path | None = Field(
        default=None,
        description="SQLite file of the certificates last verified on the portal, per office, and "
        "of what each .p12 holds (default: ainas-verified.sqlite3 beside audit_log)",
    )
    reverify_days: int = Field(
        default=30,
        ge=0,
        le=366,
        description="renew: an office whose local .p12 is the one "
        "verified on the portal within this many days is not visited (0: always visit)",
    )
    start_delay_seconds: float = Field(default=0.0, ge=0, description="--scheduled: random delay up to this")
    on_failure: list[str] | None = Field(default=None, description="--scheduled: command run with the report path")
    browser_endpoint: str | None = Field(default=None, description="ws:// of a `playwright run-server`")
    min_days_left: int = Field(
        default=60,
        ge=14,
        description="warn when the certificate to register has fewer days left (under 14 it is refused)",
    )
    notify: list[NotifyTarget] = Field(
        default_factory=list,
        description="where to tell people (apprise URLs by secret reference) and about what: failed, "
        "order-new-certificate, renewed, digest",
    )
    order_reminder_days: list[int] = Field(
        default_factory=lambda: list(DEFAULT_ORDER_DAYS),
        description="order-new-certificate: remind when the last certificate known ends within each of these "
        "days (once per threshold and certificate)",
    )
    portal_text: dict[str, Any] = Field(
        default_factory=dict,
        description="texts of the portal that differ from the bot's (names as in "
        'ainas_bot/portal_text.py, e.g. "Label.CERT_REGISTER"); `ainas-bot probe` says which to set',
    )

    # Where the values came from, for messages; set on the class `load_settings` builds for one file.
    source_name: ClassVar[str] = "settings"

    @field_validator("portal_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(
                _("'{value}' is not an https:// URL; the portal is only ever opened over https").format(value=value)
            )
        return value

    @field_validator("browser_endpoint")
    @classmethod
    def _endpoint_needs_chromium(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("browser") == "firefox":
            raise ValueError(
                _(
                    "a browser server works with chromium only (Firefox needs a local profile for the "
                    'client certificate); remove browser_endpoint or use browser = "chromium"'
                )
            )
        return value

    @field_validator("order_reminder_days")
    @classmethod
    def _order_days(cls, value: list[int]) -> list[int]:
        return check_order_days(value)

    @field_validator("portal_text")
    @classmethod
    def _known_texts(cls, value: dict[str, Any]) -> dict[str, Any]:
        from ainas_bot.portal_text import check_overrides

        return dict(check_overrides(value, source=cls.source_name))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No dotenv and no secrets-directory layer (see the module's docstring); the file comes in with
        # the class `settings_class` builds for it.
        return (init_settings, env_settings)

    @property
    def verified_record_path(self) -> Path:
        """`verified_record`, or its default beside the audit log."""
        return self.verified_record or self.audit_log.with_name("ainas-verified.sqlite3")

    def office(self, office_id: str) -> Office:
        for office in self.offices:
            if office.id == office_id:
                return office
        known = ", ".join(o.id for o in self.offices) or _("none")
        raise ConfigError(
            _("office {office} is not in the settings (known: {known})").format(office=office_id, known=known)
        )


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
