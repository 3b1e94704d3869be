"""What an operator types, made into what AINAS accepts: カナ and 郵便番号.

[assumed] (spec, "Input rules"): hiragana and half-width katakana are converted to full-width
katakana, small kana are kept as typed, words are separated by one full-width space; anything else
(kanji, latin, digits, symbols) is refused before a browser starts.
"""

from __future__ import annotations

import re
import unicodedata

from ainas_bot.errors import InputError
from ainas_bot.foundation.typed_text import visible
from ainas_bot.i18n import _
from ainas_bot.portal_text import KANA_EXTRA

__all__ = ["KANA_PATTERN", "normalise_kana", "normalise_postal_code"]

KANA_PATTERN = re.compile(rf"^[ァ-ヶー{KANA_EXTRA}]+(?:\u3000[ァ-ヶー{KANA_EXTRA}]+)*$")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_SPACES = re.compile(r"[ \u3000\t]+")
_POSTAL_NOISE = re.compile(r"[〒 \u3000\-‐‑–—―−ー－]")  # not \s: a newline or a tab in a value is a mistake


def _hiragana_to_katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


def normalise_kana(value: str, *, field: str) -> str:
    """Full-width katakana with single full-width spaces; InputError names `field` otherwise."""
    text = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value)
    text = _hiragana_to_katakana(text)
    text = _SPACES.sub("\u3000", text.strip(" \u3000\t"))
    if not text:
        raise InputError(_("{field} is empty; type it in katakana as on the certificate").format(field=field))
    if not KANA_PATTERN.fullmatch(text):  # not match(): `$` also matches before a final newline
        bad = "".join(dict.fromkeys(ch for ch in text if not re.match(rf"[ァ-ヶー{KANA_EXTRA}\u3000]", ch)))
        raise InputError(
            _("{field} {value} has characters that are not kana ({characters}); type it in katakana").format(
                field=field, value=visible(value), characters=visible(bad, quote="")
            )
        )
    return text


def normalise_postal_code(value: str, *, field: str) -> str:
    """`NNN-NNNN` from `1234567`, `〒123-4567`, full-width digits; InputError names `field` otherwise."""
    digits = _POSTAL_NOISE.sub("", unicodedata.normalize("NFKC", value))
    if not re.fullmatch(r"\d{7}", digits, re.ASCII):
        raise InputError(
            _("{field} {value} is not a postal code of 7 digits (like 123-4567)").format(
                field=field, value=visible(value)
            )
        )
    return f"{digits[:3]}-{digits[3:]}"
