"""COCO 17 keypoints lifted to 3D, in a camera frame (x right, y down, z away): ``-y``."""

from ergorisk.pose.layouts.base import Layout

LAYOUT = Layout(
    name="coco17",
    joints=(
        "nose",
        "left_eye",
        "right_eye",
        "left_ear",
        "right_ear",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
    ),
    default_up="-y",
    description="COCO 17 keypoints in 3D, camera frame (y down)",
)
