"""Peak memory of `ergorisk assess` on a 10-minute 1080p video (issue 15: under 1.5 GB).

The video: the full-resolution example (../shared/data/media/sports2d-demo.mp4) scaled to
1920x1080 and its packets muxed 79 times (18,170 frames, 10 min 6 s). The job runs as the
CLI does, as its own process; the resident sets of its whole process tree (the job and its
report child) are summed once a second: what the machine held at once, not the sum of each
process's own high-water mark.

    PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/bench_memory_long.py
    # -> benchmarks/results/bench_memory_long.json (about 15 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

from bench_video import repeated_clip

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "media" / "sports2d-demo.mp4"
GOAL_MB = 1500  # 1.5 GB, decimal
TIMES = 79


def scaled(src: Path, dest: Path, width: int = 1920, height: int = 1080) -> Path:
    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        stream = out.add_stream("libx264", rate=round(inp.streams.video[0].average_rate))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for frame in inp.decode(video=0):
            for packet in stream.encode(frame.reformat(width, height, "yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dest


def tree_rss_kb(pid: int) -> int:
    """The resident sets of pid and its descendants, summed (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next(
                (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")),
                0,
            )
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=TIMES, help="copies of the 7.7 s clip")
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} is absent", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        one = scaled(SOURCE, Path(tmp) / "one.mp4")
        video = repeated_clip(one, args.times, Path(tmp) / "long.mp4")
        with av.open(str(video)) as c:
            frames, seconds = c.streams.video[0].frames, c.duration / 1e6
        cli = [str(ROOT / ".venv" / "bin" / "ergorisk"), "assess", str(video)]
        start, samples = time.perf_counter(), []
        job = subprocess.Popen([*cli, "--out", f"{tmp}/out"], stdout=subprocess.PIPE, text=True)
        while job.poll() is None:
            samples.append((round(time.perf_counter() - start, 1), tree_rss_kb(job.pid)))
            time.sleep(1.0)
        wall = time.perf_counter() - start
        line = job.stdout.read().strip() if job.stdout else ""
    peak_mb = max(kb for _, kb in samples) * 1024 / 1e6
    at = max(samples, key=lambda s: s[1])[0]
    print(f"{'video':<28}{'frames':>8}{'wall s':>9}{'peak MB':>10}{'at s':>8}{'goal MB':>9}")
    print(f"{'1920x1080, ' + f'{seconds:.0f} s':<28}{frames:>8}{wall:>9.0f}{peak_mb:>10.0f}"
          f"{at:>8.0f}{GOAL_MB:>9}")  # fmt: skip
    print(line)
    result = {
        "frames": frames,
        "duration_s": round(seconds, 1),
        "wall_s": round(wall, 1),
        "exit_code": job.returncode,
        "peak_mb": round(peak_mb, 1),
        "peak_at_s": at,
        "goal_mb": GOAL_MB,
        "met": job.returncode == 0 and peak_mb < GOAL_MB,
        "rss_mb_every_30_s": [(t, round(kb * 1024 / 1e6)) for t, kb in samples[::30]],
    }
    dest = ROOT / "benchmarks" / "results" / "bench_memory_long.json"
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
