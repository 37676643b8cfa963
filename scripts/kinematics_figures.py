"""Draw one figure per kinematic definition into docs/figures/ (used by docs/kinematics.md).

    .venv/bin/python scripts/kinematics_figures.py [--out docs/figures]

Each skeleton is built by forward kinematics (ergorisk.pose.synthetic) with a known angle; the
number printed on the figure is what ergorisk.kinematics measures on that skeleton.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ergorisk.kinematics import KinematicsOptions, posture_columns
from ergorisk.pose.synthetic import Arm, Pose, skeleton

BONES = [
    ("pelvis", "neck"), ("neck", "head"), ("left_hip", "right_hip"),
    ("neck", "left_shoulder"), ("neck", "right_shoulder"), ("left_ear", "right_ear"),
    *[(f"{s}_{a}", f"{s}_{b}") for s in ("left", "right") for a, b in (
        ("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"),
        ("wrist", "index"), ("wrist", "pinky"), ("index", "pinky"))],
]  # fmt: skip
# Projections of z-up world points (the person faces +x, their left is +y).
VIEWS = {
    "side": lambda p: np.stack([p[..., 0], p[..., 2]], -1),  # seen from the person's right
    "front": lambda p: np.stack([p[..., 1], p[..., 2]], -1),  # facing them: their left right
    "top": lambda p: np.stack([-p[..., 1], p[..., 0]], -1),  # from above, facing up the page
}
OPTS = KinematicsOptions(smoothing_s=0.0)
HIGHLIGHT = "#d62728"


def measure(pose: Pose, side: str = "left") -> dict:
    cols = posture_columns(skeleton(pose), OPTS)[side]
    return {k: float(v[0]) for k, v in cols.items()}


def zoom(ax, centre, half: float) -> None:
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)


def draw(ax, pose: Pose, view: str, bold: tuple[str, ...] = (), title: str = "") -> dict:
    skel = skeleton(pose)
    proj = VIEWS[view]
    pts = {n: proj(skel.joint(n)[0] - np.array([2.0, -1.0, 0.0])) for n in skel.joint_names}
    for a, b in BONES:
        if np.isfinite(pts[a]).all() and np.isfinite(pts[b]).all():
            on = a in bold and b in bold
            ax.plot(
                *np.stack([pts[a], pts[b]]).T,
                color=HIGHLIGHT if on else "0.35",
                lw=3 if on else 1.6,
                solid_capstyle="round",
            )
    for n, p in pts.items():
        if np.isfinite(p).all() and n not in ("nose",):
            ax.plot(*p, "o", ms=2.5, color="0.2")
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=8)
    return pts


def arc(ax, origin, v_from, v_to, text: str, r: float = 0.18, color: str = HIGHLIGHT) -> None:
    """An arc from direction v_from to v_to (2D) around origin, with a label."""
    a0, a1 = np.arctan2(v_from[1], v_from[0]), np.arctan2(v_to[1], v_to[0])
    d = (a1 - a0 + np.pi) % (2 * np.pi) - np.pi
    t = np.linspace(a0, a0 + d, 40)
    ax.plot(origin[0] + r * np.cos(t), origin[1] + r * np.sin(t), color=color, lw=1.2)
    mid = a0 + d / 2
    ax.text(
        origin[0] + 1.35 * r * np.cos(mid),
        origin[1] + 1.35 * r * np.sin(mid),
        text,
        fontsize=8,
        color=color,
        ha="center",
        va="center",
    )


def ref_line(ax, origin, direction, length: float = 0.45) -> None:
    d = np.asarray(direction, float) / np.linalg.norm(direction)
    ax.plot(*np.stack([origin, origin + length * d]).T, "--", color="0.55", lw=1)


def figure(name: str, out: Path, panels: int = 1):
    fig, axes = plt.subplots(1, panels, figsize=(2.6 * panels, 3.0), dpi=90)
    return fig, np.atleast_1d(axes), out / f"{name}.png"


def save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def trunk(out: Path) -> None:
    fig, (a, b, c), path = figure("trunk", out, 3)
    p = Pose(trunk_flexion=40)
    pts = draw(a, p, "side", ("pelvis", "neck"), "flexion vs world vertical")
    ref_line(a, pts["pelvis"], [0, 1])
    arc(
        a,
        pts["pelvis"],
        [0, 1],
        pts["neck"] - pts["pelvis"],
        f"{measure(p)['trunk_flexion_deg']:.0f}°",
    )
    p = Pose(trunk_side_bend=20)
    pts = draw(b, p, "front", ("pelvis", "neck"), "side bend")
    ref_line(b, pts["pelvis"], [0, 1])
    arc(
        b,
        pts["pelvis"],
        [0, 1],
        pts["neck"] - pts["pelvis"],
        f"{measure(p)['trunk_side_bend_deg']:.0f}°",
    )
    p = Pose(trunk_twist=30, ears=False)
    pts = draw(
        c,
        p,
        "top",
        ("left_shoulder", "right_shoulder", "left_hip", "right_hip"),
        "twist: shoulders vs hips",
    )
    mid = pts["neck"]
    arc(
        c,
        mid,
        pts["left_hip"] - pts["right_hip"],
        pts["left_shoulder"] - pts["right_shoulder"],
        f"{measure(p)['trunk_twist_deg']:.0f}°",
        r=0.12,
    )
    save(fig, path)


def neck(out: Path) -> None:
    fig, (a, b, c), path = figure("neck", out, 3)
    p = Pose(trunk_flexion=25, neck_flexion=30)
    pts = draw(a, p, "side", ("neck", "head"), "flexion vs the trunk")
    ref_line(a, pts["neck"], pts["neck"] - pts["pelvis"], 0.3)
    arc(
        a,
        pts["neck"],
        pts["neck"] - pts["pelvis"],
        pts["head"] - pts["neck"],
        f"{measure(p)['neck_flexion_deg']:.0f}°",
        r=0.12,
    )
    zoom(a, pts["neck"], 0.4)
    p = Pose(neck_side_bend=20)
    pts = draw(b, p, "front", ("neck", "head"), "side bend vs the trunk")
    ref_line(b, pts["neck"], [0, 1], 0.3)
    arc(
        b,
        pts["neck"],
        [0, 1],
        pts["head"] - pts["neck"],
        f"{measure(p)['neck_side_bend_deg']:.0f}°",
        r=0.12,
    )
    zoom(b, pts["neck"], 0.4)
    p = Pose(neck_twist=35)
    pts = draw(
        c,
        p,
        "top",
        ("left_ear", "right_ear", "left_shoulder", "right_shoulder"),
        "twist: ears vs shoulders",
    )
    arc(
        c,
        pts["head"],
        pts["left_shoulder"] - pts["right_shoulder"],
        pts["left_ear"] - pts["right_ear"],
        f"{measure(p)['neck_twist_deg']:.0f}°",
        r=0.1,
    )
    save(fig, path)


def upper_arm(out: Path) -> None:
    fig, (a, b, c), path = figure("upper_arm", out, 3)
    p = Pose(trunk_flexion=30, right=Arm(flexion=60))
    pts = draw(a, p, "side", ("right_shoulder", "right_elbow"), "flexion vs the trunk")
    ref_line(a, pts["right_shoulder"], pts["pelvis"] - pts["neck"], 0.35)
    arc(
        a,
        pts["right_shoulder"],
        pts["pelvis"] - pts["neck"],
        pts["right_elbow"] - pts["right_shoulder"],
        f"{measure(p, 'right')['upper_arm_flexion_deg']:.0f}°",
        r=0.14,
    )
    p = Pose(trunk_flexion=40, right=Arm(flexion=40))  # arm hanging plumb
    pts = draw(b, p, "side", ("right_shoulder", "right_elbow"), "hanging plumb, trunk bent")
    ref_line(b, pts["right_shoulder"], pts["pelvis"] - pts["neck"], 0.35)
    arc(
        b,
        pts["right_shoulder"],
        pts["pelvis"] - pts["neck"],
        pts["right_elbow"] - pts["right_shoulder"],
        f"{measure(p, 'right')['upper_arm_flexion_deg']:.0f}°",
        r=0.14,
    )
    p = Pose(left=Arm(abduction=45))
    pts = draw(c, p, "front", ("left_shoulder", "left_elbow"), "abduction")
    ref_line(c, pts["left_shoulder"], [0, -1], 0.35)
    arc(
        c,
        pts["left_shoulder"],
        [0, -1],
        pts["left_elbow"] - pts["left_shoulder"],
        f"{measure(p)['upper_arm_abduction_deg']:.0f}°",
        r=0.14,
    )
    save(fig, path)


def shoulder_raise(out: Path) -> None:
    fig, (a, b), path = figure("shoulder_raise", out, 2)
    p = Pose(left=Arm(shoulder_elevation=20), ears=False)
    pts = draw(a, p, "front", ("neck", "left_shoulder"), "neck-shoulder line vs trunk")
    ref_line(a, pts["neck"], [1, 0], 0.25)
    arc(
        a,
        pts["neck"],
        [1, 0],
        pts["left_shoulder"] - pts["neck"],
        f"{measure(p)['shoulder_elevation_deg']:.0f}°",
        r=0.12,
    )
    zoom(a, pts["neck"], 0.4)
    p = Pose(left=Arm(shoulder_elevation=35))
    pts = draw(b, p, "front", ("left_shoulder", "left_ear"), "with ears: ear-shoulder height")
    h = (pts["left_ear"] - pts["left_shoulder"])[1]
    w = np.linalg.norm(pts["left_shoulder"] - pts["right_shoulder"])
    b.annotate(
        "",
        pts["left_ear"],
        (pts["left_ear"][0], pts["left_shoulder"][1]),
        arrowprops={"arrowstyle": "<->", "color": HIGHLIGHT},
    )
    b.text(
        pts["left_ear"][0] + 0.03,
        pts["left_shoulder"][1] + h / 2,
        f"{h / w:.2f} widths\n(< 0.25: raised)",
        fontsize=7,
        color=HIGHLIGHT,
    )
    zoom(b, pts["neck"], 0.4)
    save(fig, path)


def lower_arm(out: Path) -> None:
    fig, (a, b, c), path = figure("lower_arm", out, 3)
    p = Pose(right=Arm(flexion=20, elbow=90))
    pts = draw(a, p, "side", ("right_elbow", "right_wrist"), "elbow flexion (0 = straight)")
    ref_line(a, pts["right_elbow"], pts["right_elbow"] - pts["right_shoulder"], 0.25)
    arc(
        a,
        pts["right_elbow"],
        pts["right_elbow"] - pts["right_shoulder"],
        pts["right_wrist"] - pts["right_elbow"],
        f"{measure(p, 'right')['lower_arm_flexion_deg']:.0f}°",
        r=0.1,
    )
    p = Pose(left=Arm(flexion=70, abduction=-60, elbow=40))
    pts = draw(b, p, "top", ("left_elbow", "left_wrist"), "across the midline")
    b.axvline(pts["neck"][0], color="0.6", ls=":", lw=1)
    zoom(b, pts["neck"] + np.array([0.0, 0.25]), 0.45)
    p = Pose(left=Arm(abduction=80, elbow=10))
    pts = draw(c, p, "front", ("left_elbow", "left_wrist"), "out to the side")
    c.axvline(pts["left_shoulder"][0] + 0.5 * 0.36, color="0.6", ls=":", lw=1)
    save(fig, path)


def wrist(out: Path) -> None:
    fig, (a, b), path = figure("wrist", out, 2)
    p = Pose(right=Arm(elbow=90, wrist_flexion=35))
    pts = draw(a, p, "side", ("right_wrist", "right_index"), "flexion (toward the palm)")
    hand = 0.5 * (pts["right_index"] + pts["right_pinky"])
    ref_line(a, pts["right_wrist"], pts["right_wrist"] - pts["right_elbow"], 0.15)
    arc(
        a,
        pts["right_wrist"],
        pts["right_wrist"] - pts["right_elbow"],
        hand - pts["right_wrist"],
        f"{measure(p, 'right')['wrist_flexion_deg']:.0f}°",
        r=0.06,
    )
    a.set_xlim(pts["right_elbow"][0] - 0.1, pts["right_wrist"][0] + 0.2)
    a.set_ylim(pts["right_wrist"][1] - 0.2, pts["right_wrist"][1] + 0.15)
    p = Pose(left=Arm(wrist_flexion=0, wrist_deviation=25))
    pts = draw(b, p, "side", (), "")
    b.cla()
    pts = draw(
        b, p, "front", ("left_wrist", "left_index", "left_pinky"), "deviation (in the palm plane)"
    )
    hand = 0.5 * (pts["left_index"] + pts["left_pinky"])
    ref_line(b, pts["left_wrist"], pts["left_wrist"] - pts["left_elbow"], 0.15)
    arc(
        b,
        pts["left_wrist"],
        pts["left_wrist"] - pts["left_elbow"],
        hand - pts["left_wrist"],
        f"{measure(p)['wrist_deviation_deg']:.0f}°",
        r=0.06,
    )
    b.set_xlim(pts["left_wrist"][0] - 0.15, pts["left_wrist"][0] + 0.15)
    b.set_ylim(pts["left_wrist"][1] - 0.15, pts["left_wrist"][1] + 0.12)
    save(fig, path)


def legs(out: Path) -> None:
    fig, (a, b), path = figure("legs", out, 2)
    p = Pose(knee_left=60, knee_right=60)
    pts = draw(a, p, "side", ("left_knee", "left_ankle", "left_hip"), "knee flexion")
    ref_line(a, pts["left_knee"], pts["left_knee"] - pts["left_hip"], 0.3)
    arc(
        a,
        pts["left_knee"],
        pts["left_knee"] - pts["left_hip"],
        pts["left_ankle"] - pts["left_knee"],
        f"{measure(p)['knee_flexion_deg']:.0f}°",
        r=0.12,
    )
    p = Pose(foot_lift_left=0.2, knee_left=30)
    pts = draw(b, p, "front", ("left_ankle", "left_knee"), "unilateral: one foot up")
    b.axhline(pts["right_ankle"][1], color="0.6", ls=":", lw=1)
    b.annotate(
        "",
        pts["left_ankle"],
        (pts["left_ankle"][0], pts["right_ankle"][1]),
        arrowprops={"arrowstyle": "<->", "color": HIGHLIGHT},
    )
    b.text(
        pts["left_ankle"][0] + 0.03,
        pts["right_ankle"][1] + 0.08,
        "> 0.10 m\nfor 1 s",
        fontsize=7,
        color=HIGHLIGHT,
    )
    save(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "docs" / "figures")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for make in (trunk, neck, upper_arm, shoulder_raise, lower_arm, wrist, legs):
        make(out)


if __name__ == "__main__":
    main()
