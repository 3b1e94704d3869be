"""The checks of what will be typed against the certificate, before the first click: カナ ↔ 漢字,
郵便番号 ↔ 住所, and the days the certificate has left. Pure apart from reading the dictionary and
Japan Post's data; `prepare` reports what they find.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.findings import Findings
from ainas_bot.checks.kana_reading import check_reading, suggest_reading
from ainas_bot.checks.postal import check_postal, derive_postal
from ainas_bot.config.settings import Office
from ainas_bot.errors import Reason
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label

__all__ = [
    "REFUSE_UNDER_DAYS",
    "Suggestion",
    "check_days_left",
    "check_kana",
    "check_postal_code",
    "suggest",
]

# Fewer days left than this and the certificate is not worth registering: the office would be back within two weeks.
REFUSE_UNDER_DAYS = 14


def check_kana(office: Office, cert: CertificateInfo, field: str, kana: str) -> Findings:
    """Refuse カナ that no combination of the dictionary's readings of the kanji gives (unless confirmed)."""
    found = Findings()
    kana_label, kanji_label, kanji = (
        (Label.TRADE_NAME_KANA, Label.TRADE_NAME_KANJI, cert.trade_name_kanji)
        if field == "trade_name_kana"
        else (Label.HOLDER_NAME_KANA, Label.HOLDER_NAME_KANJI, cert.holder_name_kanji)
    )
    verdict = check_reading(kanji, kana)
    where = {
        "office": office.id,
        "field": field,
        "label": kana_label,
        "kana": kana,
        "kanji_label": kanji_label,
        "kanji": kanji,
        "suggested": verdict.suggested,
    }
    if verdict.unknown and verdict.ok:
        found.warn(
            _(
                "office {office}: {field} ({label}) '{kana}': the dictionary cannot read {unknown} "
                "of {kanji_label} '{kanji}'; that part is taken as typed"
            ).format(unknown=", ".join(verdict.unknown), **where)
        )
    if verdict.ok:
        return found
    if office.kana_confirmed:
        found.warn(
            _(
                "office {office}: {field} ({label}) '{kana}': not the dictionary's reading of "
                "'{kanji}' ('{suggested}'); typed as confirmed (kana_confirmed)"
            ).format(**where)
        )
        return found
    found.refuse(
        _(
            "office {office}: {field} ({label}) '{kana}' is not a reading of {kanji_label} "
            "'{kanji}' (the dictionary reads '{suggested}'); type its reading, or if '{kana}' is "
            "right set kana_confirmed = true"
        ).format(**where),
        Reason.INPUT,
    )
    return found


def _codes(codes: list[str]) -> str:
    if not codes:
        return _("none")
    if len(codes) > 4:
        return _("{codes}, … ({count} in all)").format(codes=", ".join(codes[:4]), count=len(codes))
    return ", ".join(codes)


def check_postal_code(office: Office, cert: CertificateInfo, code: str | None) -> tuple[str | None, Findings]:
    """The 郵便番号 to type: the one set when it fits the address, or with `auto` the one code that fits it (None
    with the problem found otherwise)."""
    found = Findings()
    street, building = cert.address_street, cert.address_building
    where = {
        "office": office.id,
        "label": Label.POSTAL_CODE,
        "street_label": Label.ADDRESS_STREET,
        "street": street,
        "building": building,
        "code": code,
    }
    if code is None:  # "auto"
        codes = derive_postal(street, building)
        if len(codes) == 1:
            return codes[0], found
        if codes:
            message = _(
                'office {office}: postal_code ({label}) = "auto": several codes ({codes}) fit '
                "{street_label} '{street}' (住所（建物名等） '{building}'); set the code"
            )
        else:
            message = _(
                'office {office}: postal_code ({label}) = "auto": no code fits {street_label} '
                "'{street}' (住所（建物名等） '{building}'); set the code"
            )
        found.refuse(message.format(codes=_codes(codes), **where))
        return None, found
    verdict = check_postal(code, street, building)
    if verdict.fits:
        return code, found
    fitting = _codes(derive_postal(street, building))
    if not verdict.known and office.postal_code_confirmed:
        found.warn(
            _(
                "office {office}: postal_code ({label}) '{code}' is not in Japan Post's data; typed "
                "as confirmed (postal_code_confirmed, a 事業所 code)"
            ).format(**where)
        )
        return code, found
    if not verdict.known:
        found.refuse(
            _(
                "office {office}: postal_code ({label}) '{code}' does not exist in Japan Post's "
                "data (codes for '{street}': {codes}); fix it, or for a 事業所 code set "
                "postal_code_confirmed = true"
            ).format(codes=fitting, **where),
            Reason.INPUT,
        )
    else:
        found.refuse(
            _(
                "office {office}: postal_code ({label}) '{code}' is for {place}, not the "
                "certificate's {street_label} '{street}' (its code: {codes}); fix it or set "
                'postal_code = "auto"'
            ).format(place=verdict.place, codes=fitting, **where),
            Reason.INPUT,
        )
    return None, found


def check_days_left(office: Office, cert: CertificateInfo, today: dt.date, min_days_left: int) -> Findings:
    """Refuse a certificate with under 14 days left; warn under `min_days_left`."""
    found = Findings()
    days = (cert.expiry_date - today).days
    what = {
        "office": office.id,
        "label": Label.EXPIRY,
        "expiry": format_portal_date(cert.expiry_date),
        "file": cert.file,
        "days": days,
    }
    if days < REFUSE_UNDER_DAYS:
        found.refuse(
            _(
                "office {office}: {label} {expiry}: the certificate ({file}) has {days} days left, "
                "under {refuse}; get the renewed certificate from its issuer and put it in "
                "signing_cert"
            ).format(refuse=REFUSE_UNDER_DAYS, **what),
            Reason.CERTIFICATE,
        )
    elif days < min_days_left:
        found.warn(
            _(
                "office {office}: {label} {expiry}: the certificate ({file}) has {days} days left, "
                "under min_days_left ({min_days_left}); order its renewal now"
            ).format(min_days_left=min_days_left, **what)
        )
    return found


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """`check --suggest`: what the dictionary and Japan Post's data would have, next to what is set."""

    trade_name_kana: str
    holder_name_kana: str
    postal_codes: tuple[str, ...]


def suggest(cert: CertificateInfo) -> Suggestion:
    return Suggestion(
        suggest_reading(cert.trade_name_kanji),
        suggest_reading(cert.holder_name_kanji),
        tuple(derive_postal(cert.address_street, cert.address_building)),
    )
