"""Pose files: .npy, .npz and CSV read into the canonical skeleton; bad files fail clearly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ergorisk.io.poses import PoseInputError, read_pose_file
from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Pose, joints

UW = get_layout("uw-iom")


def uw_poses(n: int = 5) -> np.ndarray:
    person = joints(Pose(trunk_flexion=20))
    one = np.stack([person[JOINT_INDEX[name]] for name in UW.joints])
    return np.repeat(one[None], n, axis=0)


def test_npy_with_layout_defaults(tmp_path):
    path = tmp_path / "p.npy"
    np.save(path, uw_poses().astype(np.float32))
    skel = read_pose_file(path, "uw-iom")
    assert skel.n_frames == 5 and skel.fps == 12.0  # UW-IOM's default frame rate
    assert np.allclose(skel.joint("head")[0], uw_poses()[0, 13], atol=1e-6)


def test_npy_with_confidence_channel_and_single_frame(tmp_path):
    pts = np.concatenate([uw_poses(2), np.full((2, 15, 1), 0.7)], axis=2)
    np.save(tmp_path / "c.npy", pts)
    assert read_pose_file(tmp_path / "c.npy", "uw-iom").conf("head")[0] == pytest.approx(0.7)
    np.save(tmp_path / "one.npy", uw_poses(1)[0])
    assert read_pose_file(tmp_path / "one.npy", "uw-iom").n_frames == 1


def test_npz_with_confidence_and_fps(tmp_path):
    conf = np.full((5, 15), 0.5)
    np.savez(tmp_path / "p.npz", poses=uw_poses(), confidence=conf, fps=25.0)
    skel = read_pose_file(tmp_path / "p.npz", "uw-iom")
    assert skel.fps == 25.0 and skel.conf("left_wrist")[0] == 0.5
    assert read_pose_file(tmp_path / "p.npz", "uw-iom", fps=50).fps == 50  # option wins


def test_csv_by_joint_name_and_by_position(tmp_path):
    pts = uw_poses()
    named = {f"{j}_{a}": pts[:, i, d] for i, j in enumerate(UW.joints) for d, a in enumerate("xyz")}
    named["head_c"] = np.full(5, 0.4)
    pd.DataFrame({"frame": range(5), **named}).to_csv(tmp_path / "named.csv", index=False)
    skel = read_pose_file(tmp_path / "named.csv", "uw-iom")
    assert np.allclose(skel.joint("left_knee"), pts[:, 3]) and skel.conf("head")[0] == 0.4
    np.savetxt(tmp_path / "plain.csv", pts.reshape(5, -1), delimiter=",")
    assert np.allclose(read_pose_file(tmp_path / "plain.csv", "uw-iom").joint("neck"), pts[:, 12])


def test_a_csv_without_a_header_keeps_its_first_frame(tmp_path):
    """A headerless CSV's first row was read as the header: one frame fewer, silently (a
    60-row file gave 59 frames), and the frames were shifted."""
    pts = uw_poses(4) + np.arange(4)[:, None, None] * 0.1  # each frame its own
    np.savetxt(tmp_path / "plain.csv", pts.reshape(4, -1), delimiter=",")
    skel = read_pose_file(tmp_path / "plain.csv", "uw-iom")
    assert skel.n_frames == 4
    assert np.allclose(skel.joint("neck"), pts[:, 12])
    # Repeated values in the first row (pandas renames repeated header cells "0.5.1").
    pts[0] = 0.5
    pd.DataFrame(pts.reshape(4, -1)).to_csv(tmp_path / "same.csv", header=False, index=False)
    assert np.allclose(read_pose_file(tmp_path / "same.csv", "uw-iom").joint("neck"), pts[:, 12])
    # A header of other names (not the joints'): the rows below it are the frames.
    cols = [f"c{k}" for k in range(pts.shape[1] * 3)]
    frame = pd.DataFrame(pts.reshape(4, -1), columns=cols)
    frame.to_csv(tmp_path / "head.csv", index=False)
    assert read_pose_file(tmp_path / "head.csv", "uw-iom").n_frames == 4


def test_up_option_rotates_a_y_up_file(tmp_path):
    pts = uw_poses()
    y_up = np.stack([pts[..., 0], pts[..., 2], -pts[..., 1]], axis=-1)  # x, z->y, y->-z
    np.save(tmp_path / "y.npy", y_up)
    skel = read_pose_file(tmp_path / "y.npy", "uw-iom", up="y")
    assert np.allclose(skel.joint("head"), pts[:, 13])


def test_nan_and_low_confidence_joints_are_carried_not_fatal(tmp_path):
    pts = uw_poses()
    pts[1, 7] = np.nan  # left wrist lost
    pts[3] = np.nan  # nobody
    np.save(tmp_path / "gaps.npy", pts)
    skel = read_pose_file(tmp_path / "gaps.npy", "uw-iom")
    assert skel.conf("left_wrist")[1] == 0 and skel.conf("left_wrist")[0] == 1
    assert (skel.confidence[3] == 0).all()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: np.save(p, np.zeros((0, 15, 3))), "no frames"),
        (lambda p: np.save(p, np.zeros((4, 15))), "shape"),
        (lambda p: np.save(p, np.zeros((4, 17, 3))), "15 joints but the poses have 17"),
        (lambda p: np.save(p, np.array(["a", "b"])), "not numeric"),
        (lambda p: p.write_text("not a numpy file"), "p.npy"),
    ],
)
def test_bad_files_raise_one_clear_message(tmp_path, make, message):
    path = tmp_path / "p.npy"
    make(path)
    with pytest.raises(PoseInputError, match=message) as err:
        read_pose_file(path, "uw-iom")
    assert "\n" not in str(err.value)


def test_bad_csv_and_missing_file_and_unknown_layout(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(PoseInputError, match="empty file"):
        read_pose_file(tmp_path / "e.csv", "uw-iom")
    (tmp_path / "w.csv").write_text("1,2,3\n4,5,6\n")
    with pytest.raises(PoseInputError, match="3 columns do not fit layout uw-iom"):
        read_pose_file(tmp_path / "w.csv", "uw-iom")
    with pytest.raises(PoseInputError, match="no such file"):
        read_pose_file(tmp_path / "missing.npy", "uw-iom")
    np.save(tmp_path / "p.npy", uw_poses())
    with pytest.raises(PoseInputError, match="unknown layout 'openpose25'"):
        read_pose_file(tmp_path / "p.npy", "openpose25")
    (tmp_path / "p.mp3").write_text("x")
    with pytest.raises(PoseInputError, match="unsupported pose file type"):
        read_pose_file(tmp_path / "p.mp3", "uw-iom")


def test_csv_with_mediapipe_landmark_names_and_visibility(tmp_path):
    lay = get_layout("mediapipe33")
    rng = np.random.default_rng(0)
    data = {}
    for name in lay.source_names:
        for axis in "xyz":
            data[f"{name}_{axis}"] = rng.normal(size=4)
        data[f"{name}_visibility"] = np.full(4, 0.8)
    pd.DataFrame(data).to_csv(tmp_path / "mp.csv", index=False)
    skel = read_pose_file(tmp_path / "mp.csv", "mediapipe33")
    toe = np.array([data[f"left_foot_index_{a}"] for a in "xyz"]).T
    assert np.allclose(skel.joint("left_toe"), np.stack([toe[:, 0], toe[:, 2], -toe[:, 1]], 1))
    assert skel.conf("left_toe")[0] == pytest.approx(0.8) and skel.fps == 30
