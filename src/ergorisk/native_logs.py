"""Quiet the C++ libraries' own log lines (MediaPipe's TFLite and absl notices, Ray's
client), which they write straight to file descriptor 2 from their own threads at any time,
while Python's own stderr (progress bars, warnings, errors) still reaches the terminal.

    with silenced():
        ...   # MediaPipe graphs start and run here
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

# fd 2 is the process's, not a thread's: calls from several threads (er.assess in a thread
# pool) share one redirection, made by the first in and undone by the last out. Each saving
# and restoring on its own left fd 2 on /dev/null for good when they overlapped.
_lock = threading.Lock()
_depth = 0


class _Saved(NamedTuple):
    fd: int  # a duplicate of the original fd 2
    stderr: Any  # sys.stderr as it was
    swapped: bool  # sys.stderr was pointed at a duplicate of fd 2


_saved: _Saved | None = None


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """fd 2 goes to /dev/null for the block. Where sys.stderr is fd 2 (a terminal, a pipe),
    it is pointed at a duplicate of the original descriptor so Python's output keeps its
    place; where it is not (Jupyter's stream, a StringIO), it is left alone."""
    _enter()
    try:
        yield
    finally:
        _leave()


def _enter() -> None:
    global _depth, _saved
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        try:
            sys.stderr.flush()
            python_on_fd2 = sys.stderr.fileno() == 2
        except (AttributeError, OSError, ValueError):
            python_on_fd2 = False
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        old_stderr = sys.stderr
        if python_on_fd2:
            sys.stderr = os.fdopen(
                os.dup(saved),
                "w",
                buffering=1,
                encoding=old_stderr.encoding,
                errors="backslashreplace",
            )
        os.dup2(devnull, 2)
        os.close(devnull)
        _saved = _Saved(saved, old_stderr, python_on_fd2)


def _leave() -> None:
    global _depth, _saved
    with _lock:
        _depth -= 1
        if _depth > 0 or _saved is None:
            return
        if _saved.swapped:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = _saved.stderr
        os.dup2(_saved.fd, 2)
        os.close(_saved.fd)
        _saved = None
