"""What the console's pages share: the settings (built once by the command), the environment, the runs, the office
list (read anew after each run), and the PINs typed for the renewal to come, in memory only."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping

from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from ainas_bot.config.inventory import all_offices
from ainas_bot.config.settings import Office, Settings
from ainas_bot.fleet.standing import Standing
from ainas_bot.web.offices import fleet
from ainas_bot.web.runs import Kind, RunManager, WebRun

__all__ = ["Console"]

_PIN_MINUTES = 30  # a PIN typed for a run that is not started is forgotten after this


@dataclasses.dataclass
class Console:
    """What the pages share: the settings (built once by the command), the environment, the runs, the office list
    (read anew after each run), and the PINs typed for runs not yet started (in memory only)."""

    settings: Settings
    environ: Mapping[str, str]
    runs: RunManager = dataclasses.field(init=False)
    pins: dict[str, tuple[SecretStr, float]] = dataclasses.field(default_factory=dict)
    _fleet: list[Standing] | None = None

    def __post_init__(self) -> None:
        self.runs = RunManager(self.settings, self.environ, after=self.forget_fleet)

    def forget_fleet(self) -> None:
        self._fleet = None

    def offices(self) -> list[Office]:
        return all_offices(self.settings)

    def office(self, office_id: str) -> Office | None:
        return next((o for o in self.offices() if o.id == office_id), None)

    async def fleet(self) -> list[Standing]:
        if self._fleet is None:
            self._fleet = await run_in_threadpool(fleet, self.settings, self.offices(), self.environ)
        return self._fleet

    def forget_old_pins(self) -> None:
        """A PIN typed for a run that was not started is forgotten after `_PIN_MINUTES`."""
        now = time.monotonic()
        for oid, (_pin, when) in list(self.pins.items()):
            if now - when > _PIN_MINUTES * 60:
                del self.pins[oid]

    def pins_for(self, office_ids: list[str]) -> dict[str, SecretStr]:
        self.forget_old_pins()
        return {oid: self.pins[oid][0] for oid in office_ids if oid in self.pins}

    def start(self, kind: Kind, offices: list[Office]) -> WebRun:
        """A run of `offices` with the PINs typed for them. A dry run or a reading of the portal leaves the PINs for
        the renewal that follows; the renewal takes them (raises RuntimeError while a run is under way, and then
        keeps them)."""
        pins = {} if kind == "probe" else self.pins_for([o.id for o in offices])
        run = self.runs.start(kind, offices, pins)
        if kind == "renew":
            for oid in pins:
                self.pins.pop(oid, None)
        return run
