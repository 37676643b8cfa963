"""A camera tilt given by the user (--camera-pitch-deg, --camera-roll-deg) is applied as given:
a tilted camera's track scores as the level camera's; the roll's sign is the picture's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ergorisk.assessment import MediaPoses, _assess_track, _resolve_config
from ergorisk.pose.tilt import Tilt
from test_pipeline_mirror import SIZE, synthetic_track

ANGLES = ["trunk_flexion_deg_left", "trunk_side_bend_deg_left", "knee_flexion_deg_left",
          "upper_arm_flexion_deg_right"]  # fmt: skip


def assess(track, **tilt: float) -> tuple[pd.DataFrame, dict]:
    # Depth fusion off: it works on the camera's depth axis, which the tilt turns. Image x-y
    # off: one scale a frame (weak perspective) shows the bent leg's shank, 4 m away, shorter
    # to the tilted camera than to the level one (3.8 deg of knee apart).
    options = {"annotate": False, "report": False, "depth_fusion": False, "image_xy": "none",
               **tilt}  # fmt: skip
    cfg = _resolve_config(None, options)
    info = {"width": SIZE[0], "height": SIZE[1], "fps": 30.0}
    a = _assess_track(Path("clip.mp4"), "video", cfg, MediaPoses(track, 30.0, info, [], 0.0), track)
    return a.frames, a.summary.to_dict()["options"]["camera_tilt"]


def test_a_given_pitch_and_roll_undo_the_cameras_tilt():
    level, _ = assess(synthetic_track(Tilt(0.0, 0.0, "level")), camera_pitch_deg=0.0)
    tilted = synthetic_track(Tilt(12.0, 6.0, "camera"))
    given, tilt = assess(tilted, camera_pitch_deg=12.0, camera_roll_deg=6.0)
    assert tilt == {
        "pitch_deg": 12.0,
        "roll_deg": 6.0,
        "method": "given",
        "frames_used": 0,
        "confidence": None,  # not estimated
    }
    # Around frame 44, whose leg labels the synthetic track exchanges, the swap fix works on
    # the picture, which the tilt changes: those frames are left out.
    keep = ~given.index.isin(range(38, 51))
    diff = (given[ANGLES] - level[ANGLES])[keep].abs().max()
    assert diff.max() < 1.0, diff
    # The pitch alone leaves the roll in the body: it reads as side bend.
    pitch_only, tilt = assess(tilted, camera_pitch_deg=12.0)
    assert tilt["roll_deg"] == 0.0
    side = (pitch_only["trunk_side_bend_deg_left"] - level["trunk_side_bend_deg_left"]).abs()
    assert side.median() > 3.0


def test_a_positive_roll_is_a_picture_whose_verticals_lean_right():
    """The flag's help: + where the picture's verticals lean right. A person standing upright
    (the synthetic motion's first 20 frames), seen by a camera of roll +6: their shoulders are
    to the right of their hips in the picture."""
    track = synthetic_track(Tilt(0.0, 6.0, "camera"))
    image = track.image[:20].astype(float)
    shoulders, hips = image[:, [11, 12], 0].mean(1), image[:, [23, 24], 0].mean(1)
    assert np.all(shoulders > hips)
    _, tilt = assess(track, camera_roll_deg=6.0)
    assert tilt["roll_deg"] == pytest.approx(6.0) and tilt["pitch_deg"] == 0.0


def test_a_roll_out_of_bounds_is_refused(tmp_path):
    from typer.testing import CliRunner

    from ergorisk.cli import app

    result = CliRunner().invoke(
        app,
        ["assess", str(tmp_path / "x.mp4"), "-o", str(tmp_path / "o"), "--camera-roll-deg", "60"],
    )
    assert result.exit_code == 2 and "--camera-roll-deg must be within ±45" in result.output
