"""`ergorisk batch` throughput: videos per hour with 1 and 2 local workers and with Ray.

Each configuration runs the real command in a fresh process (process start, pool or Ray start
and the pose model loads included) on the same manifest of --videos cuts of the example clip,
--seconds long each, with annotated video and report, and --force so that nothing is skipped.
Each is compared with the ideal: workers x the one-worker rate.

    .venv/bin/python benchmarks/bench_batch.py [--videos 6] [--seconds 2] [--out FILE.json]

Ray needs `ray` installed (it is in the project's dependencies).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CLIP = ROOT / "examples" / "sports2d-demo-720p.mp4"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_batch.json"
CLIP_S = 7.6  # the example's length, rounded down to whole frames


def write_manifest(folder: Path, videos: int, seconds: float) -> Path:
    """Cuts spread over the clip (they may overlap): videos x seconds of footage."""
    step = (CLIP_S - seconds) / max(videos - 1, 1)
    path = folder / "manifest.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "name", "task", "start", "end"])
        for i in range(videos):
            start = round(i * step, 2)
            writer.writerow([EXAMPLE_CLIP, f"cut{i}", "bench", start, round(start + seconds, 2)])
    return path


def run(manifest: Path, out: Path, engine: str, workers: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "ergorisk", "batch", str(manifest), "-o", str(out)]
    cmd += ["--engine", engine, "--workers", str(workers), "--force"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    with (out / "batch.csv").open() as f:
        rows = list(csv.DictReader(f))
    return {
        "engine": engine,
        "workers": workers,
        "wall_s": round(wall, 2),
        "item_s_mean": round(sum(float(r["seconds"]) for r in rows) / len(rows), 2),
        "processes": len({r["pid"] for r in rows}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--videos", type=int, default=6, help="how many cuts of the example clip (default 6)"
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each cut, s")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"the JSON written (default {DEFAULT_OUT})"
    )
    parser.add_argument("--no-ray", action="store_true", help="leave the Ray row out")
    args = parser.parse_args()
    # Other jobs on the machine take cores from the workers: the ratios then mean little.
    load_before = os.getloadavg()[0]
    if load_before >= 1.0:
        print(
            f"warning: load average {load_before:.2f} before the run (other jobs): the "
            "figures will be low; docs/scale.md's were measured under 1",
            file=sys.stderr,
        )
    configs = [("local", 1), ("local", 2)] + ([] if args.no_ray else [("ray", 2)])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        manifest = write_manifest(Path(tmp), args.videos, args.seconds)
        for engine, workers in configs:
            print(f"running {engine} x{workers} ...", file=sys.stderr, flush=True)
            results.append(run(manifest, Path(tmp) / f"out-{engine}-{workers}", engine, workers))
    single = args.videos / results[0]["wall_s"] * 3600
    print(
        f"\n{args.videos} videos of {args.seconds:g} s (720p, 30 fps; annotated video and report)"
    )
    print(f"{'engine':<8}{'workers':>8}{'wall s':>9}{'videos/h':>10}{'ideal/h':>9}"
          f"{'of ideal':>10}{'video s/s':>11}")  # fmt: skip
    for r in results:
        rate = args.videos / r["wall_s"] * 3600
        ideal = r["workers"] * single
        r.update(
            videos_per_hour=round(rate),
            ideal_per_hour=round(ideal),
            of_ideal=round(rate / ideal, 2),
            footage_s_per_s=round(args.videos * args.seconds / r["wall_s"], 3),
        )
        print(
            f"{r['engine']:<8}{r['workers']:>8}{r['wall_s']:>9.1f}{r['videos_per_hour']:>10}"
            f"{r['ideal_per_hour']:>9}{r['of_ideal']:>10.2f}{r['footage_s_per_s']:>11.3f}"
        )
    report = {
        "videos": args.videos,
        "seconds_each": args.seconds,
        "clip": str(EXAMPLE_CLIP.relative_to(ROOT)),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_1min_before": round(load_before, 2),
            "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        },
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
