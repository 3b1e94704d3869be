"""Which .p12 an office signs with: the file named, or in a folder the valid one its PIN opens that expires last;
opened within bounds, or answered for by the record's cache of what each file held."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.certificates.certinfo import CertificateInfo, check_validity, describe
from ainas_bot.certificates.p12 import open_p12, read_p12_bytes
from ainas_bot.config.settings import Office
from ainas_bot.errors import CertificateError, WrongPinError
from ainas_bot.i18n import _
from ainas_bot.record.p12_cache import P12Cache

__all__ = ["naming_the_secret", "select_signing_p12"]


def _why_not(file: Path, exc: CertificateError, info: CertificateInfo | None, on: dt.date) -> str:
    """Why a .p12 of a folder was passed over, as `check` says it (one sentence each): another PIN, expired,
    not yet valid on `on`, unreadable; `info` is None when the file did not open."""
    name = file.name
    if info is None and isinstance(exc, WrongPinError):
        return _("passed over {name}: another PIN, the office's pin does not open it").format(name=name)
    if info is not None and info.expiry_date < on:
        return _("passed over {name}: it expired on {date}").format(name=name, date=f"{info.expiry_date:%Y/%m/%d}")
    if info is not None and info.start_date > on:
        return _("passed over {name}: it is not valid yet on {date} (valid from {start})").format(
            name=name, date=f"{on:%Y/%m/%d}", start=f"{info.start_date:%Y/%m/%d}"
        )
    return _("passed over {name}: unreadable or unusable ({error})").format(name=name, error=exc.fault)


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
            reasons.append(_("{error} ({name})").format(error=exc.fault, name=file.name))
            if passed_over is not None:
                passed_over.append((file.name, _why_not(file, exc, opened, on)))
            continue
        candidates.append((file, data, opened))
    if not candidates:
        detail = _("; ").join(reasons) if reasons else _("no .p12 files in it")
        raise CertificateError.about(
            path,
            _("no usable .p12 in this folder on {date} ({detail})").format(date=f"{on:%Y/%m/%d}", detail=detail),
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
def naming_the_secret(office: Office, name: str) -> Iterator[None]:
    """A wrong PIN or password also names the setting that gave it, never its value."""
    try:
        yield
    except WrongPinError as exc:
        ref = getattr(office, name)
        check = _("check {setting} ({source})").format(setting=name, source=ref.describe())
        advice = check if exc.advice is None else _("; ").join((exc.advice, check))
        raise WrongPinError.about(exc.file, exc.fault, advice) from None
