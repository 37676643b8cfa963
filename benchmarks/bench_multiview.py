"""Calibrated multi-view triangulation on the Pose2Sim multi-person demo (4 views, 60 fps).

Reports:
- fps of 2 and 4 views: MediaPipe on each view in its own process, then swap correction and
  triangulation (frames of the take per second of wall time);
- per-angle MAE of every 2-view pair against the 4-view triangulation (the reference);
- per-angle MAE of each single view (the plain single-camera pipeline: MediaPipe's world
  landmarks, levelled by the estimated camera tilt) against it.

Angles: knee flexion and lower arm (elbow) flexion, left and right, and sagittal trunk
flexion, from ergorisk.kinematics with its default smoothing. The views are aligned with the
calibrated --sync motion offsets first (the reference and every subset alike).

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
# The man on the treadmill in each view's first frame (x0, y0, x1, y1 pixels).
ROIS = {
    "cam01": (150, 250, 650, 1250),
    "cam02": (330, 300, 800, 1200),
    "cam03": (380, 300, 900, 1400),
    "cam04": (50, 380, 780, 1500),
}
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


def timed_views(videos: list[Path], cameras, views: tuple[str, ...]):
    from ergorisk.multiview import estimate_view_poses, pixel_tracks, triangulate_views

    started = time.perf_counter()
    tracks = estimate_view_poses(videos, [ROIS[v] for v in views])
    px = pixel_tracks(tracks, cameras)
    triangulate_views(px, cameras)
    wall = time.perf_counter() - started
    return tracks, px, len(px[0]) / wall, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not DEMO.is_dir():
        print(f"skipped: {DEMO} not found (../shared/data beside the repo)")
        return 0

    from ergorisk.io.calibration import read_calibration
    from ergorisk.multiview import multiview_skeleton, prepare_views, triangulate_views
    from ergorisk.pose.sync import apply_offsets, motion_offsets

    videos = [DEMO / "videos" / f"{v}.mp4" for v in VIEWS]
    cameras = prepare_views(videos, read_calibration(DEMO / "calibration" / "Calib.qca.txt"))
    fps_video = 60.0

    speed = {}
    two = (0, 2)  # cam01 and cam03, about 120 degrees apart
    _, _, speed["2 views"], wall2 = timed_views(
        [videos[i] for i in two], [cameras[i] for i in two], tuple(VIEWS[i] for i in two)
    )
    tracks, px, speed["4 views"], wall4 = timed_views(videos, cameras, VIEWS)

    offsets = motion_offsets(list(px), cameras)
    aligned = np.stack(apply_offsets(list(px), offsets))
    worlds = apply_offsets([t.world for t in tracks], offsets)
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
        VIEWS[v]: mae(angles_of(single_view_skeleton(worlds[v], fps_video)), reference)
        for v in range(4)
    }

    result = {
        "clip": str(DEMO.relative_to(ROOT.parent)),
        "frames": int(aligned.shape[1]),
        "sync_offsets": dict(zip(VIEWS, offsets.tolist(), strict=True)),
        "fps": speed,
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
