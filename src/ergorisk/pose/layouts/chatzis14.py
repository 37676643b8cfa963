"""The 14 joints of Chatzis et al. (2022), Table 1, in the order the table lists them.

The paper's 3D poses come from VIBE (SMPL joints in a camera frame, y down), hence ``-y``.
"""

from ergorisk.pose.layouts.base import Layout

LAYOUT = Layout(
    name="chatzis14",
    joints=(
        "head",
        "neck",
        "right_shoulder",
        "left_shoulder",
        "right_elbow",
        "left_elbow",
        "right_wrist",
        "left_wrist",
        "right_hip",
        "left_hip",
        "right_knee",
        "left_knee",
        "right_ankle",
        "left_ankle",
    ),
    default_up="-y",
    description="Chatzis et al. 2022 variational REBA network, 14 joints (VIBE, y down)",
)
