"""The office inventory: `[[offices]]` in the settings and/or a CSV kept in Excel, and which offices a run takes.

A CSV is UTF-8 (with or without BOM) or Shift_JIS (cp932), headers Japanese or English; empty lines and those whose
first cell starts with `#` are skipped. Errors name the file, the row as Excel numbers it, the column as written.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from ainas_bot._safe_files import MAX_INVENTORY_BYTES, read_regular
from ainas_bot.errors import ConfigError, InputError
from ainas_bot.normalise import normalise_kana, normalise_postal_code
from ainas_bot.secretref import parse_ref_string
from ainas_bot.settings import Office, Settings

__all__ = ["COLUMNS", "all_offices", "failed_office_ids", "select_offices"]

# Field -> header names accepted, Japanese first. Headers match after NFKC (full-width parentheses, letters and
# spaces), case folding and dropping spaces, `_` and `-`.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("代理人組織ID", "id", "office_id"), "login_id": ("ログインID", "login_id"),
    "login_password": ("パスワード", "ログインパスワード", "login_password"),
    "client_cert": ("クライアント証明書", "client_cert"),
    "client_cert_password": ("クライアント証明書パスワード", "client_cert_password"),
    "signing_cert": ("署名用証明書", "signing_cert"), "pin": ("PIN", "証明書パスワード", "pin"),
    "trade_name_kana": ("屋号（カナ）", "trade_name_kana"),
    "holder_name_kana": ("氏名又は代表者名（カナ）", "holder_name_kana"),
    "postal_code": ("郵便番号", "postal_code"), "start_date": ("利用開始日", "start_date"),
    "identity_change_confirmed": ("名義変更確認", "identity_change_confirmed"),
    "postal_code_confirmed": ("郵便番号確認", "postal_code_confirmed"),
    "kana_confirmed": ("カナ確認", "kana_confirmed"),
}
_OPTIONAL = frozenset({"start_date", "identity_change_confirmed", "postal_code_confirmed", "kana_confirmed"})
_CONFIRMATIONS = {"": False, "true": True, "yes": True, "1": True, "はい": True, "○": True, "〇": True,
                  "false": False, "no": False, "0": False, "いいえ": False}
_SECRETS = frozenset({"login_password", "client_cert_password", "pin"})
_CONFIRMATIONS_FIELDS = frozenset({"identity_change_confirmed", "postal_code_confirmed", "kana_confirmed"})
_SAVE_AS = 'save it from Excel as "CSV UTF-8 (コンマ区切り)" or "CSV (コンマ区切り)" (Shift_JIS)'
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # ESC: ISO-2022-JP (JIS), 7-bit, so "UTF-8"
_GARBLED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]", "", unicodedata.normalize("NFKC", header)).casefold()


_ALIASES = {_key(name): field for field, names in COLUMNS.items() for name in names}


def _decode(path: Path) -> str:
    if not path.exists():
        raise ConfigError(f"{path}: inventory file not found")
    data = read_regular(path, limit=MAX_INVENTORY_BYTES, what="inventory file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise ConfigError(f"{path}: the file is UTF-16 (Excel's Unicode text), not CSV; {_SAVE_AS}")
    encodings = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp932")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not (_GARBLED if encoding == "cp932" else _CONTROL).search(text):
            return text
    raise ConfigError(f"{path}: the file is neither UTF-8 nor Shift_JIS; {_SAVE_AS}")


def _header(name: str, row: int, cells: list[str]) -> dict[str, tuple[int, str]]:
    """Field -> (cell index, header as written); empty headers and those starting with # are notes."""
    columns: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        written = " ".join(cell.split())  # a header never spans lines in a message
        field = _ALIASES.get(_key(written))
        if not written or written.startswith("#"):
            continue
        if field is None:
            unknown.append(written)
        elif field in columns:
            raise ConfigError(f"{name}: row {row}: columns {columns[field][1]} and {written} are the same ({field})")
        else:
            columns[field] = (index, written)
    if unknown:
        known = ", ".join(names[0] for names in COLUMNS.values())
        raise ConfigError(f"{name}: row {row}: unknown column {', '.join(unknown)}; the columns are {known} "
                          "(or their English names); start a header with # to keep a column of notes")
    missing = [f"{COLUMNS[f][0]} ({f})" for f in COLUMNS if f not in columns and f not in _OPTIONAL]
    if missing:
        raise ConfigError(f"{name}: row {row}: missing column {', '.join(missing)}")
    return columns


def _start_date(value: str, where: str) -> str | dt.date:
    text = unicodedata.normalize("NFKC", value).strip()
    if not text or text.casefold() in {"today", "今日"}:
        return "today"
    match = _DATE.fullmatch(text)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups() if g is not None))
    except ValueError:
        pass
    raise ConfigError(f"{where}: '{value}' is not a date; write it like 2026-01-06 or 2026/1/6, "
                      "or leave it empty for today")


def _check(field: str, value: str, where: str) -> None:
    """Refuse plain secrets (never echoing them) and kana or postal codes the portal would refuse."""
    if not value or "\n" in value or "\r" in value:
        raise ConfigError(f"{where}: the cell is {'empty' if not value else 'on several lines; keep it on one'}")
    if field in _SECRETS and parse_ref_string(value) is None:
        raise ConfigError(f"{where}: a plain-text secret is not allowed here (the value is not shown); reference "
                          "it as env:VARIABLE, file:/path/to/file or secret:key-in-secrets-dir")
    try:
        if field in {"trade_name_kana", "holder_name_kana"}:
            normalise_kana(value, field="the value")
        elif field == "postal_code" and value.casefold() != "auto":
            normalise_postal_code(value, field="the value")
    except InputError as exc:
        hint = ""
        if field == "postal_code" and re.fullmatch(r"\d{6}", value, re.ASCII):
            hint = " (Excel drops a leading 0 from numbers: format the column as text)"
        raise ConfigError(f"{where}: {exc}{hint}") from None


def _office(name: str, base: Path, row: int, cells: list[str], columns: dict[str, tuple[int, str]]) -> Office:
    values: dict[str, object] = {}
    for field, (index, written) in columns.items():
        where = f"{name}: row {row}, column {written}"
        value = cells[index].strip() if index < len(cells) else ""
        if field in _CONFIRMATIONS_FIELDS:  # empty is not confirmed
            key = unicodedata.normalize("NFKC", value).casefold()
            if key not in _CONFIRMATIONS:
                raise ConfigError(f"{where}: '{value}' is neither true nor false; write true (or はい) to confirm, "
                                  "or leave it empty")
            values[field] = _CONFIRMATIONS[key]
            continue
        if value or field != "start_date":  # an empty 利用開始日 is today
            _check(field, value, where)
        values[field] = _start_date(value, where) if field == "start_date" else value
    try:
        office = Office.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(f"{name}: row {row}, column {columns.get(field, (0, field))[1]}: {first['msg']}") from None
    return office.with_base(base)


def _read(path: Path) -> list[tuple[int, Office]]:
    """(row, office) for each office of the CSV at `path`, in file order."""
    name, base = str(path), path.resolve().parent
    columns: dict[str, tuple[int, str]] | None = None
    found: dict[str, tuple[int, Office]] = {}  # by ID, in file order
    row = 0
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    try:
        for row, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells) or cells[0].strip().startswith("#"):
                continue
            if columns is None:
                columns = _header(name, row, cells)
                continue
            office = _office(name, base, row, cells, columns)
            if office.id in found:
                raise ConfigError(f"{name}: row {row}, column {columns['id'][1]}: office ID {office.id} is also "
                                  f"on row {found[office.id][0]}; list each office once")
            found[office.id] = (row, office)
    except csv.Error as exc:
        raise ConfigError(f"{name}: row {row + 1}: not valid CSV ({exc})") from None
    if columns is None:
        raise ConfigError(f"{name}: no header row; the first row names the columns, e.g. {', '.join(COLUMNS)}")
    return list(found.values())


def failed_office_ids(report: Path) -> list[str]:
    """The office IDs whose status is `failed` in a report written earlier by `--report`."""
    if not report.exists():
        raise ConfigError(f"{report}: report not found; give the JSON file an earlier --report wrote")
    data = read_regular(report, limit=MAX_INVENTORY_BYTES, what="report")
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{report}: not a report written by --report ({type(exc).__name__})") from None
    except RecursionError:  # json recurses once per level: a hostile file nests a million deep
        raise ConfigError(f"{report}: not a report written by --report (nested too deeply)") from None
    offices = payload.get("offices") if isinstance(payload, dict) else None
    if not isinstance(offices, list) or not all(
        isinstance(o, dict) and isinstance(o.get("office_id"), str) and isinstance(o.get("status"), str)
        for o in offices
    ):
        raise ConfigError(f'{report}: not a report written by --report (no "offices" list with office_id and status)')
    return list(dict.fromkeys(str(o["office_id"]) for o in offices if o["status"] == "failed"))


def _few(ids: Iterable[str], limit: int = 5) -> str:
    items = list(ids)
    more = f", … ({len(items)} in all)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "none"


def select_offices(offices: list[Office], selectors: list[str] | None, *, all_offices: bool) -> list[Office]:
    """The offices `--office ID`, `--office @REPORT.json` (its failed offices) or `--all` name, in inventory order."""
    if all_offices and selectors:
        raise ConfigError("give --office or --all, not both")
    if all_offices and not offices:
        raise ConfigError("--all: the inventory is empty; add [[offices]] to the settings or name an inventory CSV")
    if all_offices:
        return list(offices)
    if not selectors:
        raise ConfigError("no office selected; give --office ID (repeatable), --office @REPORT.json "
                          "(the failed offices of an earlier run) or --all")
    known = [o.id for o in offices]
    wanted: set[str] = set()
    unknown: list[str] = []
    for selector in (s.strip() for s in selectors):
        if selector.startswith("@"):
            if not selector[1:]:
                raise ConfigError("--office @: give the path of an earlier --report JSON, e.g. --office @report.json")
            report = Path(selector[1:])
            ids = failed_office_ids(report)
            missing = [i for i in ids if i not in known]
            if missing:
                raise ConfigError(f"{report}: failed office {_few(missing)} is not in the inventory "
                                  f"(known: {_few(known)})")
            wanted.update(ids)
        elif not selector:
            raise ConfigError("--office: give an office ID (代理人組織ID)")
        elif selector in known:
            wanted.add(selector)
        elif selector not in unknown:
            unknown.append(selector)
    if unknown:
        raise ConfigError(f"office {_few(unknown)} is not in the inventory (known: {_few(known)})")
    return [o for o in offices if o.id in wanted]


def all_offices(settings: Settings) -> list[Office]:
    """`[[offices]]` of the settings, then the offices of `settings.inventory`; each ID may appear once."""
    offices, ids = list(settings.offices), {o.id for o in settings.offices}
    if len(ids) < len(offices):
        twice = _few(dict.fromkeys(o.id for o in offices if [p.id for p in offices].count(o.id) > 1))
        raise ConfigError(f"settings: office {twice} is in [[offices]] more than once; list each office once")
    if settings.inventory is None:
        return offices
    for row, office in _read(settings.inventory):
        if office.id in ids:
            raise ConfigError(f"{settings.inventory}: row {row}: office {office.id} is also in the settings "
                              "([[offices]]); keep each office in one place")
        offices.append(office)
    return offices
