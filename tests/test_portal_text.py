"""The portal's texts: plain constants, a run's overrides applied once at its edge and taken back after, and the
sandbox's own texts, which no run of the bot in the same process changes."""

from __future__ import annotations

import pytest

from ainas_bot import portal_text as pt
from ainas_bot.sandbox import _texts as sandbox_texts

RENAMED = {"Label.CERT_REGISTER": "+ 電子証明書の追加", "Label.MENU_ORGS": "組織の管理"}


def test_the_texts_are_plain_strings_on_plain_classes() -> None:
    assert type(pt.Label) is type and type(pt.Label.CERT_REGISTER) is str
    assert pt.text_of("Label.CERT_REGISTER") == pt.Label.CERT_REGISTER == pt.DEFAULTS["Label.CERT_REGISTER"]


def test_a_runs_overrides_hold_for_its_block_in_the_classes_and_the_lists_then_are_taken_back() -> None:
    menu = pt.MENU
    with pt.applied(RENAMED):
        assert pt.Label.CERT_REGISTER == "+ 電子証明書の追加" == pt.text_of("Label.CERT_REGISTER")
        assert "組織の管理" in pt.MENU and "代理人組織管理" not in pt.MENU
        assert pt.known_names()["Label.CERT_REGISTER"] == pt.DEFAULTS["Label.CERT_REGISTER"]  # as released
    assert pt.DEFAULTS["Label.CERT_REGISTER"] == pt.Label.CERT_REGISTER and menu == pt.MENU


def test_overrides_are_taken_back_when_the_run_fails() -> None:
    with pytest.raises(RuntimeError), pt.applied(RENAMED):
        raise RuntimeError("the run stopped")
    assert pt.Label.MENU_ORGS == "代理人組織管理"


def test_the_sandbox_shows_its_own_texts_whatever_a_run_of_the_bot_applies() -> None:
    with pt.applied(RENAMED):
        assert pt.DEFAULTS["Label.CERT_REGISTER"] == sandbox_texts.Label.CERT_REGISTER
        assert "代理人組織管理" in sandbox_texts.lists()["MENU"]
    with sandbox_texts.serving({"Label.SEARCH": "検索する"}):
        assert sandbox_texts.Label.SEARCH == "検索する" and pt.DEFAULTS["Label.SEARCH"] == pt.Label.SEARCH
    assert pt.DEFAULTS["Label.SEARCH"] == sandbox_texts.Label.SEARCH
