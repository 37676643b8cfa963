"""assess on real UW-IOM poses (skipped when ../shared/data is absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app

pytestmark = pytest.mark.data


def test_one_uwiom_subject_end_to_end(shared_data, tmp_path):
    poses = shared_data / "uw-iom" / "poses" / "03.npy"
    result = CliRunner().invoke(
        app, ["assess", str(poses), "--layout", "uw-iom", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    frames = pd.read_parquet(tmp_path / "out" / "frames.parquet")
    assert len(frames) == len(np.load(poses)) and frames["person_detected"].all()
    assert frames["reba_total"].between(1, 15).all() and frames["rula_total"].between(1, 7).all()
    actions = np.load(shared_data / "uw-iom" / "actions" / "03.npy")
    bend = np.isin(actions, [9, 10, 11, 12, 15])
    # Bending to the floor scores higher than standing, as the dataset's own labels say.
    assert frames["reba_total"][bend].mean() > frames["reba_total"][actions == 4].mean() + 1
    # UW-IOM has no hand points: the wrist is unobserved, never guessed.
    assert (frames["confidence_wrist_left"] == 0).all()
    # ... and so missing (NaN) with its part score, while the total assumes it neutral.
    assert frames["wrist_flexion_deg_left"].isna().all() and frames["reba_wrist_left"].isna().all()
    assert frames["unseen_parts"].str.contains("wrist_left").all()
