"""pydantic's validation errors of the settings as the operator's lines: which key, from which source (the
settings file, an environment variable, a command-line option), which office (by its ID or the line of its
`[[offices]]` table, never a zero-based index), and for an unknown key the nearest known one.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["RawSource", "describe_errors"]

# Keys that once were settings: an old file naming them is told what became of them instead of "unknown".
_REMOVED = {
    "timezone": "is no longer a setting (every date is Japan time, Asia/Tokyo, always); remove the line",
}
_MISSING = ": missing; this key is required"
_OFFICES_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*offices[ \t]*\]\]", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class RawSource:
    """One source's values as given, before validation. `name` says where a key came from: a file's path,
    or a pattern such as "the environment variable AINAS_{KEY}" or "the command-line option --{flag}";
    `text` is a file's text, for the lines of its `[[offices]]` tables."""

    name: str
    values: Mapping[str, Any]
    text: str = ""
    is_file: bool = False

    def said(self, key: str) -> str:
        return self.name.replace("{KEY}", key.upper()).replace("{flag}", key.replace("_", "-"))


def _message(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return _MISSING.removeprefix(": ")
    return str(error["msg"]).removeprefix("Value error, ")


def _unknown(key: str, known: Sequence[str], where: str) -> str:
    if where == "settings" and key in _REMOVED:
        return f"`{key}` {_REMOVED[key]}"
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if near:
        hint = f"did you mean `{near[0]}`?"
    else:
        hint = "config/ainas.toml lists the settings" if where == "settings" else f"the keys of {where} are " \
            + ", ".join(known)
    return f"unknown key `{key}`; {hint}"


def _office_label(source: RawSource, index: int) -> str:
    offices = source.values.get("offices")
    raw = offices[index] if isinstance(offices, list) and index < len(offices) else None
    office_id = raw.get("id") if isinstance(raw, Mapping) else None
    tables = [source.text.count("\n", 0, m.start()) + 1 for m in _OFFICES_TABLE.finditer(source.text)]
    line = f" (line {tables[index]})" if index < len(tables) else ""
    if isinstance(office_id, (str, int)) and not isinstance(office_id, bool) and str(office_id).strip():
        return f"office {str(office_id).strip()}{line}"
    return f"the {_ordinal(index + 1)} [[offices]] table{line}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _line(error: ErrorDetails, sources: Sequence[RawSource], settings: type[BaseModel],
          office: type[BaseModel]) -> str:
    loc = [str(part) if not isinstance(part, int) else part for part in error["loc"]]
    if not loc:
        return f"{sources[-1].name}: {_message(error)}"
    top = str(loc[0])
    source = next((s for s in sources if top in s.values), sources[-1])
    where = source.said(top)
    if top == "offices" and len(loc) >= 2 and isinstance(loc[1], int):
        label = _office_label(source, loc[1])
        rest = [str(p) for p in loc[2:]]
        if error["type"] == "extra_forbidden" and len(rest) == 1:
            return f"{where}: {label}: {_unknown(rest[0], list(office.model_fields), 'an office')}"
        if error["type"] == "extra_forbidden" and len(rest) == 2:  # inside a secret reference
            return f"{where}: {label}: {rest[0]}: {_unknown(rest[1], ['env', 'file', 'secret'], 'a reference')}"
        return f"{where}: {label}: {'.'.join(rest) or 'the table'}: {_message(error)}"
    if error["type"] == "extra_forbidden" and len(loc) == 1:
        return f"{where}: {_unknown(top, list(settings.model_fields), 'settings')}"
    # A file names the key; an option or a variable is the key already, and names only what is below it.
    path = ".".join(str(p) for p in (loc if source.is_file else loc[1:]))
    return f"{where}: {path + ': ' if path else ''}{_message(error)}"


def describe_errors(exc: ValidationError, sources: Sequence[RawSource], *, settings: type[BaseModel],
                    office: type[BaseModel]) -> list[str]:
    """One line per error of `exc`; `sources` in precedence order, highest first (the file last). The keys
    missing from one table are said on one line."""
    lines: list[str] = []
    missing: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        line = _line(error, sources, settings, office)
        if error["type"] == "missing" and line.endswith(_MISSING):
            where, _, key = line.removesuffix(_MISSING).rpartition(": ")
            if where not in missing:
                missing[where] = []
                lines.append(where)  # a placeholder, filled below in the order met
            missing[where].append(key)
        elif line not in lines:
            lines.append(line)
    return [f"{line}: required keys are missing: {', '.join(missing[line])}" if line in missing else line
            for line in lines]
