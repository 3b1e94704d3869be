"""Operator-facing text in Japanese or English: every marked message has its Japanese translation, with
the same placeholders; the shipped catalog is compiled from the translations as they are; the CLI
follows `--lang` and the locale."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from ainas_bot.i18n import LOCALE_DIR, N_, _, choose_language, use_language

ROOT = Path(__file__).resolve().parent.parent
PO = LOCALE_DIR / "ja" / "LC_MESSAGES" / "ainas_bot.po"
MO = PO.with_suffix(".mo")
EXE = Path(sys.executable).with_name("ainas-bot")


def _marked() -> dict[str, str]:
    """msgid → where it is marked, read from the sources as Babel extracts them (babel.cfg)."""
    found: dict[str, str] = {}
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalog() -> dict[str, str]:
    with PO.open("rb") as fh:
        po = read_po(fh)
    out: dict[str, str] = {}
    for m in po:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        text = m.string if isinstance(m.string, str) else (m.string or [""])[0]
        out[msgid] = "" if m.fuzzy else text
    return out


def _placeholders(text: str) -> list[str]:
    brace = sorted(f"{{{name}}}" for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None)
    percent = sorted(re.findall(r"%(?:\(\w+\))?[sdr]", text))
    return brace + percent


def test_every_marked_message_has_a_japanese_translation_with_its_placeholders() -> None:
    marked, catalog = _marked(), _catalog()
    assert len(marked) > 20  # the extraction itself works: the CLI's own messages are marked
    untranslated = [f"{where}: {msgid!r}" for msgid, where in marked.items() if not catalog.get(msgid)]
    assert not untranslated, "no Japanese translation (README, Development: update the catalog):\n" + "\n".join(
        untranslated
    )
    wrong = [
        f"{where}: {msgid!r} -> {catalog[msgid]!r}"
        for msgid, where in marked.items()
        if _placeholders(msgid) != _placeholders(catalog[msgid])
    ]
    assert not wrong, "the translation's placeholders differ:\n" + "\n".join(wrong)


def test_the_catalog_holds_no_message_the_code_no_longer_marks() -> None:
    stale = sorted(set(_catalog()) - set(_marked()))
    assert not stale, f"obsolete entries in {PO.name} (pybabel update removes them): {stale}"


def test_the_shipped_mo_is_compiled_from_the_po_as_it_is() -> None:
    with MO.open("rb") as fh:
        shipped = {m.id: m.string for m in read_mo(fh) if m.id}
    compiled = {k: v for k, v in _catalog().items() if v}
    assert shipped == compiled, "run: pybabel compile -D ainas_bot -d ainas_bot/locale"


def test_translation_follows_the_language_chosen() -> None:
    use_language("ja")
    assert _("interrupted") == "中断しました"
    assert N_("interrupted") == "interrupted"  # marked only; translated where shown
    use_language("en")
    assert _("interrupted") == "interrupted"


@pytest.mark.parametrize(
    ("flag", "setting", "environ", "expected"),
    [
        (None, None, {}, "en"),
        (None, None, {"LANG": "ja_JP.UTF-8"}, "ja"),
        (None, None, {"LANG": "ja_JP.eucJP"}, "ja"),
        (None, None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, None, {"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        (None, None, {"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),
        (None, None, {"LANG": "C", "LANGUAGE": "ja"}, "en"),  # as the C library: LANGUAGE is ignored in the C locale
        (None, None, {"LANG": "en_US.UTF-8", "LANGUAGE": "ja:en"}, "ja"),
        (None, None, {"LANGUAGE": "ja"}, "en"),  # no locale at all: C
        (None, "ja", {"LANG": "C"}, "ja"),
        ("en", "ja", {"LANG": "ja_JP.UTF-8"}, "en"),
        ("ja", None, {}, "ja"),
    ],
)
def test_choose_language(flag: str | None, setting: str | None, environ: dict[str, str], expected: str) -> None:
    assert choose_language(flag, setting, environ) == expected


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), **env}
    if pythonpath := os.environ.get("PYTHONPATH"):
        environ["PYTHONPATH"] = pythonpath
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, env=environ, timeout=60, check=False)


def test_help_and_usage_errors_in_japanese_with_a_japanese_locale_and_in_english_otherwise() -> None:
    ja = _cli("--help", LANG="ja_JP.UTF-8")
    assert ja.returncode == 0
    assert ja.stdout.startswith("使い方: ainas-bot")
    assert "このヘルプを表示して終了します" in ja.stdout and "終了コード: 0 正常" in ja.stdout
    en = _cli("--help", LANG="C.UTF-8")
    assert en.stdout.startswith("usage: ainas-bot") and "exit codes: 0 ok" in en.stdout
    assert "使い方" not in en.stdout
    bad = _cli("nonsense", LANG="ja_JP.UTF-8")
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[-1] == "ainas-bot: エラー: 引数 COMMAND: 無効な選択肢です。--help を参照してください"


def test_lang_flag_overrides_the_locale_both_ways() -> None:
    assert _cli("--lang", "ja", "--help", LANG="C.UTF-8").stdout.startswith("使い方: ")
    assert _cli("--lang=en", "--help", LANG="ja_JP.UTF-8").stdout.startswith("usage: ")


def test_a_secret_typed_as_a_stray_value_is_not_repeated_in_japanese_either() -> None:
    done = _cli("check", "--bogus-flag", "hunter2-secret", LANG="ja_JP.UTF-8")
    assert done.returncode == 2
    assert "hunter2-secret" not in done.stderr
    assert "（秘密の値かもしれないため、ここには繰り返しません）" in done.stderr.splitlines()[-1]


def test_a_refused_pin_on_the_command_line_is_said_in_japanese() -> None:
    done = _cli("--lang", "ja", "inspect", "x.p12", "--pin", "1234")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "ainas-bot: PIN はコマンドラインからは受け取りません（ps やシェルの履歴に残るため）。"
        "--pin-env 変数名、--pin-file パス、AINAS_PIN または入力プロンプトを使ってください"
    )
