"""The checks of 代理人証明書登録 (the uploaded .p12) and 代理人証明書更新 (the typed values)."""

from __future__ import annotations

import datetime as dt
import re

from ainas_bot import portal_text as pt
from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._clock import japan_day, read_date
from ainas_bot.sandbox._postal import postal_fits
from ainas_bot.sandbox._upload_reader import Unread, Upload, read_upload

__all__ = ["UPDATE_FIELDS", "check_update", "check_upload"]

# Full-width katakana, the long vowel mark, the full-width space and what portal_text assumes besides.
_KANA = re.compile(rf"[\u30A1-\u30F6ー\u3000{pt.KANA_EXTRA}]+")
_POSTAL = re.compile(r"[0-9]{3}-[0-9]{4}")
_DATE = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}")
_UNPADDED_DATE = re.compile(r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}")  # with unpadded-dates, as the screens show them
# form field name -> label, in the order of the 更新 form
UPDATE_FIELDS = {
    "tradeNameKana": texts.Label.TRADE_NAME_KANA,
    "holderNameKana": texts.Label.HOLDER_NAME_KANA,
    "postalCode": texts.Label.POSTAL_CODE,
    "startDate": texts.Label.START_DATE,
    "certPassword": texts.Label.CERT_PASSWORD,
}


def _required(value: str, label: str) -> str | None:
    return texts.Message.REQUIRED.format(label=label) if not value.strip(" \u3000") else None


def check_upload(filename: str, data: bytes, password: str, *, today: dt.date) -> tuple[dict[str, str], Upload | None]:
    """(errors by field, the certificate read from the file when there is no error)."""
    errors: dict[str, str] = {}
    if not filename or not data:
        errors["certFile"] = texts.Message.REQUIRED.format(label=texts.Label.CERT_FILE)
    if not password:
        errors["certPassword"] = texts.Message.REQUIRED.format(label=texts.Label.CERT_PASSWORD)
    if errors:
        return errors, None
    if not filename.lower().endswith(".p12"):
        return {"certFile": texts.Message.FILE_NOT_P12}, None
    upload = read_upload(data, password)
    if upload is Unread.WRONG_PASSWORD:
        return {"certPassword": texts.Message.WRONG_CERT_PASSWORD}, None
    if isinstance(upload, Unread) or not upload.has_names:
        return {"certFile": texts.Message.FILE_NOT_P12}, None
    if upload.expiry_date < today:
        return {"certFile": texts.Message.CERT_EXPIRED}, None
    if japan_day(upload.not_before) > today:
        return {"certFile": texts.Message.CERT_NOT_YET_VALID}, None
    if not upload.key_matches:
        return {"certFile": texts.Message.FILE_NOT_P12}, None
    return {}, upload


def _check_date(text: str, *, today: dt.date, not_after: dt.date, unpadded: bool) -> str | None:
    if not (_UNPADDED_DATE if unpadded else _DATE).fullmatch(text):
        return texts.Message.DATE_INVALID
    try:
        day = read_date(text)
    except ValueError:
        return texts.Message.DATE_INVALID
    if day < today:
        return texts.Message.DATE_BEFORE_TODAY
    if day > not_after:
        return texts.Message.DATE_AFTER_EXPIRY
    return None


def _opens(p12: bytes | None, password: str) -> bool:
    if p12 is None:
        return False  # a record seeded without its file: no password can be proven
    return not isinstance(read_upload(p12, password), Unread)


def check_update(
    values: dict[str, str],
    *,
    today: dt.date,
    not_after: dt.date,
    p12: bytes | None,
    unpadded: bool = False,
    address: tuple[str, str] | None = None,
) -> dict[str, str]:
    """Errors by form field (empty when the update may be saved)."""
    errors: dict[str, str] = {}
    for field, label in UPDATE_FIELDS.items():
        value = values.get(field, "")
        problem = _required(value, label)
        if problem is None and field in ("tradeNameKana", "holderNameKana") and not _KANA.fullmatch(value):
            problem = texts.Message.KANA_INVALID.format(label=label)
        elif problem is None and field == "postalCode" and not _POSTAL.fullmatch(value):
            problem = texts.Message.POSTAL_INVALID
        elif problem is None and field == "postalCode" and address and not postal_fits(value, *address):
            # An OSS application of the office would fail later; the portal refuses the code now, by its own rules.
            problem = texts.Message.POSTAL_MISMATCH
        elif problem is None and field == "startDate":
            problem = _check_date(value, today=today, not_after=not_after, unpadded=unpadded)
        elif problem is None and field == "certPassword" and not _opens(p12, value):
            problem = texts.Message.WRONG_CERT_PASSWORD
        if problem is not None:
            errors[field] = problem
    return errors
