"""`ergorisk predict`: the shipped learned scorers write the contract's columns; bad input
exits 2 with one line on stderr."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.learned import TARGETS
from ergorisk.learned.predict import SHIPPED, weights_path

runner = CliRunner()
CONTRACT = ["frame", "neck", "trunk", "legs", "upper_arm", "lower_arm", "total"]


def _standing(n_frames: int = 40, seed: int = 0) -> np.ndarray:
    """A person standing with arms down, UW-IOM joint order, metres, z up."""
    base = np.array([
        [0.0, -0.1, 0.05], [0.0, 0.1, 0.05], [0.0, -0.1, 0.5], [0.0, 0.1, 0.5],
        [0.0, -0.1, 0.95], [0.0, 0.1, 0.95], [0.0, -0.2, 0.95], [0.0, 0.2, 0.95],
        [0.0, -0.2, 1.2], [0.0, 0.2, 1.2], [0.0, -0.18, 1.45], [0.0, 0.18, 1.45],
        [0.0, 0.0, 1.45], [0.0, 0.0, 1.65], [0.0, 0.0, 1.2],
    ])  # fmt: skip
    rng = np.random.default_rng(seed)
    return base + rng.normal(scale=0.005, size=(n_frames, 15, 3))


# UW-IOM joint order -> MediaPipe landmark index (ankles, knees, hips, wrists, elbows,
# shoulders); UW-IOM's neck (12) and pelvis (14) are derived, its head (13) becomes the ears.
UW_TO_MEDIAPIPE = (28, 27, 26, 25, 24, 23, 16, 15, 14, 13, 12, 11)


@pytest.mark.parametrize("model", SHIPPED)
def test_a_mediapipe_pose_file_is_scored_as_the_same_uwiom_one(tmp_path, model):
    """A mediapipe33 file has no head point: no frame had a complete skeleton and every
    score was empty (docs/learned-models.md's own `--layout mediapipe33` example). The ears'
    mid-point stands for the head."""
    uw = _standing()
    mp = np.full((len(uw), 33, 3), np.nan)
    mp[:, list(UW_TO_MEDIAPIPE)] = uw[:, :12]
    mp[:, 0] = uw[:, 13] + (0.08, 0.0, -0.02)  # nose, ahead of the head's centre
    mp[:, 7] = uw[:, 13] + (0.0, 0.07, 0.0)  # left ear (y is left)
    mp[:, 8] = uw[:, 13] + (0.0, -0.07, 0.0)
    tables = []
    for name, array, layout in (("uw.npy", uw, "uw-iom"), ("mp.npy", mp, "mediapipe33")):
        np.save(tmp_path / name, array)
        out = tmp_path / f"{name}.csv"
        args = ["predict", "--model", model, str(tmp_path / name), "--layout", layout]
        result = runner.invoke(app, [*args, "--up", "z", "--out", str(out)])
        assert result.exit_code == 0 and "warning" not in result.output, result.output
        tables.append(pd.read_csv(out)[list(TARGETS)].to_numpy())
    assert np.isfinite(tables[1]).all()
    assert np.abs(tables[1] - tables[0]).max() < 0.25


def test_both_shipped_models_are_in_the_package():
    for name in SHIPPED:
        assert weights_path(name).is_file(), f"missing weights for {name}"
        assert weights_path(name).stat().st_size < 5_000_000


def test_every_shipped_weights_file_names_the_script_that_made_it():
    """Models are trained by the project's own scripts, each file with its command."""
    import shlex
    from pathlib import Path

    import torch

    from ergorisk.differentiable import surrogates

    root = Path(__file__).resolve().parents[1]
    files = [weights_path(n) for n in SHIPPED]
    files += [surrogates.weights_path(n) for n in surrogates.PROBLEMS]
    for path in files:
        meta = torch.load(path, map_location="cpu", weights_only=True)["meta"]
        script = shlex.split(meta["command"].split("&&")[-1])[0]
        assert (root / script).is_file(), f"{path.name}: {meta['command']}"


@pytest.mark.parametrize(("model", "threads"), [*((m, "1") for m in SHIPPED), ("vae", "2")])
def test_predict_writes_one_row_per_frame_with_the_contract_columns(tmp_path, model, threads):
    poses = tmp_path / "poses.npy"
    np.save(poses, _standing())
    out = tmp_path / "scores.csv"
    result = runner.invoke(
        app,
        [
            "predict",
            "--model",
            model,
            str(poses),
            "--layout",
            "uw-iom",
            "--out",
            str(out),
            "--threads",
            threads,
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == CONTRACT
    assert table["frame"].tolist() == list(range(40))
    scores = table[list(TARGETS)].to_numpy()
    assert np.isfinite(scores).all()
    # Standing upright with the arms down is a low-risk posture for every body part.
    assert (scores[:, :5] > 0.5).all() and (scores[:, :5] < 3.0).all()
    assert (scores[:, 5] < 4.0).all()


def test_a_frame_with_a_missing_joint_is_kept_without_scores(tmp_path):
    pts = _standing()
    pts[:, 13] = np.nan  # no head anywhere
    poses = tmp_path / "poses.npy"
    np.save(poses, pts)
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["predict", str(poses), "--layout", "uw-iom", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 40 and table["total"].isna().all()
    assert "warning: no frame of poses.npy has a complete skeleton" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nope"], "unknown model"),
        (["--layout", "no-such-layout"], "unknown layout"),
        ([], "give --layout"),
        (["--layout", "coco17"], "joints"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(tmp_path, args, message):
    poses = tmp_path / "poses.npy"
    np.save(poses, _standing())
    result = runner.invoke(app, ["predict", str(poses), "--out", str(tmp_path / "o.csv"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_pose_file_and_folder_output_exit_2(tmp_path):
    missing = runner.invoke(
        app,
        [
            "predict",
            str(tmp_path / "none.npy"),
            "--layout",
            "uw-iom",
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    poses = tmp_path / "poses.npy"
    np.save(poses, _standing())
    folder = runner.invoke(
        app, ["predict", str(poses), "--layout", "uw-iom", "--out", str(tmp_path)]
    )
    assert folder.exit_code == 2 and "folder" in folder.stderr
    bare = runner.invoke(  # `--out pred/` reaches the command as "pred"
        app, ["predict", str(poses), "--layout", "uw-iom", "--out", str(tmp_path / "pred")]
    )
    assert bare.exit_code == 2 and "give a .csv file name" in bare.stderr
    assert not (tmp_path / "pred").exists()


@pytest.mark.data
def test_shipped_vae_follows_the_rule_labels_on_a_uwiom_subject(shared_data, tmp_path):
    from ergorisk.io.poses import read_pose_file
    from ergorisk.learned.targets import rule_labels

    path = shared_data / "uw-iom" / "poses" / "03.npy"
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["predict", str(path), "--layout", "uw-iom", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pred = pd.read_csv(out)[list(TARGETS)].to_numpy()
    truth = rule_labels(read_pose_file(path, layout="uw-iom"))
    # A training subject of the shipped model: a sanity check, not a held-out score.
    assert np.mean((pred[:, -1] - truth[:, -1]) ** 2) < 0.3


def test_assess_with_learned_vae_adds_its_predictions_as_columns(tmp_path):
    poses = tmp_path / "poses.npy"
    np.save(poses, _standing())
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["assess", str(poses), "--layout", "uw-iom", "--out", str(out), "--learned", "vae"]
    )
    assert result.exit_code == 0, result.output
    frames = pd.read_csv(out / "frames.csv")
    columns = [f"learned_vae_{t}" for t in TARGETS]
    assert set(columns) <= set(frames.columns)
    assert np.isfinite(frames[columns].to_numpy()).all()
    assert "reba_total" in frames.columns


def test_assess_with_an_unknown_learned_model_exits_2(tmp_path):
    poses = tmp_path / "poses.npy"
    np.save(poses, _standing())
    result = runner.invoke(
        app,
        [
            "assess",
            str(poses),
            "--layout",
            "uw-iom",
            "--out",
            str(tmp_path / "out"),
            "--learned",
            "nope",
        ],
    )
    assert result.exit_code == 2 and "unknown learned model" in result.stderr


def test_a_flat_array_is_named_with_the_shape_it_has(tmp_path):
    flat = tmp_path / "flat.npy"
    np.save(flat, np.zeros((20, 15)))
    args = ["predict", str(flat), "--layout", "uw-iom", "--out", str(tmp_path / "o.csv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "got (20, 15)" in result.stderr, result.output


def test_a_bvh_is_sent_to_assess_not_to_an_option_predict_lacks(tmp_path):
    """predict on a .bvh asked for --mapping, which predict does not have."""
    bvh = tmp_path / "tiny.bvh"
    bvh.write_text("HIERARCHY\n")
    result = runner.invoke(
        app, ["predict", str(bvh), "--layout", "uw-iom", "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
    assert "predict reads .npy, .npz and .csv poses" in result.stderr
    assert "ergorisk assess FILE --mapping MAP.yaml --learned vae" in result.stderr
