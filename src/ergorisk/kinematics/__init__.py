"""Kinematics stage: canonical skeleton -> worksheet columns per frame and side.

    >>> from ergorisk.kinematics import KinematicsOptions, worksheet_columns
    >>> sides, activity = worksheet_columns(skeleton, KinematicsOptions(smoothing_s=0.4))
    >>> sides["left"]["upper_arm_flexion_deg"]        # (T,) degrees, flexion +

Column names come from ergorisk.contract. Modules: options (every threshold), geometry
and frames (vectors, body frames), angles (one function per joint angle), posture
(skeleton -> posture columns), smoothing (Savitzky-Golay), activity (static, repeated,
rapid change), worksheet (everything together), records (hand-entered worksheets).
"""

from ergorisk.kinematics.activity import Activity, Evidence, detect_activity
from ergorisk.kinematics.options import KinematicsOptions
from ergorisk.kinematics.posture import posture_columns
from ergorisk.kinematics.smoothing import smooth
from ergorisk.kinematics.worksheet import TaskFactors, worksheet_columns

__all__ = [
    "Activity",
    "Evidence",
    "KinematicsOptions",
    "TaskFactors",
    "detect_activity",
    "posture_columns",
    "smooth",
    "worksheet_columns",
]
