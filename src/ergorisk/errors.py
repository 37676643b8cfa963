"""The one family of input errors: every message names the input and the problem.

Anything the caller can fix (a missing file, a wrong layout, a bad option, a malformed
worksheet) raises an InputError; the CLI turns it into one line and exit code 2, the web
app into an HTTP 400 or a failed job with the message.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class InputError(ValueError):
    """Bad input: a file, a value or an option that cannot be used as given."""


class AssessmentWarning(UserWarning):
    """What an assessment's summary warns of (``summary.warnings``: a back view, a clip too
    short to judge repetition, an option not used), raised by the Python API as well."""


def first_line(err: BaseException) -> str:
    """An exception's message reduced to its first line (its type when it has none)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# A people warning's hint in the Python API's words: "--people all assesses everyone" read
# "people all assesses everyone", and er.assess(people="all") is refused ("use
# assess_people"). The web app finds its video warnings by it (web/pipeline.people_here).
API_EVERYONE = "er.assess_people(...) assesses everyone"
API_PEOPLE_HINTS = (
    ("--people all assesses everyone", API_EVERYONE),
    ("--roi or --people ID someone else", "roi=(x0, y0, x1, y1) or people=ID someone else"),
    ("--people ID someone else", "people=ID someone else"),
)


def keyword_names(message: str) -> str:
    """A message worded for the CLI ("--start 100 s is at or after the end") with each
    option flag as the Python API's keyword ("start_s 100 s ..."): the stages raise their
    errors in the CLI's words, which `er.assess(start_s=100)` passed on as they were."""
    import re

    from ergorisk.config import FIELD_SECTION, FLAG_FIELDS

    for cli, api in API_PEOPLE_HINTS:
        message = message.replace(cli, api)

    def field(found: re.Match[str]) -> str:
        key = found.group(1).replace("-", "_")
        key = FLAG_FIELDS.get(key, key)
        return key if key in FIELD_SECTION else found.group(0)

    return re.sub(r"(?<![\w-])--([a-z][a-z0-9-]*)", field, message)


def api_call(fn: Callable[P, R]) -> Callable[P, R]:
    """fn as the Python API offers it: its InputErrors (the same exception) and its
    assessments' summary warnings worded with keyword names (keyword_names), and the C++
    libraries' log lines (MediaPipe's) kept off the caller's terminal, as the CLI keeps them."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from ergorisk.native_logs import silenced

        try:
            with silenced():
                result = fn(*args, **kwargs)
        except InputError as err:
            if err.args and isinstance(err.args[0], str):
                err.args = (keyword_names(err.args[0]), *err.args[1:])
            raise
        # A notebook shows Python warnings; the summary's list alone went unseen.
        for text in keyword_warnings(result):
            warnings.warn(text, AssessmentWarning, stacklevel=2)
        return result

    return wrapper


def keyword_warnings(result: Any, word: Callable[[str], str] = keyword_names) -> list[str]:
    """The summary warnings of an assessment (or a dict of them) worded with keyword names
    (``word``: keyword_names; a batch's, its manifest's), in place and in what summary.json
    gets; returns them. The web app's option box takes those names too ('--roi picks
    someone else' named a flag it has no field for)."""
    out: list[str] = []
    for one in result.values() if isinstance(result, dict) else (result,):
        summary = getattr(one, "summary", None)
        if summary is not None and summary.warnings:
            worded = [word(w) for w in summary.warnings]
            summary.warnings[:] = worded  # the summary is frozen, its list is not
            summary.to_dict()["warnings"] = worded  # what summary.json gets
            out += worded
    return out
