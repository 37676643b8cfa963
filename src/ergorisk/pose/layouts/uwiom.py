"""UW-IOM (Parsa et al.): 15 joints estimated by LCR-Net; x depth, y sideways, z up.

Joint 14 ("centre") sits about 23 cm above mid-hips, so it is the spine centre, not the
pelvis; the pelvis is derived from the hips. The neck equals mid-shoulders in the data.
"""

from ergorisk.pose.layouts.base import Layout

LAYOUT = Layout(
    name="uw-iom",
    joints=(
        "right_ankle",
        "left_ankle",
        "right_knee",
        "left_knee",
        "right_hip",
        "left_hip",
        "right_wrist",
        "left_wrist",
        "right_elbow",
        "left_elbow",
        "right_shoulder",
        "left_shoulder",
        "neck",
        "head",
        "spine",
    ),
    default_up="z",
    default_fps=12.0,
    description="UW Indoor Object Manipulation, 15 joints, z up, about 12 fps",
)
