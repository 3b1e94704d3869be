"""The table `status` prints: a header line, then one line per office, in columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len

from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import N_, _

__all__ = ["RECORD_COLUMNS", "STATUS_COLUMNS", "print_status_table"]

STATUS_COLUMNS = (
    ("office_id", N_("office")),
    ("office_name", N_("name")),
    ("registered_expiry", N_("registered")),
    ("days_left", N_("days left")),
    ("local_expiry", N_("local .p12")),
    ("would", N_("would")),
    ("warning", N_("warning")),
)
# `status --from-record`: what the portal last proved and when, and how the last run ended, instead of `would`.
RECORD_COLUMNS = (
    ("office_id", N_("office")),
    ("office_name", N_("name")),
    ("registered_expiry", N_("registered")),
    ("days_left", N_("days left")),
    ("local_expiry", N_("local .p12")),
    ("verified_on", N_("proved on")),
    ("last_outcome", N_("last run")),
    ("warning", N_("warning")),
)


def print_status_table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[tuple[str, str]] = STATUS_COLUMNS
) -> None:
    """`status`: a header line, then one line per office, in columns (a kanji takes two on a terminal)."""
    cells = [[_(title) for _key, title in columns]]
    cells += [[shown("—" if r[key] is None or r[key] == "" else str(r[key])) for key, _title in columns] for r in rows]
    widths = [max(cell_len(line[i]) for line in cells) for i in range(len(columns) - 1)]
    for line in cells:
        padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*padded, line[-1]]).rstrip())
