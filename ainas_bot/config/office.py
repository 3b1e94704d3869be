"""One agent organisation (代理人組織) as the operator declares it, in `[[offices]]` or an inventory row."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ainas_bot.config.secrets import SecretRef
from ainas_bot.foundation.typed_text import clean_id
from ainas_bot.i18n import _

__all__ = ["Office"]


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
