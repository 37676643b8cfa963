"""Small inputs for the batch tests: synthetic pose files and manifests."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Arm, Pose, joints

# Bent over, squatting, arms raised: REBA 10 (high) with a 12 kg load, RULA 7.
HIGH_POSE = Pose(
    trunk_flexion=70,
    neck_flexion=30,
    knee_left=70,
    knee_right=70,
    left=Arm(flexion=100, elbow=30),
    right=Arm(flexion=100, elbow=30),
)


def pose_file(path: Path, trunk: float = 30.0, n: int = 24, pose: Pose | None = None) -> Path:
    """A uw-iom .npy of n frames (12 fps) of one posture."""
    person = joints(pose or Pose(trunk_flexion=trunk))
    one = np.stack([person[JOINT_INDEX[j]] for j in get_layout("uw-iom").joints])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.repeat(one[None], n, axis=0))
    return path


def corrupt_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not what the name says\n" * 8)
    return path


def manifest(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def crashing_job(item, out_root: Path):
    """A pool job whose process dies on the item named 'crash' (as a crash or the kernel's
    out-of-memory killer would end it), and that assesses every other item."""
    import os

    from ergorisk.batch.worker import work

    if item.name == "crash":
        os._exit(3)
    return work(item, out_root)
