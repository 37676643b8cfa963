"""Canonical skeleton -> posture columns (angles, flags, confidences) for each side.

A part the layout never observes (no hand points) gets its neutral value with confidence 0;
a part observed but missing in a frame gets NaN angles in that frame. Knees and a neck never
seen (no legs or head point in the layout, or out of the shot throughout) are NaN too,
scored as straight and neutral (worksheet.scoring_columns) at confidence 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ergorisk.kinematics import angles
from ergorisk.kinematics.body_frames import pelvis_heading, trunk_frame
from ergorisk.kinematics.geometry import norm
from ergorisk.kinematics.options import KinematicsOptions
from ergorisk.kinematics.smoothing import smooth
from ergorisk.kinematics.timeseries import keep_long_runs
from ergorisk.pose.skeleton import CANONICAL_JOINTS, Skeleton

Columns = dict[str, np.ndarray]
SIDE_SIGN = {"left": 1.0, "right": -1.0}


class _Joints:
    """Joint positions and confidences by name, after thresholding and smoothing."""

    def __init__(
        self, skel: Skeleton, opts: KinematicsOptions, valid: np.ndarray | None = None
    ) -> None:
        conf = np.where(skel.confidence >= opts.min_joint_confidence, skel.confidence, 0.0)
        pos = np.where((conf > 0)[..., None], skel.joints, np.nan)
        if opts.smoothing_s > 0:
            pos = _smoothed(pos, skel.fps, opts, valid)
        self.pos, self.conf, self.names = pos, conf, skel.joint_names
        self.fps, self.n = skel.fps, skel.n_frames

    def __getitem__(self, name: str) -> np.ndarray:
        return self.pos[:, self.names.index(name)]

    def c(self, *names: str) -> np.ndarray:
        """Lowest confidence of the named joints, per frame."""
        return self.conf[:, [self.names.index(n) for n in names]].min(axis=1)

    def present(self, *names: str) -> np.ndarray:
        return np.isfinite(self.pos[:, [self.names.index(n) for n in names]]).all(axis=(1, 2))

    def observed(self, *names: str) -> bool:
        """Whether the layout provides all these joints at least once."""
        return bool(self.present(*names).any())


def _flag(values: np.ndarray, threshold: float, min_frames: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return keep_long_runs(np.abs(values) > threshold, min_frames)


def _head_point(j: _Joints) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mid-ears; else the one ear seen (a side view hides the other); else the head joint,
    else the nose; with its confidence, and (T,) where its side is known. One ear sits as
    high and as far forward along the trunk as the mid-ears, but off to one side: the neck's
    flexion holds, its side bend is unknown. (The nose, some 10 cm in front of the ears,
    read a neutral neck 27° flexed at full confidence where one ear was lost.)"""
    ears = 0.5 * (j["left_ear"] + j["right_ear"])
    left, right = j.present("left_ear"), j.present("right_ear")
    ears_ok, one_ear = left & right, left ^ right
    ear = np.where(left[:, None], j["left_ear"], j["right_ear"])
    ear_conf = np.where(left, j.c("left_ear"), j.c("right_ear"))
    head_ok = j.present("head")
    other = np.where(head_ok[:, None], j["head"], j["nose"])
    other_conf = np.where(head_ok, j.c("head"), j.c("nose"))
    point = np.where(ears_ok[:, None], ears, np.where(one_ear[:, None], ear, other))
    conf = np.where(ears_ok, j.c("left_ear", "right_ear"), np.where(one_ear, ear_conf, other_conf))
    return point, conf, ~one_ear


def _ear_line(j: _Joints) -> np.ndarray:
    """Right -> left ear line, else the eye line (NaN where neither pair is seen)."""
    ears_ok = j.present("left_ear", "right_ear")
    return np.where(
        ears_ok[:, None], j["left_ear"] - j["right_ear"], j["left_eye"] - j["right_eye"]
    )


def _smoothed(
    pos: np.ndarray, fps: float, opts: KinematicsOptions, valid: np.ndarray | None
) -> np.ndarray:
    """Joint positions (T, J, 3) smoothed over time, reliable frames from reliable frames
    only (``valid``), the others from each other: a glitch's joints bent the knees of the
    example's first reliable frames, where the man stands straight-legged (73° on frame 3,
    smoothed with the unreliable frames 0 and 2), and made a 65° "rapid change" of them."""
    smooth_all = lambda x: smooth(x, fps, opts.smoothing_s, opts.smoothing_polyorder)  # noqa: E731
    if valid is None or np.all(valid) or not np.any(valid):
        return smooth_all(pos)
    ok = np.asarray(valid, bool)[:, None, None]
    return np.where(
        ok, smooth_all(np.where(ok, pos, np.nan)), smooth_all(np.where(ok, np.nan, pos))
    )


def posture_columns(
    skel: Skeleton, opts: KinematicsOptions | None = None, valid: np.ndarray | None = None
) -> dict[str, Columns]:
    """Posture worksheet columns for each side: ``{"left": {...}, "right": {...}}``.

    Each side holds the posture inputs of the REBA and RULA worksheets (angles in degrees,
    flags as bool), ``confidence_<part>`` in [0, 1] and the diagnostic angles behind the flags.
    Task factors (load, coupling) and activity flags are added by later steps. ``valid``
    (T,): the frames whose pose is reliable (pose.quality); they are smoothed apart from the
    others.
    """
    opts = opts or KinematicsOptions()
    if tuple(skel.joint_names) != CANONICAL_JOINTS:
        raise ValueError(
            "kinematics needs a canonical skeleton: convert it with "
            "ergorisk.pose.to_canonical (or read_pose_file) first"
        )
    j = _Joints(skel, opts, valid)
    min_flag = round(opts.flag_min_s * j.fps)
    body = _body_columns(j, opts, min_flag)
    out = {}
    for side in ("left", "right"):
        cols = dict(body["shared"])
        cols.update(body[side])
        cols.update(_arm_columns(j, opts, side, min_flag, body["frames"]))
        out[side] = _unseen_where_impossible(cols)
    return out


# Readings 45° or more past a joint's normal range of motion (AAOS: trunk rotation 45°, neck
# rotation 80°, wrist flexion 80°, ulnar deviation 30°) come from a pose estimate gone wrong,
# not from a body: the example's jumper, square to the camera in the air, read 123° of trunk
# twist, his hand's points a wrist bent 144° and deviated 125°. That part counts as not seen
# on that frame, as where its joints are lost: confidence 0 and its scored angle missing, so
# its score and its side's total are left empty rather than scored from them (the reading
# that gave it away stays in its column).
IMPOSSIBLE_DEG: dict[str, tuple[str, float]] = {
    "trunk_twist_deg": ("trunk", 90.0),
    "neck_twist_deg": ("neck", 125.0),
    "wrist_flexion_deg": ("wrist", 125.0),
    "wrist_deviation_deg": ("wrist", 75.0),
}
BEYOND_RANGE = "beyond_range_"  # + part: that part's reading no body reaches, per frame
SCORED_ANGLE = {
    "trunk": "trunk_flexion_deg",
    "neck": "neck_flexion_deg",
    "wrist": "wrist_flexion_deg",
}
# The part's flags, which rest on the same readings: not set where the part is not seen (a
# wrist not seen scores as neutral, kinematics/worksheet.py, not deviated).
PART_FLAGS = {
    "trunk": ("trunk_twist", "trunk_side_bend"),
    "neck": ("neck_twist", "neck_side_bend"),
    "wrist": ("wrist_deviated",),
}


def beyond_range(cols: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Per part of IMPOSSIBLE_DEG, the frames where one of its readings (one side's columns,
    without the side suffix) is beyond a body's range; a reading that is missing is not."""
    out: dict[str, np.ndarray] = {}
    for angle, (part, limit) in IMPOSSIBLE_DEG.items():
        with np.errstate(invalid="ignore"):
            beyond = np.abs(np.asarray(cols[angle], float)) > limit
        out[part] = out[part] | beyond if part in out else beyond
    return out


def _unseen_where_impossible(cols: Columns) -> Columns:
    """The parts whose reading no body reaches, left out; ``beyond_range_<part>`` says where
    (the reason frames.csv gives, its ``beyond_range_parts``: a wrist's flexion reading is
    its scored angle, emptied here, so the reason could not be read back from the table)."""
    for part, beyond in beyond_range(cols).items():
        cols[f"{BEYOND_RANGE}{part}"] = beyond
        if beyond.any():
            cols[f"confidence_{part}"] = np.where(beyond, 0.0, cols[f"confidence_{part}"])
            scored = SCORED_ANGLE[part]
            cols[scored] = np.where(beyond, np.nan, cols[scored])
            for flag in PART_FLAGS[part]:
                cols[flag] = cols[flag] & ~beyond
    return cols


def _body_columns(j: _Joints, opts: KinematicsOptions, min_flag: int) -> dict:
    n = j.n
    lsh, rsh, lhip, rhip = j["left_shoulder"], j["right_shoulder"], j["left_hip"], j["right_hip"]
    neck, pelvis = j["neck"], j["pelvis"]
    heading = pelvis_heading(lhip, rhip, fallback_left=lsh - rsh)
    trunk = trunk_frame(pelvis, neck, lsh, rsh, lhip, rhip)
    t = angles.trunk_angles(pelvis, neck, heading, lsh - rsh, lhip - rhip)
    conf_trunk = j.c("neck", "pelvis", "left_shoulder", "right_shoulder", "left_hip", "right_hip")

    head, conf_head, side_known = _head_point(j)
    ear_line = _ear_line(j)
    has_ears = j.observed("left_ear", "right_ear") or j.observed("left_eye", "right_eye")
    nk = angles.neck_angles(neck, head, trunk, ear_line if has_ears else None)
    nk["side_bend"] = np.where(side_known, nk["side_bend"], np.nan)
    # A head never seen (no head point in the layout, or out of the shot throughout) leaves
    # the neck missing, scored as neutral (worksheet.scoring_columns) at confidence 0.
    neck_observed = bool(np.isfinite(head).all(axis=1).any())
    # Without ears or eyes the neck twist is unobservable: the neck is half known.
    twist_seen = np.isfinite(nk["twist"]) if has_ears else np.zeros(n, bool)
    conf_neck = np.minimum(j.c("neck"), conf_head) * neck_observed * np.where(twist_seen, 1, 0.5)

    legs, per_side = _leg_columns(j, opts, min_flag)
    shared = {
        "trunk_flexion_deg": t["flexion"],
        "trunk_side_bend_deg": t["side_bend"],
        "trunk_twist_deg": t["twist"],
        "trunk_side_bend": _flag(t["side_bend"], opts.trunk_side_bend_deg, min_flag),
        "trunk_twist": _flag(t["twist"], opts.trunk_twist_deg, min_flag),
        "neck_flexion_deg": nk["flexion"],
        "neck_side_bend_deg": nk["side_bend"],
        "neck_twist_deg": nk["twist"],
        "neck_side_bend": _flag(nk["side_bend"], opts.neck_side_bend_deg, min_flag),
        "neck_twist": _flag(np.nan_to_num(nk["twist"]), opts.neck_twist_deg, min_flag),
        "sitting": np.zeros(n, bool),
        "sitting_supported": np.zeros(n, bool),
        "confidence_trunk": conf_trunk,
        "confidence_neck": conf_neck,
        **legs,
    }
    return {"shared": shared, **per_side, "frames": trunk}


def _leg_columns(j: _Joints, opts: KinematicsOptions, min_flag: int):
    """Knee flexion per side and unilateral support. Unobserved legs: knees missing (scored
    straight), bilateral, confidence 0."""
    n, fps = j.n, j.fps
    knees = {
        s: angles.hinge_flexion(j[f"{s}_hip"], j[f"{s}_knee"], j[f"{s}_ankle"])
        for s in ("left", "right")
    }
    # A knee whose angle could not be measured (its joints at one point) adds no confidence.
    confs = {
        s: np.where(np.isfinite(knees[s]), j.c(f"{s}_hip", f"{s}_knee", f"{s}_ankle"), 0.0)
        for s in ("left", "right")
    }
    observed = j.observed("left_knee", "left_ankle") or j.observed("right_knee", "right_ankle")
    if not observed:
        # Legs never seen (the layout has none, or a close shot): the knees are missing,
        # never 0, and score as straight (worksheet.scoring_columns) at confidence 0.
        cols = {
            "foot_lift_m": np.full(n, np.nan),
            "legs_unilateral": np.zeros(n, bool),
            "legs_supported": np.ones(n, bool),
            "confidence_legs": np.zeros(n),
        }
        return cols, {s: {"knee_flexion_deg": knees[s]} for s in ("left", "right")}

    foot_z = {
        s: np.fmin(np.fmin(j[f"{s}_ankle"][:, 2], j[f"{s}_heel"][:, 2]), j[f"{s}_toe"][:, 2])
        for s in ("left", "right")
    }
    lift = foot_z["left"] - foot_z["right"]
    with np.errstate(invalid="ignore"):
        raw = np.abs(lift) > opts.foot_lift_m
    if opts.weight_shift:
        raw |= _weight_on_one_leg(j, opts)
    # One pose (a single frame of a pose file, as a photo at 1 fps) is judged on itself: the
    # 1 s rule left a foot lifted 16 cm on a 30 fps one-frame array bilateral, unsaid.
    need = 1 if n == 1 else max(round(opts.unilateral_min_s * fps), min_flag)
    unilateral = keep_long_runs(raw, need)
    # One leg out of view halves the confidence; both out of view: straight legs, confidence 0
    # (legs are often outside a close shot, and should not blank the whole frame's score).
    conf_legs = 0.5 * (confs["left"] + confs["right"])
    cols = {
        "foot_lift_m": lift,
        "legs_unilateral": unilateral,
        "legs_supported": ~unilateral,
        "confidence_legs": conf_legs,
    }
    # Each side's own knee, NaN where that knee is not seen. REBA's legs score takes the more
    # flexed knee for the body: that convention is applied to the scoring input
    # (worksheet.scoring_columns), not to the measured angles.
    return cols, {s: {"knee_flexion_deg": knees[s]} for s in ("left", "right")}


def _weight_on_one_leg(j: _Joints, opts: KinematicsOptions) -> np.ndarray:
    """Pelvis over one foot: its ground projection near one end of the ankle-to-ankle line."""
    la, ra = j["left_ankle"][:, :2], j["right_ankle"][:, :2]
    base = la - ra
    width = norm(base)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.einsum("ij,ij->i", j["pelvis"][:, :2] - ra, base) / width**2
        return (width > opts.weight_shift_min_feet_m) & (
            (s < opts.weight_shift_ratio) | (s > 1 - opts.weight_shift_ratio)
        )


def _arm_columns(j: _Joints, opts: KinematicsOptions, side: str, min_flag: int, trunk) -> Columns:
    n, sign = j.n, SIDE_SIGN[side]
    sh, el, wr = j[f"{side}_shoulder"], j[f"{side}_elbow"], j[f"{side}_wrist"]
    ua = angles.upper_arm_angles(sh, el, trunk, sign)
    conf_trunk = j.c("neck", "pelvis", "left_shoulder", "right_shoulder")
    conf_ua = np.minimum(j.c(f"{side}_shoulder", f"{side}_elbow"), conf_trunk)
    elbow = angles.hinge_flexion(sh, el, wr)
    conf_la = j.c(f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist")

    raised, conf_raise, elev = _shoulder_raised(j, opts, side, trunk)
    width = norm(j["left_shoulder"] - j["right_shoulder"])
    lateral = angles.wrist_lateral(wr, j["neck"], trunk, sign)
    with np.errstate(invalid="ignore"):
        across = lateral < -opts.midline_margin * width
        out_side = lateral > (0.5 + opts.out_to_side_margin) * width
    wrist_flex, wrist_dev, conf_wrist = _wrist(j, side)

    cols: Columns = {
        "upper_arm_flexion_deg": ua["flexion"],
        "upper_arm_abduction_deg": ua["abduction"],
        "upper_arm_abducted": _flag(
            np.fmax(ua["abduction"], 0), opts.upper_arm_abduction_deg, min_flag
        ),
        "upper_arm_rotated": np.zeros(n, bool),  # not observable from joint centres
        "shoulder_elevation_deg": elev,
        "shoulder_raised": keep_long_runs(raised, min_flag),
        "arm_supported": _arm_supported(j, opts, side)
        if opts.detect_arm_support
        else np.zeros(n, bool),
        "lower_arm_flexion_deg": elbow,
        "lower_arm_midline_or_out": keep_long_runs(across | out_side, min_flag),
        "wrist_lateral_m": lateral,
        "wrist_flexion_deg": wrist_flex,
        "wrist_deviation_deg": wrist_dev,
        "wrist_deviated": _flag(wrist_dev, opts.wrist_deviation_deg, min_flag),
        "wrist_twisted": np.zeros(n, bool),  # pronation/supination: not observable
        "wrist_twist_end_range": np.zeros(n, bool),
        "confidence_upper_arm": np.minimum(conf_ua, np.where(conf_raise > 0, 1.0, 0.5)),
        "confidence_lower_arm": conf_la,
        "confidence_wrist": conf_wrist,
    }
    return cols


def _shoulder_raised(j: _Joints, opts: KinematicsOptions, side: str, trunk):
    """(raised flag, confidence, shoulder elevation angle) for one side.

    With ears: the ear close above the shoulder (in shoulder widths along the trunk axis).
    Without ears: the neck -> shoulder line raised above the trunk's transverse plane, but
    only when the layout's neck is its own point (not mid-shoulders), or when
    shoulder_raise_from_tilt is set.
    """
    n = j.n
    sh = j[f"{side}_shoulder"]
    elev = angles.shoulder_elevation(sh, j["neck"], trunk)
    mid = 0.5 * (j["left_shoulder"] + j["right_shoulder"])
    gap = norm(j["neck"] - mid)
    # The layout's neck is its own point if it ever leaves the mid-shoulder point by > 1 cm
    # (UW-IOM's and every derived neck never do).
    distinct_neck = bool(np.nanmax(gap) > 0.01) if np.isfinite(gap).any() else False
    raised = np.zeros(n, bool)
    conf = np.zeros(n)
    if distinct_neck or opts.shoulder_raise_from_tilt:
        # Layouts put the neck point at different heights (Human3.6M's thorax at shoulder
        # level, SMPL's neck higher): a relaxed shoulder reads 0 deg or below. Measure from
        # the recording's median when that is below 0, so a higher neck does not hide shrugs.
        finite = np.isfinite(elev)
        baseline = min(float(np.median(elev[finite])), 0.0) if finite.any() else 0.0
        with np.errstate(invalid="ignore"):
            raised = elev - baseline > opts.shoulder_raise_deg
        conf = j.c("neck", f"{side}_shoulder")
    ear = f"{side}_ear"
    if j.observed(ear):
        width = norm(j["left_shoulder"] - j["right_shoulder"])
        mid_ears = 0.5 * (j["left_ear"] + j["right_ear"])
        axis = np.where(np.isfinite(mid_ears).all(axis=1, keepdims=True), mid_ears, j[ear])
        ratio = angles.ear_shoulder_ratio(j[ear], sh, width, axis - j["neck"])
        ok = np.isfinite(ratio)
        with np.errstate(invalid="ignore"):
            raised = np.where(ok, ratio < opts.ear_shoulder_ratio, raised)
        conf = np.where(ok, j.c(ear, f"{side}_shoulder"), conf)
    return raised, conf, elev


def _wrist(j: _Joints, side: str):
    """Wrist flexion and deviation from the hand points: NaN (confidence 0) where they are not
    seen. The scorer takes an unseen wrist as neutral (worksheet.scoring_columns) rather than
    blanking the whole side; the table shows it as missing."""
    n = j.n
    names = (f"{side}_elbow", f"{side}_wrist", f"{side}_index", f"{side}_pinky")
    if not j.observed(*names):
        return np.full(n, np.nan), np.full(n, np.nan), np.zeros(n)
    w = angles.wrist_angles(*(j[name] for name in names), side_sign=SIDE_SIGN[side])
    ok = j.present(*names)
    conf = np.where(ok, j.c(*names), 0.0)
    return np.where(ok, w["flexion"], np.nan), np.where(ok, w["deviation"], np.nan), conf


def _arm_supported(j: _Joints, opts: KinematicsOptions, side: str) -> np.ndarray:
    """Heuristic: forearm near horizontal and the wrist still, for support_min_s or longer."""
    el, wr = j[f"{side}_elbow"], j[f"{side}_wrist"]
    tilt = angles.forearm_tilt(el, wr)
    speed = norm(np.gradient(wr, axis=0)) * j.fps if j.n > 1 else np.zeros(j.n)
    with np.errstate(invalid="ignore"):
        still = (np.abs(tilt) < opts.support_forearm_tilt_deg) & (
            speed < opts.support_wrist_speed_mps
        )
    return keep_long_runs(still, round(opts.support_min_s * j.fps))
