"""Camera pitch and roll from the scene's vertical lines (pose/vanishing.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from ergorisk.pose.tilt import Tilt
from ergorisk.pose.vanishing import (
    camera_tilt,
    intrinsics,
    scene_tilt,
    vertical_from_segments,
)

SIZE = (1280, 720)


def camera(pitch: float, roll: float) -> np.ndarray:
    """World (z up) -> OpenCV camera rotation of a camera looking along +y, pitched down by
    ``pitch`` and rolled clockwise by ``roll`` degrees."""
    level = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]])  # x right, y down, z forward
    tilt = Rotation.from_euler("zx", [roll, pitch], degrees=True).as_matrix()
    return tilt @ level


def vertical_segments(r: np.ndarray, n: int = 40, noise_px: float = 0.5, seed: int = 0):
    """Images of n vertical 3D segments around the camera's view, with pixel noise."""
    rng = np.random.default_rng(seed)
    k = intrinsics(SIZE)
    segs = []
    while len(segs) < n:
        x, y, z = rng.uniform(-4, 4), rng.uniform(3, 10), rng.uniform(-2, 1)
        ends = np.array([[x, y, z], [x, y, z + rng.uniform(0.5, 2)]]) @ r.T
        if (ends[:, 2] <= 0.1).any():
            continue
        px = (ends @ k.T)[:, :2] / (ends @ k.T)[:, 2:]
        if ((px < 0) | (px > SIZE)).any():
            continue
        segs.append(px.ravel() + rng.normal(0, noise_px, 4))
    return np.array(segs)


@pytest.mark.parametrize(("pitch", "roll"), [(0, 0), (23, 12), (-10, -5), (30, -15)])
def test_a_known_camera_tilt_comes_back_from_vertical_lines(pitch: float, roll: float):
    r = camera(pitch, roll)
    assert camera_tilt(r) == pytest.approx((pitch, roll), abs=0.01)
    rng = np.random.default_rng(1)
    clutter = rng.uniform(0, 720, (25, 4))  # random lines of the scene, mostly not vertical
    est = vertical_from_segments(np.vstack([vertical_segments(r), clutter]), SIZE)
    assert est is not None
    assert est.pitch_deg == pytest.approx(pitch, abs=1.5)
    assert est.roll_deg == pytest.approx(roll, abs=1.5)
    assert est.inliers >= 25 and est.confidence > 0.5


def test_too_few_vertical_lines_fall_back():
    fallback = Tilt(5.0, 1.0, "estimated", 12)
    flat = np.full((90, 160), 128, np.uint8)  # a blank wall: no lines at all
    tilt, est = scene_tilt([flat, flat], fallback)
    assert tilt == fallback and est is None


def _qca_tilts(path):
    """(pitch, roll) of each camera of a Qualisys calibration: its rotation's rows are the
    camera's axes with y up and z backward; OpenCV's are x right, y down, z forward."""
    out = []
    for attrs in re.findall(r"<transform ([^/]*)/>", path.read_text()):
        v = dict(re.findall(r'(\w+)="([^"]+)"', attrs))
        r = np.array([[float(v[f"r{i}{j}"]) for j in (1, 2, 3)] for i in (1, 2, 3)])
        out.append(camera_tilt(np.diag([1.0, -1.0, -1.0]) @ r))
    return out


def test_multiperson_demo_views_against_their_calibration(shared_data):
    import cv2

    from ergorisk.io.video import iter_frames

    demo = shared_data / "media" / "pose2sim-multiperson"
    truth = _qca_tilts(demo / "calibration" / "Calib.qca.txt")
    assert truth[0] == pytest.approx((23.1, 12.4), abs=0.1)  # as the issue measured
    fallback = Tilt(0.0, 0.0, "none: test")
    for cam, (pitch, roll) in enumerate(truth, start=1):
        grays = [
            cv2.cvtColor(f.rgb, cv2.COLOR_RGB2GRAY)
            for f in iter_frames(demo / "videos" / f"cam0{cam}.mp4")
            if f.index % 20 == 0
        ]
        tilt, _ = scene_tilt(grays, fallback)
        assert tilt.method == "vanishing point", f"cam0{cam}: fell back"
        # The guessed focal length (1.0 x the longer side; these lenses are 0.88) costs a few
        # degrees of pitch; roll stays close.
        assert tilt.pitch_deg == pytest.approx(pitch, abs=5.0), f"cam0{cam}"
        assert tilt.roll_deg == pytest.approx(roll, abs=1.5), f"cam0{cam}"
