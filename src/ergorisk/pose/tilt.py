"""Camera tilt: which way is up in a camera-aligned skeleton.

MediaPipe's world landmarks are aligned with the camera, so a camera pitched down (or rolled)
tilts "vertical", and with it every trunk, neck and upper-arm angle. Two corrections:

- measured pitch: ``--camera-pitch-deg P`` (P > 0: the camera looks down by P degrees), a
  rotation about the camera's left-right axis only;
- estimated (the default): the legs of a person standing straight are vertical. Over the
  frames where both knees are nearly straight (< ``max_knee_deg``) and both legs are seen
  well, and whose legs are within ``max_tilt_deg`` of the camera's vertical, the median
  direction from mid-ankles to mid-hips is taken as up, and the skeleton is rotated (pitch
  and roll) so that it points along +z. Fewer than ``min_frames`` such frames leaves the
  skeleton as it is.

Functions here work on canonical skeletons (z up, x right, y away from the camera).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ergorisk.pose.skeleton import Skeleton


@dataclass(frozen=True)
class Tilt:
    """The correction applied: camera pitch (+ looks down) and roll (+ clockwise), degrees."""

    pitch_deg: float
    roll_deg: float
    method: str  # "estimated", "vanishing point", "given", or "none: <reason>"
    frames_used: int = 0  # standing frames, or the scene's lines that agree
    # How far the estimate can be trusted, 0-1 (standing_confidence, vanishing.py's);
    # None for a tilt given by the user, 0 when none was found.
    confidence: float | None = 0.0

    def to_dict(self) -> dict:
        return {
            "pitch_deg": round(self.pitch_deg, 2),
            "roll_deg": round(self.roll_deg, 2),
            "method": self.method,
            "frames_used": self.frames_used,
            "confidence": None if self.confidence is None else round(self.confidence, 2),
        }


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _knee_bend_deg(skel: Skeleton, side: str) -> np.ndarray:
    thigh = skel.joint(f"{side}_hip") - skel.joint(f"{side}_knee")
    shank = skel.joint(f"{side}_ankle") - skel.joint(f"{side}_knee")
    cos = np.sum(_unit(thigh) * _unit(shank), axis=-1)
    return 180.0 - np.degrees(np.arccos(np.clip(cos, -1, 1)))


def standing_up_vectors(
    skel: Skeleton, max_knee_deg: float = 15.0, min_confidence: float = 0.5
) -> np.ndarray:
    """(N, 3) unit vectors mid-ankles -> mid-hips over frames with both legs straight."""
    legs = [f"{s}_{j}" for s in ("left", "right") for j in ("hip", "knee", "ankle")]
    seen = np.all([skel.conf(j) >= min_confidence for j in legs], axis=0)
    with np.errstate(invalid="ignore"):
        straight = (_knee_bend_deg(skel, "left") < max_knee_deg) & (
            _knee_bend_deg(skel, "right") < max_knee_deg
        )
    hips = 0.5 * (skel.joint("left_hip") + skel.joint("right_hip"))
    ankles = 0.5 * (skel.joint("left_ankle") + skel.joint("right_ankle"))
    keep = seen & straight
    return _unit(hips[keep] - ankles[keep])


def tilt_of(up: np.ndarray) -> tuple[float, float]:
    """(pitch, roll) in degrees of the camera that sees the true up as ``up``."""
    pitch = np.degrees(np.arctan2(-up[1], up[2]))  # up leaning towards the camera: looks down
    roll = np.degrees(np.arctan2(up[0], np.hypot(up[1], up[2])))
    return float(pitch), float(roll)


def estimate_tilt(
    skel: Skeleton, min_frames: int = 3, max_tilt_deg: float = 30.0, max_knee_deg: float = 15.0
) -> Tilt:
    """Camera tilt from standing frames (see the module's docstring)."""
    ups = standing_up_vectors(skel, max_knee_deg)
    # Straight legs far from the camera's vertical are not standing (a dive, lying, a
    # failed estimate): a camera is rarely tilted that much.
    ups = ups[ups[:, 2] >= np.cos(np.radians(max_tilt_deg))]
    if len(ups) < min_frames:
        # In words a reader knows ("0 standing frames, need 1" of a photo read as jargon).
        why = (
            "the person does not stand straight-legged in the picture"
            if min_frames == 1 and len(skel.joints) == 1
            else f"the person stands straight-legged on {len(ups)} frames, {min_frames} needed"
        )
        return Tilt(0.0, 0.0, f"none: {why}", len(ups))
    up = _unit(np.median(ups, axis=0))
    pitch, roll = tilt_of(up)
    return Tilt(pitch, roll, "estimated", len(ups), standing_confidence(ups, up))


# Standing frames that make an estimate fully trusted, and how close to their median
# direction (degrees) a frame must be to agree with it.
TRUSTED_FRAMES, AGREE_DEG = 30, 5.0


def standing_confidence(ups: np.ndarray, up: np.ndarray) -> float:
    """Enough standing frames (TRUSTED_FRAMES) and most of them agreeing with the median
    up within AGREE_DEG: the same form as the scene's (enough lines, most agreeing)."""
    agree = float(np.mean(ups @ up >= np.cos(np.radians(AGREE_DEG))))
    return min(1.0, len(ups) / TRUSTED_FRAMES) * agree


def rotation_for(tilt: Tilt) -> np.ndarray:
    """3x3 rotation taking the camera-aligned frame to a level one (applied as R @ p)."""
    p, r = np.radians(tilt.pitch_deg), np.radians(tilt.roll_deg)
    # Undo pitch about the camera's right axis (x), which zeroes up's forward part, then
    # roll about its forward axis (y).
    undo_roll = np.array([[np.cos(r), 0, -np.sin(r)], [0, 1, 0], [np.sin(r), 0, np.cos(r)]])
    undo_pitch = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])
    return undo_roll @ undo_pitch


def level(skel: Skeleton, tilt: Tilt) -> Skeleton:
    """The skeleton rotated so that the camera's tilt no longer tilts vertical."""
    if tilt.pitch_deg == 0 and tilt.roll_deg == 0:
        return skel
    joints = skel.joints @ rotation_for(tilt).T
    return Skeleton(joints, skel.confidence, skel.joint_names, skel.fps)
