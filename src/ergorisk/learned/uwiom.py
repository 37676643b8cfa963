"""UW-IOM as arrays for the learned scorers (the I/O edge of training and evaluation).

The data set is for evaluation only: it is read from ``../shared/data/uw-iom`` and nothing
derived from it is committed except the trained weights.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ergorisk.io.poses import read_pose_file
from ergorisk.learned.features import skeleton_features, table1_joints
from ergorisk.learned.targets import raw_rule_labels, smooth_scores
from ergorisk.pose import Skeleton

SUBJECTS: tuple[str, ...] = (
    "01", "02", "03", "04", "05", "06", "08", "09", "11", "14", "16", "17", "18", "19", "20",
)  # fmt: skip
N_FOLDS = 4


@dataclass(frozen=True)
class Subject:
    """One subject's sequence: features, Table 1 joints, labels (T, 6) and authors' labels."""

    name: str
    joints: np.ndarray  # (T, 14, 3) metres, z up
    features: np.ndarray  # (T, F) float32, coordinates + joint-line distances
    labels_raw: np.ndarray  # (T, 6) integer-valued rule scores, TARGETS order
    labels: np.ndarray  # (T, 6) smoothed rule scores: the targets
    authors_total: np.ndarray  # (T,) the data set authors' total REBA (1-7)


def read_skeleton(root: str | Path, name: str) -> Skeleton:
    """One subject's poses (poses/NN.npy under the uw-iom folder ``root``)."""
    return read_pose_file(Path(root) / "poses" / f"{name}.npy", layout="uw-iom")


# Joint positions are smoothed before the features, with the kinematics' default window,
# so that a model sees the poses the rule labels were computed from.
POSE_SMOOTHING_S = 0.4


def subject_from_skeleton(name: str, skel: Skeleton, authors_total: np.ndarray) -> Subject:
    """Features and rule labels of one sequence."""
    raw = raw_rule_labels(skel)
    return Subject(
        name=name,
        joints=table1_joints(skel).astype(np.float32),
        features=skeleton_features(skel, smoothing_s=POSE_SMOOTHING_S),
        labels_raw=raw,
        labels=smooth_scores(raw),
        authors_total=np.asarray(authors_total, dtype=float),
    )


def load_subject(root: str | Path, name: str) -> Subject:
    """Read one subject from the uw-iom folder ``root`` (poses/NN.npy, reba/NN.txt)."""
    authors = np.loadtxt(Path(root) / "reba" / f"{name}.txt", dtype=float).reshape(-1)
    return subject_from_skeleton(name, read_skeleton(root, name), authors)


def augmented_subjects(
    root: str | Path, names: tuple[str, ...], n_copies: int, seed: int
) -> list[Subject]:
    """``n_copies`` augmented sequences of each named subject, relabelled by the rules.

    A subject's copies depend only on its name and ``seed``, not on the other subjects.
    """
    from ergorisk.learned.augment import augmented_copies

    out = []
    for name in names:
        skel = read_skeleton(root, name)
        nan = np.full(skel.n_frames, np.nan)
        sub_seed = seed * 1_000_003 + zlib.crc32(name.encode())
        for i, copy in enumerate(augmented_copies(skel, n_copies, sub_seed)):
            out.append(subject_from_skeleton(f"{name}+aug{i}", copy, nan))
    return out


def load_uwiom(root: str | Path, subjects: tuple[str, ...] = SUBJECTS) -> list[Subject]:
    """Every subject present under ``root`` (a missing one raises FileNotFoundError)."""
    return [load_subject(root, s) for s in subjects]


def subject_folds(subjects: tuple[str, ...] = SUBJECTS, n_folds: int = N_FOLDS) -> list[tuple]:
    """Subject-wise folds: subject i (in sorted order) tests in fold i mod n_folds.

    Returns a list of (train_names, test_names) tuples.
    """
    names = sorted(subjects)
    folds = []
    for k in range(n_folds):
        test = tuple(n for i, n in enumerate(names) if i % n_folds == k)
        folds.append((tuple(n for n in names if n not in test), test))
    return folds


def stack(
    subjects: list[Subject], names: tuple[str, ...] | None = None, distances: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the named subjects concatenated; coordinates only when not ``distances``."""
    chosen = [s for s in subjects if names is None or s.name in names]
    x = np.concatenate([s.features for s in chosen])
    if not distances:
        x = x[:, coordinate_columns()]
    return x, np.concatenate([s.labels for s in chosen]).astype(np.float32)


def coordinate_columns() -> np.ndarray:
    """Indices of the coordinate features inside the full feature vector."""
    from ergorisk.learned.features import STREAMS, stream_sizes

    cols, start = [], 0
    for name, size in stream_sizes(True).items():
        cols.extend(range(start, start + 3 * len(STREAMS[name])))
        start += size
    return np.array(cols, dtype=np.intp)
