"""Every layout converts to the canonical skeleton with the right handedness and up axis.

A synthetic person is written out in each layout's own conventions (joint order, axes,
units), read back, and checked: head above ankles, the left shoulder on the person's left
(forward = left x up points where the nose or the face points).
"""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.pose import CANONICAL_JOINTS, JOINT_INDEX, LAYOUTS, get_layout, to_canonical, to_z_up
from ergorisk.pose.layouts import guess_units
from ergorisk.pose.synthetic import Arm, Pose, joints

# A person standing, facing +x in the z-up canonical frame, right arm forward.
PERSON = joints(Pose(right=Arm(flexion=90), neck_flexion=10))
FACING = np.array([1.0, 0.0, 0.0])


def from_z_up(points: np.ndarray, up: str) -> np.ndarray:
    """Inverse of to_z_up, written out separately: express z-up points in a source frame."""
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    if up == "z":
        return points.copy()
    if up == "y":  # source y is up, source z points backward (x right, y up, z toward viewer)
        return np.stack([x, z, -y], axis=-1)
    return np.stack([x, -z, y], axis=-1)  # "-y": source y is down, source z forward


def in_layout(name: str, scale: float = 1.0) -> np.ndarray:
    lay = get_layout(name)
    src = np.full((lay.n_joints, 3), np.nan)
    for i, joint in enumerate(lay.joints):
        if joint is not None:
            src[i] = PERSON[JOINT_INDEX[joint]]
    return from_z_up(src, lay.default_up)[None] * scale


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout_round_trip_keeps_up_and_handedness(name: str):
    skel = to_canonical(in_layout(name), name)
    j = {n: skel.joint(n)[0] for n in CANONICAL_JOINTS}
    top = j["head"] if np.isfinite(j["head"]).all() else j["nose"]
    assert top[2] > j["left_ankle"][2] + 1.0 and top[2] > j["right_ankle"][2] + 1.0
    left = j["left_shoulder"] - j["right_shoulder"]
    forward = np.cross(left, [0.0, 0.0, 1.0])
    assert forward @ FACING > 0.9 * np.linalg.norm(forward)  # faces where it was built to
    # The right arm was raised forward: its wrist is in front of the shoulders.
    assert (j["right_wrist"] - j["right_shoulder"]) @ FACING > 0.4
    # Every joint the layout has lands where it was, and the rest is missing (conf 0).
    lay = get_layout(name)
    built = {n for n in CANONICAL_JOINTS if np.isfinite(PERSON[JOINT_INDEX[n]]).all()}
    have = ({n for n in lay.joints if n is not None} | {"neck", "pelvis"}) & built
    for n in CANONICAL_JOINTS:
        if n in have:
            assert skel.conf(n)[0] > 0, n
        else:
            assert np.isnan(j[n]).all() and skel.conf(n)[0] == 0, n
    for n in lay.joints:
        if n in built:
            assert np.allclose(j[n], PERSON[JOINT_INDEX[n]]), n


@pytest.mark.parametrize("up", ["z", "y", "-y"])
def test_up_conversion_is_a_proper_rotation(up: str):
    basis = to_z_up(np.eye(3), up)
    assert np.allclose(basis @ basis.T, np.eye(3))
    assert np.linalg.det(basis) == pytest.approx(1.0)  # never a mirror


def test_mediapipe_conventions():
    # MediaPipe world landmarks of a person facing the camera: x to the image right (their
    # left), y down, z away from the camera (the nose is nearer: smaller z than the ears).
    lm = np.zeros((33, 4))
    lm[:, 3] = 0.9
    lm[0] = [0.0, -0.6, -0.12, 0.99]  # nose
    lm[7], lm[8] = [0.07, -0.62, 0.0, 0.9], [-0.07, -0.62, 0.0, 0.9]  # ears
    lm[11], lm[12] = [0.18, -0.45, 0.0, 0.9], [-0.18, -0.45, 0.0, 0.9]  # shoulders
    lm[23], lm[24] = [0.1, 0.0, 0.0, 0.9], [-0.1, 0.0, 0.0, 0.9]  # hips
    lm[27], lm[28] = [0.1, 0.9, 0.0, 0.2], [-0.1, 0.9, 0.0, 0.9]  # ankles (left barely visible)
    skel = to_canonical(lm[None], "mediapipe33")
    j = lambda n: skel.joint(n)[0]  # noqa: E731
    assert j("nose")[2] > j("right_ankle")[2] + 1.0
    forward = np.cross(j("left_shoulder") - j("right_shoulder"), [0, 0, 1])
    assert forward @ (j("nose") - 0.5 * (j("left_ear") + j("right_ear"))) > 0
    assert skel.conf("left_ankle")[0] == pytest.approx(0.2)  # visibility is confidence


def test_mediapipe_on_a_real_image(shared_data):
    mp = pytest.importorskip("mediapipe")
    from PIL import Image

    image = np.asarray(Image.open(shared_data / "media" / "opencv-messi5.jpg").convert("RGB"))
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as estimator:
        result = estimator.process(image)
    lm = np.array([[p.x, p.y, p.z, p.visibility] for p in result.pose_world_landmarks.landmark])
    skel = to_canonical(lm[None], "mediapipe33")
    j = lambda n: skel.joint(n)[0]  # noqa: E731
    forward = np.cross(j("left_shoulder") - j("right_shoulder"), [0, 0, 1])
    assert forward @ (j("nose") - 0.5 * (j("left_ear") + j("right_ear"))) > 0
    assert j("nose")[2] > max(j("left_ankle")[2], j("right_ankle")[2])


def test_uwiom_subject_faces_the_camera_and_bends_forward(shared_data):
    from ergorisk.io.poses import read_pose_file
    from ergorisk.kinematics import KinematicsOptions, posture_columns

    skel = read_pose_file(shared_data / "uw-iom" / "poses" / "01.npy", "uw-iom")
    actions = np.load(shared_data / "uw-iom" / "actions" / "01.npy")
    trunk = posture_columns(skel, KinematicsOptions())["left"]["trunk_flexion_deg"]
    bending = np.isin(actions, [9, 10, 11, 12, 15])  # the *_bend_* action classes
    assert np.median(trunk[bending]) > 30  # flexion is positive: the frame is not mirrored
    assert abs(np.median(trunk[actions == 4])) < 15  # standing


def test_derived_neck_and_pelvis():
    skel = to_canonical(in_layout("coco17"), "coco17")
    mid_sh = 0.5 * (skel.joint("left_shoulder") + skel.joint("right_shoulder"))
    assert np.allclose(skel.joint("neck"), mid_sh)
    mid_hip = 0.5 * (skel.joint("left_hip") + skel.joint("right_hip"))
    assert np.allclose(skel.joint("pelvis"), mid_hip)


@pytest.mark.parametrize(("scale", "units"), [(1.0, "m"), (100.0, "cm"), (1000.0, "mm")])
def test_units_are_guessed_from_body_size(scale: float, units: str):
    points = in_layout("h36m17", scale)
    assert guess_units(points) == units
    skel = to_canonical(points, "h36m17")
    assert np.allclose(skel.joint("head")[0], PERSON[JOINT_INDEX["head"]])


def test_wrong_joint_count_and_unknown_layout_are_clear_errors():
    with pytest.raises(ValueError, match="uw-iom has 15 joints but the poses have 17"):
        to_canonical(np.zeros((3, 17, 3)), "uw-iom")
    with pytest.raises(ValueError, match="unknown layout 'kinect'"):
        get_layout("kinect")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@pytest.mark.parametrize("file_up", ["z", "y", "-y"])
def test_up_auto_finds_the_files_up_axis(name: str, file_up: str):
    lay = get_layout(name)
    src = np.full((lay.n_joints, 3), np.nan)
    for i, joint in enumerate(lay.joints):
        if joint is not None:
            src[i] = PERSON[JOINT_INDEX[joint]]
    skel = to_canonical(from_z_up(src, file_up)[None], name, up="auto")
    for joint in ("left_shoulder", "right_knee"):
        assert np.allclose(skel.joint(joint)[0], PERSON[JOINT_INDEX[joint]]), joint


@pytest.mark.parametrize("file_up", ["z", "-y"])
def test_up_auto_reaches_the_layout_through_assess_and_the_cli(file_up: str, tmp_path):
    """er.assess(..., up="auto") and --up auto were read as "the layout's default axis"
    (the options' "auto" means "estimated", None): z-up mediapipe33 data read as y-down, no
    trunk on any frame, "no reliable frame"; summary.json recorded up null."""
    from typer.testing import CliRunner

    import ergorisk as er
    from ergorisk.cli import app

    lay = get_layout("mediapipe33")
    src = np.array([PERSON[JOINT_INDEX[j]] if j else [np.nan] * 3 for j in lay.joints])
    poses = np.repeat(from_z_up(src, file_up)[None], 30, axis=0)
    if file_up == "z":  # read along the layout's axis (y down), the body lies flat: said
        with pytest.warns(er.AssessmentWarning, match="trunk could not be measured on any"):
            er.assess(poses, layout="mediapipe33", fps=30)
    a = er.assess(poses, layout="mediapipe33", fps=30, up="auto")
    assert a.frames["trunk_flexion_deg_left"].notna().all()
    assert not a.summary.to_dict()["warnings"]
    assert a.summary.to_dict()["reba"]["total"]["peak"] is not None
    np.save(tmp_path / "pose.npy", poses)
    args = ["assess", str(tmp_path / "pose.npy"), "--layout", "mediapipe33", "--up", "auto"]
    result = CliRunner().invoke(app, [*args, "--fps", "30", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    summary = (tmp_path / "out" / "summary.json").read_text("utf-8")
    assert '"up": "auto"' in summary and "REBA peak" in result.output


def test_a_pose_file_read_along_the_wrong_axis_or_in_the_wrong_units_is_said():
    """A walkthrough: UW-IOM's z-up poses read with --up y scored REBA 10 (trunk flexion
    -158 to +145 deg) without a word, and --units mm on metres made the body 2 mm tall."""
    import ergorisk as er

    lay = get_layout("uw-iom")
    src = np.array([PERSON[JOINT_INDEX[j]] if j else [np.nan] * 3 for j in lay.joints])
    poses = np.repeat(src[None], 24, axis=0)  # z up, metres
    assert not er.assess(poses, layout="uw-iom", fps=12, up="z").summary.warnings
    with pytest.warns(er.AssessmentWarning, match=r"within 60° of upright on only 0% of the"):
        er.assess(poses, layout="uw-iom", fps=12, up="y")
    with pytest.warns(er.AssessmentWarning, match=r"the thighs measure 0.000\d+ m .* units"):
        er.assess(poses, layout="uw-iom", fps=12, up="z", units="mm")


def test_an_empty_pose_array_is_an_input_error():
    """It raised IndexError from the scoring (the CLI said "no frames")."""
    import ergorisk as er

    with pytest.raises(er.InputError, match=r"no frames, shape \(0, 33, 3\)"):
        er.assess(np.zeros((0, 33, 3)), layout="mediapipe33", fps=30)


@pytest.mark.parametrize("lost", ["left_ear", "right_ear"])
def test_one_ear_lost_keeps_the_necks_flexion(lost: str):
    """With one ear not seen the head point fell back to the nose, some 10 cm in front of
    the ears: a neck flexed 20° read 50° (REBA neck 2) at full confidence. The one ear
    seen gives the flexion; the side bend, which its offset to one side would fake, is
    missing."""
    import ergorisk as er

    lay = get_layout("mediapipe33")
    person = joints(Pose(neck_flexion=20.0))
    src = np.array([person[JOINT_INDEX[j]] if j else [np.nan] * 3 for j in lay.joints])
    poses = np.repeat(from_z_up(src, lay.default_up)[None], 30, axis=0)
    both = er.assess(poses, layout="mediapipe33", fps=30).frames
    poses[:, lay.joints.index(lost)] = np.nan
    one = er.assess(poses, layout="mediapipe33", fps=30).frames
    for frames in (both, one):
        assert frames["neck_flexion_deg_left"].to_numpy() == pytest.approx(20.0, abs=0.5)
        assert (frames["reba_neck_left"] == 1).all()
    assert both["neck_side_bend_deg_left"].to_numpy() == pytest.approx(0.0, abs=0.5)
    assert one["neck_side_bend_deg_left"].isna().all()


def test_poses_of_a_layout_without_a_usual_rate_warn_when_none_is_given():
    """coco17, h36m17 and chatzis14 have no usual frame rate: 30 fps was taken, unsaid
    ("--fps (layout default)"), and every duration rests on it."""
    import ergorisk as er

    poses = np.repeat(in_layout("coco17"), 10, axis=0)
    with pytest.warns(er.AssessmentWarning, match="coco17 layout has no usual one: 30 fps"):
        a = er.assess(poses, layout="coco17")
    assert a.summary.fps == 30.0
    for given in ({"fps": 25}, {}):  # a rate given; mediapipe33's own 30 fps
        layout = "coco17" if given else "mediapipe33"
        points = np.repeat(in_layout(layout), 10, axis=0)
        warned = er.assess(points, layout=layout, **given).summary.to_dict()["warnings"]
        assert not any("frame rate" in w for w in warned)
