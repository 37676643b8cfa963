"""Camera calibration from checkerboards (OpenCV): intrinsics from photos or videos of a board,
extrinsics from a board in the scene or from scene points with known coordinates.

    result = calibrate(
        {"cam01": "int_cam01_img/", "cam02": "int_cam02.mp4"},   # folder, video or files
        corners=(4, 7), square_mm=60,
        extrinsics={"cam01": "cam01_ext.png", "cam02": (image_px, world_m)},
        out="calibration.toml",
    )
    result.intrinsic_error_px    # {"cam01": 0.31, ...}: RMS reprojection error per camera

The ``ergorisk calibrate`` command (cli/calibrate.py) is a thin wrapper of ``calibrate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ergorisk.io.calibration import CalibrationError, Camera, write_toml

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")
_DETECT_SIDE = 1280  # find corners on a reduced image (fast), refine them at full size


@dataclass(frozen=True)
class Intrinsics:
    K: np.ndarray
    dist: np.ndarray
    size: tuple[int, int]  # width, height
    rms_px: float
    n_images: int


@dataclass(frozen=True)
class CalibrationResult:
    cameras: list[Camera]
    intrinsic_error_px: dict[str, float]
    extrinsic_error_px: dict[str, float]  # empty for cameras without extrinsics

    def report(self) -> str:
        lines = [f"{'camera':<10} {'intrinsic px':>12} {'extrinsic px':>12}"]
        for cam in self.cameras:
            ext = self.extrinsic_error_px.get(cam.name)
            ext_text = f"{ext:12.3f}" if ext is not None else f"{'-':>12}"
            lines.append(f"{cam.name:<10} {self.intrinsic_error_px[cam.name]:12.3f} {ext_text}")
        return "\n".join(lines)


def board_points(corners: tuple[int, int], square_m: float) -> np.ndarray:
    """(N, 3) float32 inner-corner coordinates on the board (z = 0), metres, in the order
    cv2.findChessboardCorners returns them."""
    cols, rows = corners
    grid = np.mgrid[0:cols, 0:rows].T.reshape(-1, 2) * square_m
    return np.hstack([grid, np.zeros((len(grid), 1))]).astype(np.float32)


def find_corners(image: np.ndarray, corners: tuple[int, int]) -> np.ndarray | None:
    """(N, 2) sub-pixel inner corners of a checkerboard in an image, or None if not found."""
    import cv2

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, _DETECT_SIDE / max(gray.shape))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale)
    flags = cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE
    found, pts = cv2.findChessboardCorners(small, corners, flags=flags)
    if not found:
        return None
    pts = (pts / scale).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 30, 0.001)
    return cv2.cornerSubPix(gray, pts, (11, 11), (-1, -1), criteria).reshape(-1, 2)


def calibrate_intrinsics(
    images: Iterable[np.ndarray], corners: tuple[int, int], square_m: float
) -> Intrinsics:
    """K and distortion (k1, k2, p1, p2, k3 = 0) from images of a checkerboard
    (cv2.calibrateCamera); needs the board found in 3 or more images."""
    import cv2

    obj = board_points(corners, square_m)
    image_pts, size = [], None
    for image in images:
        size = (image.shape[1], image.shape[0])
        found = find_corners(image, corners)
        if found is not None:
            image_pts.append(found)
    if len(image_pts) < 3:
        raise CalibrationError(
            f"the {corners[0]}x{corners[1]} board was found in {len(image_pts)} "
            f"image{'s' * (len(image_pts) != 1)}; "
            "at least 3 are needed"
        )
    # k3 fixed at 0 (as Pose2Sim calibrates): free, it fits the boards' reach and swings
    # beyond it. The 4-view demo's cam03 (boards within 585 px of the centre) got k3 3.57,
    # which moved a point 960 px out (the portrait frame's bottom edge, the feet) by 50 px
    # against the Qualisys file's 0.6; fixed, 8.9 px, the RMS error 0.215 -> 0.218 px.
    rms, K, dist, _, _ = cv2.calibrateCamera(
        [obj] * len(image_pts), image_pts, size, None, None, flags=cv2.CALIB_FIX_K3
    )
    return Intrinsics(K, dist.ravel(), size, float(rms), len(image_pts))


def extrinsics_from_points(
    image_px: np.ndarray, world_m: np.ndarray, K: np.ndarray, dist: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """World->camera R (3, 3), t (3,) from 4+ scene points of known world coordinates and
    their pixels (cv2.solvePnP), and the RMS reprojection error in pixels."""
    import cv2

    obj = np.asarray(world_m, dtype=np.float64).reshape(-1, 3)
    img = np.asarray(image_px, dtype=np.float64).reshape(-1, 2)
    if len(obj) < 4 or len(obj) != len(img):
        raise CalibrationError(f"need 4+ matching scene points, got {len(obj)} and {len(img)}")
    ok, rvec, tvec = cv2.solvePnP(obj, img, K, dist, flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        raise CalibrationError("solvePnP found no camera pose for the scene points")
    reproj = cv2.projectPoints(obj, rvec, tvec, K, dist)[0].reshape(-1, 2)
    rms = float(np.sqrt(np.mean(np.sum((reproj - img) ** 2, axis=1))))
    return cv2.Rodrigues(rvec)[0], tvec.ravel(), rms


def extrinsics_from_board(
    image: np.ndarray, K: np.ndarray, dist: np.ndarray, corners: tuple[int, int], square_m: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Camera pose relative to a checkerboard in the scene. The board defines the world: z
    normal to it toward the camera (up, for a board on the floor), x along the
    ``corners[0]`` side, the origin at the inner corner next to a dark outer square."""
    found = find_corners(image, corners)
    if found is None:
        raise CalibrationError(f"the {corners[0]}x{corners[1]} board was not found")
    obj = board_points(corners, square_m)
    R, t, _ = extrinsics_from_points(found, obj, K, dist)
    if (-R.T @ t)[2] < 0:  # board z pointing away from the camera: mirror the rows
        found = found.reshape(corners[1], corners[0], 2)[:, ::-1].reshape(-1, 2)
    found = _oriented(image, found, corners)
    return extrinsics_from_points(found, obj, K, dist)


def _oriented(image: np.ndarray, found: np.ndarray, corners: tuple[int, int]) -> np.ndarray:
    """Corners ordered from the end whose outer diagonal square is dark.

    OpenCV may start from either end of the board (a 180 degree turn); on a board with an
    odd number of squares one way and even the other, the two outer corner squares differ
    in colour, which settles the origin. Other boards stay ambiguous.
    """
    import cv2

    cols, rows = corners
    if (cols + rows) % 2 == 0:
        return found
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    H = cv2.findHomography(board_points(corners, 1.0)[:, :2], found)[0]
    outer = np.array([[[-0.5, -0.5]], [[cols - 0.5, rows - 0.5]]], np.float32)
    (u0, v0), (u1, v1) = cv2.perspectiveTransform(outer, H).reshape(2, 2)
    h, w = gray.shape
    inside = [0 <= u < w and 0 <= v < h for u, v in ((u0, v0), (u1, v1))]
    if not all(inside):
        return found
    first, last = float(gray[int(v0), int(u0)]), float(gray[int(v1), int(u1)])
    return found[::-1].copy() if first > last else found


# --- images from files ---------------------------------------------------------------------


def _load_images(source: str | Path | Sequence[str | Path], every_s: float = 0.5):
    """Images of a folder, a list of image files, or frames of a video (one per every_s)."""
    import cv2

    from ergorisk.io.video import iter_frames, media_kind, probe_video

    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise CalibrationError(f"{source}: no such file or folder")
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif media_kind(path) == "video":
            stride = max(1, round(every_s * probe_video(path).fps))
            yield from (f.rgb for f in iter_frames(path, stride=stride))
            return
        else:
            files = [path]
    else:
        files = [Path(p) for p in source]
    if not files:
        raise CalibrationError(f"{source}: no image found")
    for f in files:
        image = cv2.imread(str(f))
        if image is None:
            raise CalibrationError(f"{f}: not a readable image")
        yield cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


ExtrinsicSource = str | Path | tuple[np.ndarray, np.ndarray]


def calibrate(
    intrinsics: Mapping[str, str | Path | Sequence[str | Path]],
    corners: tuple[int, int] = (4, 7),
    square_mm: float = 60.0,
    extrinsics: Mapping[str, ExtrinsicSource] | None = None,
    out: str | Path | None = None,
    verbose: bool = True,
) -> CalibrationResult:
    """Calibrate each named camera; write a TOML file if ``out`` is given.

    intrinsics: camera name -> a folder of board photos, a board video or image files.
    extrinsics: camera name -> a scene image showing the board (it defines the world frame),
    or (image_px (N, 2), world_m (N, 3)) scene points; cameras without one keep R = I, t = 0.
    """
    square_m = square_mm / 1000.0
    if min(corners) < 2:
        raise CalibrationError(f"a board has at least 2x2 inner corners, got {corners}")
    unknown = sorted(set(extrinsics or {}) - set(intrinsics))
    if unknown:
        raise CalibrationError(
            f"extrinsics for {', '.join(unknown)}, which is not among the cameras "
            f"({', '.join(intrinsics)})"
        )
    cameras, int_err, ext_err = [], {}, {}
    for name, source in intrinsics.items():
        try:
            intr = calibrate_intrinsics(_load_images(source), corners, square_m)
        except CalibrationError as err:
            raise CalibrationError(f"camera {name}: {err}") from None
        R, t = np.eye(3), np.zeros(3)
        ext = (extrinsics or {}).get(name)
        if isinstance(ext, tuple):
            R, t, ext_err[name] = extrinsics_from_points(ext[0], ext[1], intr.K, intr.dist)
        elif ext is not None:
            image = next(iter(_load_images(ext)))
            try:
                R, t, ext_err[name] = extrinsics_from_board(
                    image, intr.K, intr.dist, corners, square_m
                )
            except CalibrationError as err:
                raise CalibrationError(
                    f"camera {name}: {err} in {ext} (an extrinsics image must show the whole "
                    "board, as placed in the scene)"
                ) from None
        cameras.append(Camera(name, intr.size, intr.K, intr.dist, R, t))
        int_err[name] = intr.rms_px
    result = CalibrationResult(cameras, int_err, ext_err)
    if out is not None:
        errors = list(int_err.values()) + list(ext_err.values())
        # its folder made once the calibration succeeded: a failed one leaves nothing behind
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        write_toml(cameras, out, {"adjusted": False, "error": float(np.mean(errors))})
    if verbose:
        print(result.report())
    return result


def parse_pair(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise CalibrationError(f"expected NAME=PATH, got {text!r}")
    return name, path


def parse_pairs(texts: Sequence[str], what: str) -> dict[str, str]:
    """NAME=PATH arguments as a dict; a name given twice is an error, not a silent choice."""
    pairs: dict[str, str] = {}
    for name, path in map(parse_pair, texts):
        if name in pairs:
            raise CalibrationError(f"{what} {name} is given twice ({pairs[name]} and {path})")
        pairs[name] = path
    return pairs
