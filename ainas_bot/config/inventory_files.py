"""An inventory file as rows of text cells, numbered as Excel numbers them: a CSV kept in Excel (comma, tab or
semicolon; UTF-8, UTF-8 with BOM, Shift_JIS, or Excel's UTF-16 "Unicode text") or an .xlsx workbook.

Every read is bounded: the file by `MAX_INVENTORY_BYTES`, a workbook's parts by what they declare before any
is unpacked (Python's zipfile stops each part at its declared size, so the sum bounds the memory).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import re
import warnings
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_files import MAX_INVENTORY_BYTES, read_regular
from ainas_bot.i18n import N_, _

__all__ = ["MAX_WORKBOOK_UNPACKED_BYTES", "Table", "read_table"]

# An .xlsx of 50 000 offices unpacks to some 60 MB; a part declaring more is not an inventory.
MAX_WORKBOOK_UNPACKED_BYTES = 8 * MAX_INVENTORY_BYTES
_MAX_WORKBOOK_PARTS = 1000
_SAVE_AS = N_(
    'save it from Excel as "Excel ブック (*.xlsx)", "CSV UTF-8 (コンマ区切り)" or "CSV (コンマ区切り)" (Shift_JIS)'
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # ESC: ISO-2022-JP (JIS), 7-bit, so "UTF-8"
_GARBLED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_DELIMITERS = {"\t": "tab", ";": "semicolon", ",": "comma"}


@dataclasses.dataclass(frozen=True)
class Table:
    """The rows of an inventory file, each (Excel's row number, cells as text); `problem` says where the
    reading stopped early (a broken CSV row), after the rows before it."""

    rows: list[tuple[int, list[str]]]
    kind: str
    problem: str | None = None


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode テキスト": tab-separated
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ConfigError(
                _("{path}: the file starts as UTF-16 but is not; {save_as}").format(path=path, save_as=_(_SAVE_AS))
            ) from None
    if b"\x00" in data:
        raise ConfigError(
            _(
                "{path}: the file holds NUL bytes: UTF-16 without its byte-order mark, or no text at all; {save_as}"
            ).format(path=path, save_as=_(_SAVE_AS))
        )
    encodings = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp932")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not (_GARBLED if encoding == "cp932" else _CONTROL).search(text):
            return text
    raise ConfigError(
        _("{path}: the file is neither UTF-8 nor Shift_JIS; {save_as}").format(path=path, save_as=_(_SAVE_AS))
    )


def _delimiter(text: str) -> str:
    """The separator of the header line (the first that is neither empty nor a # comment): the one it holds
    most of; Japanese and English headers hold none of them themselves."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            counts = {d: line.count(d) for d in _DELIMITERS}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _text_rows(path: Path, data: bytes) -> Table:
    text = _decode(path, data)
    delimiter = _delimiter(text)
    rows: list[tuple[int, list[str]]] = []
    row = 0
    try:
        for row, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            rows.append((row, cells))
    except csv.Error as exc:
        return Table(
            rows,
            _DELIMITERS[delimiter],
            _("{path}: row {row}: not valid CSV ({error})").format(path=path, row=row + 1, error=exc),
        )
    return Table(rows, f"{_DELIMITERS[delimiter]}-separated text")


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV saved from it would hold (a date as a date, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_parts(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ConfigError(
            _("{path}: not a readable Excel workbook (the file is damaged); {save_as}").format(
                path=path, save_as=_(_SAVE_AS)
            )
        ) from None
    unpacked = sum(p.file_size for p in parts)
    if len(parts) > _MAX_WORKBOOK_PARTS or unpacked > MAX_WORKBOOK_UNPACKED_BYTES:
        raise ConfigError(
            _(
                "{path}: the workbook unpacks to {unpacked} bytes in {parts} parts, more than an "
                "inventory holds (at most {limit} bytes); this cannot be the right file"
            ).format(path=path, unpacked=unpacked, parts=len(parts), limit=MAX_WORKBOOK_UNPACKED_BYTES)
        )


def _workbook_rows(path: Path, data: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_parts(path, data)
    try:
        # read_only streams the sheet; data_only takes the values Excel computed, not the formulas. openpyxl
        # warns of the parts it does not support (data validation, conditional formats): none is read here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, ParseError, OSError):
        raise ConfigError(
            _("{path}: not a readable Excel workbook (the file is damaged); {save_as}").format(
                path=path, save_as=_(_SAVE_AS)
            )
        ) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise ConfigError(
                _("{path}: no sheet named '{sheet}' (inventory_sheet); the sheets are {sheets}").format(
                    path=path, sheet=sheet, sheets=", ".join(f"'{n}'" for n in names)
                )
            )
        chosen = sheet if sheet is not None else names[0]
        worksheet = book[chosen]
        worksheet.reset_dimensions()  # a workbook's declared size may be wrong, or huge: read only what is there
        rows = [
            (number, [_cell_text(getattr(cell, "value", None)) for cell in cells])
            for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1)
        ]
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, ParseError, zipfile.BadZipFile) as exc:
        raise ConfigError(
            _("{path}: not a readable Excel workbook ({error} in its sheet); {save_as}").format(
                path=path, error=type(exc).__name__, save_as=_(_SAVE_AS)
            )
        ) from None
    finally:
        book.close()
    return Table(rows, f"sheet '{chosen}'")


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """The rows of the inventory at `path`; ConfigError naming the file when it cannot be read at all."""
    if not path.exists():
        raise ConfigError(_("{path}: inventory file not found").format(path=path))
    data = read_regular(path, limit=MAX_INVENTORY_BYTES, what=_("inventory file"))
    if data.startswith(_ZIP):
        return _workbook_rows(path, data, sheet)
    if data.startswith(_OLE):
        raise ConfigError(
            _("{path}: an Excel 97-2003 workbook (.xls), which is not read; {save_as}").format(
                path=path, save_as=_(_SAVE_AS)
            )
        )
    if sheet is not None:
        raise ConfigError(
            _("{path}: inventory_sheet '{sheet}' is set but the file is not a workbook (.xlsx)").format(
                path=path, sheet=sheet
            )
        )
    return _text_rows(path, data)
