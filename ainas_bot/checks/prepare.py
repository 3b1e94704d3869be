"""Everything that can be checked before the first click: secrets, certificates, カナ, 郵便番号, dates."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import SecretStr

from ainas_bot.certificates.certinfo import CertificateInfo, check_validity, describe
from ainas_bot.certificates.p12 import open_p12, read_p12_bytes
from ainas_bot.checks.values import ValueFindings, check_days_left, check_kana, check_postal_code
from ainas_bot.config.inventory import login_conflicts
from ainas_bot.config.settings import Office, Settings
from ainas_bot.config.typed_values import normalise_kana, normalise_postal_code
from ainas_bot.errors import AinasBotError, CertificateError, InputError, Reason, WrongPinError
from ainas_bot.foundation.typed_text import id_warnings
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from ainas_bot.record.p12_cache import P12Cache

__all__ = [
    "PreparedOffice",
    "Problem",
    "check_offices",
    "office_message",
    "office_prefix",
    "prepare_office",
    "select_signing_p12",
]

T = TypeVar("T")


def office_message(office_id: str, message: str) -> str:
    """`office 1234567: …` (`事務所 1234567: …`): a problem that names its office first."""
    return _("office {office}: {message}").format(office=office_id, message=message)


def office_prefix(office_id: str) -> str:
    """What `office_message` puts before the message, in the current language: what is stripped or looked
    for at the start of a message, so that a line does not name its office twice."""
    return office_message(office_id, "")


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something that stops an office before any click; `reason` is the outcome class."""

    office_id: str
    message: str
    reason: Reason

    def __str__(self) -> str:
        return self.message


@dataclasses.dataclass(frozen=True)
class PreparedOffice:
    """An office whose every input has been checked and normalised; ready for the portal."""

    office: Office
    login_password: SecretStr
    client_cert_password: SecretStr
    pin: SecretStr
    signing_p12: Path
    signing_bytes: bytes
    certificate: CertificateInfo
    trade_name_kana: str
    holder_name_kana: str
    postal_code: str
    start_date: dt.date
    warnings: tuple[str, ...] = ()  # for the report: min_days_left, confirmed values
    passed_over: tuple[tuple[str, str], ...] = ()  # signing_cert a folder: (file name, why not it), for `check`


def _why_not(file: Path, exc: CertificateError, info: CertificateInfo | None, on: dt.date) -> str:
    """Why a .p12 of a folder was passed over, as `check` says it (one sentence each): another PIN, expired,
    not yet valid on `on`, unreadable; `info` is None when the file did not open."""
    name = file.name
    error = str(exc).removeprefix(f"{file}: ").split(";")[0].split("。")[0]  # the first sentence, in either language
    if info is None and isinstance(exc, WrongPinError):
        return _("passed over {name}: another PIN, the office's pin does not open it").format(name=name)
    if info is not None and info.expiry_date < on:
        return _("passed over {name}: it expired on {date}").format(name=name, date=f"{info.expiry_date:%Y/%m/%d}")
    if info is not None and info.start_date > on:
        return _("passed over {name}: it is not valid yet on {date} (valid from {start})").format(
            name=name, date=f"{on:%Y/%m/%d}", start=f"{info.start_date:%Y/%m/%d}"
        )
    return _("passed over {name}: unreadable or unusable ({error})").format(name=name, error=error)


def select_signing_p12(
    path: Path,
    pin: SecretStr,
    *,
    on: dt.date,
    mapping: Mapping[str, list[str]],
    now: dt.datetime | None = None,
    passed_over: list[tuple[str, str]] | None = None,
    cache: P12Cache | None = None,
) -> tuple[Path, bytes, CertificateInfo]:
    """The .p12 itself, or in a folder the valid .p12 (on day `on`) that the PIN opens and expires last;
    each other file of the folder, with why it was not taken, is added to `passed_over`."""
    if not path.is_dir():
        data = read_p12_bytes(path)
        info = _described(data, pin, file=str(path), mapping=mapping, now=now, cache=cache)
        check_validity(info, on=on)
        return path, data, info
    candidates: list[tuple[Path, bytes, CertificateInfo]] = []
    reasons: list[str] = []
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in {".p12", ".pfx"} and p.is_file())
    for file in files:
        opened: CertificateInfo | None = None
        try:
            data = read_p12_bytes(file)
            opened = _described(data, pin, file=str(file), mapping=mapping, now=now, cache=cache)
            check_validity(opened, on=on)
        except CertificateError as exc:
            reasons.append(
                _("{error} ({name})").format(
                    error=str(exc).removeprefix(f"{file}: ").split(";")[0].split("。")[0], name=file.name
                )
            )
            if passed_over is not None:
                passed_over.append((file.name, _why_not(file, exc, opened, on)))
            continue
        candidates.append((file, data, opened))
    if not candidates:
        detail = _("; ").join(reasons) if reasons else _("no .p12 files in it")
        raise CertificateError(
            _("{path}: no usable .p12 in this folder on {date} ({detail})").format(
                path=path, date=f"{on:%Y/%m/%d}", detail=detail
            )
        )
    chosen = max(candidates, key=lambda c: c[2].not_after)
    if passed_over is not None:
        passed_over += [
            (
                file.name,
                _("passed over {name}: older, it expires on {date}, before {chosen} ({chosen_date})").format(
                    name=file.name,
                    date=f"{info.expiry_date:%Y/%m/%d}",
                    chosen=chosen[0].name,
                    chosen_date=f"{chosen[2].expiry_date:%Y/%m/%d}",
                ),
            )
            for file, _data, info in candidates
            if file != chosen[0]
        ]
    return chosen


def _described(
    data: bytes,
    pin: SecretStr,
    *,
    file: str,
    mapping: Mapping[str, list[str]],
    now: dt.datetime | None,
    cache: P12Cache | None,
) -> CertificateInfo:
    """`describe` of the opened file, or what the cache learnt from these bytes with this PIN."""
    info = cache.signing(data, pin.get_secret_value(), file=file, mapping=mapping, now=now) if cache else None
    if info is None:
        info = describe(open_p12(data, pin.get_secret_value(), name=file), file=file, mapping=mapping, now=now)
        if cache is not None:
            cache.remember_signing(data, pin.get_secret_value(), info, mapping=mapping, now=now)
    return info


@contextlib.contextmanager
def _naming_the_secret(office: Office, name: str) -> Iterator[None]:
    """A wrong PIN or password also names the setting that gave it, never its value."""
    try:
        yield
    except WrongPinError as exc:
        ref = getattr(office, name)
        raise WrongPinError(
            _("{error}; check {setting} ({source})").format(error=exc, setting=name, source=ref.describe())
        ) from None


def _collect(problems: list[Problem], office_id: str, fn: Callable[[], T]) -> T | None:
    try:
        return fn()
    except AinasBotError as exc:
        message = str(exc) if str(exc).startswith(office_prefix(office_id)) else office_message(office_id, str(exc))
        problems.append(Problem(office_id, message, exc.reason))
        return None


def prepare_office(
    office: Office,
    settings: Settings,
    environ: Mapping[str, str],
    *,
    today: dt.date,
    problems: list[Problem],
    warnings: list[str],
    certificates: dict[str, CertificateInfo] | None = None,
    cache: P12Cache | None = None,
) -> PreparedOffice | None:
    """Check one office, adding every problem found (each naming the office and field) to `problems`."""
    p = office.id
    before = len(problems)
    sdir = settings.secrets_dir

    def secret(name: str) -> SecretStr | None:
        ref = getattr(office, name)
        return _collect(
            problems, p, lambda: ref.resolve(environ, sdir, what=office_message(office.id, name), warnings=warnings)
        )

    login_password, client_pw, pin = secret("login_password"), secret("client_cert_password"), secret("pin")
    warnings += id_warnings(office.id, office.login_id)
    for name, value in (("login_password", login_password), ("client_cert_password", client_pw), ("pin", pin)):
        if value is not None and not value.get_secret_value():
            # The portal asks for 証明書パスワード at the upload and the update, and no issuer hands out an empty one.
            problems.append(
                Problem(
                    p,
                    office_message(
                        p,
                        _("{setting} ({source}) is empty; put the password in it").format(
                            setting=name, source=getattr(office, name).describe()
                        ),
                    ),
                    Reason.INPUT,
                )
            )
    start = today if office.start_date == "today" else office.start_date
    if start < today:
        problems.append(
            Problem(
                p,
                office_message(
                    p,
                    _(
                        "start_date {start} is before today ({today}, Japan time); give a later date or leave it out "
                        "for today"
                    ).format(start=f"{start:%Y/%m/%d}", today=f"{today:%Y/%m/%d}"),
                ),
                Reason.INPUT,
            )
        )
    kana1 = _collect(
        problems, p, lambda: normalise_kana(office.trade_name_kana, field=f"trade_name_kana ({Label.TRADE_NAME_KANA})")
    )
    kana2 = _collect(
        problems,
        p,
        lambda: normalise_kana(office.holder_name_kana, field=f"holder_name_kana ({Label.HOLDER_NAME_KANA})"),
    )
    auto = office.postal_code.strip().casefold() == "auto"
    postal = (
        None
        if auto
        else _collect(
            problems, p, lambda: normalise_postal_code(office.postal_code, field=f"postal_code ({Label.POSTAL_CODE})")
        )
    )
    if client_pw is not None:

        def open_client() -> None:
            data = read_p12_bytes(office.client_cert)
            password = client_pw.get_secret_value()
            not_after = cache.client_expiry(data, password) if cache else None
            if not_after is None:
                with _naming_the_secret(office, "client_cert_password"):
                    contents = open_p12(data, password, name=f"client_cert {office.client_cert}")
                not_after = contents.certificate.not_valid_after_utc
                if cache is not None:
                    cache.remember_client(data, password, not_after)
            if not_after.date() < today:
                raise CertificateError(
                    _("client_cert {path}: the AINAS client certificate has expired").format(path=office.client_cert)
                )

        _collect(problems, p, open_client)
    chosen = None
    passed_over: list[tuple[str, str]] = []
    if pin is not None:

        def choose() -> tuple[Path, bytes, CertificateInfo]:
            def on(day: dt.date) -> tuple[Path, bytes, CertificateInfo]:
                passed_over.clear()
                with _naming_the_secret(office, "pin"):
                    return select_signing_p12(
                        office.signing_cert,
                        pin,
                        on=day,
                        mapping=settings.certificate_mapping,
                        passed_over=passed_over,
                        cache=cache,
                    )

            try:
                return on(start)
            except CertificateError as on_start:
                if start <= today:
                    raise
                try:  # usable today but not on the start date: the date is what is wrong, not the file
                    usable_today = on(today)
                except CertificateError:
                    raise on_start from None
            expiry = usable_today[2].expiry_date
            raise InputError(
                _(
                    "start_date {start} is after the certificate's expiry: by that day the certificate "
                    "expired on {expiry} ({path}); give a start_date on or before {expiry}, or leave it "
                    "out for today"
                ).format(start=f"{start:%Y/%m/%d}", expiry=f"{expiry:%Y/%m/%d}", path=usable_today[0])
            )

        chosen = _collect(problems, p, choose)
    found = ValueFindings()
    if chosen is not None:
        if certificates is not None:
            certificates[p] = chosen[2]
        check_days_left(office, chosen[2], today, settings.min_days_left, found)
        for field, kana in (("trade_name_kana", kana1), ("holder_name_kana", kana2)):
            if kana is not None:
                check_kana(office, chosen[2], field, kana, found)
        if postal is not None or auto:
            check_postal_code(office, chosen[2], postal, found)
        problems += [Problem(p, message, reason) for message, reason in found.problems]
        warnings += found.warnings
    if len(problems) > before:
        return None
    # `is not None`: an empty SecretStr is falsy, and a .p12 without a password has an empty PIN.
    assert login_password is not None and client_pw is not None and pin is not None
    assert chosen and kana1 and kana2 and found.postal_code
    return PreparedOffice(
        office=office,
        login_password=login_password,
        client_cert_password=client_pw,
        pin=pin,
        signing_p12=chosen[0],
        signing_bytes=chosen[1],
        certificate=chosen[2],
        trade_name_kana=kana1,
        holder_name_kana=kana2,
        postal_code=found.postal_code,
        start_date=start,
        warnings=tuple(found.warnings),
        passed_over=tuple(sorted(passed_over)),
    )


def check_offices(
    offices: list[Office],
    settings: Settings,
    environ: Mapping[str, str],
    *,
    today: dt.date,
    certificates: dict[str, CertificateInfo] | None = None,
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
        prepared = prepare_office(
            office,
            settings,
            environ,
            today=today,
            problems=problems,
            warnings=warnings,
            certificates=certificates,
            cache=cache,
        )
        if prepared is not None:
            ready.append(prepared)
    # Only the login password: each organisation of a firm may have its own client certificate and password,
    # and the session of a login opens with the first office's.
    conflicts = login_conflicts((r.office, {"login_password": r.login_password}) for r in ready)
    problems += [Problem(office_id, message, Reason.INPUT) for office_id, message in conflicts.items()]
    return [r for r in ready if r.office.id not in conflicts], problems, warnings
