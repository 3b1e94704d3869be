"""Made-up but plausible Japanese data for seeding: people, offices, addresses, login IDs."""

from __future__ import annotations

import dataclasses
import random

from ainas_bot.sandbox._postal import postal_candidates

__all__ = [
    "LOGIN_ID_ALPHABET",
    "LOGIN_ID_LENGTH",
    "Person",
    "Place",
    "branch",
    "firm_name",
    "office_name",
    "person",
    "place",
]

# 利用登録通知書 ※4: login IDs are five half-width characters, lower-case letters and digits, without
# the characters that are easy to mistype (the notice warns about 0/o and 1/l, and excludes 0, 1 and 9;
# i and g go too, as they pass for l and 9).
LOGIN_ID_ALPHABET = "abcdefhjkmnpqrstuvwxyz2345678"
LOGIN_ID_LENGTH = 5

_SURNAMES = (
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山本", "ヤマモト"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
    ("山口", "ヤマグチ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
)
_GIVEN = (
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("健", "ケン"),
    ("誠", "マコト"),
    ("直子", "ナオコ"),
    ("裕子", "ユウコ"),
    ("隆", "タカシ"),
    ("恵", "メグミ"),
    ("博", "ヒロシ"),
    ("翔太", "ショウタ"),
    ("美咲", "ミサキ"),
    ("大輔", "ダイスケ"),
    ("由美", "ユミ"),
    ("浩二", "コウジ"),
)
_SUFFIXES = (("事務所", "ジムショ"), ("法務事務所", "ホウムジムショ"), ("総合事務所", "ソウゴウジムショ"))
_FIRMS = (("みらい", "ミライ"), ("さくら", "サクラ"), ("あおば", "アオバ"), ("ひかり", "ヒカリ"), ("つばさ", "ツバサ"))
# (都道府県＋市区町村, 郵便番号の上3桁, 事務所名に使う地名, そのカナ)
_PLACES = (
    ("東京都千代田区霞が関", "100", "東京", "トウキョウ"),
    ("東京都新宿区西新宿", "160", "新宿", "シンジュク"),
    ("神奈川県横浜市中区本町", "231", "横浜", "ヨコハマ"),
    ("埼玉県さいたま市浦和区高砂", "330", "浦和", "ウラワ"),
    ("千葉県千葉市中央区富士見", "260", "千葉", "チバ"),
    ("愛知県名古屋市中区栄", "460", "名古屋", "ナゴヤ"),
    ("大阪府大阪市北区梅田", "530", "大阪", "オオサカ"),
    ("福岡県福岡市博多区博多駅前", "812", "福岡", "フクオカ"),
    ("北海道札幌市中央区北一条西", "060", "札幌", "サッポロ"),
    ("宮城県仙台市青葉区一番町", "980", "仙台", "センダイ"),
)
_KANJI_NUMBERS = "一二三四五六七八九"
_FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_BUILDINGS = ("第一ビル", "中央ビル", "駅前ビル", "センタービル", "ビジネスタワー")


@dataclasses.dataclass(frozen=True)
class Person:
    kanji: str
    kana: str
    surname: str
    surname_kana: str


@dataclasses.dataclass(frozen=True)
class Place:
    street: str
    building: str
    postal_code: str
    city: str
    city_kana: str


def person(rng: random.Random) -> Person:
    (sur, sur_kana), (given, given_kana) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
    return Person(f"{sur}　{given}", f"{sur_kana}　{given_kana}", sur, sur_kana)


def place(rng: random.Random) -> Place:
    area, postal3, city, city_kana = rng.choice(_PLACES)
    chome = _KANJI_NUMBERS[rng.randrange(5)]
    block = f"{rng.randint(1, 20)}番{rng.randint(1, 30)}号".translate(_FULL_DIGITS)
    building = ""
    if rng.random() < 0.6:
        building = f"{rng.choice(_BUILDINGS)}{rng.randint(2, 9)}階".translate(_FULL_DIGITS)
    street = f"{area}{chome}丁目{block}"
    (code,) = postal_candidates(street, building)  # a real code, one the update form accepts
    assert code.startswith(postal3), (street, code)
    return Place(street, building, code, city, city_kana)


def office_name(rng: random.Random, holder: Person, taken: set[str]) -> tuple[str, str]:
    """A unique `行政書士○○事務所` name and its kana."""
    for attempt in range(1000):
        suffix, suffix_kana = rng.choice(_SUFFIXES)
        if attempt < 20:
            name, kana = holder.surname, holder.surname_kana
        else:
            _, _, city, city_kana = rng.choice(_PLACES)
            sur, sur_kana = rng.choice(_SURNAMES)
            name, kana = f"{city}{sur}", f"{city_kana}{sur_kana}"
        full = f"行政書士{name}{suffix}"
        if full not in taken:
            taken.add(full)
            return full, f"ギョウセイショシ{kana}{suffix_kana}"
    full = f"行政書士{holder.surname}{suffix}{len(taken)}"
    taken.add(full)
    return full, f"ギョウセイショシ{holder.surname_kana}{suffix_kana}"


def firm_name(index: int) -> tuple[str, str]:
    """A 行政書士法人 name (with kana) for a firm that runs several offices."""
    firm, kana = _FIRMS[index % len(_FIRMS)]
    return f"行政書士法人{firm}", f"ギョウセイショシホウジン{kana}"


def branch(index: int) -> tuple[str, str]:
    """The location word of a firm's office (東京, 大阪…) and its kana."""
    return _PLACES[index % len(_PLACES)][2], _PLACES[index % len(_PLACES)][3]
