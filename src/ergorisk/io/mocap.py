"""Motion-capture files (BVH, C3D) -> canonical skeleton, through a joint mapping.

A mapping file (YAML or JSON) names, for each canonical joint, the source joint (BVH) or
marker (C3D) to take, or a list of them to average (for a joint centre between markers):

    joints:
      left_shoulder: LeftArm
      left_elbow: LeftForeArm
      pelvis: [LASI, RASI, LPSI, RPSI]
    up: y          # optional: the file's up axis (BVH default y, C3D default z)
    units: cm      # optional: m, cm, mm or auto (C3D: from the file)

A flat mapping (without the ``joints:`` level) works too. BVH end sites are named
``<parent>_End``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ergorisk.pose.layouts import UNITS, guess_units, guess_up, to_z_up
from ergorisk.pose.skeleton import (
    CANONICAL_JOINTS,
    JOINT_INDEX,
    Skeleton,
    derive_missing,
    empty_canonical,
)

_UNIT_SCALE = {"m": 1.0, "cm": 0.01, "mm": 0.001}


@dataclass(frozen=True)
class JointMapping:
    joints: dict[str, tuple[str, ...]]
    up: str | None = None
    units: str | None = None


def load_mapping(path: str | Path) -> JointMapping:
    """Read and check a YAML or JSON joint mapping."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{p}: no such mapping file")
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{p}: a mapping must be an object of canonical joint -> source name")
    joints = data.get("joints", data)
    if not isinstance(joints, dict):
        raise ValueError(f"{p}: 'joints' must map canonical joint names to source names")
    table = {k: v for k, v in joints.items() if k not in ("up", "units")}
    unknown = sorted(k for k in table if k not in JOINT_INDEX)
    if unknown:
        raise ValueError(f"{p}: unknown canonical joints {unknown}")
    if not table:
        raise ValueError(f"{p}: the mapping names no joints")
    units = data.get("units")
    if units is not None and units not in UNITS:
        raise ValueError(f"{p}: units must be one of {', '.join(UNITS)}")
    return JointMapping(
        joints={k: (v,) if isinstance(v, str) else tuple(v) for k, v in table.items()},
        up=data.get("up"),
        units=units,
    )


def skeleton_from_named(
    points: dict[str, np.ndarray],
    mapping: JointMapping,
    *,
    up: str,
    fps: float,
    units: str,
    source: str,
) -> Skeleton:
    """Canonical skeleton from named (T, 3) source points and a mapping."""
    n = len(next(iter(points.values()))) if points else 0
    if n == 0:
        raise ValueError(f"{source}: no frames")
    missing = sorted({s for names in mapping.joints.values() for s in names} - set(points))
    if missing:
        known = ", ".join(sorted(points)[:12])
        raise ValueError(f"{source}: mapping names {missing} not in the file (has {known} ...)")
    joints, conf = empty_canonical(n)
    for canon, names in mapping.joints.items():
        joints[:, JOINT_INDEX[canon]] = np.mean([points[s] for s in names], axis=0)
    found = np.isfinite(joints).all(axis=2)
    conf[found] = 1.0
    if up == "auto":
        up = guess_up(joints, CANONICAL_JOINTS)
    joints = to_z_up(joints, up)
    unit = units if units != "auto" else guess_units(joints)
    joints = joints * _UNIT_SCALE[unit]
    derive_missing(joints, conf)
    return Skeleton(joints, conf, fps=fps)


def read_bvh(
    path: Path,
    mapping: JointMapping,
    *,
    up: str | None = None,
    fps: float | None = None,
    units: str = "auto",
) -> Skeleton:
    """Read a BVH file: global joint positions by forward kinematics over all frames."""
    hierarchy, motion, frame_time = _parse_bvh(path.read_text(encoding="utf-8"), path)
    points = _bvh_positions(hierarchy, motion)
    return skeleton_from_named(
        points,
        mapping,
        up=up or mapping.up or "y",
        # a frame time of 0.0333333 read 30.000030000029998 fps in summary.json
        fps=fps or round(1.0 / frame_time, 3),
        units=_units(units, mapping),
        source=str(path),
    )


def read_c3d(
    path: Path,
    mapping: JointMapping,
    *,
    up: str | None = None,
    fps: float | None = None,
    units: str = "auto",
) -> Skeleton:
    """Read a C3D file (ezc3d): markers by label; invalid samples (residual < 0) are NaN."""
    import ezc3d

    c3d = ezc3d.c3d(str(path))
    point = c3d["parameters"]["POINT"]
    labels = [str(s).strip() for s in point["LABELS"]["value"]]
    data = np.asarray(c3d["data"]["points"], dtype=float)  # (4, markers, T)
    xyz = np.transpose(data[:3], (2, 1, 0))  # (T, markers, 3)
    residual = c3d["data"]["meta_points"]["residuals"] if "meta_points" in c3d["data"] else None
    if residual is not None and np.size(residual):
        bad = np.transpose(np.asarray(residual)[0], (1, 0)) < 0
        xyz[bad] = np.nan
    xyz[(xyz == 0).all(axis=2)] = np.nan  # many writers store a lost marker as (0, 0, 0)
    file_units = [str(u).strip().lower() for u in point.get("UNITS", {}).get("value", [])]
    if units == "auto" and not mapping.units and file_units and file_units[0] in _UNIT_SCALE:
        units = file_units[0]
    rate = float(point["RATE"]["value"][0])
    named = {label: xyz[:, i] for i, label in enumerate(labels)}
    return skeleton_from_named(
        named,
        mapping,
        up=up or mapping.up or "z",
        fps=fps or rate,
        units=_units(units, mapping),
        source=str(path),
    )


def _units(option: str, mapping: JointMapping) -> str:
    """An explicit option wins over the mapping file, which wins over a guess."""
    return mapping.units if option == "auto" and mapping.units else option


@dataclass
class _Joint:
    name: str
    parent: int
    offset: np.ndarray
    channels: list[str] = field(default_factory=list)
    first_channel: int = 0


def _parse_bvh(text: str, path: Path) -> tuple[list[_Joint], np.ndarray, float]:
    tokens = text.split()
    if not tokens or tokens[0] != "HIERARCHY":
        raise ValueError(f"{path}: not a BVH file (no HIERARCHY)")
    joints: list[_Joint] = []
    stack: list[int] = []
    i, n_channels = 1, 0
    while i < len(tokens) and tokens[i] != "MOTION":
        tok = tokens[i]
        if tok in ("ROOT", "JOINT", "End"):
            name = tokens[i + 1] if tok != "End" else f"{joints[stack[-1]].name}_End"
            joints.append(_Joint(name, stack[-1] if stack else -1, np.zeros(3)))
            i += 2
        elif tok == "{":
            stack.append(len(joints) - 1)
            i += 1
        elif tok == "}":
            stack.pop()
            i += 1
        elif tok == "OFFSET":
            joints[stack[-1]].offset = np.array([float(t) for t in tokens[i + 1 : i + 4]])
            i += 4
        elif tok == "CHANNELS":
            count = int(tokens[i + 1])
            joints[stack[-1]].channels = tokens[i + 2 : i + 2 + count]
            joints[stack[-1]].first_channel = n_channels
            n_channels += count
            i += 2 + count
        else:
            raise ValueError(f"{path}: unexpected BVH token {tok!r}")
    try:
        n_frames = int(tokens[tokens.index("Frames:", i) + 1])
        ft = tokens.index("Time:", i)
        frame_time = float(tokens[ft + 1])
        values = np.array(tokens[ft + 2 :], dtype=float)
    except (ValueError, IndexError):
        raise ValueError(f"{path}: malformed BVH MOTION section") from None
    if n_frames == 0:
        raise ValueError(f"{path}: no frames")
    if values.size != n_frames * n_channels:
        raise ValueError(
            f"{path}: {values.size} motion values, expected "
            f"{n_frames} frames x {n_channels} channels"
        )
    return joints, values.reshape(n_frames, n_channels), frame_time


def _bvh_positions(joints: list[_Joint], motion: np.ndarray) -> dict[str, np.ndarray]:
    """Global positions of every joint, (T, 3), by forward kinematics (vectorized over T)."""
    from scipy.spatial.transform import Rotation

    n = motion.shape[0]
    rot: list[Any] = []
    pos: list[np.ndarray] = []
    for j in joints:  # parents come before children in a BVH hierarchy
        local = np.broadcast_to(j.offset, (n, 3)).copy()
        axes, angles = "", []
        for k, ch in enumerate(j.channels):
            col = motion[:, j.first_channel + k]
            if ch.endswith("position"):
                local[:, "XYZ".index(ch[0].upper())] += col
            elif ch.endswith("rotation"):
                axes += ch[0].upper()
                angles.append(col)
        # BVH rotations are intrinsic, applied in the order the channels are listed.
        r = (
            Rotation.from_euler(axes, np.stack(angles, axis=1), degrees=True)
            if axes
            else Rotation.identity(n)
        )
        if j.parent < 0:
            rot.append(r)
            pos.append(local)
        else:
            rot.append(rot[j.parent] * r)
            pos.append(pos[j.parent] + rot[j.parent].apply(local))
    return {j.name: p for j, p in zip(joints, pos, strict=True)}
