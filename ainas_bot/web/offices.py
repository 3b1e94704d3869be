"""What the console shows of the offices: where each stands (from the record, without logging in), and a .p12
dropped onto an office, inspected with every check before the first click, field by field as the portal will show
it, then stored where the settings say.

A dropped file is checked from a private temporary folder and stored only once it passed; its PIN is never written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.certificates.p12_limits import MAX_P12_BYTES
from ainas_bot.checks.prepared import PreparedOffice
from ainas_bot.checks.values import Suggestion, suggest
from ainas_bot.config.secrets import SecretRef
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import InputError, OutputError
from ainas_bot.fleet.build import from_record
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import format_portal_date, today_jst
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label
from ainas_bot.results.runs import prepare

__all__ = ["Drop", "FieldRow", "check_drop", "fleet", "store_drop"]


def fleet(settings: Settings, offices: Sequence[Office], environ: Mapping[str, str]) -> list[Standing]:
    """Every office as `status --from-record` sees it: the record and the local files, no request to the portal."""
    return from_record(settings, offices, environ, today=today_jst()).rows


@dataclasses.dataclass(frozen=True)
class FieldRow:
    """One field as the portal will show it: the value that will be read or typed, what is suggested, and
    whether a check found something wrong with it."""

    label: str
    value: str
    suggested: str = ""
    wrong: bool = False


@dataclasses.dataclass(frozen=True)
class Drop:
    """A dropped .p12 after its checks: ready (and then stored), or the problems, each in full."""

    office_id: str
    file_name: str
    certificate: CertificateInfo | None
    ready: PreparedOffice | None
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    fields: tuple[FieldRow, ...]
    stored: Path | None = None


_SAFE_NAME = re.compile(r"[^0-9A-Za-z._\-\u3040-\u30ff\u3400-\u9fff]")


def _file_name(name: str) -> str:
    """A name the folder can hold: the base name, NFC, only letters, digits, kana, kanji and `._-`, `.p12` kept."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    stem = _SAFE_NAME.sub("_", Path(base).stem).strip("._") or "certificate"
    return f"{stem[:80]}.p12"


def check_drop(
    settings: Settings,
    office: Office,
    data: bytes,
    file_name: str,
    pin: SecretStr,
    environ: Mapping[str, str],
    *,
    organisation: str | None,
) -> Drop:
    """Every check before the first click on the dropped file, with the PIN typed (held for this call only)."""
    from flows.identity import check_identity, identity_refusal

    name = _file_name(file_name)
    if len(data) > MAX_P12_BYTES:
        raise InputError(_("{name}: larger than {limit} bytes; not a .p12").format(name=name, limit=MAX_P12_BYTES))
    with tempfile.TemporaryDirectory(prefix="ainas-drop-") as folder:  # owner-only (mkdtemp), removed after
        path = Path(folder) / name
        write_private(path, data, exclusive=True, what=_("certificate"))
        variable = f"AINAS_WEB_PIN_{office.id}"
        trial = office.model_copy(update={"signing_cert": path, "pin": SecretRef(env=variable)})
        prepared = prepare(settings, [trial], {**environ, variable: pin.get_secret_value()}, cache=None)
    certificate = prepared.certificates.get(office.id)
    problems = [p.message for p in prepared.refused]
    ready = prepared.ready[0] if prepared.ready else None
    if certificate is not None and organisation:
        verdict = check_identity(certificate, organisation, [])
        refusal = identity_refusal(
            office.id, certificate, organisation, verdict, confirmed=office.identity_change_confirmed
        )
        if refusal is not None:
            problems.append(refusal)
            ready = None
    return Drop(
        office.id,
        name,
        certificate,
        ready,
        tuple(problems),
        tuple(prepared.warnings),
        _fields(office, certificate, ready, problems),
    )


def _fields(
    office: Office, cert: CertificateInfo | None, ready: PreparedOffice | None, problems: Sequence[str]
) -> tuple[FieldRow, ...]:
    if cert is None:
        return ()
    hint: Suggestion = suggest(cert)
    labels = (
        Label.TRADE_NAME_KANJI, Label.HOLDER_NAME_KANJI, Label.ADDRESS_STREET, Label.EXPIRY,
        Label.TRADE_NAME_KANA, Label.HOLDER_NAME_KANA, Label.POSTAL_CODE,
    )  # fmt: skip
    # A problem names the field it is about first (`trade_name_kana（屋号（カナ））'…' は 屋号（漢字） '…' の読み…`).
    flagged = {min(named, key=p.index) for p in problems if (named := [label for label in labels if label in p])}

    def wrong(label: str) -> bool:
        return label in flagged

    start = ready.start_date if ready else (office.start_date if isinstance(office.start_date, dt.date) else None)
    return (
        FieldRow(Label.TRADE_NAME_KANJI, cert.trade_name_kanji, wrong=wrong(Label.TRADE_NAME_KANJI)),
        FieldRow(Label.HOLDER_NAME_KANJI, cert.holder_name_kanji, wrong=wrong(Label.HOLDER_NAME_KANJI)),
        FieldRow(Label.ADDRESS_STREET, cert.address_street, wrong=wrong(Label.ADDRESS_STREET)),
        FieldRow(Label.ADDRESS_BUILDING, cert.address_building),
        FieldRow(Label.EXPIRY, format_portal_date(cert.expiry_date), wrong=wrong(Label.EXPIRY)),
        FieldRow(
            Label.TRADE_NAME_KANA,
            ready.trade_name_kana if ready else office.trade_name_kana,
            hint.trade_name_kana,
            wrong(Label.TRADE_NAME_KANA),
        ),
        FieldRow(
            Label.HOLDER_NAME_KANA,
            ready.holder_name_kana if ready else office.holder_name_kana,
            hint.holder_name_kana,
            wrong(Label.HOLDER_NAME_KANA),
        ),
        FieldRow(
            Label.POSTAL_CODE,
            ready.postal_code if ready else office.postal_code,
            " / ".join(hint.postal_codes),
            wrong(Label.POSTAL_CODE),
        ),
        FieldRow(Label.START_DATE, format_portal_date(start) if start else _("today")),
    )


def store_drop(office: Office, data: bytes, file_name: str) -> Path:
    """The checked file, into the office's signing folder (owner-only, never over an existing file): the newest
    valid .p12 there that its PIN opens is the one a run takes."""
    folder = office.signing_cert
    if not folder.is_dir():
        raise OutputError(
            _(
                "office {office}: signing_cert {path} is a file, not a folder; make it a folder to drop new "
                "certificates into (a run takes the newest valid .p12 there)"
            ).format(office=office.id, path=folder)
        )
    name = _file_name(file_name)
    target = folder / name
    stem = Path(name).stem
    for n in range(2, 100):
        if not target.exists():
            break
        target = folder / f"{stem}-{n}.p12"
    write_private(target, data, exclusive=True, sync=True, what=_("certificate"))
    return target
