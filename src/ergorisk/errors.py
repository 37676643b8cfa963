"""The one family of input errors: every message names the input and the problem.

Anything the caller can fix (a missing file, a wrong layout, a bad option, a malformed
worksheet) raises an InputError; the CLI turns it into one line and exit code 2, the web
app into an HTTP 400 or a failed job with the message.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: a file, a value or an option that cannot be used as given."""


def first_line(err: BaseException) -> str:
    """An exception's message reduced to its first line (its type when it has none)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
