"""Factories for signing certificates written to disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ainas_bot.certificates.factory import generate_key, write_p12


@pytest.fixture
def make_p12(tmp_path: Path) -> Callable[..., Path]:
    """`make_p12(name="x.p12", **certfactory_kwargs)` -> path of a freshly generated .p12."""
    counter = iter(range(1_000_000))

    def factory(name: str | None = None, **kwargs: Any) -> Path:
        return write_p12(tmp_path / (name or f"cert-{next(counter)}.p12"), **kwargs)

    return factory


@pytest.fixture(scope="session")
def key() -> rsa.RSAPrivateKey:
    """One RSA key for the certificates of the tests that pass it: generating one costs 0.1 s or more."""
    return generate_key()
