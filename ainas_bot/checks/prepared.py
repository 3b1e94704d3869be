"""What the checks of an office come to: a prepared office, ready for the portal, or the problems that stop it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.findings import Problem
from ainas_bot.config.settings import Office

__all__ = ["OfficeCheck", "PreparedOffice"]


@dataclasses.dataclass(frozen=True)
class PreparedOffice:
    """An office whose every input has been checked and normalised; ready for the portal."""

    office: Office
    login_password: SecretStr
    client_cert_password: SecretStr
    pin: SecretStr
    signing_p12: Path
    signing_bytes: bytes
    certificate: CertificateInfo
    trade_name_kana: str
    holder_name_kana: str
    postal_code: str
    start_date: dt.date
    warnings: tuple[str, ...] = ()  # for the report: min_days_left, confirmed values
    passed_over: tuple[tuple[str, str], ...] = ()  # signing_cert a folder: (file name, why not it), for `check`


@dataclasses.dataclass(frozen=True)
class OfficeCheck:
    """One office checked: ready for the portal, or not with the problems why; and its certificate, where it
    opened (its 屋号 names a refused office too)."""

    ready: PreparedOffice | None
    problems: list[Problem]
    warnings: list[str]
    certificate: CertificateInfo | None
