"""カナ ↔ 漢字: is the カナ an operator set a plausible reading of the certificate's kanji?

SudachiPy with sudachidict-core (see the README for why): the text is cut into the longest words the
dictionary knows (split mode C), and each word may be read as any of the dictionary's entries for it
(`Dictionary.lookup`: 健 is ケン, タケシ or タケル; 中島 is ナカシマ or ナカジマ), so a name is refused
only when no combination of the dictionary's readings gives the typed kana. A word the dictionary does
not know (a rare surname) matches anything: the check says so and does not refuse.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

__all__ = ["ReadingCheck", "check_reading", "fold_kana", "suggest_reading"]

_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_IGNORED = re.compile(r"[ー\u3000 ・]")  # long-vowel marks, spaces, 中黒: ignored when comparing readings
_KANA = re.compile(r"[ぁ-ゖァ-ヺー]+")
_SKIPPED_POS = ("空白", "補助記号")


def _katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


def fold_kana(text: str) -> str:
    """The form two readings are compared in: シヨ is ショ, ー, spaces and ・ are dropped, hiragana is katakana."""
    return _IGNORED.sub("", _katakana(text).translate(_SMALL))


@dataclasses.dataclass(frozen=True)
class ReadingCheck:
    """The verdict on one kana/kanji pair: `ok`, the dictionary's reading, the words it could not read."""

    ok: bool
    suggested: str
    unknown: tuple[str, ...] = ()


@functools.cache
def _analyser() -> tuple[Any, Any]:
    # Loaded once per process, on first use: `inspect` and the sandbox never pay for the dictionary.
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary(dict="core")
    return dictionary, dictionary.tokenizer(mode=SplitMode.C)


@functools.lru_cache(maxsize=4096)
def _readings(surface: str) -> tuple[str, ...]:
    dictionary, _ = _analyser()
    return tuple(dict.fromkeys(m.reading_form() for m in dictionary.lookup(surface)))


@functools.lru_cache(maxsize=1024)
def _words(kanji: str) -> tuple[tuple[str, str, tuple[str, ...] | None], ...]:
    """(surface, the analyser's reading, every reading the dictionary has or None when unknown) per word."""
    _, tokenizer = _analyser()
    words: list[tuple[str, str, tuple[str, ...] | None]] = []
    for m in tokenizer.tokenize(kanji):
        surface = m.surface()
        if _KANA.fullmatch(surface):  # kana in a name read as written (さくら, センター)
            katakana = _katakana(surface)
            words.append((surface, katakana, (katakana,)))
        elif m.is_oov() and not surface.isspace():  # a character it does not know is tagged 補助記号 too
            words.append((surface, "", None))
        elif m.part_of_speech()[0] in _SKIPPED_POS:
            words.append((surface, "\u3000" if surface.isspace() else "", ()))
        elif not _KANA.fullmatch(m.reading_form()):  # a reading that is not kana is none
            words.append((surface, "", None))
        else:
            words.append((surface, m.reading_form(), (m.reading_form(), *_readings(surface))))
    return tuple(words)


def suggest_reading(kanji: str) -> str:
    """The dictionary's reading of `kanji` in katakana, a full-width space where the kanji has a space."""
    return "".join(reading or surface for surface, reading, _ in _words(kanji)).strip("\u3000")


def check_reading(kanji: str, kana: str) -> ReadingCheck:
    """Whether `kana` is one of the readings the dictionary allows for `kanji` (unknown words match anything)."""
    words = _words(kanji)
    parts: list[str] = []
    for _, _, readings in words:
        if readings is None:
            parts.append(".+")
        elif readings:
            parts.append(
                "(?:" + "|".join(re.escape(fold_kana(r)) for r in sorted(set(readings), key=len, reverse=True)) + ")"
            )
    ok = re.fullmatch("".join(parts), fold_kana(kana)) is not None
    unknown = tuple(surface for surface, _, readings in words if readings is None)
    return ReadingCheck(ok=ok, suggested=suggest_reading(kanji), unknown=unknown)
