"""Everything that can be checked before the first click, for one office and for all at once: secrets, the
client and the signing certificate, カナ, 郵便番号, dates. Each check is a small function returning what it
found; `prepare_office` adds them up into a prepared office, or the problems that stop it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.certificates.p12 import open_p12, read_p12_bytes
from ainas_bot.checks.findings import Findings, Problem, office_message, office_prefix
from ainas_bot.checks.prepared import OfficeCheck, PreparedOffice
from ainas_bot.checks.signing import naming_the_secret, select_signing_p12
from ainas_bot.checks.typed import Typed, read_typed, resolve_secrets
from ainas_bot.checks.values import check_days_left, check_kana, check_postal_code
from ainas_bot.config.inventory import login_conflicts
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import CertificateError, InputError, Reason
from ainas_bot.foundation.typed_text import id_warnings
from ainas_bot.i18n import _
from ainas_bot.record.p12_cache import P12Cache

__all__ = [
    "OfficeCheck",
    "PreparedOffice",
    "Problem",
    "check_offices",
    "office_message",
    "office_prefix",
    "prepare_office",
    "select_signing_p12",
]


@dataclasses.dataclass(frozen=True)
class _Signing:
    path: Path
    data: bytes
    certificate: CertificateInfo
    passed_over: tuple[tuple[str, str], ...]


def _client_certificate(office: Office, password: SecretStr, today: dt.date, cache: P12Cache | None) -> None:
    """The AINAS client certificate opens with its password and has not expired."""
    data = read_p12_bytes(office.client_cert)
    secret = password.get_secret_value()
    not_after = cache.client_expiry(data, secret) if cache else None
    if not_after is None:
        with naming_the_secret(office, "client_cert_password"):
            contents = open_p12(data, secret, name=f"client_cert {office.client_cert}")
        not_after = contents.certificate.not_valid_after_utc
        if cache is not None:
            cache.remember_client(data, secret, not_after)
    if not_after.date() < today:
        raise CertificateError(
            _("client_cert {path}: the AINAS client certificate has expired").format(path=office.client_cert)
        )


def _signing_certificate(
    office: Office, pin: SecretStr, start: dt.date, today: dt.date, settings: Settings, cache: P12Cache | None
) -> _Signing:
    """The .p12 to register, valid on the start date; a date after its expiry is the date's fault, not the file's."""

    def on(day: dt.date) -> _Signing:
        passed_over: list[tuple[str, str]] = []
        with naming_the_secret(office, "pin"):
            path, data, info = select_signing_p12(
                office.signing_cert,
                pin,
                on=day,
                mapping=settings.certificate_mapping,
                passed_over=passed_over,
                cache=cache,
            )
        return _Signing(path, data, info, tuple(sorted(passed_over)))

    try:
        return on(start)
    except CertificateError as on_start:
        if start <= today:
            raise
        try:  # usable today but not on the start date: the date is what is wrong, not the file
            usable_today = on(today)
        except CertificateError:
            raise on_start from None
    expiry = usable_today.certificate.expiry_date
    raise InputError(
        _(
            "start_date {start} is after the certificate's expiry: by that day the certificate "
            "expired on {expiry} ({path}); give a start_date on or before {expiry}, or leave it "
            "out for today"
        ).format(start=f"{start:%Y/%m/%d}", expiry=f"{expiry:%Y/%m/%d}", path=usable_today.path)
    )


def _values(
    office: Office, cert: CertificateInfo, typed: Typed, today: dt.date, settings: Settings
) -> tuple[str | None, Findings]:
    """The values to type checked against the certificate; the 郵便番号 to type, when one fits."""
    found = check_days_left(office, cert, today, settings.min_days_left)
    for field, kana in (("trade_name_kana", typed.trade_name_kana), ("holder_name_kana", typed.holder_name_kana)):
        if kana is not None:
            found += check_kana(office, cert, field, kana)
    postal = None
    if typed.postal_code is not None or typed.auto_postal:
        postal, postal_found = check_postal_code(office, cert, typed.postal_code)
        found += postal_found
    return postal, found


def prepare_office(
    office: Office,
    settings: Settings,
    environ: Mapping[str, str],
    *,
    today: dt.date,
    cache: P12Cache | None = None,
) -> OfficeCheck:
    """Check one office: every problem found, each naming the office and field, or the office ready to go."""
    found = Findings()
    secrets = resolve_secrets(office, settings, environ, found)
    found.warnings += id_warnings(office.id, office.login_id)
    typed = read_typed(office, today, found)
    client_password, pin = secrets["client_cert_password"], secrets["pin"]
    if client_password is not None:
        found.attempt(office.id, lambda: _client_certificate(office, client_password, today, cache))
    signing = None
    if pin is not None:
        signing = found.attempt(
            office.id, lambda: _signing_certificate(office, pin, typed.start, today, settings, cache)
        )
    cert = signing.certificate if signing else None
    if signing is None:
        return OfficeCheck(None, found.problems_of(office.id, cert), found.warnings, cert)
    postal, value_findings = _values(office, signing.certificate, typed, today, settings)
    found += value_findings
    login_password = secrets["login_password"]
    # `is None`, not falsy: an empty SecretStr is falsy, and a .p12 without a password has an empty PIN.
    if found.problems or login_password is None or client_password is None or pin is None:
        return OfficeCheck(None, found.problems_of(office.id, cert), found.warnings, cert)
    assert typed.trade_name_kana and typed.holder_name_kana and postal
    ready = PreparedOffice(
        office=office,
        login_password=login_password,
        client_cert_password=client_password,
        pin=pin,
        signing_p12=signing.path,
        signing_bytes=signing.data,
        certificate=signing.certificate,
        trade_name_kana=typed.trade_name_kana,
        holder_name_kana=typed.holder_name_kana,
        postal_code=postal,
        start_date=typed.start,
        warnings=tuple(value_findings.warnings),
        passed_over=signing.passed_over,
    )
    return OfficeCheck(ready, [], found.warnings, cert)


def check_offices(
    offices: list[Office],
    settings: Settings,
    environ: Mapping[str, str],
    *,
    today: dt.date,
    cache: P12Cache | None = None,
) -> tuple[list[PreparedOffice], list[Problem], list[str]]:
    """Prepare every office; returns (ready offices, problems, warnings) — all problems at once."""
    ready: list[PreparedOffice] = []
    problems: list[Problem] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for office in offices:
        if office.id in seen:
            problems.append(
                Problem(
                    office.id,
                    office_message(office.id, _("listed twice in the inventory; keep one entry")),
                    Reason.INPUT,
                )
            )
            continue
        seen.add(office.id)
        checked = prepare_office(office, settings, environ, today=today, cache=cache)
        problems += checked.problems
        warnings += checked.warnings
        if checked.ready is not None:
            ready.append(checked.ready)
    # Only the login password: each organisation of a firm may have its own client certificate and password,
    # and the session of a login opens with the first office's.
    conflicts = login_conflicts((r.office, {"login_password": r.login_password}) for r in ready)
    certificates = {r.office.id: r.certificate for r in ready}
    problems += [
        Problem(office_id, message, Reason.INPUT, certificates.get(office_id))
        for office_id, message in conflicts.items()
    ]
    return [r for r in ready if r.office.id not in conflicts], problems, warnings
