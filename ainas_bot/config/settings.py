"""Settings: one object built at the edge (the CLI, by `loading.load_settings`) and passed down.

Precedence, highest first: command-line flags, `AINAS_*` environment variables (nested with `__`,
e.g. `AINAS_TIMEOUT_SECONDS`), the TOML file (`--config` or `AINAS_CONFIG`), then the defaults below.
The secrets directory holds the secrets that `{ secret = "key" }` references name, and no settings: none
of the settings is a secret, and a file there must not change one unseen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ainas_bot.config.notify import DEFAULT_ORDER_DAYS, NotifyTarget, check_order_days
from ainas_bot.config.office import Office
from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _

__all__ = ["DEFAULT_PORTAL_URL", "Office", "Settings"]

DEFAULT_PORTAL_URL = "https://www.oss-ainas.jp/oss_agt/"


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
