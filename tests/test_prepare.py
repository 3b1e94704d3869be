"""Pre-flight checks: every problem of every office at once, and the choice of the signing .p12."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from ainas_bot.certificates import factory as certfactory
from ainas_bot.checks.prepare import check_offices, select_signing_p12
from ainas_bot.checks.typed import start_date_on
from ainas_bot.config.loading import load_settings
from ainas_bot.config.settings import Settings
from ainas_bot.errors import CertificateError, InputError
from ainas_bot.foundation.jst import today_jst
from tests.fixtures_settings import without_ainas_variables

PIN = "S3cr3t-PIN-8472"
OTHER_PIN = "0th3r-PIN-5531"
LOGIN_PASSWORD = "L0gin-Pass-9917"
CLIENT_PW = "Cl1ent-Pass-3306"
SECRETS = (PIN, OTHER_PIN, LOGIN_PASSWORD, CLIENT_PW)
NOW = dt.datetime.now(dt.UTC)
TODAY = today_jst()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ainas_variables(monkeypatch)


@pytest.fixture
def site(tmp_path: Path, key: rsa.RSAPrivateKey) -> Callable[..., Path]:
    """Write a .p12 under the site folder: `p12("office/signing/a.p12", password=..., **factory_kwargs)`."""

    def p12(relative: str, **kwargs: object) -> Path:
        kwargs.setdefault("key", key)
        kwargs.setdefault("password", PIN)
        return certfactory.write_p12(tmp_path / relative, **kwargs)

    return p12


# Office IDs are digits (代理人組織ID); the tests speak of each office by a name.
_IDS = {
    "good": "101",
    "kana": "102",
    "wrongpin": "103",
    "noenv": "104",
    "nousable": "105",
    "missing": "106",
    "office": "100",
    "late": "107",
    "past": "108",
}
_NAMES = {v: k for k, v in _IDS.items()}


def _office(name: str, **fields: str) -> str:
    values = {
        "login_id": '"admin"',
        "login_password": '{ env = "LOGIN_PASSWORD" }',
        "client_cert": '"client.p12"',
        "client_cert_password": '{ secret = "client" }',
        "signing_cert": f'"{name}/signing"',
        "pin": '{ env = "PIN" }',
        "trade_name_kana": '"やまだ ぎょうせいしょし じむしょ"',
        "holder_name_kana": '"ﾔﾏﾀﾞ ﾀﾛｳ"',
        "postal_code": '"〒１００００１３"',
        **fields,
    }
    return f'[[offices]]\nid = "{_IDS[name]}"\n' + "".join(f"{k} = {v}\n" for k, v in values.items())


def _settings(tmp_path: Path, *offices: str) -> Settings:
    secrets = tmp_path / "secrets"
    secrets.mkdir(exist_ok=True)
    (secrets / "client").write_text(CLIENT_PW + "\n", encoding="utf-8")
    (secrets / "client").chmod(0o600)
    config = tmp_path / "ainas.toml"
    config.write_text('secrets_dir = "secrets"\n\n' + "\n".join(offices), encoding="utf-8")
    return load_settings(config)


ENVIRON = {"LOGIN_PASSWORD": LOGIN_PASSWORD, "PIN": PIN}


def _no_secrets(texts: list[str]) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_a_folder_gives_the_newest_valid_p12_the_pin_opens(tmp_path: Path, site: Callable[..., Path]) -> None:
    folder = tmp_path / "signing"
    site("signing/2024-old.p12", not_before=NOW - dt.timedelta(days=400), valid_days=500)
    newest = site("signing/2025-new.p12", not_before=NOW - dt.timedelta(days=10), valid_days=700, encryption="legacy")
    # These expire later still, but cannot be used today:
    site("signing/other-pin.p12", password=OTHER_PIN, valid_days=1000)
    site("signing/next-year.P12", not_before=NOW + dt.timedelta(days=5), valid_days=1100)
    site("signing/expired.p12", not_before=NOW - dt.timedelta(days=900), not_after=NOW - dt.timedelta(days=5))
    site("signing/no-names.pfx", profile="generic", valid_days=1200)
    (folder / "notes.txt").write_text("PIN is in the safe", encoding="utf-8")
    (folder / "sub.p12").mkdir()

    path, data, info = select_signing_p12(folder, SecretStr(PIN), on=TODAY, mapping={})
    assert path == newest
    assert data == newest.read_bytes()
    assert info.file == str(newest)
    assert info.encryption["legacy"] is True


def test_a_pfx_file_in_a_folder_counts(tmp_path: Path, site: Callable[..., Path]) -> None:
    site("signing/a.p12", valid_days=300)
    pfx = site("signing/b.PFX", valid_days=600)
    assert select_signing_p12(tmp_path / "signing", SecretStr(PIN), on=TODAY, mapping={})[0] == pfx


def test_a_folder_without_a_usable_p12_lists_why(tmp_path: Path, site: Callable[..., Path]) -> None:
    site("signing/expired.p12", not_before=NOW - dt.timedelta(days=900), not_after=NOW - dt.timedelta(days=5))
    site("signing/other-pin.p12", password=OTHER_PIN)
    with pytest.raises(CertificateError) as exc:
        select_signing_p12(tmp_path / "signing", SecretStr(PIN), on=TODAY, mapping={})
    message = str(exc.value)
    assert message.startswith(f"{tmp_path / 'signing'}: no usable .p12 in this folder on {TODAY:%Y/%m/%d} (")
    assert "the certificate expired on" in message and "(expired.p12)" in message
    assert "wrong PIN" in message and "(other-pin.p12)" in message
    assert PIN not in message
    assert "\n" not in message


def test_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "signing").mkdir()
    with pytest.raises(CertificateError, match=r"no usable \.p12 in this folder .*\(no \.p12 files in it\)"):
        select_signing_p12(tmp_path / "signing", SecretStr(PIN), on=TODAY, mapping={})


def test_a_single_file_is_checked_on_the_start_date(tmp_path: Path, site: Callable[..., Path]) -> None:
    path = site("signing.p12", not_before=NOW - dt.timedelta(days=10), valid_days=40)
    assert select_signing_p12(path, SecretStr(PIN), on=TODAY, mapping={})[0] == path
    with pytest.raises(CertificateError, match="the certificate expired on"):
        select_signing_p12(path, SecretStr(PIN), on=TODAY + dt.timedelta(days=60), mapping={})
    with pytest.raises(CertificateError, match="wrong PIN"):
        select_signing_p12(path, SecretStr(OTHER_PIN), on=TODAY, mapping={})


def test_check_offices_lists_every_problem_of_every_office_at_once(tmp_path: Path, site: Callable[..., Path]) -> None:
    site("client.p12", password=CLIENT_PW, profile="generic")
    # good: a folder with an older and a newer certificate
    site("good/signing/old.p12", valid_days=200)
    newest = site("good/signing/new.p12", valid_days=600)
    # kana: the certificate is fine, the typed values are not
    site("kana/signing/cert.p12")
    # wrongpin: its certificate was issued with another PIN
    site("wrongpin/signing/cert.p12", password=OTHER_PIN)
    # noenv: the login password variable is not set; everything else is fine
    site("noenv/signing/cert.p12")
    # nousable: a folder with an expired certificate and one for another PIN only
    site("nousable/signing/expired.p12", not_before=NOW - dt.timedelta(days=900), not_after=NOW - dt.timedelta(days=5))
    site("nousable/signing/other.p12", password=OTHER_PIN)
    # missing: the signing folder is not there at all
    settings = _settings(
        tmp_path,
        _office("good"),
        _office("kana", trade_name_kana='"山田ジムショ"', holder_name_kana='"ヤマダ taro"', postal_code='"12-3456"'),
        _office("wrongpin"),
        _office("noenv", login_password='{ env = "NOENV_LOGIN_PASSWORD" }'),
        _office("nousable"),
        _office("missing"),
        _office("good"),
    )
    ready, problems, warnings = check_offices(settings.offices, settings, ENVIRON, today=TODAY)

    assert [_NAMES[p.office.id] for p in ready] == ["good"]
    (good,) = ready
    assert good.signing_p12 == newest
    assert good.trade_name_kana == "ヤマダ\u3000ギョウセイショシ\u3000ジムショ"
    assert good.holder_name_kana == "ヤマダ\u3000タロウ"
    assert good.postal_code == "100-0013"
    assert good.start_date == TODAY
    assert good.pin.get_secret_value() == PIN
    assert good.login_password.get_secret_value() == LOGIN_PASSWORD
    assert good.client_cert_password.get_secret_value() == CLIENT_PW
    assert good.certificate.trade_name_kanji == "山田行政書士事務所"

    messages = [str(p) for p in problems]
    by_office: dict[str, list[str]] = {}
    for problem in problems:
        assert str(problem).startswith(f"office {problem.office_id}: ")
        assert "\n" not in str(problem)
        by_office.setdefault(_NAMES[problem.office_id], []).append(str(problem))
    assert sorted(by_office) == ["good", "kana", "missing", "noenv", "nousable", "wrongpin"]

    kana = by_office["kana"]
    assert len(kana) == 3
    assert any("trade_name_kana (屋号（カナ）)" in m and "(山田)" in m for m in kana)
    assert any("holder_name_kana (氏名又は代表者名（カナ）)" in m and "(taro)" in m for m in kana)
    assert any("postal_code (郵便番号) '12-3456' is not a postal code" in m for m in kana)

    (wrongpin,) = by_office["wrongpin"]
    assert "wrong PIN" in wrongpin and "(cert.p12)" in wrongpin

    (noenv,) = by_office["noenv"]
    assert noenv == f"office {_IDS['noenv']}: login_password: environment variable NOENV_LOGIN_PASSWORD is not set"

    (nousable,) = by_office["nousable"]
    assert "no usable .p12 in this folder" in nousable
    assert "expired on" in nousable and "wrong PIN" in nousable

    (missing,) = by_office["missing"]
    assert "no such file" in missing and str(tmp_path / "missing" / "signing") in missing

    (duplicate,) = by_office["good"]
    assert duplicate == f"office {_IDS['good']}: listed twice in the inventory; keep one entry"

    reasons = {_NAMES[p.office_id]: p.reason for p in problems}
    assert reasons["wrongpin"] == "certificate"
    assert reasons["kana"] == "input"

    assert warnings == []
    _no_secrets(messages + warnings)


def test_check_offices_checks_the_client_certificate_and_dates(tmp_path: Path, site: Callable[..., Path]) -> None:
    site("client.p12", password="not-the-client-password")
    site("late/signing/cert.p12", valid_days=30)
    site("past/signing/cert.p12")
    settings = _settings(
        tmp_path,
        _office("late", start_date=(TODAY + dt.timedelta(days=60)).isoformat()),
        _office("past", start_date=(TODAY - dt.timedelta(days=1)).isoformat()),
    )
    ready, problems, _ = check_offices(settings.offices, settings, ENVIRON, today=TODAY)
    assert ready == []
    messages = [str(p) for p in problems]
    assert any(m.startswith(f"office {_IDS['late']}: client_cert ") and "wrong PIN" in m for m in messages)
    assert any(m.startswith(f"office {_IDS['late']}: ") and "the certificate expired on" in m for m in messages)
    assert any(m.startswith(f"office {_IDS['past']}: start_date ") and "is before today" in m for m in messages)
    _no_secrets(messages)


def test_a_pin_file_readable_by_others_is_a_warning_not_a_problem(tmp_path: Path, site: Callable[..., Path]) -> None:
    site("client.p12", password=CLIENT_PW)
    site("office/signing/cert.p12")
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(PIN, encoding="utf-8")
    pin_file.chmod(0o644)
    settings = _settings(tmp_path, _office("office", pin='{ file = "pin.txt" }'))
    ready, problems, warnings = check_offices(settings.offices, settings, ENVIRON, today=TODAY)
    assert problems == []
    assert [p.office.id for p in ready] == [_IDS["office"]]
    (warning,) = warnings
    assert "readable by others" in warning and str(pin_file) in warning
    _no_secrets(warnings)


def test_an_empty_pin_is_refused_even_when_the_p12_opens_with_it(tmp_path: Path, site: Callable[..., Path]) -> None:
    """Issue 13: the portal asks for 証明書パスワード at the upload and the update, so an empty PIN (a .p12
    without a password opens with one, issue 2) is refused in `check`, naming where it came from."""
    site("client.p12", password=CLIENT_PW)
    site("office/signing/cert.p12", password="")
    empty = tmp_path / "empty-pin"
    empty.write_text("", encoding="utf-8")
    empty.chmod(0o600)
    settings = _settings(tmp_path, _office("office", pin='{ file = "empty-pin" }'))
    ready, problems, _ = check_offices(settings.offices, settings, ENVIRON, today=TODAY)
    assert ready == []
    (problem,) = problems
    assert problem.reason == "input" and str(problem).startswith(f"office {_IDS['office']}: pin (file ")
    assert "is empty" in str(problem)


_DAY = dt.date(2026, 12, 8)


@pytest.mark.parametrize(
    ("choice", "today", "expected"),
    [
        ("today", _DAY, _DAY),  # checked on the 7th, typed on the 8th: the 8th
        (_DAY, _DAY, _DAY),
        (_DAY + dt.timedelta(days=30), _DAY, _DAY + dt.timedelta(days=30)),
        (_DAY + dt.timedelta(days=60), _DAY, "is after the certificate's expiry (2027/01/31)"),
        (_DAY - dt.timedelta(days=1), _DAY, "start_date 2026/12/07 has passed: it is 2026/12/08 now"),
        ("today", dt.date(2027, 2, 1), "start_date 2027/02/01 is after the certificate's expiry"),
    ],
)
def test_the_start_date_is_the_day_of_typing_and_one_the_portal_takes(
    choice: str | dt.date, today: dt.date, expected: dt.date | str
) -> None:
    expiry = dt.date(2027, 1, 31)
    if isinstance(expected, dt.date):
        assert start_date_on(choice, today, expiry) == expected  # type: ignore[arg-type]
    else:
        with pytest.raises(InputError, match=re.escape(expected)):
            start_date_on(choice, today, expiry)  # type: ignore[arg-type]
