"""Pose stage: sources (pose files, layouts) -> the canonical skeleton.

>>> from ergorisk.pose import read_pose_file
>>> skel = read_pose_file("poses.npy", layout="uw-iom")   # (T, J, 3) metres, z up
"""

from ergorisk.pose.layouts import LAYOUTS, Layout, get_layout, to_canonical, to_z_up
from ergorisk.pose.readers import PoseInputError, read_pose_file
from ergorisk.pose.skeleton import CANONICAL_JOINTS, JOINT_INDEX, Skeleton

__all__ = [
    "CANONICAL_JOINTS",
    "JOINT_INDEX",
    "LAYOUTS",
    "Layout",
    "PoseInputError",
    "Skeleton",
    "get_layout",
    "read_pose_file",
    "to_canonical",
    "to_z_up",
]
