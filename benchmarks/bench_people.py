"""Cost of following several people, against today's single-person estimator.

Measures, on frames already decoded into memory (best of --repeat runs):
- single person: ``MediaPipePose`` (the legacy solution, one person), as ``assess`` runs it;
- several people: ``PeopleTracker`` with the detector every 0.25 s (the default) and every
  1 s, with and without the detector's extra tiles;
- the parts: one detector pass (whole frame; whole frame + 2 tiles) and one landmark pass
  on a person's region, in ms.
Prints a table and writes JSON.

    .venv/bin/python benchmarks/bench_people.py [--clip FILE ...] [--repeat 2] [--out FILE.json]

Default clips: the example clip, and cam01 of ../shared/data's multi-person demo if present.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CLIP = ROOT / "examples" / "sports2d-demo-720p.mp4"
CAM01 = ROOT.parent / "shared" / "data" / "media" / "pose2sim-multiperson" / "videos" / "cam01.mp4"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_people.json"


def best_seconds(run, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def single_person(frames: list[np.ndarray], fps: float) -> int:
    from ergorisk.pose.mediapipe_pose import MediaPipePose

    with MediaPipePose(video=True, fps=fps) as estimator:
        return sum(estimator.process(rgb).detected for rgb in frames)


def several_people(frames: list[np.ndarray], fps: float, every_s: float, tiles: bool) -> dict:
    from ergorisk.pose.people_tracker import PeopleTracker

    seen: dict[int, int] = {}
    with PeopleTracker(fps, detect_every_s=every_s, detector_tiles=tiles) as tracker:
        for rgb in frames:
            for pid in tracker.update(rgb):
                seen[pid] = seen.get(pid, 0) + 1
    return seen


def part_ms(frames: list[np.ndarray]) -> dict[str, float]:
    """Mean time of each model pass over the first frames."""
    from ergorisk.pose.people_models import PoseDetector, RoiLandmarker

    sample = frames[: min(30, len(frames))]
    out = {}
    for tiles in (False, True):
        with PoseDetector(tiles=tiles) as detector:
            detector.detect(sample[0])  # the first pass loads the model
            seconds, found = best_seconds(lambda d=detector: [d.detect(f) for f in sample], 1)
        out[f"detector_{'3_passes' if tiles else '1_pass'}_ms"] = 1000 * seconds / len(sample)
    rois = [d.roi for d in found[0]]
    if rois:
        with RoiLandmarker() as landmarker:
            landmarker.process(sample[0], rois[0])
            seconds, _ = best_seconds(lambda: [landmarker.process(f, rois[0]) for f in sample], 1)
        out["landmarks_one_person_ms"] = 1000 * seconds / len(sample)
    return out


def bench_clip(clip: Path, repeat: int) -> dict:
    from ergorisk.io.video import iter_frames, probe_video

    info = probe_video(clip)
    frames = [f.rgb for f in iter_frames(clip)]
    n = len(frames)
    print(f"\n{clip.name}: {info.width}x{info.height}, {n} frames at {info.fps:g} fps")
    rows: dict[str, dict] = {}
    seconds, detected = best_seconds(lambda: single_person(frames, info.fps), repeat)
    rows["single person (today)"] = {"fps": n / seconds, "people": 1, "coverage": [detected / n]}
    for every_s, tiles in ((0.25, True), (1.0, True), (0.25, False)):
        name = f"people, detect every {every_s:g} s{'' if tiles else ', no tiles'}"
        seconds, seen = best_seconds(
            lambda e=every_s, t=tiles: several_people(frames, info.fps, e, t), repeat
        )
        coverage = sorted((v / n for v in seen.values()), reverse=True)
        rows[name] = {"fps": n / seconds, "people": len(seen), "coverage": coverage}
    base = rows["single person (today)"]["fps"]
    print(f"  {'':38s} {'fps':>6s} {'x today':>8s} {'IDs':>4s}  coverage of each ID")
    for name, row in rows.items():
        row["ratio_to_single"] = row["fps"] / base
        cover = " ".join(f"{c:.0%}" for c in row["coverage"][:6])
        fps, ratio, ids = row["fps"], row["ratio_to_single"], row["people"]
        print(f"  {name:38s} {fps:6.1f} {ratio:8.2f} {ids:4d}  {cover}")
    parts = part_ms(frames)
    for name, ms in parts.items():
        print(f"  {name:38s} {ms:6.1f} ms")
    return {"width": info.width, "height": info.height, "frames": n, "runs": rows, "parts": parts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, action="append", default=None)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    clips = args.clip or [EXAMPLE_CLIP] + ([CAM01] if CAM01.is_file() else [])
    print(f"{os.cpu_count()} cores, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    results = {clip.name: bench_clip(clip, args.repeat) for clip in clips}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": platform.platform(), "cores": os.cpu_count(), "clips": results}
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
