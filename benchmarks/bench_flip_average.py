"""Flip averaging's cost and gain: mirror invariance, half resolution, frames a second.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_flip_average.py [--clip FILE] [--frames N]

For the example clip (or --clip) it writes a mirrored and a half-resolution copy, runs MediaPipe
(person-locked, as ``ergorisk assess``) on each, with and without flip averaging, and prints
per-angle median |difference| between the original and the mirrored run (left/right swapped),
REBA/RULA total agreement within +-1, and the frames a second each estimator runs at on
frames already decoded (plain MediaPipe; flip-averaged with both inferences on one thread; with
the mirrored one on a second thread).
Results go to benchmarks/results/bench_flip_average.json. Its accuracy against a 4-view
reference is in bench_single_view.py. Tracks are cached in benchmarks/results/tracks/.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ergorisk.kinematics import worksheet_columns
from ergorisk.kinematics.worksheet import scoring_columns
from ergorisk.pose.estimate import track_skeleton
from ergorisk.pose.invariance import (
    angle_differences,
    half_resolution_video,
    median_abs,
    mirror_video,
    mirrored_angle_differences,
)
from ergorisk.pose.track_cache import cached_track
from ergorisk.scoring.frames import frames_table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def run(track, fps: float):
    skel, tilt = track_skeleton(track, fps)
    sides, _ = worksheet_columns(skel)
    return sides, frames_table(scoring_columns(sides), fps), tilt


def compare(a, b, mirrored: bool) -> dict:
    sides_a, frames_a, _ = a
    sides_b, frames_b, _ = b
    if mirrored:
        diffs = mirrored_angle_differences(sides_a, sides_b)
    else:
        diffs = angle_differences(sides_a, sides_b)
    out = {"median_abs_deg": {k: round(v, 2) for k, v in median_abs(diffs).items()}}
    for m in ("reba", "rula"):
        ta = frames_a[f"{m}_total"].to_numpy(dtype=float, na_value=np.nan)
        tb = frames_b[f"{m}_total"].to_numpy(dtype=float, na_value=np.nan)
        both = np.isfinite(ta) & np.isfinite(tb)
        out[f"{m}_within_1"] = round(float(np.mean(np.abs(ta - tb)[both] <= 1)), 3)
    return out


def fps_of(path: Path, frames: int) -> dict[str, float]:
    """Frames a second of each estimator on the first ``frames`` frames, decoded beforehand."""
    from ergorisk.io.video import iter_frames, probe_video
    from ergorisk.pose.flip_average import FlipAveragedPose
    from ergorisk.pose.mediapipe_pose import MediaPipePose

    fps = probe_video(path).fps
    rgbs = [f.rgb for _, f in zip(range(frames), iter_frames(path), strict=False)]
    makers = {
        "plain": lambda: MediaPipePose(video=True, fps=fps),
        "flip, one thread": lambda: FlipAveragedPose(video=True, fps=fps, threaded=False),
        "flip, two threads": lambda: FlipAveragedPose(video=True, fps=fps, threaded=True),
    }
    out = {}
    for name, make in makers.items():
        with make() as estimator:
            estimator.process(rgbs[0])  # graph start-up is not per-frame cost
            started = time.perf_counter()
            for rgb in rgbs:
                estimator.process(rgb)
            out[name] = round(len(rgbs) / (time.perf_counter() - started), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", type=Path, default=ROOT / "examples" / "sports2d-demo-720p.mp4")
    parser.add_argument("--frames", type=int, default=230, help="frames timed per estimator")
    args = parser.parse_args()
    from ergorisk.io.video import probe_video

    cache = RESULTS / "tracks"
    cache.mkdir(parents=True, exist_ok=True)
    mirrored = mirror_video(args.clip, cache / f"{args.clip.stem}-mirrored.mp4")
    half = half_resolution_video(args.clip, cache / f"{args.clip.stem}-half.mp4")
    fps = probe_video(args.clip).fps
    report: dict = {"clip": args.clip.name}
    for flip in (False, True):
        key = "flip_average" if flip else "plain"
        orig = run(cached_track(args.clip, cache, flip), fps)
        mirr = run(cached_track(mirrored, cache, flip), fps)
        halfr = run(cached_track(half, cache, flip), fps)
        report[key] = {
            "mirrored": compare(orig, mirr, True),
            "half_resolution": compare(orig, halfr, False),
            "tilt": {"original": orig[2].to_dict(), "mirrored": mirr[2].to_dict()},
        }
    report["fps"] = fps_of(args.clip, args.frames)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_flip_average.json").write_text(json.dumps(report, indent=2) + "\n")
    names = sorted(report["plain"]["mirrored"]["median_abs_deg"])
    print(f"{'mirrored: median |diff| deg':40s} {'plain':>8s} {'flip avg':>9s}")
    for n in names:
        a = report["plain"]["mirrored"]["median_abs_deg"][n]
        b = report["flip_average"]["mirrored"]["median_abs_deg"].get(n, float("nan"))
        print(f"{n:40s} {a:8.2f} {b:9.2f}")
    for what in ("mirrored", "half_resolution"):
        for m in ("reba", "rula"):
            a, b = (
                report["plain"][what][f"{m}_within_1"],
                report["flip_average"][what][f"{m}_within_1"],
            )
            print(f"{what + ' ' + m + ' within +-1':40s} {a:8.1%} {b:9.1%}")
    for name, value in report["fps"].items():
        print(f"{'frames a second, ' + name:40s} {value:8.1f}")


if __name__ == "__main__":
    main()
