"""MediaPipe Pose world landmarks (33 points).

Axes as MediaPipe documents them: x to the image's right, y DOWN, z depth with smaller values
nearer the camera, i.e. z points away from the camera. (x right, y down, z away) is
right-handed, like the OpenCV camera frame, so ``up="-y"`` maps it to (x, z, -y) with a proper
rotation, not a mirror. A 4th value per point (visibility) is read as confidence.
"""

from ergorisk.pose.layouts.base import Layout

LAYOUT = Layout(
    name="mediapipe33",
    joints=(
        "nose",
        None,  # left_eye_inner
        "left_eye",
        None,  # left_eye_outer
        None,  # right_eye_inner
        "right_eye",
        None,  # right_eye_outer
        "left_ear",
        "right_ear",
        None,  # mouth_left
        None,  # mouth_right
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_pinky",
        "right_pinky",
        "left_index",
        "right_index",
        "left_thumb",
        "right_thumb",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
        "left_heel",
        "right_heel",
        "left_toe",  # left_foot_index
        "right_toe",
    ),
    default_up="-y",
    default_fps=30.0,
    description="MediaPipe Pose world landmarks: x right, y down, z away from the camera",
    source_names=(
        "nose",
        "left_eye_inner",
        "left_eye",
        "left_eye_outer",
        "right_eye_inner",
        "right_eye",
        "right_eye_outer",
        "left_ear",
        "right_ear",
        "mouth_left",
        "mouth_right",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_pinky",
        "right_pinky",
        "left_index",
        "right_index",
        "left_thumb",
        "right_thumb",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
        "left_heel",
        "right_heel",
        "left_foot_index",
        "right_foot_index",
    ),
)
