"""What a failure is, is its type: a wrong PIN, a closed portal and a passing fault are told apart by class,
never by the words of a message, so that every message can be translated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from ainas_bot import errors
from ainas_bot.certificates.p12 import open_p12
from ainas_bot.checks.prepare import select_signing_p12
from ainas_bot.errors import (
    CertificateError,
    FieldErrorsError,
    PortalAuthError,
    PortalChangedError,
    PortalUnavailableError,
    ServiceHoursError,
    UploadRefusedError,
    WrongPinError,
)
from ainas_bot.i18n import use_language

PIN = "Typed-PIN-7741"


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (PortalUnavailableError("timed out"), True),
        (errors.BrowserLostError("Target closed"), True),
        (ServiceHoursError("closed"), False),
        (PortalAuthError("wrong password"), False),
        (PortalChangedError("no such button"), False),
        (UploadRefusedError("refused"), False),
        (FieldErrorsError("bad kana"), False),
    ],
)
def test_only_a_passing_portal_fault_is_retried(error: errors.FlowError, retried: bool) -> None:
    assert error.transient is retried  # what the session's retries go by (tests/test_session.py)


def test_a_closed_portal_is_unavailable_but_not_transient() -> None:
    closed = ServiceHoursError("x")
    assert (closed.reason, closed.transient, isinstance(closed, PortalUnavailableError)) == (
        "portal-unavailable",
        False,
        True,
    )
    assert (UploadRefusedError("x").reason, FieldErrorsError("x").reason) == ("certificate", "input")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_wrong_pin_is_its_own_type_in_either_language(make_p12: Callable[..., Path], language: str) -> None:
    path = make_p12(password=PIN)
    use_language(language)  # type: ignore[arg-type]
    with pytest.raises(WrongPinError) as raised:
        open_p12(path.read_bytes(), "not-" + PIN, name=str(path))
    assert str(raised.value).startswith(f"{path}: ")
    assert ("PIN が違います" if language == "ja" else "wrong PIN") in str(raised.value)
    assert isinstance(raised.value, CertificateError)


def test_a_folder_passes_over_a_file_of_another_pin_by_its_type_in_japanese(
    make_p12: Callable[..., Path], tmp_path: Path
) -> None:
    folder = tmp_path / "signing"
    folder.mkdir()
    make_p12("signing/mine.p12", password=PIN)
    make_p12("signing/theirs.p12", password="another-" + PIN)
    use_language("ja")  # the wrong-PIN message is Japanese now: the file is still known for another PIN's
    passed: list[tuple[str, str]] = []
    chosen, _data, _info = select_signing_p12(
        folder, SecretStr(PIN), on=dt.date.today(), mapping={}, passed_over=passed
    )
    assert chosen.name == "mine.p12"
    assert passed == [("theirs.p12", "theirs.p12 は使いません: 別の PIN のファイルで、事務所の pin では開けません")]
