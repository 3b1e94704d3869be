"""requirements.lock, the set `./bootstrap.sh` installs, against the ranges pyproject.toml says are supported.

A range changed without `./bootstrap.sh lock` (a new dependency, a raised floor) fails here, before a fresh
machine installs a set nobody tested.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies_here(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(text: str) -> dict[str, list[Pin]]:
    """The lock's pins by name: `name==version ; marker`, its `--hash=sha256:…` options on continued lines."""
    pins: dict[str, list[Pin]] = defaultdict(list)
    for line in re.sub(r"\\\n", " ", text).splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        hashes = tuple(re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
        requirement = Requirement(re.sub(r"\s--hash=\S+", "", entry).strip())
        [spec] = requirement.specifier
        assert spec.operator == "==", f"{entry}: not pinned with =="
        name = canonicalize_name(requirement.name)
        pins[name].append(Pin(name, Version(spec.version), requirement.marker, hashes))
    return pins


def supported_ranges() -> list[Requirement]:
    """What pyproject.toml declares: the runtime, every extra, and the build requirement."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for extra in project["project"]["optional-dependencies"].values():
        declared += extra
    return [Requirement(text) for text in declared]


@pytest.fixture(scope="module")
def lock() -> dict[str, list[Pin]]:
    return read_lock(LOCK.read_text(encoding="utf-8"))


def test_every_declared_dependency_is_locked_within_its_range(lock: dict[str, list[Pin]]) -> None:
    problems = []
    for requirement in supported_ranges():
        pins = lock.get(canonicalize_name(requirement.name), [])
        if not pins:
            problems.append(f"{requirement}: not in requirements.lock")
        problems += [
            f"{requirement}: locked at {pin.version}"
            for pin in pins
            if not requirement.specifier.contains(pin.version, prereleases=True)
        ]
    assert not problems, "run ./bootstrap.sh lock (README, Dependencies):\n" + "\n".join(problems)


def test_every_pin_carries_the_hashes_pip_requires(lock: dict[str, list[Pin]]) -> None:
    assert lock, "requirements.lock holds no pin"
    assert not [pin.name for pins in lock.values() for pin in pins if not pin.hashes]


def _installed_locked(lock: dict[str, list[Pin]]) -> dict[str, tuple[Pin, metadata.Distribution]]:
    """The locked packages installed here at their locked version (all of them in the venv bootstrap.sh makes)."""
    found = {}
    for name, pins in lock.items():
        here = [pin for pin in pins if pin.applies_here()]
        try:
            installed = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if here and Version(installed.version) == here[0].version:
            found[name] = (here[0], installed)
    return found


def closure_problems(lock: dict[str, list[Pin]], installed: dict[str, tuple[Pin, metadata.Distribution]]) -> list[str]:
    """What a locked package needs that the lock does not hold, the extras other packages ask of it included
    (pip-audit asks `CacheControl[filecache]`, which needs filelock): bootstrap.sh installs with --no-deps, so
    nothing missing here would be fetched."""
    extras: dict[str, set[str]] = defaultdict(lambda: {""})
    for requirement in supported_ranges():
        extras[canonicalize_name(requirement.name)] |= requirement.extras
    for _pin, dist in installed.values():
        for text in dist.requires or []:
            needed = Requirement(text)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                extras[canonicalize_name(needed.name)] |= needed.extras
    problems = []
    for name, (pin, dist) in installed.items():
        for text in dist.requires or []:
            needed = Requirement(text)
            if needed.marker is not None and not any(needed.marker.evaluate({"extra": e}) for e in extras[name]):
                continue
            have = [p for p in lock.get(canonicalize_name(needed.name), []) if p.applies_here()]
            if not any(needed.specifier.contains(p.version, prereleases=True) for p in have):
                problems.append(f"{name} {pin.version} needs {needed}; locked: {[str(p.version) for p in have]}")
    return problems


def test_the_lock_holds_what_its_packages_require(lock: dict[str, list[Pin]]) -> None:
    """Closed under dependencies, read from each package's own metadata where the installed version is the
    locked one (all of them in the venv bootstrap.sh makes; fewer in test-latest's)."""
    installed = _installed_locked(lock)
    assert len(installed) >= 10, "too few locked packages installed to check the lock's closure"
    assert not closure_problems(lock, installed)


def test_a_lock_missing_what_an_extra_needs_is_not_whole(lock: dict[str, list[Pin]]) -> None:
    installed = _installed_locked(lock)
    if "cachecontrol" not in installed or "pip-audit" not in installed:
        pytest.skip("pip-audit and cachecontrol are not installed at their locked versions here")
    without = {name: pins for name, pins in lock.items() if name != "filelock"}
    assert any(p.startswith("cachecontrol ") and "needs filelock" in p for p in closure_problems(without, installed)), (
        "cachecontrol's filecache extra, which pip-audit asks for, needs filelock"
    )


def test_the_reader_sees_markers_hashes_and_ranges() -> None:
    text = (
        "# header\nalpha==1.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via beta\n"
        "gamma==2.0 ; python_full_version < '3.0' \\\n    --hash=sha256:" + "b" * 64 + "\n"
    )
    pins = read_lock(text)
    assert pins["alpha"][0].hashes == ("a" * 64,) and pins["alpha"][0].applies_here()
    assert pins["gamma"][0].version == Version("2.0") and not pins["gamma"][0].applies_here()
    with pytest.raises(AssertionError, match="not pinned"):
        read_lock("delta>=1\n")
