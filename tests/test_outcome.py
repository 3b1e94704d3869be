"""The constructors of `Outcome`: what each fills in from the office, the error and the visit. No browser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import SecretStr

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import describe
from ainas_bot.certificates.p12 import open_p12
from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Office
from ainas_bot.errors import CertificateError, FlowError, PortalUnavailableError
from ainas_bot.record.store import Verified
from ainas_bot.results.outcome import Outcome, run_exit_code

PIN = "0ut-PIN-4417"


@pytest.fixture(scope="module")
def office() -> PreparedOffice:
    data = certfactory.make_p12(trade_name="鈴木行政書士事務所", password=PIN)
    info = describe(open_p12(data, PIN, name="a.p12"), file="a.p12")
    ref = {"env": "UNUSED"}
    entry = Office(
        id="1001",
        login_id="agent-7",
        login_password=ref,
        client_cert=Path("c.p12"),
        client_cert_password=ref,
        signing_cert=Path("a.p12"),
        pin=ref,
        trade_name_kana="スズキ",
        holder_name_kana="スズキ",
        postal_code="100-0013",
    )
    secret = SecretStr("x")
    return PreparedOffice(
        office=entry,
        login_password=secret,
        client_cert_password=secret,
        pin=secret,
        signing_p12=Path("a.p12"),
        signing_bytes=data,
        certificate=info,
        trade_name_kana="スズキ",
        holder_name_kana="スズキ",
        postal_code="1000013",
        start_date=dt.date(2026, 4, 1),
    )


def test_a_failed_office_carries_its_certificate_and_the_errors_reason_and_screen(office: PreparedOffice) -> None:
    outcome = Outcome.failed(
        office,
        FlowError("no 更新 button", screen="cert_detail"),
        seconds=2.5,
        artifacts=("a/screen.png",),
        attempts=3,
        registered_expiry="2026-05-01",
    )
    assert (outcome.office_id, outcome.login_id, outcome.status) == ("1001", "agent-7", "failed")
    assert (outcome.reason, outcome.screen, outcome.message) == ("portal-changed", "cert_detail", "no 更新 button")
    assert outcome.office_name == "鈴木行政書士事務所"  # the certificate's 屋号 when the portal showed no name
    assert outcome.certificate_serial == office.certificate.serial
    assert outcome.certificate_expiry == office.certificate.expiry_date.isoformat()
    assert (outcome.seconds, outcome.artifacts, outcome.attempts) == (2.5, ["a/screen.png"], 3)
    assert outcome.registered_expiry == "2026-05-01"
    # An error of another kind has no screen; the portal's name of the office wins over the 屋号.
    other = Outcome.failed(office, PortalUnavailableError("down"), office_name="鈴木事務所")
    assert (other.reason, other.screen, other.office_name) == ("portal-unavailable", None, "鈴木事務所")
    assert run_exit_code([outcome, other]) == 1


def test_a_succeeded_office_takes_its_verified_day_from_the_verification(office: PreparedOffice) -> None:
    proof = Verified(
        office_id="1001",
        fingerprint="ab" * 32,
        organisation="鈴木行政書士事務所",
        registered_at="2026/03/02 18:00",
        verified_at=dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC),
    )
    outcome = Outcome.succeeded(office, "updated", message="registered", attempts=2, verification=proof)
    assert (outcome.status, outcome.ok, outcome.attempts, outcome.reason) == ("updated", True, 2, None)
    assert outcome.verified_on == "2026-03-03"  # the Japan day of 16:00 UTC
    assert outcome.verification is proof and "verification" not in outcome.as_json()
    skipped = Outcome.succeeded(office, "already-current", message="recorded", attempts=0, verified_on="2026-02-01")
    assert (skipped.verified_on, skipped.verification, skipped.attempts) == ("2026-02-01", None, 0)
    assert run_exit_code([outcome, skipped]) == 0
    with pytest.raises(ValueError, match=r"Outcome\.failed"):
        Outcome.succeeded(office, "failed", message="")


def test_an_office_not_started_has_only_its_ids_reason_and_message() -> None:
    outcome = Outcome.not_started("1002", "agent-8", reason=CertificateError.reason, message="a.p12: expired")
    assert (outcome.status, outcome.reason, outcome.message, outcome.office_name) == (
        "failed",
        "certificate",
        "a.p12: expired",
        "",
    )
    assert (outcome.certificate_serial, outcome.attempts, outcome.seconds) == (None, 1, 0.0)
    assert run_exit_code([outcome]) == 3
