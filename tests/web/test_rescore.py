"""Re-scoring stored worksheet columns with new task factors (web/rescore.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from ergorisk.assessment import assess
from ergorisk.config import Config
from ergorisk.kinematics import TaskFactors
from ergorisk.kinematics.records import activity_arrays, activity_from_arrays
from ergorisk.pose.synthetic import Arm, Pose, skeleton
from ergorisk.scoring.tables import REBA_A, REBA_B, REBA_C, RULA_C
from ergorisk.web.factors import factors_to_task, task_to_factors
from ergorisk.web.rescore import rescore, score_breakdown


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory):
    """An assessment written to disk and read back, as the web app stores it."""
    poses = [
        Pose(
            trunk_flexion=5 + 2 * i,
            knee_left=i,
            knee_right=i,
            left=Arm(flexion=10 + 3 * i, elbow=50),
            right=Arm(flexion=30, elbow=80),
        )
        for i in range(40)
    ]
    task = TaskFactors(load_kg=0.0, coupling=0)
    result = assess(skeleton(poses, fps=10), config=Config(factors=task))
    out = result.to_dir(tmp_path_factory.mktemp("stored") / "out")
    frames = pd.read_parquet(out / "frames.parquet")
    summary = json.loads((out / "summary.json").read_text())
    activity = activity_from_arrays(activity_arrays(result.activity), len(frames))
    return frames, summary, activity, task


def test_original_factors_reproduce_every_stored_column(stored) -> None:
    frames, summary, activity, task = stored
    new, new_summary = rescore(frames, activity, task, summary)
    new = new[frames.columns].astype({"reba_risk_level": object})
    pdt.assert_frame_equal(new, frames.astype({"reba_risk_level": object}), check_dtype=False)
    assert new_summary["reba"] == summary["reba"] and new_summary["rula"] == summary["rula"]


def _cells(frames: pd.DataFrame, method: str, side: str = "left") -> dict[str, np.ndarray]:
    return {
        k.removeprefix(f"{method}_").removesuffix(f"_{side}"): np.asarray(v, dtype=float)
        for k, v in score_breakdown(frames).items()
        if k.startswith(f"{method}_") and k.endswith(f"_{side}") and "risk" not in k
    }


def test_load_12_kg_raises_reba_load_score_by_2_and_the_totals_by_the_tables(stored) -> None:
    frames, summary, activity, _ = stored
    before = _cells(frames, "reba")
    new, new_summary = rescore(frames, activity, TaskFactors(load_kg=12.0), summary)
    after = _cells(new, "reba")
    assert (before["load"] == 0).all() and (after["load"] == 2).all()  # > 10 kg: +2
    a = REBA_A[
        before["trunk"].astype(int) - 1,
        before["neck"].astype(int) - 1,
        before["legs"].astype(int) - 1,
    ]
    np.testing.assert_array_equal(after["score_a"], a + 2)
    np.testing.assert_array_equal(after["score_b"], before["score_b"])
    table_c = REBA_C[after["score_a"].astype(int) - 1, after["score_b"].astype(int) - 1]
    np.testing.assert_array_equal(after["table_c"], table_c)
    np.testing.assert_array_equal(after["total"], table_c + after["activity"])
    np.testing.assert_array_equal(new["reba_total_left"].to_numpy(dtype=float), after["total"])
    assert (after["total"] >= before["total"]).all() and (after["total"] > before["total"]).any()
    overall = np.fmax(new["reba_total_left"], new["reba_total_right"]).to_numpy(dtype=float)
    np.testing.assert_array_equal(new["reba_total"].to_numpy(dtype=float), overall)
    assert new_summary["reba"]["total"]["peak"]["score"] == overall.max()
    assert new_summary["options"]["task"]["load_kg"] == 12.0
    assert summary["options"]["task"]["load_kg"] == 0.0  # the input is not modified
    # RULA: 12 kg is > 10 kg, force score 2 (3 when static or repeated) on both groups.
    rb, ra = _cells(frames, "rula"), _cells(new, "rula")
    muscle = new["arm_muscle_use_left"].to_numpy(dtype=bool)
    np.testing.assert_array_equal(ra["score_c"], rb["score_a"] + muscle + 2 + muscle)
    total = RULA_C[
        np.minimum(ra["score_c"], 8).astype(int) - 1, np.minimum(ra["score_d"], 7).astype(int) - 1
    ]
    np.testing.assert_array_equal(ra["total"], total)


def test_poor_coupling_adds_2_to_reba_score_b(stored) -> None:
    frames, summary, activity, _ = stored
    before = _cells(frames, "reba")
    new, _ = rescore(frames, activity, factors_to_task({"coupling": "poor"}), summary)
    after = _cells(new, "reba")
    assert (after["coupling"] == 2).all()
    b = REBA_B[
        before["upper_arm"].astype(int) - 1,
        before["lower_arm"].astype(int) - 1,
        before["wrist"].astype(int) - 1,
    ]
    np.testing.assert_array_equal(after["score_b"], b + 2)
    np.testing.assert_array_equal(after["score_a"], before["score_a"])


def test_forced_activity_flags_set_the_activity_score(stored) -> None:
    frames, summary, activity, _ = stored
    yes = factors_to_task({"static": "yes", "repeated": "yes", "rapid_change": "yes"})
    no = factors_to_task({"static": "no", "repeated": "no", "rapid_change": "no"})
    assert (_cells(rescore(frames, activity, yes, summary)[0], "reba")["activity"] == 3).all()
    assert (_cells(rescore(frames, activity, no, summary)[0], "reba")["activity"] == 0).all()
    new = rescore(frames, activity, yes, summary)[0]
    assert new["arm_muscle_use_right"].all() and new["body_muscle_use_left"].all()


def test_shock_adds_1_to_reba_load_and_sets_rula_force_3(stored) -> None:
    frames, summary, activity, _ = stored
    new, _ = rescore(frames, activity, TaskFactors(load_kg=6.0, shock=True), summary)
    assert (_cells(new, "reba")["load"] == 2).all()  # 5-10 kg 1, +1 shock
    rula = _cells(new, "rula")
    np.testing.assert_array_equal(
        rula["score_c"],
        _cells(frames, "rula")["score_a"] + new["arm_muscle_use_left"].to_numpy(dtype=int) + 3,
    )


def test_factors_round_trip_and_bad_values_name_the_field() -> None:
    factors = {
        "load_kg": 3.5,
        "coupling": "fair",
        "shock": True,
        "static": "yes",
        "repeated": "no",
        "rapid_change": "auto",
    }
    assert task_to_factors(factors_to_task(factors)) == factors
    for bad, field in (
        ({"load_kg": -1}, "load_kg"),
        ({"coupling": "bad"}, "coupling"),
        ({"static": "maybe"}, "static"),
        ({"shock": "yes"}, "shock"),
        ({"load_kg": "3"}, "load_kg"),
    ):
        with pytest.raises(ValueError, match=field):
            factors_to_task(bad)


def test_frames_without_a_person_stay_unscored(tmp_path: Path) -> None:
    poses = [Pose(trunk_flexion=30)] * 12
    skel = skeleton(poses, fps=10)
    skel.joints[4:8] = np.nan
    result = assess(skel)
    frames = result.frames
    new, _ = rescore(frames, result.activity, TaskFactors(load_kg=20.0), result.summary.to_dict())
    assert new["reba_total"].isna().sum() == 4 and not new["person_detected"][4:8].any()
    breakdown = score_breakdown(new)
    assert np.isnan(np.asarray(breakdown["reba_score_a_left"], dtype=float)[4:8]).all()


def test_a_rescoring_adds_the_factors_it_changes_to_those_set(stored) -> None:
    """summary.json's options.task_given names the factors someone set (the report calls the
    others "(the default)"). The page sends every factor; the list was dropped, and a coupling
    changed from fair back to good read "good (the default)" in the reports (a walkthrough).
    Those set at the upload stay set, and those the rescoring changes are added."""
    frames, summary, activity, _ = stored
    assert summary["options"]["task_given"] == []  # Config(factors=...) built directly
    given = {**summary, "options": {**summary["options"], "task_given": ["shock"]}}
    _, fair = rescore(frames, activity, factors_to_task({"coupling": "fair"}), given)
    assert fair["options"]["task_given"] == ["coupling", "shock"]
    _, good = rescore(frames, activity, factors_to_task({"coupling": "good"}), fair)
    assert good["options"]["task_given"] == ["coupling", "shock"]
    assert given["options"]["task_given"] == ["shock"]  # pure: the input is kept
    _, same = rescore(frames, activity, factors_to_task({}), summary)
    assert same["options"]["task_given"] == []
    from ergorisk.report.model import build_report

    rows = dict(build_report(frames, good, use_surrogate=False).factors)
    assert rows["Hand coupling"] == "good", rows
