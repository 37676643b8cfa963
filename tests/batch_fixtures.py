"""Small inputs for the batch tests: synthetic pose files and manifests."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Pose, joints


def pose_file(path: Path, trunk: float = 30.0, n: int = 24) -> Path:
    """A uw-iom .npy of n frames (12 fps) of one posture; trunk 70 deg scores high."""
    person = joints(Pose(trunk_flexion=trunk))
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
