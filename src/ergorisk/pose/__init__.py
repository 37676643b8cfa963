"""Pose stage: MediaPipe (one or several people), triangulation, layouts -> the canonical
skeleton (T, J, 3) metres, z up. Pose files are read at the edge: ergorisk.io.poses.
"""

from ergorisk.pose.layouts import LAYOUTS, Layout, get_layout, to_canonical, to_z_up
from ergorisk.pose.skeleton import CANONICAL_JOINTS, JOINT_INDEX, Skeleton

__all__ = [
    "CANONICAL_JOINTS",
    "JOINT_INDEX",
    "LAYOUTS",
    "Layout",
    "Skeleton",
    "get_layout",
    "to_canonical",
    "to_z_up",
]
