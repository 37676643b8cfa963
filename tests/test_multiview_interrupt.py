"""Stopping a multi-camera run: the views' processes go with it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from video_fixtures import EXAMPLE_CLIP

SCRIPT = """
import signal, sys
from ergorisk.cli import _terminated
from ergorisk.multiview import track_view_people

signal.signal(signal.SIGTERM, _terminated)  # as the command line has it
if __name__ == "__main__":
    track_view_people([sys.argv[1]] * 2, workers=2)
"""


@pytest.mark.slow
def test_sigterm_to_the_parent_alone_does_not_wait_for_the_views(tmp_path):
    """SIGTERM sent to the parent alone (not its process group) waited for every view's
    pose pass to end before the run stopped (3.6 s on the 4-view demo's 100 frames, minutes
    on long videos); the views' processes are now killed with it."""
    from ergorisk.report.video_writer import join_parts

    clip = tmp_path / "long.mp4"
    join_parts([EXAMPLE_CLIP] * 6, clip)  # 46 s: a view's pass takes far longer than 10 s
    script = tmp_path / "views.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(clip)])
    deadline = time.monotonic() + 60
    # the two views' processes (and multiprocessing's resource tracker)
    while len(children := _children(proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(children) >= 3, "the views' processes never started"
    time.sleep(2.0)  # under way: MediaPipe loaded, frames being estimated
    proc.terminate()
    started = time.monotonic()
    proc.wait(timeout=60)
    assert time.monotonic() - started < 10  # each view alone takes longer than this
    while any(_alive(c) for c in children) and time.monotonic() < started + 20:
        time.sleep(0.1)
    assert not [c for c in children if _alive(c)]


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(x) for x in found.stdout.split()]


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent's wait."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
