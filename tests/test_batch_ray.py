"""`ergorisk batch --engine ray` on a real local Ray cluster (2 CPUs): two cuts of the example
video, a photo and a corrupt file; then a second run that skips what is done."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from batch_fixtures import corrupt_file, manifest

pytest.importorskip("ray", reason="ray is not installed (pip install 'ray==2.60.0')")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sports2d-demo-720p.mp4"


def photo(path: Path, at_s: float = 5.5) -> Path:
    """One frame of the example video as a JPEG."""
    import av
    import cv2

    with av.open(str(EXAMPLE)) as container:
        for frame in container.decode(video=0):
            if frame.time >= at_s:
                cv2.imwrite(str(path), frame.to_ndarray(format="bgr24"))
                return path
    raise AssertionError("the example is shorter than expected")


def run_batch_cli(*args: object) -> tuple[subprocess.Popen, str, float]:
    """Run `ergorisk batch` in a fresh process: (the process, its stderr, seconds)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ergorisk", "batch", *map(str, args)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = proc.communicate(timeout=300)
    return proc, stderr, time.perf_counter() - started


@pytest.mark.slow
def test_ray_batch_of_videos_a_photo_and_a_corrupt_file_then_resume(tmp_path):
    header = ["path", "name", "worker", "task", "start", "end"]
    rows = [
        [EXAMPLE, "jump-1", "Ann", "jump", "0", "1"],
        [EXAMPLE, "jump-2", "Bob", "jump", "5", "6"],
        ["photo.jpg", "", "Ann", "squat", "", ""],
        ["broken.mp4", "", "Bob", "squat", "", ""],
    ]
    photo(tmp_path / "photo.jpg")
    corrupt_file(tmp_path / "broken.mp4")
    m = manifest(tmp_path / "manifest.csv", header, rows)
    out = tmp_path / "out"

    first, stderr, first_s = run_batch_cli(m, "-o", out, "--engine", "ray", "--workers", 2)
    assert first.returncode == 1, stderr
    assert "Traceback" not in stderr and "failed: " in stderr
    assert "Token authentication" not in stderr  # the batch's own Ray, on 127.0.0.1
    table = pd.read_csv(out / "batch.csv")
    assert table["name"].tolist() == ["jump-1", "jump-2", "photo", "broken"]
    assert table["status"].tolist() == ["done", "done", "done", "failed"]
    assert "broken.mp4" in table["reason"][3] and "not a readable video" in table["reason"][3]
    # Done by the Ray actors (not the driver), at most one process per CPU.
    pids = set(table["pid"])
    assert table["pid"].notna().all() and first.pid not in pids
    assert 1 <= len(pids) <= 2 and all(p > 0 for p in pids)
    logs = {int(p.stem.rsplit("-", 1)[1]) for p in (out / "logs").glob("worker-*.log")}
    assert pids <= logs
    assert table["frames"][:2].tolist() == [30, 30]  # 1 s of a 30 fps video each
    for name in ("jump-1", "jump-2"):
        assert (out / name / "annotated.mp4").stat().st_size > 0
        assert (out / name / "report.html").is_file()
    assert (out / "photo" / "annotated.png").is_file() and table["frames"][2] == 1
    assert table["reba_peak"][:3].notna().all()

    second, stderr, second_s = run_batch_cli(m, "-o", out, "--engine", "ray", "--workers", 2)
    assert second.returncode == 1, stderr
    again = pd.read_csv(out / "batch.csv")
    assert again["status"].tolist() == ["skipped", "skipped", "skipped", "failed"]
    assert again["pid"][:3].tolist() == table["pid"][:3].tolist()
    print(f"first run {first_s:.1f} s, second run {second_s:.1f} s")
    assert second_s < 0.5 * first_s, (first_s, second_s)


LOOPBACK_CHECK = """
from ergorisk.batch.ray_engine import start_ray, stop_ray
ray = start_ray(1, None)
try:
    print(ray.get_runtime_context().gcs_address)
    print(sorted({n["NodeManagerAddress"] for n in ray.nodes()}))
finally:
    stop_ray()
"""


@pytest.mark.slow
def test_the_private_ray_is_on_loopback_only():
    """Ray turned the 127.0.0.1 it was given into the machine's address, and its GCS, raylet
    and workers listened on every interface (a walkthrough saw *:port in `ss -ltnp`). In a
    process of its own, as a batch runs: Ray is never started inside the test process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", LOOPBACK_CHECK], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    gcs, nodes = done.stdout.splitlines()[-2:]
    assert gcs.startswith("127.0.0.1:") and nodes == "['127.0.0.1']", done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("gap_s", [1.0])
def test_two_sigterms_stop_a_ray_batch_that_still_writes_batch_csv(tmp_path, gap_s):
    """Two SIGTERMs 1 s apart killed a Ray batch's driver (exit 143) before it wrote
    batch.csv or batch.json, and left .staging full: ray.shutdown() resets SIGTERM to its
    default in the operating system. Now the first stops the items under way and batch.csv
    is written before Ray shuts down; a second one that lands in that shutdown (at the
    interpreter's exit) can still end the driver by the signal, with everything written."""
    import signal

    from batch_fixtures import pose_file
    from ergorisk.batch.store import MARKER

    for i in range(10):
        pose_file(tmp_path / "in" / f"p{i}.npy", 10 * i, n=3000)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ergorisk", "batch", str(tmp_path / "in"), "-o", str(out)]
    cmd += ["--engine", "ray", "--workers", "2", "--set", "layout=uw-iom"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list(out.glob(f"*/{MARKER}")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    time.sleep(gap_s)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (130, -signal.SIGTERM), err
    assert b"interrupted: what finished is kept" in err
    assert (out / "batch.csv").exists() and (out / "batch.json").exists()
    assert not any((out / ".staging").glob("*")), "half-built items left in .staging"
    rows = pd.read_csv(out / "batch.csv").set_index("name")
    for name, row in rows.iterrows():  # the table says what the disk holds
        assert (row["status"] == "done") == (out / name / MARKER).exists(), (name, row["reason"])
