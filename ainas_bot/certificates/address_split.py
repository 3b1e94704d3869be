"""Splitting one address string into AINAS's 住所（都道府県～番地） and 住所（建物名等）.

[assumed] (spec, "Address split"): the street part runs up to the block number (…２番３号, …4-2-8,
…５番地); what follows it (building, floor, room) is the building part. Kept in this one place so the
rule is easy to change; the sandbox splits addresses with its own code, so that it can catch a mistake here.
"""

from __future__ import annotations

import re

__all__ = ["split_address"]

_NUM = r"[0-9０-９一二三四五六七八九十百千〇]+"
_DASH = r"[-－‐―ー−の]"
# A block number: `２番３号`, `５番地`, `２３番地３`, `3号`, `4-2-8`, `１丁目２－３`, optionally a trailing `号`.
# Not one: a number that is part of a town name (`一番町`, `麻布十番二丁目`); the group is atomic so that
# such a match is dropped whole instead of shortened.
_BLOCK = re.compile(
    rf"(?>{_NUM}(?:番地(?:{_NUM}号?)?|番|号)(?:{_NUM}(?:号|番地?))*(?:{_DASH}{_NUM}(?:号)?)*"
    rf"|{_NUM}(?:{_DASH}{_NUM})+(?:号)?)"
    rf"(?![町丁]|{_NUM}丁)"
)
_SPACE = re.compile(r"[ \u3000]+")


def split_address(address: str) -> tuple[str, str]:
    """Return (都道府県～番地, 建物名等); the second is empty when there is no building part."""
    text = address.strip()
    match = None
    for candidate in _BLOCK.finditer(text):
        match = candidate
        # The first block number ends the street part; a number after it belongs to the building.
        break
    if match is None:
        head, sep, tail = text.partition("\u3000") if "\u3000" in text else text.partition(" ")
        return (head.strip(), tail.strip()) if sep else (text, "")
    street = text[: match.end()]
    building = _SPACE.sub(" ", text[match.end() :]).strip()
    return street.strip(), building
