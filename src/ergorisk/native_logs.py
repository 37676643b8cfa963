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
from collections.abc import Iterator


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """fd 2 goes to /dev/null for the block. Where sys.stderr is fd 2 (a terminal, a pipe),
    it is pointed at a duplicate of the original descriptor so Python's output keeps its
    place; where it is not (Jupyter's stream, a StringIO), it is left alone."""
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
            os.dup(saved), "w", buffering=1, encoding=old_stderr.encoding, errors="backslashreplace"
        )
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        if python_on_fd2:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = old_stderr
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
