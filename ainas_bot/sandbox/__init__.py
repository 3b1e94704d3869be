"""A faithful local imitation of the AINAS agent application, for the bot's tests, demos and rehearsals.

with Sandbox(SandboxOptions(state_dir=tmp, orgs=5)) as sb:
    sb.base_url, sb.ca_pem, sb.notices, sb.state()
"""

from __future__ import annotations

from ainas_bot.sandbox._faults import FaultRule
from ainas_bot.sandbox._options import Notice, SandboxOptions, default_state_dir, load_notices
from ainas_bot.sandbox._server import Sandbox, state_json

__all__ = ["FaultRule", "Notice", "Sandbox", "SandboxOptions", "default_state_dir", "load_notices", "state_json"]
