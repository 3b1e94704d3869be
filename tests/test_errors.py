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


@pytest.mark.parametrize(
    ("language", "text", "passed_over"),
    [
        (
            "en",
            "{file}: the file is truncated; copy the .p12 again from the issuer's media",
            "passed over cut.p12: unreadable or unusable (the file is truncated)",
        ),
        (
            "ja",
            "{file}: ファイルが途中で切れています。発行元の媒体から .p12 をもう一度コピーしてください",
            "cut.p12 は使いません: 読み取れないか使えません（ファイルが途中で切れています）",
        ),
    ],
)
def test_a_certificate_error_keeps_its_parts_and_a_folder_says_the_fault_alone(
    make_p12: Callable[..., Path], tmp_path: Path, language: str, text: str, passed_over: str
) -> None:
    """The file, what is wrong and what to do stay apart on the error; its text joins them in the language shown,
    and a folder's passed-over file is told by its fault alone, without its path or the advice."""
    folder = tmp_path / "signing"
    folder.mkdir()
    whole = make_p12("signing/mine.p12", password=PIN).read_bytes()
    cut = folder / "cut.p12"
    cut.write_bytes(whole[: len(whole) // 2])
    use_language(language)  # type: ignore[arg-type]
    with pytest.raises(CertificateError) as raised:
        open_p12(cut.read_bytes(), PIN, name=str(cut))
    assert raised.value.file == str(cut)
    assert raised.value.fault in text and raised.value.advice is not None and raised.value.advice in text
    assert str(raised.value) == text.format(file=cut)
    passed: list[tuple[str, str]] = []
    select_signing_p12(folder, SecretStr(PIN), on=dt.date.today(), mapping={}, passed_over=passed)
    assert passed == [("cut.p12", passed_over)]


def _all_error_classes() -> list[type[errors.AinasBotError]]:
    found: list[type[errors.AinasBotError]] = []
    todo: list[type[errors.AinasBotError]] = [errors.AinasBotError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda cls: cls.__name__)
def test_an_error_and_an_office_failing_with_it_exit_alike(cls: type[errors.AinasBotError]) -> None:
    """One table gives a reason its exit code: a command stopped by the error and a run whose one failed office
    failed with it end with the same code, and every class names a `Reason`."""
    from ainas_bot.results.outcome import Outcome, run_exit_code

    error = cls.__new__(cls)  # the class's reason and code, without its constructor's arguments
    assert isinstance(error.reason, errors.Reason)
    office = Outcome.not_started("1", "agent", reason=error.reason, message="x")
    assert error.exit_code == run_exit_code([office])


def test_the_exit_codes_of_the_reasons_are_those_the_readme_documents() -> None:
    codes = {reason: errors.EXIT_OF_REASON.get(reason, errors.EXIT_FAILED) for reason in errors.Reason}
    assert codes[errors.Reason.CERTIFICATE] == 3 and codes[errors.Reason.INPUT] == 2
    assert codes[errors.Reason.LOCKED] == 4 and codes[errors.Reason.INTERRUPTED] == 130
    assert {code for reason, code in codes.items() if reason not in errors.EXIT_OF_REASON} == {1}
