"""カナ and 郵便番号 as AINAS accepts them: examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ainas_bot.config.typed_values import normalise_kana, normalise_postal_code
from ainas_bot.errors import EXIT_USAGE, InputError

FIELD = "trade_name_kana (屋号（カナ）)"
KATAKANA = [chr(c) for c in range(ord("ァ"), ord("ヶ") + 1)] + ["ー"]
# Written out, not derived, so that the tests do not repeat the implementation: each hiragana and its
# katakana, and each full-width katakana with its half-width spelling (one character, or with ﾞ or ﾟ).
HIRAGANA = (
    "ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづ"
    "てでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ"
)
KATAKANA_OF_HIRAGANA = (
    "ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅ"
    "テデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ"
)
TO_HIRAGANA = dict(zip(KATAKANA_OF_HIRAGANA, HIRAGANA, strict=True))
HALF_WIDTH = dict(
    zip(
        "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテト"
        "ナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン",
        "ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ",
        strict=True,
    )
)
HALF_WIDTH |= dict(
    zip(
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴパピプペポ",
        [
            "ｶﾞ",
            "ｷﾞ",
            "ｸﾞ",
            "ｹﾞ",
            "ｺﾞ",
            "ｻﾞ",
            "ｼﾞ",
            "ｽﾞ",
            "ｾﾞ",
            "ｿﾞ",
            "ﾀﾞ",
            "ﾁﾞ",
            "ﾂﾞ",
            "ﾃﾞ",
            "ﾄﾞ",
            "ﾊﾞ",
            "ﾋﾞ",
            "ﾌﾞ",
            "ﾍﾞ",
            "ﾎﾞ",
            "ｳﾞ",
            "ﾊﾟ",
            "ﾋﾟ",
            "ﾌﾟ",
            "ﾍﾟ",
            "ﾎﾟ",
        ],
        strict=True,
    )
)

quick = settings(max_examples=150, database=None, deadline=None)
kana_words = st.lists(st.text(st.sampled_from(KATAKANA), min_size=1, max_size=12), min_size=1, max_size=4)


# ------------------------------------------------------------------------------------------------ カナ
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # the manual's example: small kana kept as typed
        ("ギョウセイシヨシカツヨウジムシヨ", "ギョウセイシヨシカツヨウジムシヨ"),
        ("ぎょうせいしよし", "ギョウセイシヨシ"),
        ("ｷﾞｮｳｾｲｼﾖｼ", "ギョウセイシヨシ"),
        ("ﾊﾟｰｸ ﾋﾞﾙ", "パーク\u3000ビル"),
        ("やまだ たろう", "ヤマダ\u3000タロウ"),
        ("ヤマダ　　タロウ", "ヤマダ\u3000タロウ"),
        ("  ヤマダ\tタロウ\u3000 ", "ヤマダ\u3000タロウ"),
        ("ヴァイオリン", "ヴァイオリン"),
        ("ゔぁいおりん", "ヴァイオリン"),
        ("ヵヶ", "ヵヶ"),
        ("カブシキガイシャ　ヤマダ", "カブシキガイシャ\u3000ヤマダ"),
    ],
)
def test_kana_examples(typed: str, expected: str) -> None:
    assert normalise_kana(typed, field=FIELD) == expected


@pytest.mark.parametrize(
    ("typed", "bad"),
    [
        ("山田タロウ", "山田"),
        ("ヤマダ taro", "taro"),
        ("ヤマダ1ゴウ", "1"),
        ("ヤマダ１ゴウ", "１"),
        ("ＹＡＭＡＤＡ", "ＹＡＭＤ"),  # each refused character named once
        ("ヤマダ\u200bタロウ", "<U+200B>"),  # an invisible character is shown by its code point
        ("ヤマダ\n", "<U+000A>"),  # a trailing newline (a CSV cell, a file) is refused, not stripped
        ("ヤマダ(カ)", "()"),
    ],
)
def test_kana_refuses_kanji_latin_digits_and_symbols(typed: str, bad: str) -> None:
    with pytest.raises(InputError) as exc:
        normalise_kana(typed, field=FIELD)
    message = str(exc.value)
    assert message.startswith(FIELD)
    assert f"({bad})" in message
    assert exc.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize("typed", ["", "   ", "\u3000\u3000", "\t"])
def test_kana_refuses_empty(typed: str) -> None:
    with pytest.raises(InputError, match=r"^holder_name_kana is empty"):
        normalise_kana(typed, field="holder_name_kana")


@quick
@given(kana_words)
def test_katakana_words_joined_by_full_width_spaces_normalise_to_themselves(words: list[str]) -> None:
    text = "\u3000".join(words)
    assert normalise_kana(text, field=FIELD) == text


@quick
@given(kana_words, st.lists(st.sampled_from([" ", "\u3000", "\t", "  ", " \u3000"]), min_size=3, max_size=3))
def test_any_spacing_becomes_one_full_width_space(words: list[str], spaces: list[str]) -> None:
    text = spaces[0] + "".join(w + spaces[i % 3] for i, w in enumerate(words))
    assert normalise_kana(text, field=FIELD) == "\u3000".join(words)


@quick
@given(kana_words)
def test_hiragana_input_equals_its_katakana(words: list[str]) -> None:
    katakana = "\u3000".join(words)
    hiragana = "".join(TO_HIRAGANA.get(ch, ch) for ch in katakana)
    assert normalise_kana(hiragana, field=FIELD) == katakana


def test_every_hiragana_becomes_its_katakana() -> None:
    assert normalise_kana(HIRAGANA, field=FIELD) == KATAKANA_OF_HIRAGANA


@quick
@given(st.lists(st.text(st.sampled_from(sorted(HALF_WIDTH)), min_size=1, max_size=12), min_size=1, max_size=4))
def test_half_width_input_equals_full_width(words: list[str]) -> None:
    full = "\u3000".join(words)
    half = " ".join("".join(HALF_WIDTH[ch] for ch in w) for w in words)
    assert all("\uff61" <= ch <= "\uff9f" or ch == " " for ch in half)
    assert normalise_kana(half, field=FIELD) == full


def test_the_half_width_table_covers_voiced_and_small_kana() -> None:
    for full in ("ガ", "パ", "ヴ", "ッ", "ャ", "ー", "ヲ", "ン"):
        assert full in HALF_WIDTH


@quick
@given(
    kana_words,
    st.integers(min_value=0, max_value=40),
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # kanji
        st.characters(min_codepoint=ord("A"), max_codepoint=ord("z")).filter(str.isalpha),  # latin
        st.sampled_from("0123456789０１２３４５６７８９ＡＢＣａｂｃ"),
    ),
)
def test_kanji_latin_or_digits_are_refused_naming_the_field(words: list[str], where: int, intruder: str) -> None:
    text = "\u3000".join(words)
    where = where % (len(text) + 1)
    with pytest.raises(InputError) as exc:
        normalise_kana(text[:where] + intruder + text[where:], field=FIELD)
    assert str(exc.value).startswith(FIELD + " ")
    assert intruder in str(exc.value)


# ------------------------------------------------------------------------------------------------ 郵便番号
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("100-0013", "100-0013"),
        ("1000013", "100-0013"),
        ("〒100-0013", "100-0013"),
        ("〒 100-0013", "100-0013"),
        ("１００－００１３", "100-0013"),
        ("〒１００ー００１３", "100-0013"),
        ("  530-0001 ", "530-0001"),
        ("530‐0001", "530-0001"),
    ],
)
def test_postal_code_examples(typed: str, expected: str) -> None:
    assert normalise_postal_code(typed, field="postal_code") == expected


@pytest.mark.parametrize("typed", ["", "100-001", "100-00133", "1OO-0013", "100-0013a", "一〇〇-〇〇一三", "abc-defg"])
def test_postal_code_refuses_anything_else(typed: str) -> None:
    with pytest.raises(InputError) as exc:
        normalise_postal_code(typed, field="postal_code (郵便番号)")
    assert str(exc.value).startswith("postal_code (郵便番号) ")
    assert "7 digits" in str(exc.value)


@quick
@given(
    st.lists(st.integers(min_value=0, max_value=9), min_size=7, max_size=7),
    st.lists(st.booleans(), min_size=7, max_size=7),
    st.sampled_from(["", "〒", "〒 ", "〒\u3000"]),
    st.sampled_from(["", "-", "－", "ー", "‐", "−"]),
)
def test_any_seven_digits_give_nnn_nnnn(digits: list[int], wide: list[bool], prefix: str, dash: str) -> None:
    chars = [chr(ord("０") + d) if w else str(d) for d, w in zip(digits, wide, strict=True)]
    typed = prefix + "".join(chars[:3]) + dash + "".join(chars[3:])
    plain = "".join(map(str, digits))
    assert normalise_postal_code(typed, field="postal_code") == f"{plain[:3]}-{plain[3:]}"


@quick
@given(st.text(st.sampled_from("0123456789０１２３４５６７８９"), max_size=12).filter(lambda t: len(t) != 7))
def test_other_digit_counts_are_refused(typed: str) -> None:
    with pytest.raises(InputError):
        normalise_postal_code(typed, field="postal_code")


def test_nakaguro_is_kept_in_kana_as_portal_text_assumes() -> None:
    """portal_text.KANA_EXTRA [assumed]: `・` (and the half-width `･`) is accepted in カナ and kept."""
    assert normalise_kana("ジョン・スミス", field=FIELD) == "ジョン・スミス"
    assert normalise_kana("ｼﾞｮﾝ･ｽﾐｽ", field=FIELD) == "ジョン・スミス"


def test_a_postal_code_with_a_newline_or_tab_is_refused_and_shown() -> None:
    for typed in ("100-0013\n", "100\t0013"):
        with pytest.raises(InputError, match=r"U\+000[A9]"):
            normalise_postal_code(typed, field="postal_code")
