"""Calibration files: every format loads to the same cameras, the TOML round-trips, videos
find their cameras, checkerboards give intrinsics and extrinsics."""

from __future__ import annotations

import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest

from ergorisk.calibrate import (
    board_points,
    calibrate,
    calibrate_intrinsics,
    extrinsics_from_board,
    extrinsics_from_points,
)
from ergorisk.io.calibration import (
    CalibrationError,
    Camera,
    fit_to_frame,
    match_videos,
    read_calibration,
    write_toml,
)
from multiview_scene import look_at, ring_cameras

DEMO = Path("media/pose2sim-multiperson/calibration")


@pytest.fixture
def qca_cameras(shared_data: Path) -> list[Camera]:
    return read_calibration(shared_data / DEMO / "Calib.qca.txt")


def write_anipose(cameras: list[Camera], path: Path) -> None:
    """aniposelib's layout: [cam_0], [cam_1]... with the camera's name as a field."""
    lines = []
    for i, c in enumerate(cameras):
        lines += [
            f"[cam_{i}]",
            f'name = "{c.name}"',
            f"size = [ {c.size[0]}, {c.size[1]},]",
            f"matrix = {[list(r) for r in c.K.tolist()]}",
            f"distortions = {c.dist.tolist()}",
            f"rotation = {c.rvec.tolist()}",
            f"translation = {c.t.tolist()}",
            "",
        ]
    path.write_text("\n".join(lines) + "[metadata]\nadjusted = true\nerror = 0.5\n")


def write_easymocap(cameras: list[Camera], path: Path) -> None:
    fs = cv2.FileStorage(str(path), cv2.FILE_STORAGE_WRITE)
    fs.startWriteStruct("names", cv2.FileNode_SEQ)
    for c in cameras:
        fs.write("", c.name)
    fs.endWriteStruct()
    for c in cameras:
        fs.write(f"K_{c.name}", c.K)
        fs.write(f"dist_{c.name}", c.dist[None])
        fs.write(f"Rot_{c.name}", c.R)
        fs.write(f"T_{c.name}", c.t[:, None])
        fs.write(f"W_{c.name}", c.size[0])
        fs.write(f"H_{c.name}", c.size[1])
    fs.release()


def test_qualisys_cameras_are_named_in_file_order_and_look_at_the_treadmill(qca_cameras):
    assert [c.name for c in qca_cameras] == ["cam01", "cam02", "cam03", "cam04"]
    for cam in qca_cameras:
        assert cam.size == (1088, 1920)
        np.testing.assert_allclose(cam.R @ cam.R.T, np.eye(3), atol=1e-9)
        assert np.linalg.det(cam.R) == pytest.approx(1.0)
        assert 1.5 < cam.centre[2] < 2.5  # mounted about 2 m up: the world is z up
        assert -cam.R[1] @ [0, 0, 1] > 0.8  # image up is world up
        u, v = cam.project(np.array([0.0, 0.0, 1.0]))  # 1 m above the origin is in view
        assert 0 < u < cam.size[0] and 0 < v < cam.size[1]


def test_every_format_loads_to_the_same_cameras(qca_cameras, tmp_path):
    write_toml(qca_cameras, tmp_path / "pose2sim.toml")
    write_anipose(qca_cameras, tmp_path / "anipose.toml")
    write_easymocap(qca_cameras, tmp_path / "easymocap.yml")
    write_easymocap(qca_cameras, tmp_path / "easymocap.xml")
    for name in ("pose2sim.toml", "easymocap.yml", "easymocap.xml"):
        loaded = read_calibration(tmp_path / name)
        assert len(loaded) == 4
        for a, b in zip(loaded, qca_cameras, strict=True):
            assert a.same_as(b), f"{name}: {a.name}"
    anipose = read_calibration(tmp_path / "anipose.toml")
    assert [c.name for c in anipose] == ["cam_0", "cam_1", "cam_2", "cam_3"]
    assert [c.label for c in anipose] == ["cam01", "cam02", "cam03", "cam04"]
    for a, b in zip(anipose, qca_cameras, strict=True):
        assert Camera(b.name, a.size, a.K, a.dist, a.R, a.t).same_as(b)


def test_the_written_toml_round_trips_exactly(tmp_path):
    cameras = ring_cameras(3)
    write_toml(cameras, tmp_path / "c.toml", {"error": 0.25})
    again = read_calibration(tmp_path / "c.toml")
    assert all(a.same_as(b, rtol=1e-12, atol=1e-12) for a, b in zip(again, cameras, strict=True))
    assert "error = 0.25" in (tmp_path / "c.toml").read_text()


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("bad.toml", "[cam01\nsize = 3", "not valid TOML"),
        ("bad.toml", "[cam01]\nmatrix = [[1,0,0],[0,1,0],[0,0,1]]\n", "lacks"),
        # a size alone read "no camera found"
        ("bad.toml", "[cam01]\nsize = [1088, 1920]\n", r"\[cam01\] lacks matrix, distortions"),
        (
            "bad.toml",
            "[metadata]\nerror = 0\n",
            r"no camera found \(a camera is a \[section\] with size,",
        ),
        ("bad.qca.txt", "<calibration><cameras/></calibration>", "no <cameras><camera>"),
        ("bad.qca.txt", "not xml at all", "unreadable"),
        ("bad.yml", "%YAML:1.0\n---\nfoo: 1\n", "no 'names'"),
        ("bad.json", "{}", "unknown calibration format"),
        # OpenCV's parser raised SystemError (a traceback, er.assess not an InputError)
        ("bad.yml", "hello: [1\n", "not OpenCV FileStorage"),
        ("plain.yaml", "a: 1\nb: 2\n", "not OpenCV FileStorage"),
        ("bad.xml", "just text", "not OpenCV FileStorage"),
        ("empty.yml", "", "an empty file"),
    ],
)
def test_an_unreadable_calibration_names_the_file_and_the_problem(tmp_path, name, text, problem):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CalibrationError, match=problem) as err:
        read_calibration(path)
    assert str(path) in str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"t": [np.nan, 0.0, 3.0]}, "camera cam01: its translation holds a value that is not a"),
        ({"K": [[0, 0, 320], [0, 0, 240], [0, 0, 1]]}, "its focal length must be above 0 pixels"),
        ({"size": (0, 1080)}, "its size must be above 0 pixels, got 0 x 1080"),
    ],
)
def test_a_calibration_that_cannot_be_right_is_refused_when_read(tmp_path, change, problem):
    """A NaN translation or a focal length of 0 read as "nobody is seen in two or more
    views", after 10-17 s of pose estimation (a walkthrough)."""
    from dataclasses import replace

    cameras = ring_cameras(3)
    write_toml([replace(cameras[0], **change), *cameras[1:]], tmp_path / "c.toml")
    with pytest.raises(CalibrationError, match=problem):
        read_calibration(tmp_path / "c.toml")


def test_a_missing_calibration_file_is_a_clear_error(tmp_path):
    with pytest.raises(CalibrationError, match="no such calibration file"):
        read_calibration(tmp_path / "nowhere.toml")
    with pytest.raises(CalibrationError, match="a folder, not a calibration file"):
        read_calibration(tmp_path)


def test_videos_find_their_camera_by_name_or_as_told():
    cams = ring_cameras(4)
    got = match_videos(["take1-cam03.mp4", "x/cam01_take1.mov"], cams)
    assert [c.name for c in got] == ["cam03", "cam01"]
    got = match_videos(["left.mp4", "right.mp4"], cams, names=["cam02", "cam04"])
    assert [c.name for c in got] == ["cam02", "cam04"]
    with pytest.raises(CalibrationError, match="no camera"):
        match_videos(["take1-side.mp4", "cam01.mp4"], cams)
    with pytest.raises(
        CalibrationError,
        match=r"^several videos matched camera cam01 \(a-cam01.mp4, b-cam01.mp4\)$",
    ):
        match_videos(["a-cam01.mp4", "b-cam01.mp4"], cams)
    with pytest.raises(CalibrationError, match=r"^no camera cam09, cam07 in the calibration \("):
        match_videos(["a.mp4", "b.mp4"], cams, names=["cam09", "cam07"])
    # More videos than cameras: "name them with --cameras" was advised, which cannot help.
    two = ring_cameras(2)
    videos = ["cam01.mp4", "cam02.mp4", "cam03.mp4", "cam04.mp4"]
    for names in (None, ["cam01", "cam02", "cam01", "cam02"]):
        with pytest.raises(
            CalibrationError,
            match=r"^4 videos but the calibration has 2 cameras \(cam01, cam02\): each video "
            r"needs a camera of its own$",
        ):
            match_videos(videos, two, names=names)


def test_a_resized_video_gets_scaled_intrinsics_with_a_warning():
    cam = ring_cameras(2)[0]
    with pytest.warns(UserWarning, match="scaling its intrinsics"):
        half = fit_to_frame(cam, 544, 960, "small.mp4")
    point = np.array([2.1, -0.9, 1.2])
    np.testing.assert_allclose(half.project(point), cam.project(point) / 2, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fit_to_frame(cam, *cam.size) is cam
    with pytest.raises(CalibrationError, match="rotated"):
        fit_to_frame(cam, 1920, 1088, "landscape.mp4")


def test_demo_checkerboards_give_the_qualisys_intrinsics(shared_data, qca_cameras, tmp_path):
    folders = {c.name: shared_data / DEMO / f"intrinsics/int_{c.name}_img" for c in qca_cameras}
    # into a folder not made yet: made once the calibration succeeded ("No such file" after
    # calibrating, before)
    result = calibrate(folders, (4, 7), 60.0, out=tmp_path / "rig" / "calib.toml", verbose=False)
    for ours, qca in zip(result.cameras, qca_cameras, strict=True):
        assert ours.size == qca.size
        assert ours.K[0, 0] == pytest.approx(qca.K[0, 0], rel=0.03), ours.name
        assert ours.K[1, 1] == pytest.approx(qca.K[1, 1], rel=0.03), ours.name
        assert abs(ours.K[0, 2] - qca.K[0, 2]) < 0.05 * qca.size[0]
        assert abs(ours.K[1, 2] - qca.K[1, 2]) < 0.05 * qca.size[1]
        assert result.intrinsic_error_px[ours.name] < 1.5
        # The file's distortion is OpenCV's as it is: 550 px from the centre, inside where
        # every camera's boards reach (600-840 px), the lens moves a point 1.6-2.2 px
        # inwards by the boards, 1.8-2.0 px by the file; read divided by 64 (as Pose2Sim's
        # converter does) it was 0.03 px.
        by_board, by_file = (radial_px(c, 550.0) for c in (ours, qca))
        assert by_board < -1.0 and by_file == pytest.approx(by_board, rel=0.3), ours.name
        # Beyond the boards' reach, at the portrait frame's bottom edge (960 px: the feet),
        # within 10 px of the file: a free k3 put cam03's 50 px out (the file: 0.6).
        assert abs(radial_px(ours, 960.0) - radial_px(qca, 960.0)) < 10.0, ours.name
        assert ours.dist[4] == 0.0
    again = read_calibration(tmp_path / "rig" / "calib.toml")
    assert all(a.same_as(b) for a, b in zip(again, result.cameras, strict=True))


def radial_px(camera: Camera, radius_px: float) -> float:
    """How far the camera's radial distortion moves a point radius_px from the principal
    point, in pixels (negative: inwards, barrel)."""
    k1, k2, _, _, k3 = (*camera.dist, 0.0, 0.0, 0.0, 0.0, 0.0)[:5]
    f = camera.K[0, 0]
    r = radius_px / f
    return float(f * r * (k1 * r**2 + k2 * r**4 + k3 * r**6))


def render_board(camera: Camera, corners=(4, 7), square_m=0.06) -> np.ndarray:
    """A synthetic photo of a checkerboard lying at the world origin (plane z = 0)."""
    cols, rows = corners
    px_per_m = 2000
    board = np.full(
        (int((rows + 3) * square_m * px_per_m), int((cols + 3) * square_m * px_per_m)),
        255,
        np.uint8,
    )
    s = int(square_m * px_per_m)
    for i in range(rows + 1):
        for j in range(cols + 1):
            if (i + j) % 2 == 0:
                board[s + i * s : s + (i + 1) * s, s + j * s : s + (j + 1) * s] = 0
    # Board pixel (u, v) sits at world ((u - 2s) / px_per_m, (v - 2s) / px_per_m, 0): the
    # first inner corner (between the first squares) at the origin.
    A = np.array(
        [[1 / px_per_m, 0, -2 * s / px_per_m], [0, 1 / px_per_m, -2 * s / px_per_m], [0, 0, 1]]
    )
    H = camera.K @ np.column_stack([camera.R[:, 0], camera.R[:, 1], camera.t]) @ A
    return cv2.warpPerspective(board, H, camera.size, borderValue=255)


@pytest.mark.parametrize("centre", [(0.3, -1.2, 1.0), (-1.0, 0.6, 1.2), (1.3, 1.1, 0.8)])
def test_extrinsics_from_a_board_on_the_floor_seen_from_any_side(centre):
    cam = look_at("cam01", np.array(centre), target=np.array([0.12, 0.2, 0.0]))
    cam = Camera(cam.name, cam.size, cam.K, np.zeros(5), cam.R, cam.t)
    image = render_board(cam)
    R, t, rms = extrinsics_from_board(image, cam.K, cam.dist, (4, 7), 0.06)
    assert rms < 1.0
    angle = np.degrees(np.arccos(np.clip((np.trace(R.T @ cam.R) - 1) / 2, -1, 1)))
    assert angle < 1.0 and np.linalg.norm(t - cam.t) < 0.02


def test_extrinsics_from_scene_points():
    cam = ring_cameras(3)[1]
    world = np.array(
        [
            [1.5, -1.5, 0],
            [2.5, -1.5, 0],
            [2.5, -0.5, 0],
            [1.5, -0.5, 0.0],
            [2, -1, 1.8],
            [2.2, -0.8, 1.0],
        ]
    )
    px = cam.project(world) + np.random.default_rng(1).normal(0, 0.3, (len(world), 2))
    R, t, rms = extrinsics_from_points(px, world, cam.K, cam.dist)
    assert rms < 1.0
    np.testing.assert_allclose(R, cam.R, atol=0.01)
    np.testing.assert_allclose(t, cam.t, atol=0.03)


def test_too_few_board_images_is_a_calibration_error(tmp_path):
    blank = np.full((480, 640, 3), 200, np.uint8)
    with pytest.raises(CalibrationError, match="found in 0 images"):
        calibrate_intrinsics([blank, blank], (4, 7), 0.06)
    cv2.imwrite(str(tmp_path / "blank.png"), blank)
    with pytest.raises(CalibrationError, match=r"camera cam01: .*found in 0 images"):
        calibrate({"cam01": [tmp_path / "blank.png"] * 2}, (4, 7), 60.0,
                  out=tmp_path / "rig" / "c.toml", verbose=False)  # fmt: skip
    assert not (tmp_path / "rig").exists()  # a failed calibration leaves nothing behind
    assert board_points((4, 7), 0.06).shape == (28, 3)


def test_calibrate_names_what_is_wrong_and_assess_refuses_intrinsics_only(shared_data, tmp_path):
    from typer.testing import CliRunner

    from ergorisk.cli import app

    runner = CliRunner()
    cal = shared_data / DEMO

    def run(*args: str):
        return runner.invoke(app, ["calibrate", *args, "--out", str(tmp_path / "c.toml")])

    # the demo's extrinsics pictures are scenes without the board: the camera and file named
    no_board = run(f"cam01={cal / 'intrinsics/int_cam01_img'}",
                   "--extrinsics", f"cam01={cal / 'extrinsics/cam01_ext.png'}")  # fmt: skip
    assert no_board.exit_code == 2
    assert "camera cam01: the 4x7 board was not found in" in no_board.output
    assert "cam01_ext.png" in no_board.output and not (tmp_path / "c.toml").exists()
    twice = run(f"cam01={cal / 'intrinsics/int_cam01_img'}",
                f"cam01={cal / 'intrinsics/int_cam02_img'}")  # fmt: skip
    assert twice.exit_code == 2 and "camera cam01 is given twice" in twice.output
    stray = run(f"cam01={cal / 'intrinsics/int_cam01_img'}", "--extrinsics", "cam09=x.png")
    assert stray.exit_code == 2 and "extrinsics for cam09, which is not among" in stray.output
    missing = run(f"cam01={tmp_path / 'nowhere'}")
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    bad = run(f"cam01={cal / 'intrinsics/int_cam01_img'}", "--corners", "0,-3")
    assert bad.exit_code == 2 and "at least 2x2 inner corners" in bad.output

    only = run(f"cam01={cal / 'intrinsics/int_cam01_img'}",
               f"cam02={cal / 'intrinsics/int_cam02_img'}")  # fmt: skip
    assert only.exit_code == 0, only.output
    assert "warning: no --extrinsics for cam01, cam02" in only.output
    videos = [str(shared_data / DEMO.parent / "videos" / f"{c}.mp4") for c in ("cam01", "cam02")]
    refused = runner.invoke(
        app,
        [
            "assess",
            *videos,
            "--calibration",
            str(tmp_path / "c.toml"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert refused.exit_code == 2, refused.output
    assert "cameras cam01 and cam02 are at the same place" in refused.output
    assert not (tmp_path / "out").exists()


def test_nobody_across_the_views_points_at_the_calibration():
    """A calibration of another rig read "nobody is seen in two or more views" alone."""
    from ergorisk.multiview import select_views_people

    with pytest.raises(ValueError, match=r"^nobody is seen in two or more views: .* check the "):
        select_views_people([])
