"""Walking is told from the skeleton: the feet taking turns in front, or the pelvis
travelling. A jump, a squat or a warm-up in place is not walking (walking hides static holds
and repetitions, so a false walk hides evidence)."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.kinematics import KinematicsOptions
from ergorisk.kinematics.activity import walking_frames
from ergorisk.kinematics.body_frames import pelvis_heading
from ergorisk.pose import JOINT_INDEX, Skeleton
from ergorisk.pose.synthetic import Pose, skeleton

FPS = 30.0
OPTS = KinematicsOptions()
FORWARD = np.array([1.0, 0.0, 0.0])
UP = np.array([0.0, 0.0, 1.0])
T = np.arange(300) / FPS  # 10 s


def walking(skel: Skeleton) -> np.ndarray:
    heading = pelvis_heading(
        skel.joint("left_hip"),
        skel.joint("right_hip"),
        fallback_left=skel.joint("left_shoulder") - skel.joint("right_shoulder"),
    )
    return walking_frames(
        skel.joint("pelvis"),
        skel.joint("left_ankle"),
        skel.joint("right_ankle"),
        heading.forward,
        skel.fps,
        OPTS,
    )


def moved(skel: Skeleton, offsets: dict[str, np.ndarray]) -> Skeleton:
    """skel with (T, 3) offsets added to some joints (``"all"``: every joint)."""
    joints = skel.joints.copy()
    for name, off in offsets.items():
        if name == "all":
            joints += off[:, None, :]
        else:
            joints[:, JOINT_INDEX[name]] += off
    return Skeleton(joints, skel.confidence, fps=skel.fps)


def standing(noise_m: float = 0.02) -> Skeleton:
    return skeleton([Pose()] * len(T), fps=FPS, noise_m=noise_m)


def gait(pelvis_speed_mps: float, steps_per_min: float = 108.0) -> Skeleton:
    """Feet taking turns 0.3 m in front (a 0.6 m step), the pelvis travelling or not."""
    swing = 0.3 * np.sin(np.pi * steps_per_min / 60 * T)
    travel = np.outer(pelvis_speed_mps * T, FORWARD)
    return moved(
        standing(),
        {
            "all": travel,
            "left_ankle": np.outer(swing, FORWARD),
            "right_ankle": np.outer(-swing, FORWARD),
        },
    )


def test_alternating_feet_are_walking_with_the_pelvis_pinned_or_travelling():
    # Pinned, as MediaPipe's world landmarks are; travelling, as a triangulated pose is.
    assert walking(gait(0.0))[30:-30].all()
    assert walking(gait(1.2))[30:-30].all()


def test_a_travelling_pelvis_is_walking_even_where_the_feet_are_not_seen():
    skel = moved(standing(), {"all": np.outer(1.2 * T, FORWARD)})
    joints = skel.joints.copy()
    joints[:, [JOINT_INDEX["left_ankle"], JOINT_INDEX["right_ankle"]]] = np.nan
    assert walking(Skeleton(joints, skel.confidence, fps=FPS))[45:-45].all()


def jumps() -> Skeleton:
    """Both feet together up 0.4 m and down, once every 2 s, in place."""
    height = 0.4 * np.clip(np.sin(np.pi * T), 0, None) ** 2
    return moved(standing(), {"all": np.outer(height, UP)})


def squats() -> Skeleton:
    """Down to 120 deg of knee flexion and up, every 3 s, trunk leaning forward."""
    depth = (1 - np.cos(2 * np.pi * T / 3)) / 2
    poses = [Pose(knee_left=120 * d, knee_right=120 * d, trunk_flexion=40 * d) for d in depth]
    return skeleton(poses, fps=FPS, noise_m=0.02)


def marching_in_place() -> Skeleton:
    """A warm-up: knees up by turns, 100 a minute, the feet coming down where they were."""
    turns = np.sin(np.pi * 100 / 60 * T)
    poses = [Pose(knee_left=70 * max(v, 0), knee_right=70 * max(-v, 0)) for v in turns]
    return skeleton(poses, fps=FPS, noise_m=0.02)


def noisy_feet() -> Skeleton:
    """Monocular depth noise: the ankles' fore-aft positions jitter by 5 cm a frame, and a few
    stray swings, the feet passing each other now and then (as the example clip's ankles do
    in a warm-up and a landing): never three steps in a row at a walking cadence."""
    rng = np.random.default_rng(1)
    times, sides = [0.6, 3.3, 3.8, 5.4, 7.4], [1, -1, 1, -1, 1]
    stray = sum(
        0.2 * s * np.exp(-(((T - t) / 0.1) ** 2)) for t, s in zip(times, sides, strict=True)
    )
    return moved(
        standing(),
        {
            "left_ankle": np.outer(rng.normal(0, 0.05, T.size) + stray, FORWARD),
            "right_ankle": np.outer(rng.normal(0, 0.05, T.size) - stray, FORWARD),
        },
    )


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (jumps, "jumping in place"),
        (squats, "squatting"),
        (marching_in_place, "marching in place"),
        (noisy_feet, "depth noise and stray steps"),
        (standing, "standing still"),
    ],
)
def test_moving_in_place_is_not_walking(make, what: str):
    assert not walking(make()).any(), what


def test_a_jump_forward_is_not_walking():
    # 0.8 m forward in 0.4 s, both feet together: a hop off a box, not a walk.
    skel = moved(jumps(), {"all": np.outer(0.8 * np.clip((T - 5) / 0.4, 0, 1), FORWARD)})
    assert not walking(skel).any()


def test_steps_faster_or_slower_than_walking_are_not_a_gait():
    # 200 a minute is stepping on the spot (the example clip, before its jump); 40 a minute,
    # a foot moved now and then.
    assert not walking(gait(0.0, steps_per_min=200)).any()
    assert not walking(gait(0.0, steps_per_min=40)).any()


def test_walking_segments_of_real_uwiom_poses(shared_data):
    """UW-IOM labels each frame with an action; its walks are short (about 1.5 s) and its
    depth noisy. Most walking frames are found; frames 2 s or more from a walk seldom are."""
    from ergorisk.pose.layouts import to_canonical

    found = far_false = far = walk_total = 0
    for subject in ("01", "05", "11"):
        poses = np.load(shared_data / "uw-iom" / "poses" / f"{subject}.npy")
        actions = np.load(shared_data / "uw-iom" / "actions" / f"{subject}.npy")
        walk_label = np.isin(actions, [0, 16])  # walking, box_walk_hold
        near = np.convolve(walk_label, np.ones(49), "same") > 0  # within 2 s at 12 fps
        flag = walking(to_canonical(poses, "uw-iom", fps=12.0))
        found += (flag & walk_label).sum()
        walk_total += walk_label.sum()
        far_false += (flag & ~near).sum()
        far += (~near).sum()
    assert found / walk_total > 0.8
    assert far_false / far < 0.1


def test_the_swing_after_the_last_turn_seen_is_walking_too():
    # Someone walks out of view at 6.1 s: the feet's last turn seen is at 5.83 s (a step
    # every 0.56 s); the knee still swings until they are gone, and that swing is gait.
    skel = gait(0.0)
    joints = skel.joints.copy()
    joints[T >= 6.1] = np.nan
    gone = walking(Skeleton(joints, skel.confidence, fps=FPS))
    assert gone[30 : int(6.1 * FPS)].all()
    # ... until they are gone, not a step on (a passer-by's walking_s counted 0.5 s more
    # than she was seen in a people run of the example), nor before they come.
    assert not gone[T >= 6.1].any()
    joints[T < 1.0] = np.nan
    came = walking(Skeleton(joints, skel.confidence, fps=FPS))
    assert not came[T < 1.0].any() and came[int(1.6 * FPS) : int(6.1 * FPS)].all()
    # ... but not more than a step beyond: standing after the walk is not walking.
    still = gait(0.0)
    joints = still.joints.copy()
    stop = T >= 5.833
    joints[stop] = joints[int(5.833 * FPS)]  # the feet stay where the last turn left them
    w = walking(Skeleton(joints, still.confidence, fps=FPS))
    assert not w[int(6.6 * FPS) :].any()
