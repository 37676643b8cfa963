"""BVH and C3D files through a joint mapping (YAML or JSON)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ergorisk.io.poses import PoseInputError, read_pose_file
from ergorisk.kinematics import KinematicsOptions, posture_columns

# A small character in BVH's usual frame: y up, facing +z, its left on +x, centimetres.
BVH = """HIERARCHY
ROOT Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Spine
  {
    OFFSET 0 50 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT Head
    {
      OFFSET 0 20 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 10 0
      }
    }
    JOINT LeftArm
    {
      OFFSET 18 0 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      JOINT LeftForeArm
      {
        OFFSET 0 -30 0
        CHANNELS 3 Zrotation Xrotation Yrotation
        End Site
        {
          OFFSET 0 -27 0
        }
      }
    }
    JOINT RightArm
    {
      OFFSET -18 0 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      JOINT RightForeArm
      {
        OFFSET 0 -30 0
        CHANNELS 3 Zrotation Xrotation Yrotation
        End Site
        {
          OFFSET 0 -27 0
        }
      }
    }
  }
  JOINT LeftUpLeg
  {
    OFFSET 10 0 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT LeftLeg
    {
      OFFSET 0 -45 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 -45 0
      }
    }
  }
  JOINT RightUpLeg
  {
    OFFSET -10 0 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT RightLeg
    {
      OFFSET 0 -45 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 -45 0
      }
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.04
"""
N_CHANNELS = 6 + 3 * 10

MAPPING = """joints:
  neck: Spine
  head: Head_End
  left_shoulder: LeftArm
  left_elbow: LeftForeArm
  left_wrist: LeftForeArm_End
  right_shoulder: RightArm
  right_elbow: RightForeArm
  right_wrist: RightForeArm_End
  left_hip: LeftUpLeg
  left_knee: LeftLeg
  left_ankle: LeftLeg_End
  right_hip: RightUpLeg
  right_knee: RightLeg
  right_ankle: RightLeg_End
"""


def bvh_file(tmp_path, arm_x_rotation: float = -90.0):
    rest = np.zeros(N_CHANNELS)
    rest[1] = 100.0  # hips 1 m up
    moved = rest.copy()
    # LeftArm is the 4th joint: channels 6 + 3*2 .. ; its Xrotation is the 2nd of Z, X, Y.
    moved[6 + 3 * 2 + 1] = arm_x_rotation
    text = BVH + "\n".join(" ".join(f"{v:g}" for v in row) for row in (rest, moved)) + "\n"
    (tmp_path / "m.bvh").write_text(text)
    (tmp_path / "map.yaml").write_text(MAPPING)
    return tmp_path / "m.bvh", tmp_path / "map.yaml"


def test_bvh_forward_kinematics_and_conventions(tmp_path):
    bvh, mapping = bvh_file(tmp_path)
    skel = read_pose_file(bvh, None, mapping=mapping)
    assert skel.n_frames == 2 and skel.fps == pytest.approx(25)
    assert np.allclose(skel.joint("left_shoulder")[0], [0.18, 0.0, 1.5])  # cm -> m, y up -> z
    assert skel.joint("head")[0, 2] > skel.joint("left_ankle")[0, 2] + 1.0
    cols = posture_columns(skel, KinematicsOptions(smoothing_s=0))["left"]
    # Rotating the arm -90 deg about x raises it straight forward (BVH faces +z).
    assert cols["upper_arm_flexion_deg"][0] == pytest.approx(0, abs=1)
    assert cols["upper_arm_flexion_deg"][1] == pytest.approx(90, abs=1)
    assert cols["upper_arm_abduction_deg"][1] == pytest.approx(0, abs=1)


def test_bvh_errors_are_clear(tmp_path):
    bvh, mapping = bvh_file(tmp_path)
    with pytest.raises(PoseInputError, match="need a joint mapping"):
        read_pose_file(bvh, None)
    (tmp_path / "bad.yaml").write_text("joints:\n  left_shoulder: Nope\n")
    with pytest.raises(PoseInputError, match=r"mapping names \['Nope'\] not in the file") as err:
        read_pose_file(bvh, None, mapping=tmp_path / "bad.yaml")
    assert str(err.value).count(str(bvh)) == 1  # "tiny.bvh: tiny.bvh: mapping names ..."
    (tmp_path / "bad2.yaml").write_text("joints:\n  left_shouldr: LeftArm\n")
    with pytest.raises(PoseInputError, match="unknown canonical joints"):
        read_pose_file(bvh, None, mapping=tmp_path / "bad2.yaml")
    (tmp_path / "t.bvh").write_text(BVH + "0 1 2\n")
    with pytest.raises(PoseInputError, match="motion values"):
        read_pose_file(tmp_path / "t.bvh", None, mapping=mapping)


def test_c3d_markers_by_label_in_millimetres(tmp_path):
    ezc3d = pytest.importorskip("ezc3d")
    labels = ["LSHO", "RSHO", "LELB", "LWRI", "LASI", "RASI", "LKNE", "LANK", "HEAD"]
    pos = {
        "LSHO": [0, 180, 1500],
        "RSHO": [0, -180, 1500],
        "LELB": [300, 180, 1500],
        "LWRI": [570, 180, 1500],
        "LASI": [0, 100, 1000],
        "RASI": [0, -100, 1000],
        "LKNE": [0, 100, 550],
        "LANK": [0, 100, 100],
        "HEAD": [0, 0, 1750],
    }
    T = 3
    pts = np.ones((4, len(labels), T))
    for i, name in enumerate(labels):
        pts[:3, i, :] = np.array(pos[name], float)[:, None]
    pts[:3, labels.index("LWRI"), 2] = 0.0  # lost in the last frame
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100]
    c["parameters"]["POINT"]["LABELS"]["value"] = tuple(labels)
    c["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    c["data"]["points"] = pts
    c.write(str(tmp_path / "t.c3d"))
    mapping = {
        "joints": {
            "left_shoulder": "LSHO",
            "right_shoulder": "RSHO",
            "left_elbow": "LELB",
            "left_wrist": "LWRI",
            "left_hip": "LASI",
            "right_hip": "RASI",
            "left_knee": "LKNE",
            "left_ankle": "LANK",
            "head": "HEAD",
            "pelvis": ["LASI", "RASI"],
        }
    }
    (tmp_path / "map.json").write_text(json.dumps(mapping))
    skel = read_pose_file(tmp_path / "t.c3d", None, mapping=tmp_path / "map.json")
    assert skel.fps == 100 and skel.n_frames == T
    assert np.allclose(skel.joint("left_elbow")[0], [0.3, 0.18, 1.5])
    assert np.allclose(skel.joint("pelvis")[0], [0.0, 0.0, 1.0])
    assert skel.conf("left_wrist")[2] == 0 and np.isnan(skel.joint("left_wrist")[2]).all()
    cols = posture_columns(skel, KinematicsOptions(smoothing_s=0))["left"]
    assert cols["upper_arm_flexion_deg"][0] == pytest.approx(90, abs=1)
    assert np.isnan(cols["lower_arm_flexion_deg"][2])
