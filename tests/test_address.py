"""住所（都道府県～番地） / 住所（建物名等）: where the street part of one address string ends."""

from __future__ import annotations

import pytest

from ainas_bot.certificates.address_split import split_address


@pytest.mark.parametrize(
    ("address", "street", "building"),
    [
        # 番/号 with full-width digits, a building after a full-width space
        ("東京都千代田区霞が関一丁目２番３号　霞が関ビル５階", "東京都千代田区霞が関一丁目２番３号", "霞が関ビル５階"),
        # the building glued to the block number
        ("東京都千代田区霞が関一丁目２番３号霞が関ビル５階", "東京都千代田区霞が関一丁目２番３号", "霞が関ビル５階"),
        # hyphenated block number, ASCII digits, an ASCII space, a room number in the building
        ("大阪府大阪市北区梅田4-2-8 梅田スカイビル12F", "大阪府大阪市北区梅田4-2-8", "梅田スカイビル12F"),
        ("大阪府大阪市北区梅田4-2-8", "大阪府大阪市北区梅田4-2-8", ""),
        (
            "福岡県福岡市博多区博多駅前２－１－１　朝日ビル３０１号室",
            "福岡県福岡市博多区博多駅前２－１－１",
            "朝日ビル３０１号室",
        ),
        # 番地, no building
        ("北海道札幌市中央区北一条西二丁目５番地", "北海道札幌市中央区北一条西二丁目５番地", ""),
        ("愛知県名古屋市中区三の丸三丁目１番２号", "愛知県名古屋市中区三の丸三丁目１番２号", ""),
        (
            "京都府京都市中京区河原町通四条上る米屋町３８０番地の１　河原町ビル",
            "京都府京都市中京区河原町通四条上る米屋町３８０番地の１",
            "河原町ビル",
        ),
        # kanji numerals
        ("東京都新宿区西新宿二丁目八番一号", "東京都新宿区西新宿二丁目八番一号", ""),
        # a number in the building name after the block number stays in the building
        (
            "東京都港区六本木六丁目10番1号 六本木ヒルズ森タワー40階",
            "東京都港区六本木六丁目10番1号",
            "六本木ヒルズ森タワー40階",
        ),
        # several spaces in the building collapse to one
        ("東京都中央区銀座四丁目６番１６号　　銀座三越　　８階", "東京都中央区銀座四丁目６番１６号", "銀座三越 ８階"),
        # no block number at all: split at the first space, if any
        ("東京都新宿区西新宿　新宿ビル", "東京都新宿区西新宿", "新宿ビル"),
        ("東京都新宿区西新宿", "東京都新宿区西新宿", ""),
        ("  東京都千代田区霞が関一丁目２番３号  ", "東京都千代田区霞が関一丁目２番３号", ""),
        ("", "", ""),
    ],
    ids=[
        "ban-go-fullwidth-space",
        "building-glued",
        "hyphen-ascii",
        "hyphen-no-building",
        "hyphen-fullwidth-room",
        "banchi",
        "sannomaru",
        "kyoto-banchi-no",
        "kanji-numerals",
        "building-with-numbers",
        "spaces-collapse",
        "no-block-space",
        "no-block",
        "stripped",
        "empty",
    ],
)
def test_split_address(address: str, street: str, building: str) -> None:
    assert split_address(address) == (street, building)


@pytest.mark.parametrize(
    ("address", "street", "building"),
    [
        # 番町 is a town name, not a block number (千代田区一番町～六番町, 仙台市青葉区一番町)
        ("東京都千代田区二番町５番地　二番町ビル", "東京都千代田区二番町５番地", "二番町ビル"),
        ("宮城県仙台市青葉区一番町一丁目９番１号", "宮城県仙台市青葉区一番町一丁目９番１号", ""),
        # 麻布十番 is a town name followed by its 丁目
        ("東京都港区麻布十番二丁目３番４号　麻布ビル", "東京都港区麻布十番二丁目３番４号", "麻布ビル"),
        # 地番 style: 番地 followed by a bare number
        ("東京都千代田区一番町２３番地３　千代田ビル", "東京都千代田区一番町２３番地３", "千代田ビル"),
    ],
    ids=["nibancho", "ichibancho-sendai", "azabu-juban", "chiban"],
)
def test_numbers_in_town_names_do_not_end_the_street(address: str, street: str, building: str) -> None:
    assert split_address(address) == (street, building)
