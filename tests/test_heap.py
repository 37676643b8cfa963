"""The job's malloc arenas (ergorisk/heap.py): glibc's own count, read from malloc_stats."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="malloc arenas are glibc's (Linux)"
)

# Six threads allocate at once; malloc_stats (glibc) prints one "Arena N:" block an arena.
CHILD = textwrap.dedent(
    """
    import ctypes, os, sys, threading
    from ergorisk import heap
    if sys.argv[1] == "limit":
        heap.limit_arenas()
    start = threading.Barrier(6)
    def work():
        start.wait()
        blocks = [bytearray(4096) for _ in range(200)]
        start.wait()
    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(os.environ.get("MALLOC_ARENA_MAX"), flush=True)
    ctypes.CDLL(None).malloc_stats()
    """
)


def _arenas(mode: str, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, env=env, check=True
    )
    return done.stderr.count("Arena "), done.stdout.strip()


def test_limit_arenas_caps_the_arenas_and_passes_the_limit_on() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    free, inherited = _arenas("free", env)
    limited, passed_on = _arenas("limit", env)
    assert inherited == "None"
    assert free >= 5  # a new arena for each thread's first allocation
    assert limited <= 2
    assert passed_on == "2"  # children (the report process, pools) start with the limit


def test_a_users_own_setting_is_kept() -> None:
    env = {**os.environ, "MALLOC_ARENA_MAX": "4"}
    arenas, kept = _arenas("limit", env)
    assert kept == "4"
    assert 2 < arenas <= 4


def test_trim_returns_freed_memory_pinned_below_a_live_block() -> None:
    # 200 MB of small blocks freed under one still in use: glibc keeps them mapped (the
    # video pass's first 20 s on a 10-minute 1080p video) until heap.trim hands them back.
    child = textwrap.dedent(
        """
        from ergorisk import heap
        def rss():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
        blocks = [bytearray(2000) for _ in range(100_000)]
        top = bytearray(2000)
        del blocks
        held = rss()
        heap.trim()
        print(held, rss(), len(top))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, env=env, check=True
    )
    held, trimmed, _ = map(int, done.stdout.split())
    assert held - trimmed > 150  # MiB
