"""Pose-file readers: .npy, .npz and CSV (BVH and C3D in their own modules) -> Skeleton.

The readers are the I/O edge of the pose stage. Every problem with a file is raised as a
``PoseInputError`` whose message names the file and the problem in one line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ergorisk.errors import InputError
from ergorisk.pose.layouts import Layout, get_layout, to_canonical
from ergorisk.pose.skeleton import Skeleton

_NPZ_POSE_KEYS = ("poses", "joints", "keypoints", "positions", "pose", "arr_0")
_NPZ_CONF_KEYS = ("confidence", "scores", "visibility", "conf")
_CONF_SUFFIXES = ("c", "conf", "confidence", "score", "visibility", "v")
_INDEX_COLUMNS = {"frame", "frame_index", "time", "time_s", "timestamp", "t"}


class PoseInputError(InputError):
    """A pose file that cannot be read as the given layout."""


def read_pose_file(
    path: str | Path,
    layout: str | Layout,
    *,
    up: str | None = None,
    fps: float | None = None,
    units: str = "auto",
    mapping: str | Path | None = None,
) -> Skeleton:
    """Read a pose file into a canonical Skeleton.

    ``.npy``: (T, J, 3), (T, J, 4) with confidence last, or (J, 3) for one frame.
    ``.npz``: the poses under one of ``poses``/``joints``/``keypoints``/``positions`` (or the
    only array), optional ``confidence`` (T, J) and ``fps``.
    ``.csv``: one row per frame, either ``<joint>_x,<joint>_y,<joint>_z[,<joint>_c]`` columns
    named after the layout's joints, or J*3 (J*4) numeric columns in layout order; ``frame`` and
    ``time`` columns are ignored.
    ``.bvh``/``.c3d``: need ``mapping`` (a YAML or JSON file, canonical joint -> source name).
    """
    p = Path(path)
    if not p.is_file():
        raise PoseInputError(f"{p}: no such file")
    suffix = p.suffix.lower()
    try:
        if suffix in (".bvh", ".c3d"):
            return _read_mocap(p, suffix, up=up, fps=fps, units=units, mapping=mapping)
        lay = get_layout(layout)
        if p.stat().st_size == 0:
            raise PoseInputError(f"{p}: empty file")
        if suffix == ".npy":
            points, conf, file_fps = _load_npy(p), None, None
        elif suffix == ".npz":
            points, conf, file_fps = _load_npz(p)
        elif suffix in (".csv", ".txt"):
            points, conf, file_fps = _load_csv(p, lay), None, None
        else:
            raise PoseInputError(
                f"{p}: unsupported pose file type {suffix!r} (use .npy, .npz, .csv, .bvh or .c3d)"
            )
        if points.ndim == 2:  # a single frame
            if points.shape[-1] not in (3, 4):  # named as given, not as (1, ...)
                raise PoseInputError(
                    f"{p}: poses must have shape (T, J, 3), (T, J, 4) or one frame's (J, 3), "
                    f"got {points.shape}"
                )
            points = points[None]
            conf = None if conf is None else conf[None]
        if points.size == 0 or points.shape[0] == 0:
            raise PoseInputError(f"{p}: no frames")
        return to_canonical(points, lay, confidence=conf, up=up, fps=fps or file_fps, units=units)
    except PoseInputError:
        raise
    except (ValueError, OSError, KeyError, EOFError) as exc:
        text = _one_line(exc)
        # the mocap readers name the file already ("tiny.bvh: tiny.bvh: mapping names ...")
        raise PoseInputError(text if text.startswith(f"{p}:") else f"{p}: {text}") from exc


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _numeric(array: np.ndarray, what: str) -> np.ndarray:
    if not np.issubdtype(array.dtype, np.number):
        raise PoseInputError(f"{what} is not numeric (dtype {array.dtype})")
    return np.asarray(array, dtype=float)


def _load_npy(p: Path) -> np.ndarray:
    try:
        array = np.load(p, allow_pickle=False)
    except ValueError:  # "Cannot load file containing pickled data" of a text file
        raise PoseInputError(f"{p}: not a NumPy array file (.npy)") from None
    return _numeric(array, f"{p}")


def _load_npz(p: Path) -> tuple[np.ndarray, np.ndarray | None, float | None]:
    with np.load(p, allow_pickle=False) as data:
        keys = list(data.keys())
        key = next((k for k in _NPZ_POSE_KEYS if k in keys), keys[0] if len(keys) == 1 else None)
        if key is None:
            expected = ", ".join(_NPZ_POSE_KEYS)
            raise PoseInputError(f"{p}: no pose array (expected one of {expected})")
        points = _numeric(data[key], f"{p}:{key}")
        ckey = next((k for k in _NPZ_CONF_KEYS if k in keys), None)
        conf = _numeric(data[ckey], f"{p}:{ckey}") if ckey else None
        fps = float(data["fps"]) if "fps" in keys else None
    return points, conf, fps


def _load_csv(p: Path, lay: Layout) -> np.ndarray:
    try:
        first = pd.read_csv(p, header=None, nrows=1).iloc[0]
    except pd.errors.EmptyDataError:
        raise PoseInputError(f"{p}: empty file") from None
    if all(_is_number(v) for v in first):
        # No header: the first row is a frame (read as a header, it was lost, silently).
        data = pd.read_csv(p, header=None)
    else:
        df = pd.read_csv(p)
        if df.empty:
            raise PoseInputError(f"{p}: no frames")
        named = _csv_by_name(df, lay)
        if named is not None:
            return named
        data = df[[c for c in df.columns if str(c).strip().lower() not in _INDEX_COLUMNS]]
    values = _numeric(data.to_numpy(), f"{p}")
    n = lay.n_joints
    if values.shape[1] == n * 3 + 1 or values.shape[1] == n * 4 + 1:
        values = values[:, 1:]  # a leading frame index without a header
    for dims in (3, 4):
        if values.shape[1] == n * dims:
            return values.reshape(len(values), n, dims)
    raise PoseInputError(
        f"{p}: {values.shape[1]} columns do not fit layout {lay.name} "
        f"({n} joints x 3 or 4 values, or <joint>_x/_y/_z columns)"
    )


def _is_number(text: object) -> bool:
    try:
        float(str(text))
    except ValueError:
        return False
    return True


def _csv_by_name(df: pd.DataFrame, lay: Layout) -> np.ndarray | None:
    """(T, J, 4) from ``<joint>_x/_y/_z[/_c]`` columns, the joint named by its canonical name or
    by the source's own name (MediaPipe's ``left_foot_index``, for example)."""
    cols = {re.sub(r"[\s.]+", "_", str(c).strip().lower()): c for c in df.columns}
    aliases = [
        [n for n in (canon, src) if n is not None]
        for canon, src in zip(lay.joints, lay.source_names or (None,) * lay.n_joints, strict=True)
    ]
    if not any(f"{n}_x" in cols for names in aliases for n in names):
        return None
    out = np.full((len(df), lay.n_joints, 4), np.nan)
    out[..., 3] = 1.0
    for i, names in enumerate(aliases):
        joint = next((n for n in names if f"{n}_x" in cols), None)
        if joint is None:
            continue
        for d, axis in enumerate("xyz"):
            key = f"{joint}_{axis}"
            if key not in cols:
                raise PoseInputError(f"column {key} missing (have {joint}_x)")
            out[:, i, d] = pd.to_numeric(df[cols[key]], errors="coerce")
        ckey = next((f"{joint}_{s}" for s in _CONF_SUFFIXES if f"{joint}_{s}" in cols), None)
        if ckey:
            out[:, i, 3] = pd.to_numeric(df[cols[ckey]], errors="coerce")
    return out


def _read_mocap(p: Path, suffix: str, *, up, fps, units, mapping) -> Skeleton:
    from ergorisk.io import mocap

    if mapping is None:
        raise PoseInputError(f"{p}: {suffix} files need a joint mapping (--mapping FILE.yaml)")
    table = mocap.load_mapping(mapping)
    if p.stat().st_size == 0:
        raise PoseInputError(f"{p}: empty file")
    if suffix == ".bvh":
        return mocap.read_bvh(p, table, up=up, fps=fps, units=units)
    return mocap.read_c3d(p, table, up=up, fps=fps, units=units)
