"""The annotated frames and report.html: what an ergonomist sees and checks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ergorisk.report.annotate import LEVEL_COLOURS, annotate_frame, part_colour
from ergorisk.report.breakdown import breakdown
from ergorisk.report.model import level_shares
from video_fixtures import demo_run  # noqa: F401


def test_report_opens_offline_with_everything_inline(demo_run):  # noqa: F811
    page = (demo_run.out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    # Self-contained: no script, style or image fetched from anywhere.
    assert not re.search(r"<script[^>]+src=", page)
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", markup)
    assert "<link" not in markup and "@import" not in markup
    # The timeline is drawn inline (SVG), the same figure the PDF prints.
    assert page.count("<svg") >= 1
    thumbnails = re.findall(r"src=.data:image/jpeg;base64,[A-Za-z0-9+/=]{1000,}.", page)
    assert len(thumbnails) == 4


def test_report_explains_each_worst_moment_score_by_score(demo_run):  # noqa: F811
    page = (demo_run.out / "report.html").read_text(encoding="utf-8")
    for text in (
        "Table A",
        "Table B",
        "Table C",
        "score A",
        "score B",
        "score C",
        "score D",
        "trunk flexed",
        "REBA",
        "RULA",
        "Task factors",
    ):
        assert text in page, text
    # In a reader's words: no internal keys or raw option dumps (issue: the report a plant
    # manager accepts).
    for key in ("task.load_kg", "camera_tilt.pitch_deg", "kinematics.smoothing_s", "_deg"):
        assert key not in page, key
    # A worst moment's interval is its picture's, not the held peak's: said where it stands
    # ("REBA peak 10 (9–10)" on the cover read against "REBA 10 (10–11)" unexplained).
    assert re.search(r"<b>REBA \d+</b> \(\d+–\d+ in this picture\)", page)
    # One camera's measured limits, on every video's report (not only when a warning fires).
    assert "One camera&#39;s limits" in page or "One camera's limits" in page
    assert "a worst moment&#39;s is its picture&#39;s alone" in page or (
        "a worst moment's is its picture's alone" in page
    )


def test_breakdown_rescoring_agrees_with_the_frames_table(demo_run):  # noqa: F811
    frames = demo_run.result.frames
    for i in [e.peak for e in demo_run.result.worst_episodes()]:
        row = frames.iloc[i]
        for side in ("left", "right"):
            parts = breakdown(row, side)
            if pd.isna(row[f"reba_total_{side}"]):
                continue
            assert parts["reba"]["scores"]["total"] == row[f"reba_total_{side}"]
            assert parts["rula"]["scores"]["total"] == row[f"rula_total_{side}"]
            assert parts["reba"]["scores"]["trunk"] == row[f"reba_trunk_{side}"]
            assert parts["reba"]["evidence"]["trunk"]["trunk_flexion_deg"] == pytest.approx(
                row[f"trunk_flexion_deg_{side}"],
                abs=0.051,  # shown to 0.1 deg
            )


def test_risk_shares_add_up_to_all_of_the_time(demo_run):  # noqa: F811
    fps = demo_run.result.summary.fps
    for method in ("reba", "rula"):
        for side in ("left", "right"):
            shares = level_shares(demo_run.result.frames, method, side, fps)
            assert sum(s.percent for s in shares) == pytest.approx(100.0, abs=0.5)


def test_the_report_counts_the_levels_on_the_frames_summary_json_counts(demo_run):  # noqa: F811
    """Unreliable frames are left out of the levels everywhere: the report's seconds per level
    are summary.json's, 'pose unreliable' its unreliable_s, and a side's hidden part is 'part
    not seen', not 'no person'."""
    from ergorisk.contract import NO_PERSON, NOT_SEEN, REBA_LEVELS, RULA_LEVELS
    from ergorisk.report.model import UNRELIABLE, scored_percent

    frames, summary = demo_run.result.frames, demo_run.result.summary.to_dict()
    fps = summary["fps"]
    assert (~frames["pose_reliable"] & frames["person_detected"]).any()  # the example has some
    for method in ("reba", "rula"):
        for side, key in (("left", "left"), ("right", "right"), ("both", "total")):
            shares = level_shares(frames, method, side, fps)
            entry = summary[method][key]
            # The report names RULA's levels by their action ("5–6: change soon"); same order.
            names = (REBA_LEVELS if method == "reba" else RULA_LEVELS)[:-1]
            by_level = entry["time_s_by_level"]
            expected = [by_level.get(n, 0.0) for n in names]
            expected += [entry.get("unreliable_s", 0.0), by_level.get(NOT_SEEN, 0.0)]
            expected += [by_level.get(NO_PERSON, 0.0)]
            assert [s.label for s in shares][-3:] == [UNRELIABLE, NOT_SEEN, NO_PERSON]
            assert [s.seconds for s in shares] == pytest.approx(expected, abs=0.01), (method, side)
    # The verdict's share of high-risk time is the CLI's "% of the scored time", exactly:
    # from rounded shares it read 25 % where the CLI said 26 % (25.5 %).
    reba = frames["reba_total"].to_numpy(float, na_value=np.nan)[frames["pose_reliable"]]
    reba = reba[np.isfinite(reba)]
    shares = level_shares(frames, "reba", "both", fps)
    assert scored_percent(shares, ("high", "very high")) == pytest.approx(
        100 * np.mean(reba >= 8), abs=1e-9
    )
    left = summary["reba"]["left"]["time_s_by_level"]
    nobody = (~frames["person_detected"]).sum() / fps
    assert left["no person"] == pytest.approx(nobody, abs=0.01)
    assert left.get("part not seen", 0) > 0  # his left side is hidden in part of the clip


def landmarks_standing() -> np.ndarray:
    lm = np.full((33, 3), np.nan, np.float32)
    points = {
        11: (0.6, 0.3),
        12: (0.4, 0.3),
        13: (0.65, 0.45),
        14: (0.35, 0.45),
        15: (0.65, 0.6),
        16: (0.35, 0.6),
        23: (0.55, 0.6),
        24: (0.45, 0.6),
        25: (0.55, 0.75),
        26: (0.45, 0.75),
        27: (0.55, 0.9),
        28: (0.45, 0.9),
    }
    for i, xy in points.items():
        lm[i] = (*xy, 1.0)
    lm[0] = (0.5, 0.2, 1.0)
    return lm


def test_skeleton_segments_take_their_part_risk_colour_and_banner_the_level():
    row = {
        "person_detected": True,
        "reba_total_left": 9,
        "reba_total_right": 8,
        "reba_risk_level": "high",
        "rula_total_left": 7,
        "rula_total_right": 6,
    }
    row |= {
        f"reba_{p}_{s}": 1
        for p in ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist")
        for s in ("left", "right")
    }
    row["reba_upper_arm_left"] = 5  # > 90 deg: the worst colour
    canvas = np.zeros((400, 400, 3), np.uint8)
    drawn = annotate_frame(canvas, landmarks_standing(), row, time_s=1.5)
    # Midpoint of the left upper arm (shoulder 11 -> elbow 13) and of the right one.
    assert tuple(drawn[150, 250]) == LEVEL_COLOURS[3] == part_colour("upper_arm", 5)
    assert tuple(drawn[150, 150]) == LEVEL_COLOURS[0]
    banner = drawn[2, 390].astype(int)
    assert banner[0] > banner[1] > banner[2]  # orange-ish: REBA "high"
    assert np.array_equal(canvas, np.zeros_like(canvas)), "the input frame is not modified"


def test_an_unreliable_frame_gets_a_grey_banner_that_says_so():
    from ergorisk.report.annotate import banner_text

    row = {
        "person_detected": True,
        "pose_reliable": False,
        "reba_total_left": None,
        "reba_total_right": 11,
        "reba_risk_level": "very high",
        "rula_total_left": 7,
        "rula_total_right": 7,
    }
    text = banner_text(row, 0.5)
    assert text.startswith("pose unreliable, left out:") and "REBA L not seen R 11" in text
    canvas = np.zeros((200, 300, 3), np.uint8)
    drawn = annotate_frame(canvas, np.full((33, 3), np.nan, np.float32), row, time_s=0.5)
    assert drawn[2, 290, 0] == drawn[2, 290, 1] == drawn[2, 290, 2] > 0  # grey, not red
    reliable = annotate_frame(
        canvas, np.full((33, 3), np.nan, np.float32), row | {"pose_reliable": True}, time_s=0.5
    )
    assert reliable[2, 290, 0] > reliable[2, 290, 2]  # red-ish: REBA "very high"
    assert not banner_text(row | {"pose_reliable": True}, 0.5).startswith("pose")
    # A person found with no total on either side (the trunk left out) read "(None)".
    blank = row | {"pose_reliable": True, "reba_total_right": None, "reba_risk_level": None}
    assert "REBA L not seen R not seen (not scored)" in banner_text(blank, 0.5)
    # A photo has no time: its banner read "t 0.00 s" (a walkthrough).
    assert banner_text(row, 0.5).endswith("   t 0.50 s")
    assert banner_text(row, None).endswith("RULA L 7 R 7")
    assert banner_text({"person_detected": False}, None) == "no person"


def test_a_frame_without_a_person_gets_only_the_grey_banner():
    canvas = np.zeros((200, 300, 3), np.uint8)
    drawn = annotate_frame(
        canvas, np.full((33, 3), np.nan, np.float32), {"person_detected": False}, time_s=0.0
    )
    assert drawn[100:].max() == 0
    assert drawn[2, 290, 0] == drawn[2, 290, 1] == drawn[2, 290, 2] > 0


def test_a_video_frames_banner_is_a_strip_above_it_the_same_on_every_frame():
    """The video's banner was drawn over the frame's top: the example's raised hands (frame
    20) were under it. Above the frame, the strip must be one height whatever its text."""
    from ergorisk.report.annotate import banner_above

    rng = np.random.default_rng(1)
    frame = rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    rows = [
        {"person_detected": False},
        {"person_detected": True, "pose_reliable": False, "reba_risk_level": "very high"},
        {"person_detected": True, "pose_reliable": True, "reba_risk_level": "low",
         "reba_total_left": 3, "reba_total_right": 2, "rula_total_left": 3,
         "rula_total_right": 2},
    ]  # fmt: skip
    drawn = [banner_above(frame, row, 1234.5, video=True) for row in rows]
    assert len({d.shape for d in drawn}) == 1 and drawn[0].shape[1] == 1280
    band = drawn[0].shape[0] - 720
    assert 16 <= band <= 60
    for d in drawn:
        assert np.array_equal(d[band:], frame)  # every pixel of the frame kept


def test_a_worst_moment_picture_is_the_whole_crop_its_scores_written_above_by_the_report():
    """The banner was drawn over the picture's top, where a raised hand or the head is
    (moment 4 of the example: the hands its wrist score speaks of, hidden), then above it
    as wide as the picture: about 4 pt in print on a portrait crop. The report writes the
    scores above the picture as text (``Moment.strip``); a stored frame's old banner is
    hidden under a blank band of its colour."""
    from ergorisk.report.media import moment_picture

    rng = np.random.default_rng(0)
    drawn = rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)
    row = {
        "person_detected": True,
        "pose_reliable": True,
        "reba_risk_level": "high",
        "reba_total_left": 9,
        "reba_total_right": 8,
        "rula_total_left": 6,
        "rula_total_right": 7,
    }
    assert np.array_equal(moment_picture(drawn, row, 1.5, None), drawn)  # every pixel kept
    hidden = moment_picture(drawn, row, 1.5, None, opaque=True)
    band = int(np.argmax(np.any(hidden != hidden[0, 0], axis=(1, 2))))
    assert 16 <= band <= 120 and np.array_equal(hidden[band:], drawn[band:])
    assert tuple(hidden[0, 0]) == (255, 133, 27)  # high: orange, and no text on it
    assert len(np.unique(hidden[:band].reshape(-1, 3), axis=0)) == 1
