"""What opening a .p12 with its PIN taught, kept by the SHA-256 of the file's bytes: an unchanged file need
not be opened again (key derivation, key parsing) to know what it holds.

Never a PIN or a key: an entry holds the certificate facts and a verifier, PBKDF2-SHA256 of the PIN salted
with the file's digest, at no fewer rounds than the file itself asks (and at least `MIN_ROUNDS`). Someone
who takes the record file therefore tries PINs no faster than on the .p12; a PIN changed in the settings
no longer matches the verifier and the file is opened for real, so a wrong PIN is still said. Only files
that opened are kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc7292

from ainas_bot.certificates.certinfo import CertificateInfo, expiry_warning, standing_warnings
from ainas_bot.certificates.p12_limits import iteration_counts
from ainas_bot.errors import OutputError
from ainas_bot.i18n import _
from ainas_bot.record.store import CachedFacts, VerifiedStore

__all__ = ["MIN_ROUNDS", "P12Cache", "verifier_rounds"]

# Measured on the project's 2-core machine (README, "The record file"): 10 000 rounds take 2.6 ms, opening
# and describing a 10 000-round signing .p12 45 ms; 100 000 rounds would take 33 ms and save little.
MIN_ROUNDS = 10_000
_DATES = ("not_before", "not_after")


def verifier_rounds(data: bytes) -> int:
    """Rounds for the verifier of this file: its own largest iteration count, at least `MIN_ROUNDS`."""
    try:
        pfx, _ = decoder.decode(data, asn1Spec=rfc7292.PFX())
        counts = iteration_counts(pfx)
    except (PyAsn1Error, KeyError, TypeError, ValueError):
        counts = []
    return max([MIN_ROUNDS, *counts])


def _verifier(pin: str, digest: bytes, rounds: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), digest, rounds)


def _signing_kind(mapping: Mapping[str, Sequence[str]]) -> str:
    """The description depends on the settings' mapping too: another mapping, another entry."""
    return "signing:" + hashlib.sha256(json.dumps(mapping, sort_keys=True).encode()).hexdigest()[:16]


class P12Cache:
    """Lookups and entries of one run; `served` holds the digests answered without opening the file."""

    def __init__(self, store: VerifiedStore) -> None:
        self.store = store
        self.served: set[str] = set()
        self.errors: list[str] = []

    def _lookup(self, data: bytes, pin: str, kind: str) -> dict[str, Any] | None:
        digest = hashlib.sha256(data)
        try:
            entry = self.store.facts(digest.hexdigest(), kind)
        except OutputError as exc:
            self._error(exc)
            return None
        if entry is None or not hmac.compare_digest(entry.verifier, _verifier(pin, digest.digest(), entry.iterations)):
            return None
        try:
            facts = json.loads(entry.facts)
        except ValueError:
            return None
        return facts if isinstance(facts, dict) else None

    def _remember(self, data: bytes, pin: str, kind: str, facts: dict[str, Any]) -> None:
        digest = hashlib.sha256(data)
        rounds = verifier_rounds(data)
        entry = CachedFacts(_verifier(pin, digest.digest(), rounds), rounds, json.dumps(facts, ensure_ascii=False))
        try:
            self.store.put_facts(digest.hexdigest(), kind, entry)
        except OutputError as exc:
            self._error(exc)

    def _error(self, exc: OutputError) -> None:
        if not self.errors:
            self.errors.append(_("{error}; .p12 files are opened with their PIN instead").format(error=exc))

    def signing(
        self, data: bytes, pin: str, *, file: str, mapping: Mapping[str, Sequence[str]], now: dt.datetime | None = None
    ) -> CertificateInfo | None:
        """The description of a signing .p12 opened before with this PIN and mapping, as of `now`; else None."""
        facts = self._lookup(data, pin, _signing_kind(mapping))
        if facts is None:
            return None
        try:
            values = {
                **facts,
                "file": file,
                "key_usage": tuple(facts["key_usage"]),
                **{k: dt.datetime.fromisoformat(facts[k]) for k in _DATES},
            }
            soon = expiry_warning(values["not_after"], now)
            values["warnings"] = (
                *([soon] if soon else []),
                *standing_warnings(
                    legacy=bool(facts["encryption"]["legacy"]),
                    key_usage=values["key_usage"],
                    key_matches=bool(facts["key_matches_certificate"]),
                    key_type=str(facts["key_type"]),
                    bits=int(facts["key_bits"]),
                ),
            )
            info = CertificateInfo(**values)
        except (KeyError, TypeError, ValueError):
            return None  # an entry of another version: open the file
        self.served.add(hashlib.sha256(data).hexdigest())
        return info

    def remember_signing(
        self,
        data: bytes,
        pin: str,
        info: CertificateInfo,
        *,
        mapping: Mapping[str, Sequence[str]],
        now: dt.datetime | None = None,
    ) -> None:
        facts = dataclasses.asdict(info)
        del facts["file"]  # the same bytes may sit in another folder
        facts.update({k: getattr(info, k).isoformat() for k in _DATES})
        # Recomputed when read, in that run's language (and the expiry's on that day): no text is kept.
        facts["warnings"] = []
        self._remember(data, pin, _signing_kind(mapping), facts)

    def client_expiry(self, data: bytes, pin: str) -> dt.datetime | None:
        """notAfter of a client certificate opened before with this password; else None."""
        facts = self._lookup(data, pin, "client")
        try:
            return dt.datetime.fromisoformat(facts["not_after"]) if facts else None
        except (KeyError, TypeError, ValueError):
            return None

    def remember_client(self, data: bytes, pin: str, not_after: dt.datetime) -> None:
        self._remember(data, pin, "client", {"not_after": not_after.isoformat()})
