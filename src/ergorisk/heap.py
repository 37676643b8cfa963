"""glibc's malloc, tuned for a job of many threads (pose graphs, decoders, encoders, drawing).

glibc gives a thread that finds the heap busy an arena of its own, up to 8 a core, and each
arena keeps what it freed mapped. On a 10-minute 1080p video the drawing pass's threads held
about a dozen arenas of 20-55 MiB each, and the job peaked at 1,722 MiB; with two arenas at
1,430-1,591 MiB, no slower; with the heap also trimmed before the video pass and after each
pose segment, 1,363 MB (docs/video.md). No-ops where malloc is not glibc's.
"""

from __future__ import annotations

import ctypes
import os

ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


def limit_arenas(n: int = ARENAS) -> None:
    """At most ``n`` malloc arenas in this process (for the threads it starts from now on)
    and in the processes it starts (``MALLOC_ARENA_MAX``, read by glibc when a process
    starts). A MALLOC_ARENA_MAX the user set is left as it is."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    os.environ["MALLOC_ARENA_MAX"] = str(n)
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, n)
    except (OSError, AttributeError):
        pass


def trim() -> None:
    """Hand the memory freed in the heap back to the system (glibc keeps it mapped)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
