"""Factories for offices against a running sandbox, and a helper to run the renewal."""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ainas_bot.certificates.factory import generate_key, write_p12
from ainas_bot.checks.kana_reading import suggest_reading
from ainas_bot.checks.prepare import PreparedOffice, check_offices
from ainas_bot.config.settings import Office, Settings
from ainas_bot.foundation.jst import today_jst
from ainas_bot.results.events import CollectEvents
from ainas_bot.results.outcome import Outcome
from ainas_bot.sandbox import Notice, Sandbox, SandboxOptions
from tests.fixtures_async import run_async

_KEYS = [generate_key() for _ in range(3)]  # signing keys may repeat across tests; serials do not


@dataclasses.dataclass
class OfficeKit:
    """An office of the inventory, the environment its secret references point into, and its notice."""

    office: Office
    environ: dict[str, str]
    notice: Notice
    pin: str
    signing_cert: Path

    @property
    def secrets(self) -> list[str]:
        return [self.pin, self.notice.admin_password, self.notice.client_cert_password]


# Longer than any record the sandbox seeds (at most 900 days), so a new certificate is never older than the
# one in force (the checks refuse that); a test of that case gives its own validity.
_DEFAULT_CERT: dict[str, Any] = {"valid_days": 1000}


class FlowWorld:
    """A sandbox plus the notices not yet used by a test (each test takes its own organisations)."""

    def __init__(self, sandbox: Sandbox, root: Path) -> None:
        self.sandbox = sandbox
        self.root = root
        seen: set[str] = set()
        self._free: list[Notice] = []
        for n in sandbox.notices:
            if n.admin_login_id not in seen:  # logins administering one organisation only
                seen.add(n.admin_login_id)
                if sum(1 for m in sandbox.notices if m.admin_login_id == n.admin_login_id) == 1:
                    self._free.append(n)
        self._counter = itertools.count()

    def take_notice(self) -> Notice:
        return self._free.pop(0)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "portal_url": self.sandbox.base_url,
            "portal_ca": self.sandbox.ca_pem,
            "timeout_seconds": 15,
            "artifacts_dir": self.root / "artifacts",
            "retry_backoff_seconds": 0.05,
        }
        values.update(overrides)
        return Settings(**values)

    def make_office(
        self, notice: Notice | None = None, *, cert: dict[str, Any] | None = None, **fields: Any
    ) -> OfficeKit:
        notice = notice or self.take_notice()
        n = next(self._counter)
        pin = f"PIN-{n}-s3cr3t-{notice.org_id}"
        fields_of_cert = {**_DEFAULT_CERT, "trade_name": notice.org_name, **(cert or {})}
        signing = write_p12(
            self.root / "signing" / f"office-{notice.org_id}-{n}.p12",
            password=pin,
            key=_KEYS[n % len(_KEYS)],
            **fields_of_cert,
        )
        environ = {
            f"PW_{n}": notice.admin_password,
            f"CC_{n}": notice.client_cert_password,
            f"PIN_{n}": pin,
        }
        values: dict[str, Any] = {
            "id": notice.org_id,
            "login_id": notice.admin_login_id,
            "login_password": {"env": f"PW_{n}"},
            "client_cert": notice.client_cert,
            "client_cert_password": {"env": f"CC_{n}"},
            "signing_cert": signing,
            "pin": {"env": f"PIN_{n}"},
            # The reading of the certificate's names and the code of its address, as operators type them
            # (the checks before the first click check both); a test of those checks gives its own.
            "trade_name_kana": suggest_reading((cert or {}).get("trade_name", notice.org_name)),
            "holder_name_kana": "ﾔﾏﾀﾞ ﾀﾛｳ"
            if "holder_name" not in (cert or {})
            else suggest_reading((cert or {})["holder_name"]),
            "postal_code": "１００００１３" if "address_street" not in (cert or {}) else "auto",
        }
        values.update(fields)
        return OfficeKit(Office(**values), environ, notice, pin, signing)

    def certificates(self, org_id: str) -> list[dict[str, Any]]:
        for org in self.sandbox.state():
            if org["org_id"] == org_id:
                return list(org["certificates"])
        raise KeyError(org_id)


def prepare(kits: list[OfficeKit], settings: Settings) -> list[PreparedOffice]:
    environ = {k: v for kit in kits for k, v in kit.environ.items()}
    ready, problems, _ = check_offices([k.office for k in kits], settings, environ, today=today_jst())
    assert not problems, problems
    return ready


def run(
    settings: Settings,
    offices: list[PreparedOffice],
    *,
    dry_run: bool = False,
    events: list[str] | None = None,
    concurrency: int = 1,
) -> list[Outcome]:
    from flows.run import visit_offices

    collected = CollectEvents()
    outcomes = run_async(
        visit_offices(settings, offices, dry_run=dry_run, concurrency=concurrency, events=collected, environ=os.environ)
    )
    assert sorted(o.office_id for o in collected.outcomes) == sorted(o.office_id for o in outcomes)
    if events is not None:
        events.extend(collected.lines)
    return outcomes


@pytest.fixture(scope="module")
def flow_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowWorld]:
    root = tmp_path_factory.mktemp("flow")
    with Sandbox(SandboxOptions(state_dir=root / "sandbox", orgs=40, seed=7)) as sandbox:
        yield FlowWorld(sandbox, root)


@pytest.fixture
def sandbox_world(tmp_path: Path) -> Iterator[Callable[..., FlowWorld]]:
    """A private sandbox with knobs, for tests that change its behaviour: `sandbox_world(orgs=5, ...)`."""
    stack: list[Sandbox] = []

    def factory(**options: Any) -> FlowWorld:
        options.setdefault("orgs", 6)
        sandbox = Sandbox(SandboxOptions(state_dir=tmp_path / f"sandbox-{len(stack)}", **options)).start()
        stack.append(sandbox)
        return FlowWorld(sandbox, tmp_path)

    yield factory
    for sandbox in stack:
        sandbox.stop()


class BackgroundRun(threading.Thread):
    """`visit_offices` in a thread of its own, so the test can break things while it works."""

    def __init__(self, settings: Settings, offices: list[PreparedOffice], concurrency: int) -> None:
        super().__init__(daemon=True)
        self.settings, self.offices, self.concurrency = settings, offices, concurrency
        self.events = CollectEvents()
        self.outcomes: list[Outcome] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from flows.run import visit_offices

        try:
            self.outcomes = run_async(
                visit_offices(
                    self.settings,
                    self.offices,
                    dry_run=False,
                    events=self.events,
                    concurrency=self.concurrency,
                    environ=os.environ,
                )
            )
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc

    def finish(self, timeout: float) -> list[Outcome]:
        self.join(timeout)
        assert not self.is_alive(), f"the run did not finish within {timeout:.0f} s"
        assert self.error is None, repr(self.error)
        return self.outcomes


def assert_exactly_once(world: FlowWorld, offices: list[PreparedOffice]) -> None:
    """Each organisation holds its office's certificate exactly once, active, and nothing pending."""
    for office in offices:
        records = [c for c in world.certificates(office.office.id) if c["serial"] == office.certificate.serial]
        assert [c["status"] for c in records] == ["active"], (office.office.id, records)
        pending = [c for c in world.certificates(office.office.id) if c["status"] == "pending"]
        assert not pending, (office.office.id, pending)
