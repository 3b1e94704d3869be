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

from ainas_bot.i18n import N_, _

__all__ = ["RawSource", "describe_errors"]

# Keys that once were settings: an old file naming them is told what became of them instead of "unknown".
_REMOVED = {
    "timezone": N_("`{key}` is no longer a setting (every date is Japan time, Asia/Tokyo, always); remove the line"),
}
_MISSING = N_("missing; this key is required")
# `where` of `_unknown`: what the unknown key was found in.
_WHERE = {
    "an office": N_("unknown key `{key}`; the keys of an office are {keys}"),
    "a reference": N_("unknown key `{key}`; the keys of a reference are {keys}"),
}
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


# pydantic's own wording of its common errors, by type, with its context as placeholders: said in the
# operator's language. A template is used only when it gives pydantic's English message exactly, so a
# pydantic that words an error otherwise is shown as it words it.
_PYDANTIC = {
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "int_type": N_("Input should be a valid integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "string_type": N_("Input should be a valid string"),
    "literal_error": N_("Input should be {expected}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
}


def _message(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return _(_MISSING)
    message = str(error["msg"]).removeprefix("Value error, ")
    template = _PYDANTIC.get(error["type"])
    context = {k: str(v) for k, v in error.get("ctx", {}).items()}
    try:
        if template is not None and template.format(**context) == message:
            return _(template).format(**context)
    except (KeyError, IndexError):  # a context this template does not know: pydantic's words
        pass
    return message


def _unknown(key: str, known: Sequence[str], where: str) -> str:
    if where == "settings" and key in _REMOVED:
        return _(_REMOVED[key]).format(key=key)
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if near:
        return _("unknown key `{key}`; did you mean `{near}`?").format(key=key, near=near[0])
    if where == "settings":
        return _("unknown key `{key}`; config/ainas.toml lists the settings").format(key=key)
    return _(_WHERE[where]).format(key=key, keys=", ".join(known))


def _office_label(source: RawSource, index: int) -> str:
    offices = source.values.get("offices")
    raw = offices[index] if isinstance(offices, list) and index < len(offices) else None
    office_id = raw.get("id") if isinstance(raw, Mapping) else None
    tables = [source.text.count("\n", 0, m.start()) + 1 for m in _OFFICES_TABLE.finditer(source.text)]
    line = tables[index] if index < len(tables) else None
    if isinstance(office_id, (str, int)) and not isinstance(office_id, bool) and str(office_id).strip():
        office = str(office_id).strip()
        if line is None:
            return _("office {office}").format(office=office)
        return _("office {office} (line {line})").format(office=office, line=line)
    if line is None:
        return _("the {ordinal} [[offices]] table").format(ordinal=_ordinal(index + 1))
    return _("the {ordinal} [[offices]] table (line {line})").format(ordinal=_ordinal(index + 1), line=line)


def _ordinal(n: int) -> str:
    """1st, 2nd, …: in Japanese 1 番目, 2 番目."""
    if _("{n}th").format(n=0) != "0th":
        return _("{n}th").format(n=n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _line(error: ErrorDetails, sources: Sequence[RawSource], settings: type[BaseModel], office: type[BaseModel]) -> str:
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
        return f"{where}: {label}: {'.'.join(rest) or _('the table')}: {_message(error)}"
    if error["type"] == "extra_forbidden" and len(loc) == 1:
        return f"{where}: {_unknown(top, list(settings.model_fields), 'settings')}"
    # A file names the key; an option or a variable is the key already, and names only what is below it.
    path = ".".join(str(p) for p in (loc if source.is_file else loc[1:]))
    return f"{where}: {path + ': ' if path else ''}{_message(error)}"


def describe_errors(
    exc: ValidationError, sources: Sequence[RawSource], *, settings: type[BaseModel], office: type[BaseModel]
) -> list[str]:
    """One line per error of `exc`; `sources` in precedence order, highest first (the file last). The keys
    missing from one table are said on one line."""
    lines: list[str] = []
    missing: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        line = _line(error, sources, settings, office)
        missing_said = ": " + _(_MISSING)
        if error["type"] == "missing" and line.endswith(missing_said):
            where, _sep, key = line.removesuffix(missing_said).rpartition(": ")
            if where not in missing:
                missing[where] = []
                lines.append(where)  # a placeholder, filled below in the order met
            missing[where].append(key)
        elif line not in lines:
            lines.append(line)
    return [
        _("{where}: required keys are missing: {keys}").format(where=line, keys=", ".join(missing[line]))
        if line in missing
        else line
        for line in lines
    ]
