"""The in-page scripts: `.js` files beside the modules that run them, read once at import.

A portal's Content-Security-Policy may forbid `eval`, so a script that uses another (the finder's library,
`finder.js`) has it written in, where a placeholder such as `__LIBRARY__` stands, before the page sees it.
Only scripts are written in so. A value reaches a script as the argument of the call that runs it: through
Playwright's `evaluate` where it can pass one, else written as a JSON argument of the script (`call`), for
a selector engine, an init script or a script written into another, so that no text it holds becomes code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["call", "fill", "source"]

_PLACEHOLDER = re.compile(r"__([A-Z][A-Z_]*)__")


def source(beside: str, name: str, **scripts: str) -> str:
    """The script in the file `name` beside the module file `beside`, with `scripts` written in (`fill`)."""
    text = Path(beside).with_name(name).read_text(encoding="utf-8").strip().rstrip(";")
    return fill(text, **scripts) if scripts else text


def fill(script: str, **scripts: str) -> str:
    """`script` with each `__NAME__` of `scripts` replaced by that script's source, in one pass: a script
    written in is not searched for placeholders itself. A placeholder it does not name stays as it is."""
    missing = set(scripts) - set(_PLACEHOLDER.findall(script))
    if missing:
        raise ValueError(f"no placeholder for {sorted(missing)}")
    return _PLACEHOLDER.sub(lambda m: scripts.get(m.group(1), m.group(0)), script)


def call(function: str, argument: object) -> str:
    """The source of a call of the script `function` (a function expression) with `argument`, as JSON."""
    return f"({function})({json.dumps(argument)})"
