"""Human3.6M 17 joints (the order of VideoPose3D and MotionBERT).

Default ``z``: the dataset's world frame (z up, millimetres, converted by ``units="auto"``).
Predictions in a camera frame (y down) need ``up="-y"``. Joint 8 (thorax) is the neck base,
joint 9 the nose, joint 10 the top of the head.
"""

from ergorisk.pose.layouts.base import Layout

LAYOUT = Layout(
    name="h36m17",
    joints=(
        "pelvis",
        "right_hip",
        "right_knee",
        "right_ankle",
        "left_hip",
        "left_knee",
        "left_ankle",
        "spine",
        "neck",
        "nose",
        "head",
        "left_shoulder",
        "left_elbow",
        "left_wrist",
        "right_shoulder",
        "right_elbow",
        "right_wrist",
    ),
    default_up="z",
    description="Human3.6M 17 joints, world frame z up (use up=-y for camera-frame predictions)",
)
