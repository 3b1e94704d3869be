"""The outcome of one office in a run: what the reports, the recap and the exit code are made of."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ainas_bot._verified import Verified

__all__ = ["OK_STATUSES", "Outcome", "Status"]

Status = Literal["updated", "resumed", "already-current", "would-register", "would-resume", "failed"]
OK_STATUSES = frozenset({"updated", "resumed", "already-current", "would-register", "would-resume"})


@dataclasses.dataclass
class Outcome:
    """What happened to one office; `reason` is set when `status` is `failed`."""

    office_id: str
    login_id: str
    status: Status
    message: str = ""
    reason: str | None = None
    screen: str | None = None
    certificate_serial: str | None = None
    certificate_expiry: str | None = None
    registered_expiry: str | None = None  # the latest active certificate the portal's table showed
    seconds: float = 0.0
    attempts: int = 1
    artifacts: list[str] = dataclasses.field(default_factory=list)
    verified_on: str | None = None  # the Japan day the portal last proved the certificate registered and active
    # What this office's visit proved (None when there was no visit or it proved nothing); not in reports.
    verification: Verified | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) if f.name != "artifacts" else list(self.artifacts)
                for f in dataclasses.fields(self) if f.name != "verification"}
