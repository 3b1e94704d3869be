"""How the portal cuts one address into 住所（都道府県～番地） and 住所（建物名等）.

The rule (docs/ainas-portal.md, "The address split", assumed): the first part runs up to and including
the block number (２番３号, 4-2-8, ５番地, ２３番地３, 380番地の1), the second is what follows it. The
bot has its own implementation; this one reads the address as a sequence of numbers joined by
connectors instead of matching one pattern, so that a slip in either shows up as a disagreement.

A number is part of a place name, not a block number, when the name goes on right after it: 一番町,
二番町, 麻布十番二丁目 (番 followed by a 丁目), 三の丸. A number followed by 号室 is a room, not a block.
"""

from __future__ import annotations

__all__ = ["split_street_building"]

_NUMERALS = frozenset("0123456789０１２３４５６７８９〇一二三四五六七八九十百千")
_DASHES = frozenset("-－‐‑―−ーの")
# Longest first: 番地の must win over 番地, and 番地 over 番.
_WORDS = ("番地の", "番地", "番", "号")
_SPACES = " \u3000\t"


def _numeral_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] in _NUMERALS:
        end += 1
    return end


def _connector(text: str, at: int) -> str:
    """The connector that starts at `at` (a block word or one dash), or ""."""
    for word in _WORDS:
        if text.startswith(word, at):
            return word
    return text[at] if at < len(text) and text[at] in _DASHES else ""


def _block_end(text: str, start: int) -> int | None:
    """Where the block number that starts with the numeral at `start` ends, or None when it is not one."""
    at, words = _numeral_end(text, start), 0
    while True:
        joint = _connector(text, at)
        if not joint or (joint == "号" and text.startswith("号室", at)):
            break
        after = at + len(joint)
        following = _numeral_end(text, after)
        if joint == "番地の" and following == after:
            joint, after = "番地", at + 2  # ５番地のビル: the の belongs to what follows
            following = after
        if joint in ("番", "番地", "号"):
            at, words = after, words + 1  # these end a block on their own (５番地, 3号)
            if joint == "号":
                break
            if following > after:
                at = following
            continue
        if following == after:
            break  # a dash or の with no number after it (三の丸): not part of the block
        at, words = following, words + 1
    if words == 0:
        return None
    # The place name goes on: 一番町, 二番町, or 十番 followed by its 二丁目.
    rest = text[at:]
    if rest[:1] in ("町", "丁") or (rest[:1] in _NUMERALS and rest[_numeral_end(rest, 0) :][:1] == "丁"):
        return None
    return at


def _collapse(text: str) -> str:
    """Runs of spaces (half- or full-width) as one half-width space, none at the ends."""
    return " ".join(text.split())


def split_street_building(address: str) -> tuple[str, str]:
    """(住所（都道府県～番地）, 住所（建物名等）) of one address; the second is "" when nothing follows.

    Without a block number the address is cut at its first space (full-width first), if any.
    """
    text = address.strip(_SPACES)
    for start, char in enumerate(text):
        if char in _NUMERALS and (start == 0 or text[start - 1] not in _NUMERALS):
            end = _block_end(text, start)
            if end is not None:
                return text[:end].rstrip(_SPACES), _collapse(text[end:])
    for space in ("\u3000", " "):
        head, found, tail = text.partition(space)
        if found:
            return head.rstrip(_SPACES), _collapse(tail)
    return text, ""
