"""What the operator gave for one office, before any certificate is opened: the secrets resolved (an empty
one refused), and the カナ, 郵便番号 and 利用開始日 made into what AINAS accepts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Literal

from pydantic import SecretStr

from ainas_bot.checks.findings import Findings, office_message
from ainas_bot.config.settings import Office, Settings
from ainas_bot.config.typed_values import normalise_kana, normalise_postal_code
from ainas_bot.errors import InputError
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label

__all__ = ["Typed", "read_typed", "resolve_secrets", "start_date_on"]

_SECRETS = ("login_password", "client_cert_password", "pin")


@dataclasses.dataclass(frozen=True)
class Typed:
    """What the operator typed, made into what AINAS accepts; None where it could not be."""

    trade_name_kana: str | None
    holder_name_kana: str | None
    postal_code: str | None  # None with `auto` too: then the address gives it
    auto_postal: bool
    start: dt.date


def resolve_secrets(
    office: Office, settings: Settings, environ: Mapping[str, str], found: Findings
) -> dict[str, SecretStr | None]:
    def resolved(name: str) -> SecretStr | None:
        ref, what = getattr(office, name), office_message(office.id, name)
        return found.attempt(
            office.id, lambda: ref.resolve(environ, settings.secrets_dir, what=what, warnings=found.warnings)
        )

    values = {name: resolved(name) for name in _SECRETS}
    for name, value in values.items():
        if value is not None and not value.get_secret_value():
            # The portal asks for 証明書パスワード at the upload and the update, and no issuer hands out an empty one.
            source = getattr(office, name).describe()
            said = _("{setting} ({source}) is empty; put the password in it").format(setting=name, source=source)
            found.refuse(office_message(office.id, said))
    return values


def read_typed(office: Office, today: dt.date, found: Findings) -> Typed:
    start = today if office.start_date == "today" else office.start_date
    if start < today:
        found.refuse(
            office_message(
                office.id,
                _(
                    "start_date {start} is before today ({today}, Japan time); give a later date or leave it out "
                    "for today"
                ).format(start=f"{start:%Y/%m/%d}", today=f"{today:%Y/%m/%d}"),
            )
        )
    auto = office.postal_code.strip().casefold() == "auto"
    trade_field = f"trade_name_kana ({Label.TRADE_NAME_KANA})"
    holder_field = f"holder_name_kana ({Label.HOLDER_NAME_KANA})"
    return Typed(
        found.attempt(office.id, lambda: normalise_kana(office.trade_name_kana, field=trade_field)),
        found.attempt(office.id, lambda: normalise_kana(office.holder_name_kana, field=holder_field)),
        None
        if auto
        else found.attempt(
            office.id, lambda: normalise_postal_code(office.postal_code, field=f"postal_code ({Label.POSTAL_CODE})")
        ),
        auto,
        start,
    )


def start_date_on(choice: Literal["today"] | dt.date, today: dt.date, expiry: dt.date) -> dt.date:
    """The 利用開始日 to type on `today` (Japan time): `today` for "today", so that a run crossing midnight types
    the new day as a person would (the day it was checked is refused by then); else the date given. InputError
    when the portal would refuse it: a day that has passed, or one after the certificate's expiry."""
    start = today if choice == "today" else choice
    if start < today:
        raise InputError(
            _(
                "start_date {start} has passed: it is {today} now (Japan time; the run went past midnight); "
                "give a later date or leave it out for today"
            ).format(start=f"{start:%Y/%m/%d}", today=f"{today:%Y/%m/%d}")
        )
    if start > expiry:
        raise InputError(
            _("start_date {start} is after the certificate's expiry ({expiry}); the portal refuses it").format(
                start=f"{start:%Y/%m/%d}", expiry=f"{expiry:%Y/%m/%d}"
            )
        )
    return start
