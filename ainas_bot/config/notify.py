"""The notification settings: where to tell people (an apprise URL, by secret reference only), and about what.

`notify = [ { url = { secret = "mail-url" }, events = ["failed", "order-new-certificate"] } ]`. A URL holds the
mail server's or the chat service's password, so it is never written in the settings and never printed: a
target is named in messages by its `name`, else by where its URL comes from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ainas_bot.config.secrets import SecretRef
from ainas_bot.i18n import _

__all__ = ["DEFAULT_EVENTS", "DEFAULT_ORDER_DAYS", "EVENTS", "Event", "NotifyTarget", "check_order_days"]

Event = Literal["failed", "order-new-certificate", "renewed", "digest"]
EVENTS: tuple[Event, ...] = ("failed", "order-new-certificate", "renewed", "digest")
DEFAULT_EVENTS: tuple[Event, ...] = ("failed", "order-new-certificate")
# SECOM reminds at about 90/60/30/10 days; 14 and 7 leave a 商業登記 certificate's issue (a week or two) time.
DEFAULT_ORDER_DAYS = (90, 60, 30, 14, 7)


class NotifyTarget(BaseModel):
    """One place to tell: an apprise URL (`mailtos://…`, `slack://…`, `line://…`) and the events it gets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: SecretRef = Field(description="an apprise URL, as a secret reference (it holds a password or a token)")
    events: tuple[Event, ...] = Field(default=DEFAULT_EVENTS, min_length=1)
    name: str | None = Field(default=None, description="how messages name this target (default: where its URL is)")

    @field_validator("events")
    @classmethod
    def _once_each(cls, value: tuple[Event, ...]) -> tuple[Event, ...]:
        return tuple(dict.fromkeys(value))

    def label(self) -> str:
        """The target as a log line names it: never the URL itself."""
        return self.name or self.url.describe()


def check_order_days(value: list[int]) -> list[int]:
    """The thresholds, largest first; each a whole number of days from 1 to 400, said once."""
    if not value:
        raise ValueError(_("give at least one number of days, e.g. [90, 60, 30, 14, 7]"))
    if any(not 1 <= d <= 400 for d in value):
        raise ValueError(_("each threshold is a number of days from 1 to 400"))
    return sorted(set(value), reverse=True)
