"""The sandbox's knobs and the registration notices it hands out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _
from ainas_bot.sandbox._faults import FaultRule
from ainas_bot.sandbox._files import write_owner_only
from ainas_bot.sandbox._markup import parse_markup

__all__ = ["Notice", "SandboxOptions", "default_state_dir", "load_notices", "write_notices"]

NOTICES_FILE = "notices.json"


def default_state_dir() -> Path:
    """`$XDG_DATA_HOME/ainas-bot/sandbox`, else `~/.local/share/ainas-bot/sandbox`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ainas-bot" / "sandbox"


@dataclasses.dataclass
class SandboxOptions:
    """How a sandbox starts. latency_ms, fault_rate, expire_sessions_after and closed_hours may change while it runs."""

    state_dir: Path = dataclasses.field(default_factory=default_state_dir)
    orgs: int = 304
    host: str = "127.0.0.1"
    port: int = 0
    latency_ms: int = 0
    latency_jitter_ms: int = 0  # up to this much more latency, drawn per response
    fault_rate: float = 0.0
    expire_sessions_after: float = 1800.0
    closed_hours: bool = False
    shuffle_paths: bool = False
    # [assumed] The manual shows only `代理人証明書更新` on 代理人証明書照会; False rehearses a portal
    # without `↑ 一覧に戻る` there.
    cert_detail_back_button: bool = True
    seed: int = 1
    now: Callable[[], dt.datetime] | None = None
    faults: list[FaultRule] = dataclasses.field(default_factory=list)  # aimed faults, see _faults
    # Markup shapes (see _markup; `legacy` is all of them): fixed at start, the templates are built with them.
    markup: frozenset[str] = frozenset()
    # Texts shown instead of the bot's (names as in portal_text.known_names), to rehearse [portal_text].
    portal_text: dict[str, str] = dataclasses.field(default_factory=dict)
    late_ms: int = 700  # extra delay of the XHR answers with `late-tables` (may change while it runs)
    # The pause of the screens' timers with `timer-tables` and `timer-placeholder` (may change while it runs).
    timer_ms: int = 400

    def __post_init__(self) -> None:
        # Expanded here, so that `options.markup` always holds shape names and never the preset.
        self.markup = parse_markup(self.markup)

    def clock(self) -> dt.datetime:
        """The current instant (aware; a naive override is taken as UTC)."""
        current = self.now() if self.now is not None else dt.datetime.now(dt.UTC)
        return current if current.tzinfo is not None else current.replace(tzinfo=dt.UTC)

    def validate(self) -> None:
        if self.orgs < 1:
            raise ConfigError(_("--orgs {value}: give at least 1 organisation").format(value=self.orgs))
        if not 0 <= self.port <= 65535:
            raise ConfigError(_("--port {value}: give a port between 0 and 65535").format(value=self.port))
        if self.latency_ms < 0:
            raise ConfigError(_("--latency-ms {value}: give 0 or more milliseconds").format(value=self.latency_ms))
        if self.late_ms < 0:
            raise ConfigError(_("--late-ms {value}: give 0 or more milliseconds").format(value=self.late_ms))
        if self.timer_ms < 0:
            raise ConfigError(_("--timer-ms {value}: give 0 or more milliseconds").format(value=self.timer_ms))
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ConfigError(_("--fault-rate {value}: give a fraction between 0 and 1").format(value=self.fault_rate))
        if self.expire_sessions_after <= 0:
            raise ConfigError(
                _("--expire-sessions-after {value}: give a positive number of seconds").format(
                    value=self.expire_sessions_after
                )
            )


@dataclasses.dataclass(frozen=True)
class Notice:
    """A 利用登録通知書: what the association sends an agent organisation to log in."""

    org_id: str
    org_name: str
    admin_login_id: str
    admin_password: str
    staff_login_id: str
    staff_password: str
    client_cert: Path
    client_cert_password: str

    def as_json(self) -> dict[str, str]:
        data = dataclasses.asdict(self)
        data["client_cert"] = str(self.client_cert)
        return data


def write_notices(state_dir: Path, notices: list[Notice]) -> Path:
    path = state_dir / NOTICES_FILE
    text = json.dumps([n.as_json() for n in notices], ensure_ascii=False, indent=2) + "\n"
    write_owner_only(path, text.encode("utf-8"), what="sandbox notices")
    return path


def load_notices(state_dir: Path) -> list[Notice]:
    """The notices of the sandbox whose state is in `state_dir`."""
    path = state_dir / NOTICES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            _("{path}: no sandbox notices here; start `ainas-bot sandbox --state {state_dir}` first").format(
                path=path, state_dir=state_dir
            )
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            _("{path}: cannot be read ({error}); delete the state directory to seed it again").format(
                path=path, error=exc
            )
        ) from None
    fields = {f.name for f in dataclasses.fields(Notice)}
    notices: list[Notice] = []
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != fields:
            raise ConfigError(
                _("{path}: not a list of sandbox notices; delete the state directory to seed it again").format(
                    path=path
                )
            )
        notices.append(Notice(**{**entry, "client_cert": Path(entry["client_cert"])}))
    return notices
