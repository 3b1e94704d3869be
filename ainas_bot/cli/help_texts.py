"""argparse's own words that an operator reads (usage, section titles, its errors), marked here so that
they are extracted into the project's catalog: argparse looks them up through gettext, and the CLI
points its lookups at the project's catalog (`cli._translate_argparse`).

The strings are argparse's msgids exactly (Python 3.11–3.13), placeholders included.
"""

from __future__ import annotations

from ainas_bot.i18n import N_

__all__ = ["ARGPARSE_TEXTS"]

ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)
