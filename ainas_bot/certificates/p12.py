"""Opening a PKCS#12 file: tell a wrong PIN from a broken file, and name the algorithms it uses."""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.utils import CryptographyDeprecationWarning
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error, SubstrateUnderrunError
from pyasn1_modules import rfc7292

from ainas_bot.certificates.p12_encryption import P12Encryption, describe_encryption
from ainas_bot.certificates.p12_limits import (
    MAX_ITERATIONS,
    MAX_P12_BYTES,
    MAX_TOTAL_ITERATIONS,
    iteration_counts,
    mac_verifies,
)
from ainas_bot.errors import CertificateError, WrongPinError
from ainas_bot.foundation.safe_files import read_regular
from ainas_bot.i18n import _

__all__ = ["P12Contents", "P12Encryption", "open_p12", "read_p12_bytes"]


@dataclasses.dataclass(frozen=True)
class P12Contents:
    """What a PKCS#12 file holds once opened with its PIN."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    additional_certificates: tuple[x509.Certificate, ...]
    encryption: P12Encryption

    @property
    def key_matches_certificate(self) -> bool:
        return _public_der(self.key.public_key()) == _public_der(self.certificate.public_key())


def _public_der(key: object) -> bytes:
    from cryptography.hazmat.primitives import serialization

    assert isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey))
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@contextlib.contextmanager
def _deprecated_keys_unsaid() -> Iterator[None]:
    # cryptography warns when it loads a DSA key or certificate; such a file is refused by name just after,
    # so the warning (with a source line) would only reach an office's terminal or cron mail beside that line.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _key_kind(key: object) -> str:
    # The class name without "PrivateKey" (DSA, Ed25519, X25519): no deprecated module is named to tell them.
    return type(key).__name__.removesuffix("PrivateKey") or type(key).__name__


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def read_p12_bytes(path: Path) -> bytes:
    """Read a file that should be a .p12 (a regular file, at most `MAX_P12_BYTES`), every problem one line."""
    if not path.exists():
        raise CertificateError.about(path, _("no such file"), _("give the path of the .p12"))
    if path.is_dir():
        raise CertificateError.about(path, _("is a directory, not a .p12 file"))
    data = read_regular(path, limit=MAX_P12_BYTES, what="", error=CertificateError)
    if not data:
        raise _empty(path)
    return data


def _empty(name: object) -> CertificateError:
    return CertificateError.about(name, _("the file is empty"), _("copy the .p12 again from the issuer's media"))


def _check_bounds(pfx: object, size: int, name: str) -> None:
    """Refuse what would make the key derivation run for minutes, before the PIN is tried."""
    if size > MAX_P12_BYTES:
        raise CertificateError.about(
            name, _("the .p12 is larger than {limit} bytes; refused").format(limit=MAX_P12_BYTES)
        )
    counts = iteration_counts(pfx)
    if any(c > MAX_ITERATIONS for c in counts) or sum(counts) > MAX_TOTAL_ITERATIONS:
        raise CertificateError.about(
            name,
            _(
                "the .p12 asks for {rounds} key-derivation rounds ({total} in all; at most {max_each} each and "
                "{max_total} in all are accepted); refused before the PIN is tried"
            ).format(rounds=max(counts), total=sum(counts), max_each=MAX_ITERATIONS, max_total=MAX_TOTAL_ITERATIONS),
            _("export the certificate again"),
        )


def _read_eagerly(cert: x509.Certificate | None) -> None:
    if cert is not None:
        _ = (cert.subject, cert.issuer, cert.extensions, cert.not_valid_after_utc, cert.public_key())


def _mac_verifies(pfx: object, pin: str) -> bool:
    try:
        return bool(mac_verifies(pfx, pin))
    except (PyAsn1Error, KeyError, TypeError, ValueError):
        return False


def open_p12(data: bytes, pin: str, *, name: str) -> P12Contents:
    """Open a PKCS#12 blob with its PIN; `name` (the file) starts every error message."""
    if not data:
        raise _empty(name)
    try:
        pfx, rest = decoder.decode(data, asn1Spec=rfc7292.PFX())
    except SubstrateUnderrunError:
        raise CertificateError.about(
            name, _("the file is truncated"), _("copy the .p12 again from the issuer's media")
        ) from None
    except PyAsn1Error:
        raise CertificateError.about(
            name,
            _("not a PKCS#12 (.p12) file"),
            _("export the certificate with its private key as .p12"),
        ) from None
    if rest:
        raise CertificateError.about(name, _("not a PKCS#12 (.p12) file (trailing data after the structure)"))
    try:
        encryption = describe_encryption(pfx)
        _check_bounds(pfx, len(data), name)
    except (PyAsn1Error, KeyError, TypeError, ValueError):
        raise CertificateError.about(name, _("not a PKCS#12 (.p12) file; its contents cannot be read")) from None
    try:
        with _deprecated_keys_unsaid():
            key, cert, extra = pkcs12.load_key_and_certificates(data, pin.encode("utf-8"))
    except ValueError:
        # The structure decoded above, so the MAC, the decryption or the certificates inside failed: the
        # MAC, checked here, tells a wrong PIN from contents that cannot be read with the right one.
        if _mac_verifies(pfx, pin):
            raise CertificateError.about(
                name,
                _("the PIN is right, but the certificate or key inside this .p12 cannot be read (malformed)"),
                _("ask the issuer for a new file"),
            ) from None
        raise WrongPinError.about(name, _("wrong PIN (the certificate password does not open this .p12)")) from None
    except Exception:
        raise CertificateError.about(name, _("the .p12 uses an algorithm that cannot be read here")) from None
    try:
        with _deprecated_keys_unsaid():
            for c in (cert, *extra):
                _read_eagerly(c)
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        # cryptography parses a certificate's parts when first read: a duplicated extension or a broken
        # name surfaces here, with the PIN already proven right by the decryption.
        raise CertificateError.about(
            name,
            _("the PIN is right, but a certificate inside this .p12 cannot be read ({detail})").format(
                detail=str(exc)[:80]
            ),
            _("ask the issuer for a new file"),
        ) from None
    if key is None:
        raise CertificateError.about(
            name,
            _("holds no private key"),
            _("export the certificate with its private key (.p12)"),
        )
    if cert is None:
        # The key's own certificate is missing; an end-entity certificate beside it does not match the key.
        cert = next((c for c in extra if not _is_ca(c)), None)
        if cert is None:
            raise CertificateError.about(
                name,
                _("holds no certificate"),
                _("export the certificate together with its key"),
            )
        extra = [c for c in extra if c is not cert]
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        # RSA and ECDSA are what both browsers present as a TLS client key; DSA and EdDSA are not, and no
        # issuer of AINAS certificates uses them (docs/ainas-portal.md, "Key types").
        raise CertificateError.about(
            name,
            _("its private key is {type}, which neither AINAS nor the browsers accept").format(type=_key_kind(key)),
            _("certificates for AINAS carry an RSA key"),
        )
    return P12Contents(key=key, certificate=cert, additional_certificates=tuple(extra), encryption=encryption)
