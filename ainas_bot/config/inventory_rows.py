"""The rows of an inventory as offices: which header is which field, and every problem of every row at once,
each naming the file, the row as Excel numbers it and the column's header as written in the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from ainas_bot.config.secrets import parse_ref_string
from ainas_bot.config.settings import Office
from ainas_bot.config.typed_values import normalise_kana, normalise_postal_code
from ainas_bot.errors import InputError
from ainas_bot.i18n import _

__all__ = ["COLUMNS", "Header", "office_of_row", "read_header"]

# Field -> header names accepted, Japanese first. Headers match after NFKC (full-width parentheses, letters and
# spaces), case folding and dropping spaces, `_` and `-`. Any other column is a note and is not read.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("代理人組織ID", "id", "office_id"),
    "login_id": ("ログインID", "login_id"),
    "login_password": ("パスワード", "ログインパスワード", "login_password"),
    "client_cert": ("クライアント証明書", "client_cert"),
    "client_cert_password": ("クライアント証明書パスワード", "client_cert_password"),
    "signing_cert": ("署名用証明書", "signing_cert"),
    "pin": ("PIN", "証明書パスワード", "pin"),
    "trade_name_kana": ("屋号（カナ）", "trade_name_kana"),
    "holder_name_kana": ("氏名又は代表者名（カナ）", "holder_name_kana"),
    "postal_code": ("郵便番号", "postal_code"),
    "start_date": ("利用開始日", "start_date"),
    "identity_change_confirmed": ("名義変更確認", "identity_change_confirmed"),
    "postal_code_confirmed": ("郵便番号確認", "postal_code_confirmed"),
    "kana_confirmed": ("カナ確認", "kana_confirmed"),
}
_OPTIONAL = frozenset({"start_date", "identity_change_confirmed", "postal_code_confirmed", "kana_confirmed"})
_CONFIRMATIONS = {
    "": False,
    "true": True,
    "yes": True,
    "1": True,
    "はい": True,
    "○": True,
    "〇": True,
    "false": False,
    "no": False,
    "0": False,
    "いいえ": False,
}
_SECRETS = frozenset({"login_password", "client_cert_password", "pin"})
_CONFIRMATIONS_FIELDS = frozenset({"identity_change_confirmed", "postal_code_confirmed", "kana_confirmed"})
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})", re.ASCII)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]", "", unicodedata.normalize("NFKC", header)).casefold()


_ALIASES = {_key(name): field for field, names in COLUMNS.items() for name in names}


@dataclasses.dataclass(frozen=True)
class Header:
    """Field -> (cell index, header as written); `ignored` are the columns that are notes."""

    columns: dict[str, tuple[int, str]]
    ignored: tuple[str, ...]


def read_header(name: str, row: int, cells: list[str], problems: list[str]) -> Header | None:
    """The header row's columns; None (with the reasons added to `problems`) when the rows cannot be read."""
    columns: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    before = len(problems)
    for index, cell in enumerate(cells):
        written = " ".join(cell.split())  # a header never spans lines in a message
        field = _ALIASES.get(_key(written))
        if not written or written.startswith("#"):
            continue
        if field is None:
            unknown.append(written)
        elif field in columns:
            problems.append(
                _("{path}: row {row}: columns {first} and {second} are the same ({field}); keep one of them").format(
                    path=name, row=row, first=columns[field][1], second=written, field=field
                )
            )
        else:
            columns[field] = (index, written)
    ignored: list[str] = []
    for written in unknown:
        # A column a letter away from one that is missing is that column mistyped, not a note.
        near = difflib.get_close_matches(
            _key(written), [k for k, f in _ALIASES.items() if f not in columns], n=1, cutoff=0.8
        )
        if near:
            meant = COLUMNS[_ALIASES[near[0]]][0]
            problems.append(
                _(
                    "{path}: row {row}: column {column} is not one the bot reads; did you mean {meant}? "
                    "(rename it, or start its header with # to keep it as notes)"
                ).format(path=name, row=row, column=written, meant=meant)
            )
        else:
            ignored.append(written)
    missing = [f"{COLUMNS[f][0]} ({f})" for f in COLUMNS if f not in columns and f not in _OPTIONAL]
    if missing:
        problems.append(
            _("{path}: row {row}: missing column {columns}").format(path=name, row=row, columns=", ".join(missing))
        )
    return Header(columns, tuple(ignored)) if len(problems) == before else None


def _start_date(value: str) -> str | dt.date:
    text = unicodedata.normalize("NFKC", value).strip()
    if not text or text.casefold() in {"today", "今日"}:
        return "today"
    match = _DATE.fullmatch(text)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups() if g is not None))
    except ValueError:
        pass
    raise ValueError(
        _("'{value}' is not a date; write it like 2026-01-06 or 2026/1/6, or leave it empty for today").format(
            value=value
        )
    )


def _check(field: str, value: str) -> None:
    """Refuse plain secrets (never echoing them) and kana or postal codes the portal would refuse."""
    if not value or "\n" in value or "\r" in value:
        raise ValueError(_("the cell is empty") if not value else _("the cell is on several lines; keep it on one"))
    if field in _SECRETS and parse_ref_string(value) is None:
        raise ValueError(
            _(
                "a plain-text secret is not allowed here (the value is not shown); reference it as "
                "env:VARIABLE, file:/path/to/file or secret:key-in-secrets-dir"
            )
        )
    try:
        if field in {"trade_name_kana", "holder_name_kana"}:
            normalise_kana(value, field=_("the value"))
        elif field == "postal_code" and value.casefold() != "auto":
            normalise_postal_code(value, field=_("the value"))
    except InputError as exc:
        if field == "postal_code" and re.fullmatch(r"\d{6}", value, re.ASCII):
            raise ValueError(
                _("{error} (Excel drops a leading 0 from numbers: format the column as text)").format(error=exc)
            ) from None
        raise ValueError(str(exc)) from None


def _value(field: str, value: str) -> object:
    if field in _CONFIRMATIONS_FIELDS:  # empty is not confirmed
        key = unicodedata.normalize("NFKC", value).casefold()
        if key not in _CONFIRMATIONS:
            raise ValueError(
                _("'{value}' is neither true nor false; write true (or はい) to confirm, or leave it empty").format(
                    value=value
                )
            )
        return _CONFIRMATIONS[key]
    if field == "start_date":  # an empty 利用開始日 is today
        if value:
            _check(field, value)
        return _start_date(value)
    _check(field, value)
    return value


def office_of_row(
    name: str, base: Path, row: int, cells: list[str], header: Header, problems: list[str]
) -> Office | None:
    """The office of one row, or None with each of its problems (one per cell) added to `problems`."""
    values: dict[str, object] = {}
    before = len(problems)
    for field, (index, written) in header.columns.items():
        value = cells[index].strip() if index < len(cells) else ""
        try:
            values[field] = _value(field, value)
        except ValueError as exc:
            problems.append(
                _("{path}: row {row}, column {column}: {error}").format(path=name, row=row, column=written, error=exc)
            )
    if len(problems) > before:
        return None
    try:
        office = Office.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            field = str(error["loc"][0]) if error["loc"] else "?"
            written = header.columns.get(field, (0, field))[1]
            problems.append(
                _("{path}: row {row}, column {column}: {error}").format(
                    path=name, row=row, column=written, error=str(error["msg"]).removeprefix("Value error, ")
                )
            )
        return None
    return office.with_base(base)
