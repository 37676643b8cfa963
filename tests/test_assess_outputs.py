"""assess: a skeleton becomes the frames table and summary of the architecture contract."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ergorisk import assess
from ergorisk.contract import REBA_INPUTS, RULA_INPUTS
from ergorisk.kinematics.worksheet import row_for_scoring
from ergorisk.pose import Skeleton
from ergorisk.pose.synthetic import Arm, Pose, skeleton
from ergorisk.scoring import reba, rula


@pytest.fixture(scope="module")
def result():
    frames = [Pose()] * 10 + [Pose(trunk_flexion=70, right=Arm(flexion=100))] * 10
    skel = skeleton(frames, fps=10)
    joints = skel.joints.copy()
    joints[5] = np.nan  # nobody in frame 5
    return assess(Skeleton(joints, skel.confidence, fps=10))


def test_frame_columns_follow_the_contract(result):
    cols = set(result.frames.columns)
    assert {"frame", "time_s", "person_detected", "reba_total", "rula_total"} <= cols
    for side in ("left", "right"):
        assert {f"{c}_{side}" for c in set(REBA_INPUTS) | set(RULA_INPUTS)} <= cols
        for part in ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist", "total"):
            assert f"reba_{part}_{side}" in cols and f"rula_{part}_{side}" in cols
        assert f"confidence_wrist_{side}" in cols
    assert result.frames["time_s"].iloc[3] == pytest.approx(0.3)


def test_total_is_the_higher_side_and_matches_the_scorer(result):
    f = result.frames.drop(index=5)
    both = np.maximum(f["reba_total_left"].astype(int), f["reba_total_right"].astype(int))
    assert (f["reba_total"].astype(int) == both).all()
    row = f.iloc[-1]
    # The row as the scorer takes it (an unseen wrist, NaN here, as neutral: no hand points).
    assert pd.isna(row["wrist_flexion_deg_right"]) and pd.isna(row["reba_wrist_right"])
    sheet = row_for_scoring(row, "right", REBA_INPUTS)
    sheet = {k: (v.item() if hasattr(v, "item") else v) for k, v in sheet.items()}
    assert row["reba_total_right"] == reba.score_record(sheet)["total"]
    rsheet = row_for_scoring(row, "right", RULA_INPUTS)
    rsheet = {k: (v.item() if hasattr(v, "item") else v) for k, v in rsheet.items()}
    assert row["rula_total_right"] == rula.score_record(rsheet)["total"]
    # Bent 70 deg with an arm above the shoulder scores far higher than standing upright.
    assert f["reba_total"].iloc[-1] > f["reba_total"].iloc[0] + 2


def test_frame_without_a_person_is_kept_with_missing_scores(result):
    row = result.frames.iloc[5]
    assert not row["person_detected"] and pd.isna(row["reba_total"]) and pd.isna(row["rula_total"])
    assert result.frames["person_detected"].sum() == 19
    assert result.summary["person_detected_frames"] == 19


def test_summary_has_time_in_levels_peaks_and_options(result):
    s = result.summary
    assert s["fps"] == 10 and s["frame_count"] == 20
    levels = s["reba"]["total"]["time_s_by_level"]
    assert sum(levels.values()) == pytest.approx(2.0)
    assert levels["no person"] == pytest.approx(0.1)
    # Every pose reliable: unreliable_s is there all the same, 0 (it was left out).
    assert all(s[m][side]["unreliable_s"] == 0.0 for m in ("reba", "rula") for side in s[m])
    # The held posture's score; the change into it scores one more (rapid change, +1) on
    # the frames it spans only, too briefly to be a held peak.
    assert s["reba"]["total"]["peak"]["score"] == result.frames["reba_total"].iloc[-1]
    assert result.frames["reba_total"].max() == result.frames["reba_total"].iloc[-1] + 1
    assert s["reba"]["total"]["peak"]["frame"] >= 10
    assert set(s["rula"]) == {"left", "right", "total"}
    assert s["options"]["kinematics"]["trunk_twist_deg"] == 10.0
    json.dumps(s.to_dict())  # plain JSON


def test_task_factors_reach_the_scores():
    skel = skeleton([Pose()] * 5, fps=10)
    light = assess(skel).frames
    heavy = assess(skel, load_kg=12, coupling=2).frames
    assert (heavy["reba_total"].astype(int) > light["reba_total"].astype(int)).all()
    assert (heavy["load_kg_left"] == 12).all() and (heavy["coupling_right"] == 2).all()
    forced = assess(skel, static=True).frames
    assert forced["static_left"].all()


def test_written_files_agree(tmp_path, result):
    out = result.to_dir(tmp_path / "run")
    csv = pd.read_csv(out / "frames.csv")
    parquet = pd.read_parquet(out / "frames.parquet")
    assert list(csv.columns) == list(parquet.columns) == list(result.frames.columns)
    assert csv["reba_total"].iloc[-1] == parquet["reba_total"].iloc[-1]
    # Scores stay small nullable integers; the frame without a person is missing, not 0.
    assert str(parquet["reba_total"].dtype) == "Int8" and pd.isna(parquet["reba_total"].iloc[5])
    assert pd.isna(parquet["reba_risk_level"].iloc[5]) and parquet["reba_risk_level"].iloc[0] in (
        "negligible",
        "low",
        "medium",
        "high",
        "very high",
    )
    assert pd.isna(csv["reba_total"].iloc[5]) and csv["reba_total"].iloc[0] >= 1
    assert json.loads((out / "summary.json").read_text())["frame_count"] == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temp folder left


def test_a_rerun_into_the_same_folder_leaves_none_of_the_earlier_runs_outputs(tmp_path, result):
    """A run with --no-video --no-report into a folder used before kept the earlier run's
    annotated.mp4 and reports beside its new frames.csv (the old report said REBA 10, the new
    table 3), and the CLI line listed them, and a user's notes.txt, as this run's. A people
    run into a folder used before failed: a person's folder cannot replace a full one."""
    from ergorisk.io.outputs import is_output, staged_output

    out = tmp_path / "out"
    out.mkdir()
    for name in ("annotated.mp4", "report.pdf", "report.html", "annotated-cam01.mp4"):
        (out / name).write_text("earlier run")
    (out / "notes.txt").write_text("the user's")
    (out / "person-3").mkdir()
    (out / "person-3" / "frames.csv").write_text("earlier run")
    result.to_dir(out, report=False)
    assert sorted(p.name for p in out.iterdir()) == [
        "frames.csv",
        "frames.parquet",
        "notes.txt",
        "summary.json",
    ]
    assert (out / "notes.txt").read_text() == "the user's"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left
    # A folder of the new run replaces the earlier one whole.
    (out / "person-0").mkdir()
    (out / "person-0" / "old.txt").write_text("earlier run")
    with staged_output(out) as stage:
        (stage / "person-0").mkdir()
        (stage / "person-0" / "summary.json").write_text("{}")
    assert [p.name for p in (out / "person-0").iterdir()] == ["summary.json"]
    assert not (out / "frames.csv").exists() and (out / "notes.txt").exists()
    assert [is_output(n) for n in ("person-2.jpg", "annotated-left_1.mp4", "notes.txt")] == [
        True,
        True,
        False,
    ]
