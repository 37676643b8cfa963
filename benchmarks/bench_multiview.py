"""Calibrated multi-view triangulation on the Pose2Sim multi-person demo (4 views, 60 fps).

The real pipeline of `ergorisk assess VIEWS --calibration FILE --sync motion`, no hand-set
regions: everyone tracked in each view (pose.people, one process per view), people associated
across views (pose.association), the main person synchronised (pose.sync) and triangulated.

Reports:
- fps of 2 and 4 views: the whole pipeline above (frames of the take per second of wall
  time), and whether the 2-view run picks the same person;
- per-angle MAE of every 2-view pair against the 4-view triangulation (the reference);
- per-angle MAE of each single view (the plain single-camera pipeline: that view's MediaPipe
  world landmarks of the same person, levelled by the estimated camera tilt) against it,
  over the frames where that view sees him.

Angles: knee flexion and lower arm (elbow) flexion, left and right, and sagittal trunk
flexion, from ergorisk.kinematics with its default smoothing. Every subset uses the 4-view
run's association and --sync motion offsets, so only the number of views differs.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_multiview.py [--out FILE.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT.parent / "shared" / "data" / "media" / "pose2sim-multiperson"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_multiview.json"
VIEWS = ("cam01", "cam02", "cam03", "cam04")
ANGLES = {
    "knee_left": ("left", "knee_flexion_deg"),
    "knee_right": ("right", "knee_flexion_deg"),
    "elbow_left": ("left", "lower_arm_flexion_deg"),
    "elbow_right": ("right", "lower_arm_flexion_deg"),
    "trunk": ("left", "trunk_flexion_deg"),
}


def angles_of(skel) -> dict[str, np.ndarray]:
    from ergorisk.kinematics import KinematicsOptions, worksheet_columns

    # knee_per_side: each knee's own angle (REBA's legs score takes the more flexed one).
    sides, _ = worksheet_columns(skel, KinematicsOptions(knee_per_side=True))
    return {name: np.asarray(sides[side][col], float) for name, (side, col) in ANGLES.items()}


def mae(a: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {k: float(np.nanmean(np.abs(a[k] - ref[k]))) for k in ANGLES}


def single_view_skeleton(world: np.ndarray, fps: float):
    """The plain single-camera pipeline: world landmarks (y down), levelled by the tilt
    estimated from standing frames."""
    from ergorisk.pose.layouts import to_canonical
    from ergorisk.pose.tilt import estimate_tilt, level

    skel = to_canonical(
        world[..., :3], "mediapipe33", up="-y", confidence=world[..., 3], fps=fps, units="m"
    )
    return level(skel, estimate_tilt(skel))


def run_pipeline(videos: list[Path], cameras):
    """The main person of calibrated views as `ergorisk assess` finds him: tracked,
    associated, synchronised. Returns (person, offsets, fps, wall seconds)."""
    from ergorisk.multiview import (
        associate_views,
        select_views_people,
        synchronise,
        track_view_people,
        triangulate_views,
    )
    from ergorisk.pose.sync import motion_offsets

    started = time.perf_counter()
    people = track_view_people(videos)
    main = select_views_people(associate_views(people, cameras))[0]
    offsets = motion_offsets(list(main.pixels(cameras)), cameras)
    people, _ = synchronise(people, offsets)
    main = select_views_people(associate_views(people, cameras))[0]
    triangulate_views(main.pixels(cameras), cameras)
    wall = time.perf_counter() - started
    return main, offsets, len(main.tracks[0].world) / wall, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not DEMO.is_dir():
        print(f"skipped: {DEMO} not found (../shared/data beside the repo)")
        return 0

    from ergorisk.io.calibration import read_calibration
    from ergorisk.multiview import multiview_skeleton, prepare_views, triangulate_views

    videos = [DEMO / "videos" / f"{v}.mp4" for v in VIEWS]
    cameras = prepare_views(videos, read_calibration(DEMO / "calibration" / "Calib.qca.txt"))
    fps_video = 60.0

    two = (0, 2)  # cam01 and cam03, about 120 degrees apart
    man2, _, fps2, wall2 = run_pipeline([videos[i] for i in two], [cameras[i] for i in two])
    man, offsets, fps4, wall4 = run_pipeline(videos, cameras)
    same = man2.person_id == man.person_id

    aligned = man.pixels(cameras)
    points, conf, diag = triangulate_views(aligned, cameras)
    reference = angles_of(multiview_skeleton(points, conf, fps_video, cameras))

    pairs = {}
    for a, b in itertools.combinations(range(4), 2):
        cams = [cameras[a], cameras[b]]
        p, c, _ = triangulate_views(aligned[[a, b]], cams)
        pairs[f"{VIEWS[a]}+{VIEWS[b]}"] = mae(
            angles_of(multiview_skeleton(p, c, fps_video, cams)), reference
        )
    singles = {
        VIEWS[v]: mae(angles_of(single_view_skeleton(man.tracks[v].world, fps_video)), reference)
        for v in range(4)
    }

    result = {
        "clip": str(DEMO.relative_to(ROOT.parent)),
        "frames": int(aligned.shape[1]),
        "person_id": man.person_id,
        "views_seen": {
            v: round(float(t.detected.mean()), 3) for v, t in zip(VIEWS, man.tracks, strict=True)
        },
        "two_views_same_person": same,
        "sync_offsets": dict(zip(VIEWS, np.asarray(offsets).tolist(), strict=True)),
        "fps": {"2 views": fps2, "4 views": fps4},
        "wall_s": {"2 views": wall2, "4 views": wall4},
        "reference": {k: v for k, v in diag.items() if k not in ("error_px",)},
        "mae_deg_pairs": pairs,
        "mae_deg_single_view": singles,
    }
    print_tables(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten: {args.out}")
    return 0


def print_tables(result: dict) -> None:
    print(f"frames {result['frames']}, sync offsets {result['sync_offsets']}")
    print(
        f"main person: ID {result['person_id']}, seen in {result['views_seen']} of the frames; "
        f"the 2-view run picks the same person: {result['two_views_same_person']}"
    )
    print(
        "fps (pose in parallel processes + triangulation): "
        + ", ".join(f"{k}: {v:.1f}" for k, v in result["fps"].items())
    )
    errors = result["reference"]["median_reprojection_error_px"]
    print(
        "4-view reference, median reprojection error px: "
        + ", ".join(f"{k} {v:.1f}" for k, v in errors.items())
    )
    print(f"swaps corrected: {result['reference']['swaps_corrected']}")
    header = f"{'MAE deg vs 4 views':<20}" + "".join(f"{k:>12}" for k in ANGLES)
    for title, rows in (
        ("2-view pairs", result["mae_deg_pairs"]),
        ("single views", result["mae_deg_single_view"]),
    ):
        print(f"\n{title}\n{header}")
        for name, row in rows.items():
            print(f"{name:<20}" + "".join(f"{row[k]:12.1f}" for k in ANGLES))


if __name__ == "__main__":
    sys.exit(main())
