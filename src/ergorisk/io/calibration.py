"""Camera calibrations: read Pose2Sim/anipose TOML, Qualisys .qca.txt and OpenCV FileStorage
(yaml/xml) into one ``Camera`` list; write the project's TOML (Pose2Sim/anipose-compatible).

    cameras = read_calibration("Calib.qca.txt")          # [Camera(name="cam01", ...), ...]
    write_toml(cameras, "calibration.toml")
    views = match_videos(["take-cam01.mp4", "take-cam04.mp4"], cameras)

Every camera follows OpenCV's pinhole model: ``x_cam = R @ X_world + t``, pixels from
``K`` and ``dist`` (k1, k2, p1, p2[, k3, ...]). World units are metres.
"""

from __future__ import annotations

import re
import tomllib
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ergorisk.errors import InputError


class CalibrationError(InputError):
    """A calibration file that cannot be read, or cameras that do not fit the videos."""


@dataclass(frozen=True)
class Camera:
    """One calibrated camera. ``size`` (width, height) pixels; ``K`` (3, 3); ``dist`` OpenCV
    distortion coefficients; ``R`` (3, 3) world->camera rotation; ``t`` (3,) metres;
    ``label`` another name the file gives it (anipose's ``name`` field), for matching."""

    name: str
    size: tuple[int, int]
    K: np.ndarray
    dist: np.ndarray
    R: np.ndarray
    t: np.ndarray
    fisheye: bool = False
    label: str | None = field(default=None, compare=False)
    # This frame's pixels per calibrated pixel (``scaled_to``): reprojection errors are
    # measured at the calibrated size, so a downscaled copy of a view is not judged twice as
    # leniently (cam02 at half size read 4.7 px against 9.2 and passed every outlier bound).
    pixel_scale: float = field(default=1.0, compare=False)

    def __post_init__(self) -> None:
        for attr, shape in (("K", (3, 3)), ("R", (3, 3)), ("t", (3,))):
            value = np.asarray(getattr(self, attr), dtype=float).reshape(shape)
            object.__setattr__(self, attr, value)
        object.__setattr__(self, "dist", np.asarray(self.dist, dtype=float).ravel())
        object.__setattr__(self, "size", (int(self.size[0]), int(self.size[1])))

    def projection(self) -> np.ndarray:
        """(3, 4) pixel projection matrix K [R | t] (no distortion)."""
        return self.K @ np.hstack([self.R, self.t[:, None]])

    @property
    def rvec(self) -> np.ndarray:
        import cv2

        return cv2.Rodrigues(self.R)[0].ravel()

    @property
    def centre(self) -> np.ndarray:
        """The camera's position in the world, metres."""
        return -self.R.T @ self.t

    def project(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world points -> (..., 2) pixels, with distortion; NaN stays NaN."""
        import cv2

        pts = np.asarray(points, dtype=float)
        flat = pts.reshape(-1, 3)
        out = np.full((len(flat), 2), np.nan)
        ok = np.isfinite(flat).all(axis=1)
        if ok.any():
            if self.fisheye:
                px = cv2.fisheye.projectPoints(
                    flat[ok][:, None], self.rvec, self.t, self.K, self.dist[:4]
                )[0]
            else:
                px = cv2.projectPoints(flat[ok], self.rvec, self.t, self.K, self.dist)[0]
            out[ok] = px.reshape(-1, 2)
        return out.reshape(*pts.shape[:-1], 2)

    def scaled_to(self, width: int, height: int) -> Camera:
        """The same camera for frames resized to width x height (K scaled per axis)."""
        sx, sy = width / self.size[0], height / self.size[1]
        K = np.diag([sx, sy, 1.0]) @ self.K
        scale = self.pixel_scale * float(np.sqrt(sx * sy))
        return replace(self, size=(width, height), K=K, pixel_scale=scale)

    def same_as(self, other: Camera, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
        """Equal geometry (name, size, K, distortion with trailing zeros, R, t)."""
        n = max(len(self.dist), len(other.dist))
        d1, d2 = (np.pad(d, (0, n - len(d))) for d in (self.dist, other.dist))
        return (
            self.name == other.name
            and self.size == other.size
            and all(
                np.allclose(a, b, rtol=rtol, atol=atol)
                for a, b in ((self.K, other.K), (d1, d2), (self.R, other.R), (self.t, other.t))
            )
        )


# --- readers -----------------------------------------------------------------------------


def read_calibration(path: str | Path) -> list[Camera]:
    """Cameras from a .toml (Pose2Sim, anipose), .qca.txt (Qualisys) or .yml/.yaml/.xml
    (OpenCV FileStorage) file; raise CalibrationError naming the file and the problem."""
    path = Path(path)
    if path.is_dir():
        raise CalibrationError(f"{path}: a folder, not a calibration file")
    if not path.is_file():
        raise CalibrationError(f"{path}: no such calibration file")
    name = path.name.lower()
    try:
        if name.endswith(".toml"):
            cameras = read_toml(path)
        elif name.endswith((".qca.txt", ".qca")):
            cameras = read_qca(path)
        elif name.endswith((".yml", ".yaml", ".xml")):
            cameras = read_opencv(path)
        else:
            raise CalibrationError(
                f"{path}: unknown calibration format (expected .toml, .qca.txt, .yml or .xml)"
            )
    except CalibrationError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, ET.ParseError) as err:
        raise CalibrationError(f"{path}: unreadable calibration ({err})") from None
    if not cameras:
        expected = (
            f" (a camera is a [section] with {', '.join(TOML_CAMERA_KEYS)})"
            if name.endswith(".toml")
            else ""
        )
        raise CalibrationError(f"{path}: no camera found{expected}")
    for camera in cameras:
        if problem := camera_problem(camera):
            raise CalibrationError(f"{path}: camera {camera.name}: {problem}")
    return cameras


def camera_problem(camera: Camera) -> str:
    """What makes a camera unusable, '' if nothing: a NaN translation or a focal length of 0
    read as "nobody is seen in two or more views" after the whole pose pass (a walkthrough)."""
    for what, value in (("matrix", camera.K), ("distortions", camera.dist),
                        ("rotation", camera.R), ("translation", camera.t)):  # fmt: skip
        if not np.isfinite(value).all():
            return f"its {what} holds a value that is not a number ({value.ravel().tolist()})"
    fx, fy = camera.K[0, 0], camera.K[1, 1]
    if fx <= 0 or fy <= 0:
        return f"its focal length must be above 0 pixels, got fx {fx:g}, fy {fy:g}"
    if abs(np.linalg.det(camera.R) - 1) > 0.01:
        return "its rotation is not a rotation (its determinant is not 1)"
    if min(camera.size) <= 0:
        return f"its size must be above 0 pixels, got {camera.size[0]} x {camera.size[1]}"
    return ""


TOML_CAMERA_KEYS = ("size", "matrix", "distortions", "rotation", "translation")


def read_toml(path: str | Path) -> list[Camera]:
    """Pose2Sim or anipose TOML: one table per camera (size, matrix, distortions, rotation as
    a Rodrigues vector, translation); other tables (metadata) are skipped."""
    import cv2

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CalibrationError(f"{path}: not valid TOML ({err})") from None
    cameras = []
    for section, cam in data.items():
        # a table with any camera field is a camera (one with a size alone read "no camera
        # found"); metadata tables have none
        if not isinstance(cam, dict) or not any(k in cam for k in TOML_CAMERA_KEYS):
            continue
        missing = [k for k in TOML_CAMERA_KEYS if k not in cam]
        if missing:
            raise CalibrationError(f"{path}: camera [{section}] lacks {', '.join(missing)}")
        rot = np.asarray(cam["rotation"], dtype=float)
        R = rot.reshape(3, 3) if rot.size == 9 else cv2.Rodrigues(rot.reshape(3))[0]
        label = cam.get("name")
        cameras.append(
            Camera(
                name=section,
                size=tuple(round(float(v)) for v in cam["size"]),
                K=np.asarray(cam["matrix"], dtype=float),
                dist=np.asarray(cam["distortions"], dtype=float),
                R=R,
                t=np.asarray(cam["translation"], dtype=float),
                fisheye=bool(cam.get("fisheye", False)),
                label=str(label) if label is not None and str(label) != section else None,
            )
        )
    return cameras


# Qualisys stores pixel quantities in sub-pixel units of 1/64 pixel.
_QCA_SUBPIXELS = 64.0
# Qualisys's camera frame looks along -z with y up; OpenCV's looks along +z with y down.
_QUALISYS_TO_OPENCV = np.diag([1.0, -1.0, -1.0])


def read_qca(path: str | Path) -> list[Camera]:
    """Qualisys .qca.txt: cameras named cam01..camNN in file order.

    Focal length and principal point in 1/64 pixel (principal point relative to the video
    field of view's corner); the distortion coefficients are OpenCV's k1, k2, p1, p2, k3 as
    they are (Pose2Sim's converter divides them by 64 too: the demo's own checkerboard
    photos give k1 -0.03 to -0.05 and k2 0.01 to 0.15 against the file's -0.046 to -0.048
    and 0.135 to 0.140, and so 2-3 px of distortion where the boards reach, which /64 makes
    0.05 px); ``transform`` gives the rotation (rows: the camera's axes in the world) and
    the camera's position in millimetres.
    """
    path = Path(path)
    root = ET.parse(path).getroot()
    tags = root.findall("cameras/camera")
    if not tags:
        raise CalibrationError(f"{path}: no <cameras><camera> element (not a Qualisys file?)")
    cameras = []
    for i, tag in enumerate(tags, start=1):
        fov, intr, tf = tag.find("fov_video"), tag.find("intrinsic"), tag.find("transform")
        if fov is None or intr is None or tf is None:
            raise CalibrationError(f"{path}: camera {i} lacks fov_video, intrinsic or transform")
        left, top = float(fov.get("left")), float(fov.get("top"))
        width = round(float(fov.get("right")) - left + 1)
        height = round(float(fov.get("bottom")) - top + 1)

        def val(name: str, el: ET.Element = intr) -> float:
            return float(el.get(name))

        K = np.array(
            [
                [
                    val("focalLengthU") / _QCA_SUBPIXELS,
                    0.0,
                    val("centerPointU") / _QCA_SUBPIXELS - left,
                ],
                [
                    0.0,
                    val("focalLengthV") / _QCA_SUBPIXELS,
                    val("centerPointV") / _QCA_SUBPIXELS - top,
                ],
                [0.0, 0.0, 1.0],
            ]
        )
        names = ("radialDistortion1", "radialDistortion2", "tangentalDistortion1")
        dist = [val(n) for n in (*names, "tangentalDistortion2", "radialDistortion3")]
        dist = np.array(dist)
        rot = np.array([[val(f"r{r}{c}", tf) for c in (1, 2, 3)] for r in (1, 2, 3)])
        position = np.array([val(a, tf) for a in "xyz"]) / 1000.0
        R = _QUALISYS_TO_OPENCV @ rot
        cameras.append(Camera(f"cam{i:02d}", (width, height), K, dist, R, -R @ position))
    return cameras


def read_opencv(path: str | Path) -> list[Camera]:
    """OpenCV FileStorage (yaml or xml) in EasyMocap's layout: ``names`` (a sequence of
    camera names), then per camera ``K_<name>``, ``dist_<name>``, ``Rot_<name>`` (3x3) or
    ``R_<name>`` (Rodrigues), ``T_<name>`` (metres), and ``W_<name>``/``H_<name>`` (pixels;
    without them the size is twice the principal point, with a warning)."""
    import cv2

    path = Path(path)
    try:
        fs = cv2.FileStorage(str(path), cv2.FILE_STORAGE_READ)
    except (cv2.error, SystemError):  # its parser raises on text that is not its format
        # (a SystemError in Python, "Input file is invalid": nothing to pass on)
        what = "an empty file" if path.stat().st_size == 0 else "not OpenCV FileStorage"
        raise CalibrationError(
            f"{path}: {what} (an OpenCV calibration starts with %YAML:1.0 or <?xml ...?> "
            "<opencv_storage>)"
        ) from None
    if not fs.isOpened():
        raise CalibrationError(f"{path}: OpenCV cannot open it as FileStorage (yaml/xml)")
    try:
        names_node = fs.getNode("names")
        if names_node.empty():
            raise CalibrationError(f"{path}: no 'names' list of cameras")
        names = [names_node.at(i).string() for i in range(names_node.size())]
        return [_opencv_camera(fs, path, str(n)) for n in names]
    finally:
        fs.release()


def _opencv_camera(fs, path: Path, name: str) -> Camera:
    import cv2

    def mat(key: str) -> np.ndarray | None:
        node = fs.getNode(f"{key}_{name}")
        return None if node.empty() else np.asarray(node.mat(), dtype=float)

    K, dist, T = mat("K"), mat("dist"), mat("T")
    rot = mat("Rot")
    if rot is None and mat("R") is not None:
        r = mat("R")
        rot = r if r.size == 9 else cv2.Rodrigues(r.reshape(3))[0]
    if K is None or dist is None or T is None or rot is None:
        raise CalibrationError(f"{path}: camera {name} needs K_, dist_, R_ or Rot_, and T_")
    w, h = (fs.getNode(f"{k}_{name}") for k in ("W", "H"))
    if w.empty() or h.empty():
        warnings.warn(
            f"{path}: no W_{name}/H_{name}; camera size taken as twice the principal point",
            stacklevel=3,
        )
        size = (round(2 * K[0, 2]), round(2 * K[1, 2]))
    else:
        size = (round(w.real()), round(h.real()))
    return Camera(name, size, K, dist.ravel(), rot, T.ravel())


# --- writers -----------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "[ " + ", ".join(_toml_value(v) for v in value) + ",]"
    return repr(float(value)) if isinstance(value, float | np.floating) else str(value)


def toml_text(cameras: Sequence[Camera], metadata: dict | None = None) -> str:
    """The TOML text Pose2Sim and aniposelib read: a table per camera named after it."""
    lines = []
    for cam in cameras:
        fields = {
            "name": cam.name,
            "size": list(cam.size),
            "matrix": cam.K,
            "distortions": cam.dist,
            "rotation": cam.rvec,
            "translation": cam.t,
            "fisheye": cam.fisheye,
        }
        lines.append(f"[{cam.name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in fields.items()]
        lines.append("")
    meta = {"adjusted": False, "error": 0.0, **(metadata or {})}
    lines.append("[metadata]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in meta.items()]
    return "\n".join(lines) + "\n"


def write_toml(cameras: Sequence[Camera], path: str | Path, metadata: dict | None = None) -> Path:
    """Write cameras as TOML (names must be bare TOML keys: letters, digits, _ and -)."""
    bad = [c.name for c in cameras if not re.fullmatch(r"[A-Za-z0-9_-]+", c.name)]
    if bad:
        raise CalibrationError(f"camera names must be letters, digits, _ or -: {bad}")
    path = Path(path)
    path.write_text(toml_text(cameras, metadata), encoding="utf-8")
    return path


# --- matching videos to cameras ------------------------------------------------------------


def match_videos(
    videos: Sequence[str | Path], cameras: Sequence[Camera], names: Sequence[str] | None = None
) -> list[Camera]:
    """The camera of each video: the one named in ``names`` (same order as videos), else the
    one whose name (or label) the file stem contains, the longest name winning."""
    by_name = {c.name: c for c in cameras} | {c.label: c for c in cameras if c.label}
    if len(videos) > len(cameras):  # no naming fixes that: said first (--cameras was advised)
        raise CalibrationError(
            f"{len(videos)} videos but the calibration has {len(cameras)} camera"
            f"{'s' * (len(cameras) != 1)} ({', '.join(c.name for c in cameras)}): each video "
            "needs a camera of its own"
        )
    if names is not None:
        if len(names) != len(videos):
            raise CalibrationError(f"{len(videos)} videos but {len(names)} camera names given")
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise CalibrationError(
                f"no camera {', '.join(unknown)} in the calibration ({', '.join(by_name)})"
            )
        chosen = [by_name[n] for n in names]
    else:
        chosen = []
        for video in videos:
            stem = Path(video).stem.lower()
            hits = [n for n in by_name if n.lower() in stem]
            if not hits:
                raise CalibrationError(
                    f"{video}: no camera of the calibration ({', '.join(c.name for c in cameras)}) "
                    "is named in the file name; name them with --cameras"
                )
            chosen.append(by_name[max(hits, key=len)])
    repeated = {c.name for c in chosen if sum(c.name == d.name for d in chosen) > 1}
    if repeated:
        # The videos named: a batch points at their manifest lines.
        which = ", ".join(str(v) for v, c in zip(videos, chosen, strict=True) if c.name in repeated)
        raise CalibrationError(
            f"several videos matched camera {', '.join(sorted(repeated))} ({which})"
        )
    return chosen


def fit_to_frame(camera: Camera, width: int, height: int, video: str | Path = "") -> Camera:
    """The camera for frames of width x height: unchanged when the sizes match, else K
    rescaled with a warning (the video was resized since calibration)."""
    if camera.size == (width, height):
        return camera
    if (camera.size[0] > camera.size[1]) != (width > height) and width != height:
        raise CalibrationError(
            f"{video}: {width}x{height} frames but camera {camera.name} was calibrated at "
            f"{camera.size[0]}x{camera.size[1]} (rotated?)"
        )
    warnings.warn(  # the file's name: a server's upload path means nothing to its user
        f"{Path(video).name}: {width}x{height} frames but camera {camera.name} was calibrated at "
        f"{camera.size[0]}x{camera.size[1]}; scaling its intrinsics",
        stacklevel=2,
    )
    return camera.scaled_to(width, height)
