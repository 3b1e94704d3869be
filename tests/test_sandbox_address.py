"""The sandbox's own address split (住所（都道府県～番地） / 住所（建物名等）), as the portal is assumed to cut.

Its table is written for the sandbox; on the addresses where the assumed rule is clear, it and the bot's
split (`ainas_bot.certificates.address_split`) must agree, so that a disagreement in an end-to-end run
points at a real slip in one of them.
"""

from __future__ import annotations

import pytest

from ainas_bot.certificates.address_split import split_address
from ainas_bot.sandbox._address import split_street_building

AGREED = [
    # 番/号 with full-width digits; the building after a full-width space, or glued to the 号
    ("東京都千代田区霞が関一丁目２番３号　霞が関ビル５階", "東京都千代田区霞が関一丁目２番３号", "霞が関ビル５階"),
    ("東京都千代田区霞が関一丁目２番３号霞が関ビル５階", "東京都千代田区霞が関一丁目２番３号", "霞が関ビル５階"),
    # 4-2-8 style, ASCII and full-width dashes
    ("大阪府大阪市北区梅田4-2-8 梅田スカイビル12F", "大阪府大阪市北区梅田4-2-8", "梅田スカイビル12F"),
    ("大阪府大阪市北区梅田4-2-8", "大阪府大阪市北区梅田4-2-8", ""),
    (
        "福岡県福岡市博多区博多駅前２－１－１　朝日ビル３０１号室",
        "福岡県福岡市博多区博多駅前２－１－１",
        "朝日ビル３０１号室",
    ),
    ("東京都港区芝浦３丁目４－１　田町ビル", "東京都港区芝浦３丁目４－１", "田町ビル"),
    # ５番地, 番地 followed by a number or by の and a number
    ("北海道札幌市中央区北一条西二丁目５番地", "北海道札幌市中央区北一条西二丁目５番地", ""),
    ("東京都千代田区一番町２３番地３　千代田ビル", "東京都千代田区一番町２３番地３", "千代田ビル"),
    (
        "京都府京都市中京区河原町通四条上る米屋町３８０番地の１　河原町ビル",
        "京都府京都市中京区河原町通四条上る米屋町３８０番地の１",
        "河原町ビル",
    ),
    ("新潟県上越市大豆1の2", "新潟県上越市大豆1の2", ""),
    # numbers that belong to a place name: 一番町, 二番町, 麻布十番 and its 二丁目, 三の丸
    ("東京都千代田区二番町５番地　二番町ビル", "東京都千代田区二番町５番地", "二番町ビル"),
    ("宮城県仙台市青葉区一番町一丁目９番１号", "宮城県仙台市青葉区一番町一丁目９番１号", ""),
    ("東京都港区麻布十番二丁目３番４号　麻布ビル", "東京都港区麻布十番二丁目３番４号", "麻布ビル"),
    ("愛知県名古屋市中区三の丸三丁目１番２号", "愛知県名古屋市中区三の丸三丁目１番２号", ""),
    # 漢数字 block numbers
    ("東京都新宿区西新宿二丁目八番一号", "東京都新宿区西新宿二丁目八番一号", ""),
    # numbers in the building after the block number stay in the building
    (
        "東京都港区六本木六丁目10番1号 六本木ヒルズ森タワー40階",
        "東京都港区六本木六丁目10番1号",
        "六本木ヒルズ森タワー40階",
    ),
    ("東京都千代田区霞が関1-2-3第2ビル3-501", "東京都千代田区霞が関1-2-3", "第2ビル3-501"),
    # spaces in the building collapse to one; the address is trimmed
    ("東京都中央区銀座四丁目６番１６号　　銀座三越　　８階", "東京都中央区銀座四丁目６番１６号", "銀座三越 ８階"),
    ("  東京都千代田区霞が関一丁目２番３号  ", "東京都千代田区霞が関一丁目２番３号", ""),
    # no block number: cut at the first space, if there is one
    ("東京都新宿区西新宿　新宿ビル", "東京都新宿区西新宿", "新宿ビル"),
    ("東京都新宿区西新宿", "東京都新宿区西新宿", ""),
    ("", "", ""),
]


@pytest.mark.parametrize(("address", "street", "building"), AGREED)
def test_the_portal_cuts_after_the_block_number(address: str, street: str, building: str) -> None:
    assert split_street_building(address) == (street, building)


@pytest.mark.parametrize("address", [address for address, _, _ in AGREED])
def test_the_bot_cuts_these_addresses_as_the_portal_does(address: str) -> None:
    assert split_address(address) == split_street_building(address)


@pytest.mark.parametrize(
    ("address", "street", "building"),
    [
        # a room number is not a block number
        ("東京都新宿区西新宿 新宿ビル301号室", "東京都新宿区西新宿", "新宿ビル301号室"),
        # 番地 then の without a number: the の starts the building
        ("東京都千代田区一番町２３番地のビル", "東京都千代田区一番町２３番地", "のビル"),
        # 3号 on its own is a block number
        ("北海道旭川市１条通8丁目3号", "北海道旭川市１条通8丁目3号", ""),
    ],
    ids=["room", "banchi-no-building", "go-alone"],
)
def test_edges_of_the_block_number(address: str, street: str, building: str) -> None:
    assert split_street_building(address) == (street, building)
