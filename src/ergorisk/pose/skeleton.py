"""The canonical skeleton: every pose source is converted to this before kinematics.

Joints are ``(T, J, 3)`` float metres in a right-handed world frame with z up, confidence is
``(T, J)`` in [0, 1]. A joint a source lacks is NaN with confidence 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Order is fixed: kinematics looks joints up by name, files and tests may rely on the index.
CANONICAL_JOINTS: tuple[str, ...] = (
    "head",  # top or centre of the head
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "neck",  # base of the neck; mid-shoulders when a layout lacks it
    "spine",  # mid-trunk (thorax or spine centre), informative only
    "pelvis",  # mid-hips when a layout lacks it
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_index",  # index finger knuckle (MediaPipe)
    "right_index",
    "left_pinky",
    "right_pinky",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_toe",
    "right_toe",
)
JOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(CANONICAL_JOINTS)}


@dataclass(frozen=True)
class Skeleton:
    """A pose sequence: ``joints`` (T, J, 3) metres, z up; ``confidence`` (T, J) in [0, 1]."""

    joints: np.ndarray
    confidence: np.ndarray
    joint_names: tuple[str, ...] = CANONICAL_JOINTS
    fps: float = 30.0

    def __post_init__(self) -> None:
        joints = np.asarray(self.joints, dtype=float)
        conf = np.asarray(self.confidence, dtype=float)
        if joints.ndim != 3 or joints.shape[2] != 3:
            raise ValueError(f"joints must have shape (T, J, 3), got {joints.shape}")
        if joints.shape[1] != len(self.joint_names):
            raise ValueError(
                f"joints has {joints.shape[1]} joints but joint_names has {len(self.joint_names)}"
            )
        if conf.shape != joints.shape[:2]:
            raise ValueError(f"confidence must have shape {joints.shape[:2]}, got {conf.shape}")
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps must be a positive number, got {self.fps}")
        # A joint without a position has no confidence, whatever the source said.
        conf = np.where(np.isfinite(joints).all(axis=2), np.clip(np.nan_to_num(conf), 0, 1), 0.0)
        object.__setattr__(self, "joints", joints)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "fps", float(self.fps))

    @property
    def n_frames(self) -> int:
        return self.joints.shape[0]

    def has(self, name: str) -> bool:
        """Whether the joint is present (finite) in at least one frame."""
        return name in self.joint_names and bool(self.confidence[:, self.index(name)].any())

    def index(self, name: str) -> int:
        return (
            JOINT_INDEX[name]
            if self.joint_names is CANONICAL_JOINTS
            else (self.joint_names.index(name))
        )

    def joint(self, name: str) -> np.ndarray:
        """(T, 3) positions of one joint (NaN where missing)."""
        return self.joints[:, self.index(name)]

    def conf(self, name: str) -> np.ndarray:
        """(T,) confidence of one joint (0 where missing)."""
        return self.confidence[:, self.index(name)]


def empty_canonical(n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """All-missing canonical arrays: joints NaN, confidence 0."""
    joints = np.full((n_frames, len(CANONICAL_JOINTS), 3), np.nan)
    return joints, np.zeros((n_frames, len(CANONICAL_JOINTS)))


def derive_missing(joints: np.ndarray, confidence: np.ndarray) -> None:
    """Fill neck (mid-shoulders) and pelvis (mid-hips) in place where a layout lacks them.

    Derived only frame by frame where the source joint is missing; a derived point's confidence
    is the lower of its two parents'.
    """
    for target, (a, b) in (
        ("neck", ("left_shoulder", "right_shoulder")),
        ("pelvis", ("left_hip", "right_hip")),
    ):
        t, ia, ib = JOINT_INDEX[target], JOINT_INDEX[a], JOINT_INDEX[b]
        missing = ~np.isfinite(joints[:, t]).all(axis=1)
        mid = 0.5 * (joints[:, ia] + joints[:, ib])
        joints[missing, t] = mid[missing]
        confidence[missing, t] = np.minimum(confidence[missing, ia], confidence[missing, ib])


# Bones between canonical joints, for drawing a skeleton (the web app's 3D view).
BONES: tuple[tuple[str, str], ...] = (
    ("head", "neck"), ("nose", "left_eye"), ("nose", "right_eye"),
    ("left_eye", "left_ear"), ("right_eye", "right_ear"),
    ("neck", "spine"), ("spine", "pelvis"),
    ("neck", "left_shoulder"), ("neck", "right_shoulder"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("pelvis", "left_hip"), ("pelvis", "right_hip"),
    *(pair for s in ("left", "right") for pair in (
        (f"{s}_shoulder", f"{s}_elbow"), (f"{s}_elbow", f"{s}_wrist"),
        (f"{s}_wrist", f"{s}_index"), (f"{s}_wrist", f"{s}_pinky"),
        (f"{s}_wrist", f"{s}_thumb"),
        (f"{s}_hip", f"{s}_knee"), (f"{s}_knee", f"{s}_ankle"),
        (f"{s}_ankle", f"{s}_heel"), (f"{s}_heel", f"{s}_toe"), (f"{s}_ankle", f"{s}_toe"),
    )),
)  # fmt: skip


def bones(joint_names: tuple[str, ...] = CANONICAL_JOINTS) -> list[tuple[int, int]]:
    """BONES as index pairs into joint_names (pairs with a joint not in the list left out)."""
    index = {name: i for i, name in enumerate(joint_names)}
    return [(index[a], index[b]) for a, b in BONES if a in index and b in index]
