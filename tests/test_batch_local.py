"""`ergorisk batch` on the local engine with small pose files: rows, failures, exit codes,
resume (skip, --force, changed options), no half folders, and the per-task summaries."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from batch_fixtures import HIGH_POSE, corrupt_file, manifest, pose_file
from ergorisk.batch.inputs import BatchItem, from_folder
from ergorisk.batch.item import FAILED, ItemResult, run_item
from ergorisk.batch.metrics import high_episodes
from ergorisk.batch.report import group_columns, group_summaries
from ergorisk.batch.runner import run_batch
from ergorisk.batch.store import MARKER
from ergorisk.cli import app

runner = CliRunner()
OUTPUTS = ("frames.csv", "frames.parquet", "summary.json")


def batch(*args: object):
    return runner.invoke(app, ["batch", *map(str, args)])


def start_batch(tmp_path: Path, items: int, workers: int, **popen: object):
    """`ergorisk batch` on ``items`` long pose files as its own process: (process, OUT)."""
    for i in range(items):
        pose_file(tmp_path / "in" / f"p{i}.npy", 10 * i, n=3000)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ergorisk", "batch", str(tmp_path / "in"), "-o", str(out)]
    cmd += ["--workers", str(workers), "--set", "layout=uw-iom"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    popen = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, **popen}
    return subprocess.Popen(cmd, env=env, **popen), out


def wait_until(done, seconds: float = 120, step: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(step)


def test_one_corrupt_file_is_a_failed_row_and_the_rest_is_done(tmp_path):
    for name, trunk in (("a", 10), ("b", 70), ("sub/c", 40)):
        pose_file(tmp_path / "in" / f"{name}.npy", trunk)
    corrupt_file(tmp_path / "in" / "bad.npy")
    out = tmp_path / "out"
    result = batch(tmp_path / "in", "-o", out, "--workers", 2, "--set", "layout=uw-iom")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "4 items: 3 done, 0 skipped (done earlier), 1 failed" in result.output
    rows = pd.read_csv(out / "batch.csv")
    assert rows["name"].tolist() == ["a", "b", "bad", "sub__c"]  # input order
    assert rows["status"].tolist() == ["done", "done", "failed", "done"]
    bad = rows.set_index("name").loc["bad"]
    assert "bad.npy" in bad["reason"] and "not a NumPy array file" in bad["reason"]
    # Failed before anything was measured: its kind from its name alone, no frames.
    assert bad["kind"] == "pose" and pd.isna(bad["frames"]) and pd.isna(bad["scored_s"])
    assert not (out / "bad").exists()
    done = rows[rows["status"] == "done"]
    assert done["reason"].isna().all() and (done["frames"] == 24).all()
    assert (done["pid"] != os.getpid()).all() and rows["host"].notna().all()
    assert set(done["pid"]) <= set(rows["pid"]) and (rows["seconds"] > 0).all()
    for name in done["name"]:
        assert all((out / name / f).stat().st_size > 0 for f in OUTPUTS)
        marker = json.loads((out / name / MARKER).read_text())
        assert marker["status"] == "done" and marker["pid"] in set(done["pid"])
    frames = pd.read_csv(out / "b" / "frames.csv")
    assert rows.set_index("name").loc["b", "reba_peak"] == frames["reba_total"].max()
    as_json = json.loads((out / "batch.json").read_text())
    assert [r["status"] for r in as_json["items"]] == rows["status"].tolist()
    assert as_json["run"]["counts"] == {"done": 3, "failed": 1, "skipped": 0, "not_finished": 0}
    assert as_json["run"]["interrupted"] is False
    assert not (out / ".staging").exists()


def test_all_done_exits_0_and_a_second_run_skips_until_forced(tmp_path):
    pose_file(tmp_path / "in" / "a.npy")
    pose_file(tmp_path / "in" / "b.npy", 60)
    out = tmp_path / "out"
    args = (tmp_path / "in", "-o", out, "--workers", 1, "--set", "layout=uw-iom")
    assert batch(*args).exit_code == 0
    first = pd.read_csv(out / "batch.csv")
    # the JSON files as readable as batch.csv (mkstemp made them 0600): a shared folder
    modes = {p.name: p.stat().st_mode & 0o777 for p in (out / "batch.csv", out / "batch.json")}
    assert modes["batch.json"] == modes["batch.csv"], modes
    written = (out / "a" / "frames.parquet").stat().st_mtime_ns
    second = batch(*args)
    assert second.exit_code == 0 and "0 done, 2 skipped" in second.output
    rows = pd.read_csv(out / "batch.csv")
    assert rows["status"].tolist() == ["skipped", "skipped"]
    assert rows["reason"].str.contains("earlier run").all()
    # The rows keep what the earlier run measured: the same scores and the same process.
    cols = ["reba_peak", "reba_median", "rula_peak", "pid", "seconds"]
    pd.testing.assert_frame_equal(rows[cols], first[cols])
    assert (out / "a" / "frames.parquet").stat().st_mtime_ns == written
    forced = batch(*args, "--force")
    assert forced.exit_code == 0 and "2 done, 0 skipped" in forced.output
    assert (out / "a" / "frames.parquet").stat().st_mtime_ns != written
    assert pd.read_csv(out / "batch.csv")["pid"].iloc[0] != first["pid"].iloc[0]


def test_changed_options_or_file_redo_the_item_and_a_known_bad_input_is_not_retried(tmp_path):
    a = pose_file(tmp_path / "a.npy")
    bad = corrupt_file(tmp_path / "bad.npy")
    out = tmp_path / "out"
    items = from_folder(tmp_path, {"layout": "uw-iom"}, exclude=out)
    assert [r.status for r in run_batch(items, out, workers=1, show_progress=False)] == [
        "done",
        "failed",
    ]
    again = run_batch(items, out, workers=1, show_progress=False)
    assert [r.status for r in again] == ["skipped", "failed"]
    assert again[1].reason.endswith("(earlier run; unchanged since, --force retries it)")
    heavier = from_folder(tmp_path, {"layout": "uw-iom", "load_kg": 12.0}, exclude=out)
    redone = run_batch(heavier, out, workers=1, show_progress=False)
    assert [r.status for r in redone] == ["done", "failed"]
    assert (pd.read_csv(out / "a" / "frames.csv")["load_kg_left"] == 12).all()
    pose_file(bad, 50)  # the bad file was replaced by a good one: retried
    pose_file(a, 20, n=12)
    fixed = run_batch(heavier, out, workers=1, show_progress=False)
    assert [(r.status, r.frames) for r in fixed] == [("done", 12), ("done", 24)]


def test_an_option_written_otherwise_is_the_same_and_an_edited_config_file_redoes(tmp_path):
    """A new-user walkthrough: coupling 0 then good, Good, a load 0 then blank: each redid
    the item as other options (minutes a video). An edited --config file left it done."""
    from ergorisk.batch.inputs import from_manifest

    pose_file(tmp_path / "a.npy")
    settings = tmp_path / "s.yaml"
    settings.write_text("smoothing_s: 0.4\n")
    out = tmp_path / "out"

    def run(coupling: str, load: str) -> str:
        header = ["path", "layout", "coupling", "load_kg", "config"]
        rows = [["a.npy", "uw-iom", coupling, load, "s.yaml"]]
        items = from_manifest(manifest(tmp_path / "m.csv", header, rows))
        (result,) = run_batch(items, out, workers=1, show_progress=False)
        return result.status

    assert run("0", "0") == "done"
    assert [run("good", "0"), run("Good", ""), run("", "0.0")] == ["skipped"] * 3
    assert run("fair", "") == "done"
    settings.write_text("smoothing_s: 0.8\n")
    assert run("fair", "") == "done"
    assert (
        json.loads((out / "a" / "summary.json").read_text())["config"]["kinematics"]["smoothing_s"]
        == 0.8
    )


def test_run_item_builds_in_staging_then_moves_and_marks(tmp_path):
    path = pose_file(tmp_path / "a.npy")
    out = tmp_path / "out"
    item = BatchItem(index=0, path=path, name="a", options={"layout": "uw-iom"})
    (out / "a").mkdir(parents=True)
    (out / "a" / "stale.txt").write_text("from a killed run, never marked")
    result = run_item(item, out / "a")
    assert result.status == "done" and result.pid == os.getpid()
    assert sorted(p.name for p in (out / "a").iterdir()) == sorted([*OUTPUTS, MARKER])
    assert list((out / ".staging").iterdir()) == []
    missing = run_item(BatchItem(index=1, path=tmp_path / "no.npy", name="no"), out / "no")
    assert missing.status == FAILED and missing.reason == f"{tmp_path / 'no.npy'}: no such file"
    no_layout = run_item(BatchItem(index=2, path=path, name="b"), out / "b")
    assert no_layout.status == FAILED and "give a layout" in no_layout.reason
    assert not (out / "no").exists() and not (out / "b").exists()


def test_an_items_scored_time_is_its_frames_over_fps_rounded_once(tmp_path):
    """scored_s was the sum of summary.json's rounded times per level: 15 frames at 12 fps
    (1.25 s) read 1.251 s (0.417 + 0.417 + 0.25 + 0.167), and the same frames changed by a
    millisecond when only the load changed the levels (a walkthrough: 2.733, then 2.734 s)."""
    low, mid = (np.load(pose_file(tmp_path / f"{t}.npy", t, n=5)) for t in (5, 45))
    high = np.load(pose_file(tmp_path / "h.npy", n=5, pose=HIGH_POSE))
    np.save(tmp_path / "mixed.npy", np.concatenate([low, mid, high]))
    item = BatchItem(index=0, path=tmp_path / "mixed.npy", name="m",
                     options={"layout": "uw-iom", "load_kg": 12.0, "smoothing_s": 0.0})  # fmt: skip
    result = run_item(item, tmp_path / "out" / "m")
    summary = json.loads((tmp_path / "out" / "m" / "summary.json").read_text())
    levels = summary["reba"]["total"]["time_s_by_level"]
    assert round(sum(levels.values()), 3) != 1.25, levels  # else this test shows nothing
    assert result.scored_s == round(15 / 12, 3) == 1.25


def test_summary_by_task_and_worker_are_time_weighted_with_worst_episodes(tmp_path):
    pose_file(tmp_path / "low.npy", 10, n=36)  # 3 s at 12 fps
    pose_file(tmp_path / "high.npy", n=12, pose=HIGH_POSE)  # 1 s
    pose_file(tmp_path / "mid.npy", 45)
    header = ["path", "worker", "task", "load_kg", "layout"]
    rows = [
        ["low.npy", "Ann", "lift", "12", "uw-iom"],
        ["high.npy", "Ann", "lift", "12", "uw-iom"],
        ["mid.npy", "Bob", "pack", "", "uw-iom"],
    ]
    m = manifest(tmp_path / "m.csv", header, rows)
    out = tmp_path / "out"
    assert batch(m, "-o", out, "--workers", 1).exit_code == 0
    by_task = pd.read_csv(out / "summary_by_task.csv").set_index("task")
    lift = by_task.loc["lift"]
    assert lift["items"] == 2 and lift["scored_s"] == pytest.approx(4.0)
    assert lift["high_or_worse_pct"] == pytest.approx(25.0)  # 1 s of 4, not 50% of items
    assert lift["reba_peak"] == 10
    assert lift["worst_episodes"] == "high 0.00-1.00 s REBA 10"
    assert by_task.loc["pack", "high_or_worse_pct"] == 0
    by_worker = pd.read_csv(out / "summary_by_worker.csv")
    assert by_worker["worker"].tolist() == ["Ann", "Bob"]
    episodes = json.loads((out / "batch.json").read_text())["by_task"][0]["worst_episodes"]
    assert episodes[0]["item"] == "high" and episodes[0]["path"] == str(tmp_path / "high.npy")
    # With nothing finished (an interrupt, every item failed) each summary keeps its header
    # (it was one empty line, which a spreadsheet or pandas read as no columns at all) and a
    # row that counts the failed items.
    from ergorisk.batch.report import group_columns, write_reports

    assert by_worker.columns.tolist() == group_columns("worker")
    item = BatchItem(index=0, path=tmp_path / "x.mp4", name="x", options={})
    write_reports([ItemResult.for_item(item, FAILED, reason="broken")], out, {})
    empty = pd.read_csv(out / "summary_by_task.csv")
    assert empty.columns.tolist() == group_columns("task")
    assert empty[["task", "items", "failed"]].values.tolist() == [["(none)", 0, 1]]


def test_high_episodes_and_group_summaries():
    reba = np.array([9, 9, 3, np.nan, 11, 11, 11, 8, 2], dtype=float)
    runs = high_episodes(np.arange(9) * 0.5, reba, 0.5)
    assert runs == [
        {"start_s": 2.0, "end_s": 4.0, "peak": 11},
        {"start_s": 0.0, "end_s": 1.0, "peak": 9},
    ]
    # At 30 fps a score counts as it is held 0.3 s (9 frames), as the report's worst moments
    # and the peaks: a 0.1 s spike to 10 inside a run at 8 leaves that run at 8, and 0.13 s at
    # 9 alone is no episode (both were listed, "REBA 10" beside a task's REBA peak of 8).
    reba = np.r_[np.full(15, 8.0), np.full(3, 10.0), np.full(15, 8.0), np.full(10, 3.0),
                 np.full(4, 9.0), np.full(10, 3.0)]  # fmt: skip
    runs = high_episodes(np.arange(len(reba)) / 30, reba, 1 / 30)
    assert runs == [{"start_s": 0.0, "end_s": 1.1, "peak": 8}]

    def row(i, task, scored, mean, high):
        levels = {"low": scored - high, "high": high} if high < scored else {"high": high}
        return ItemResult(
            index=i, path=f"{i}.mp4", name=str(i), status="done", task=task, scored_s=scored,
            reba_mean=mean, reba_peak=9, reba_time_s_by_level=levels,
            episodes=[{"start_s": 0.0, "end_s": high, "peak": 8 + i}],
        )  # fmt: skip

    failed = ItemResult(index=9, path="x", name="x", status="failed", task="t")
    (summary,) = group_summaries([row(0, "t", 10, 2.0, 1), row(1, "t", 30, 6.0, 3), failed], "task")
    assert summary["items"] == 2 and summary["reba_mean"] == pytest.approx(5.0)
    assert summary["failed"] == 1
    assert summary["high_or_worse_pct"] == pytest.approx(10.0)
    assert [e["item"] for e in summary["worst_episodes"]] == ["1", "0"]
    # A task whose items all failed keeps a row (it was in no summary: not assessed, unsaid).
    alone = ItemResult(index=8, path="y", name="y", status="failed", task="u")
    groups = group_summaries([row(0, "t", 10, 2.0, 1), alone], "task")
    assert [(g["task"], g["items"], g["failed"]) for g in groups] == [("t", 1, 0), ("u", 0, 1)]
    assert groups[1]["reba_mean"] is None and groups[1]["worst_episodes"] == []
    assert list(groups[1]) == group_columns("task")


def test_a_take_s_views_list_each_worst_moment_once():
    """The views of a take assessed one by one film the same seconds: each view's episode of
    one moment took a place in the worst three (a walkthrough: "cut2s 0.73-0.77 s REBA 9;
    missing 0.73-0.77 s REBA 9; ..."). Each moment of a take is listed once, its worst
    view's; another item's episode at the same seconds, and the take's other moments, stay."""
    from ergorisk.batch.report import _episodes_text

    def view(i, name, take, episodes):
        return ItemResult(
            index=i, path=f"{name}.mp4", name=name, status="done", task="t", take=take,
            kind="video", scored_s=2.0, reba_mean=5.0, reba_peak=9,
            reba_time_s_by_level={"high": 2.0},
            episodes=[{"start_s": a, "end_s": b, "peak": p} for a, b, p in episodes],
        )  # fmt: skip

    cam1 = view(0, "cam1", "t1", [(0.73, 0.77, 9), (1.50, 1.60, 8)])
    cam2 = view(1, "cam2", "t1", [(0.70, 0.80, 10), (0.73, 0.77, 9)])
    other = view(2, "other", "", [(0.73, 0.77, 9)])
    (summary,) = group_summaries([cam1, cam2, other], "task")
    assert _episodes_text(summary["worst_episodes"]) == (
        "cam2 0.70-0.80 s REBA 10; other 0.73-0.77 s REBA 9; cam1 1.50-1.60 s REBA 8"
    )


def test_a_photo_beside_videos_is_a_moment_not_a_second_of_exposure(tmp_path):
    """A photo weighed as 1 s of footage in the time-weighted summaries: one at REBA 9
    beside a 7 s clip moved the task's high-or-worse share. Its score still counts in the
    peak and the worst episodes; photos alone weigh each alike."""
    from ergorisk.batch.report import _episodes_text

    clip = ItemResult(
        index=0, path="a.mp4", name="a", status="done", task="t", kind="video", scored_s=7.0,
        reba_mean=4.0, reba_peak=8, reba_time_s_by_level={"medium": 6.0, "high": 1.0},
        episodes=[{"start_s": 2.0, "end_s": 3.0, "peak": 8}],
    )  # fmt: skip
    photo = ItemResult(
        index=1, path="p.jpg", name="p", status="done", task="t", kind="image", scored_s=1.0,
        reba_mean=9.0, reba_peak=9, reba_time_s_by_level={"high": 1.0},
        episodes=[{"start_s": 0.0, "end_s": 1.0, "peak": 9}],
    )  # fmt: skip
    (summary,) = group_summaries([clip, photo], "task")
    assert summary["items"] == 2 and summary["pictures"] == 1
    assert summary["scored_s"] == pytest.approx(7.0) and summary["reba_mean"] == pytest.approx(4.0)
    assert summary["high_or_worse_pct"] == pytest.approx(100 / 7, abs=0.05)
    assert summary["reba_peak"] == 9
    assert _episodes_text(summary["worst_episodes"]) == "p (photo) REBA 9; a 2.00-3.00 s REBA 8"
    (photos,) = group_summaries(
        [photo, replace(photo, index=2, reba_mean=3.0, reba_time_s_by_level={"low": 1.0})], "task"
    )
    assert photos["scored_s"] == pytest.approx(2.0) and photos["high_or_worse_pct"] == 50.0


@pytest.mark.slow
def test_a_killed_batch_keeps_what_finished_and_leaves_no_half_folder(tmp_path):
    proc, out = start_batch(tmp_path, 6, 1, start_new_session=True)
    wait_until(lambda: list(out.glob(f"*/{MARKER}")))
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker, mid-item
    proc.wait()
    folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    items = [p for p in folders if p.name != "logs"]
    assert 1 <= len(items) < 6
    for folder in items:  # each folder is whole: all outputs, and (but for the last) marked
        assert all((folder / f).is_file() for f in OUTPUTS)
    marked = {p.parent.name for p in out.glob(f"*/{MARKER}")}
    assert len(marked) >= len(items) - 1
    resumed = run_batch(
        from_folder(tmp_path / "in", {"layout": "uw-iom"}), out, workers=1, show_progress=False
    )
    assert {r.name for r in resumed if r.status == "skipped"} == marked
    assert all(r.status in ("done", "skipped") for r in resumed)
    assert not (out / ".staging").exists()


def test_manifest_paths_are_found_from_another_working_directory(tmp_path, monkeypatch):
    pose_file(tmp_path / "plant" / "poses" / "a.npy")
    rows = [["../plant/poses/a.npy", "uw-iom"]]
    m = manifest(tmp_path / "plant" / "m.csv", ["path", "layout"], rows)
    monkeypatch.chdir(tmp_path)
    result = batch(Path("plant") / "m.csv", "-o", "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a" / "frames.csv").is_file() and m.is_file()
    # batch.csv names the file plainly, not ".../plant/../plant/poses/a.npy"
    path = pd.read_csv(tmp_path / "out" / "batch.csv")["path"][0]
    assert path == str((tmp_path / "plant" / "poses" / "a.npy").resolve())
    # The worker's own output (native libraries' notices) goes to a log, not the terminal.
    logs = list((tmp_path / "out" / "logs").glob("worker-*.log"))
    pid = pd.read_csv(tmp_path / "out" / "batch.csv")["pid"][0]
    assert len(logs) == 1 and logs[0].name.endswith(f"-{pid}.log")


def test_a_manifest_saved_with_a_bom_is_read_and_a_changed_worker_redoes_the_item(tmp_path):
    """Excel's 'CSV UTF-8' starts with a BOM: the 'path' column read '\\ufeffpath' and the
    manifest was refused. A changed worker was 'skipped' onto a report naming the old one."""
    pose_file(tmp_path / "a.npy")
    sheet = tmp_path / "m.csv"
    out = tmp_path / "out"
    sheet.write_bytes("\ufeffpath,worker,layout\r\na.npy,Ann,uw-iom\r\n".encode())
    first = batch(sheet, "-o", out, "--workers", 1)
    assert first.exit_code == 0, first.output
    assert json.loads((out / "a" / "summary.json").read_text())["config"]["meta"]["worker"] == "Ann"
    sheet.write_bytes("\ufeffpath,worker,layout\r\na.npy,Carl,uw-iom\r\n".encode())
    second = batch(sheet, "-o", out, "--workers", 1)
    assert second.exit_code == 0 and "1 done, 0 skipped" in second.output, second.output
    assert (
        json.loads((out / "a" / "summary.json").read_text())["config"]["meta"]["worker"] == "Carl"
    )
    assert "1 skipped" in batch(sheet, "-o", out, "--workers", 1).output


def test_a_folder_batch_leaves_out_an_earlier_batch_s_output_inside_it(tmp_path):
    """Run on a folder that holds an earlier OUT, the earlier annotated videos were assessed
    as new footage and its CSVs failed as pose files."""
    pose_file(tmp_path / "in" / "a.npy")
    assert (
        batch(
            tmp_path / "in", "-o", tmp_path / "in" / "results", "--set", "layout=uw-iom"
        ).exit_code
        == 0
    )
    (tmp_path / "in" / "results" / "a" / "extra.npy").write_bytes(b"")  # inside an item too
    items = from_folder(tmp_path / "in", {"layout": "uw-iom"}, exclude=tmp_path / "in" / "other")
    assert [i.name for i in items] == ["a"]


def test_a_folder_leaves_out_its_manifest_and_pose_files_without_a_layout(tmp_path, monkeypatch):
    """A folder batch took a manifest kept beside its inputs, and every .npy without
    --set layout, as pose files: each a failed row, and exit 1 (a new-user walkthrough).
    The manifest is named as typed from the working folder: "run it: ergorisk batch
    plan.csv" beside the folder that holds it found no such file."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    pose_file(folder / "a.npy")
    manifest(folder / "plan.csv", ["path", "worker"], [["a.npy", "Ann"]])
    result = batch(folder, "-o", tmp_path / "o1")
    assert result.exit_code == 2
    assert (
        "left out: 1 manifest (run it: ergorisk batch in/plan.csv); 1 pose file without a "
        "layout (--set layout=...)" in result.stderr
    )
    result = batch(folder, "-o", tmp_path / "o2", "--set", "layout=uw-iom")
    assert result.exit_code == 0, result.output
    assert "note: left out of in/: 1 manifest" in result.stderr
    rows = pd.read_csv(tmp_path / "o2" / "batch.csv")
    assert rows["status"].tolist() == ["done"] and rows["path"].str.endswith("a.npy").all()
    # A manifest's own pose file with a report column: its reports (they were left out).
    done = batch("in/plan.csv", "-o", tmp_path / "o3", "--set", "layout=uw-iom")  # as named
    assert done.exit_code == 0, done.output
    report = manifest(
        tmp_path / "r.csv", ["path", "layout", "report"], [[folder / "a.npy", "uw-iom", "true"]]
    )
    assert batch(report, "-o", tmp_path / "o4").exit_code == 0
    assert (tmp_path / "o4" / "a" / "report.pdf").is_file()
    assert not (tmp_path / "o3" / "a" / "report.pdf").exists()


def test_a_worker_that_dies_fails_its_own_item_only(tmp_path):
    """Two items in flight when one process died: both failed ('the worker process died'),
    though the other's process was fine. Now each runs again alone."""
    from batch_fixtures import crashing_job
    from ergorisk.batch.local import DIED, run_local

    for name in ("a", "b", "crash", "d"):
        pose_file(tmp_path / "in" / f"{name}.npy")
    out = tmp_path / "out"
    results = []
    items = from_folder(tmp_path / "in", {"layout": "uw-iom"})
    run_local(items, out, 2, results.append, warm_pose=False, job=crashing_job)
    status = {r.name: (r.status, r.reason) for r in results}
    assert status.pop("crash") == (FAILED, DIED)
    assert {s for s, _ in status.values()} == {"done"} and len(status) == 3


def test_workers_end_when_the_driver_is_killed(tmp_path):
    """kill -9 (or SIGTERM) of the driver left its spawned workers running for good."""
    from serve_fixtures import child_pids

    proc, out = start_batch(tmp_path, 4, 2)
    wait_until(lambda: (out / "logs").exists())
    # the spawned workers, once started (a fixed 1 s missed them on a loaded machine)
    wait_until(lambda: child_pids(proc.pid), 60, 0.1)
    workers = child_pids(proc.pid)
    assert workers, "no worker started"
    proc.kill()
    proc.wait()
    wait_until(lambda: not any(Path(f"/proc/{w}").exists() for w in workers), 15, 0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()]
    for w in alive:  # do not leave them behind if the test fails
        os.kill(w, signal.SIGKILL)
    assert not alive, f"workers still running after the driver died: {alive}"


def test_sigterm_stops_the_batch_and_batch_csv_says_what_did_not_finish(tmp_path):
    """SIGTERM (timeout, systemd, docker) killed the driver without a word and left no
    batch.csv; Ctrl-C left none either. Now both stop the batch with exit 130, and batch.csv
    lists what finished and what did not."""
    proc, out = start_batch(tmp_path, 4, 1, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    wait_until(lambda: list(out.glob(f"*/{MARKER}")))
    proc.send_signal(signal.SIGTERM)
    said, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"interrupted: what finished is kept" in err
    rows = pd.read_csv(out / "batch.csv")
    assert len(rows) == 4 and (rows["status"] == "done").sum() >= 1
    unfinished = rows[rows["status"] != "done"]
    assert len(unfinished) >= 1 and unfinished["reason"].str.startswith("not finished").all()
    # The counts line a finished batch prints (an interrupted one printed none).
    done = (rows["status"] == "done").sum()
    assert (
        f"4 items: {done} done, 0 skipped (done earlier), 0 failed, {len(unfinished)} not "
        "finished" in said.decode()
    )
    run = json.loads((out / "batch.json").read_text())["run"]
    assert run["interrupted"] is True and run["counts"]["not_finished"] == len(unfinished)
    again = batch(tmp_path / "in", "-o", out, "--workers", 1, "--set", "layout=uw-iom")
    assert again.exit_code == 0 and "0 failed" in again.output


def test_an_interrupted_force_run_keeps_the_earlier_results_it_had_not_redone(tmp_path):
    """Ctrl-C during `--force` marked every item not redone yet as "not finished", though
    their earlier folders were intact and still valid (a rerun skipped them as done)."""
    proc, out = start_batch(tmp_path, 4, 1)
    assert proc.wait(timeout=300) == 0
    first = {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{MARKER}")}
    assert len(first) == 4
    cmd = [*proc.args, "--force"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    forced = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)

    def redone() -> set[str]:
        now = {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{MARKER}")}
        return {n for n, t in now.items() if t != first.get(n)}

    wait_until(lambda: redone())
    forced.send_signal(signal.SIGTERM)
    _, err = forced.communicate(timeout=60)
    assert forced.returncode == 130
    assert b"run it again without --force to finish" in err
    rows = pd.read_csv(out / "batch.csv").set_index("name")
    assert len(redone()) < 4, "the run was not interrupted before its end"
    # Done by this run (on disk, though its result may not have reached the driver): done;
    # the others keep their earlier result, and say it was not redone.
    assert (rows.loc[sorted(redone()), "status"] == "done").all(), rows[["status", "reason"]]
    not_redone = rows.loc[sorted(set(rows.index) - redone())]
    assert (not_redone["status"] == "skipped").all(), not_redone[["status", "reason"]]
    assert not_redone["reason"].str.startswith("not redone: the --force run was interrupted").all()


def test_a_second_stop_signal_neither_hangs_the_batch_nor_loses_batch_csv(tmp_path):
    """SIGTERM twice (GNU timeout signals the driver, then its group; an impatient
    operator) hung the driver for over 10 minutes in the pool's exit hook, or lost batch.csv
    and batch.json; a SIGTERM to the driver alone let the items under way run on for 14 s
    after batch.csv had called them not finished. Now the batch stops at once, writes both,
    and batch.csv agrees with the disk."""
    from serve_fixtures import child_pids

    proc, out = start_batch(tmp_path, 10, 2, stderr=subprocess.PIPE)
    wait_until(lambda: list(out.glob(f"*/{MARKER}")))
    workers = child_pids(proc.pid)
    stopped = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - stopped
    assert proc.returncode == 130, err
    assert took < 20, f"the batch took {took:.1f} s to stop"
    assert (out / "batch.csv").exists() and (out / "batch.json").exists()
    assert not any((out / ".staging").glob("*")), "half-built items left in .staging"
    wait_until(lambda: not any(Path(f"/proc/{w}").exists() for w in workers), 15, 0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()]
    for w in alive:  # do not leave them behind if the test fails
        os.kill(w, signal.SIGKILL)
    assert not alive, f"processes still running after the batch stopped: {alive}"
    rows = pd.read_csv(out / "batch.csv").set_index("name")
    for name, row in rows.iterrows():  # the table says what the disk holds
        assert (row["status"] == "done") == (out / name / MARKER).exists(), (name, row["reason"])


def test_a_failure_line_names_its_file():
    """'failed: the worker process died while assessing it': which of hundreds of items?"""
    from ergorisk.batch.local import DIED
    from ergorisk.cli.batch import failure_line

    item = BatchItem(index=0, path=Path("/in/line 3/cutA.mp4"), name="cutA", options={})
    died = ItemResult.for_item(item, FAILED, reason=DIED)
    assert failure_line(died) == f"failed: cutA: /in/line 3/cutA.mp4: {DIED}"
    named = ItemResult.for_item(item, FAILED, reason="cutA.mp4: not a video")
    assert failure_line(named) == "failed: cutA: cutA.mp4: not a video"


def test_the_eta_follows_the_batch_pace_and_counts_down_between_items(monkeypatch):
    """rich's estimate read 0:00:01 for 5 s, then 0:00:08, on a run with 13 s to go."""
    from ergorisk.batch import runner

    now = [100.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])
    bar = runner._progress(total=6, already=1, show=False)  # one item skipped as done
    assert bar.eta(1) == "-:--:--"  # nothing of this run finished yet
    now[0] = 110.0
    bar.last = now[0]  # 2 items of this run done in 10 s: 5 s an item, 3 to go
    assert bar.eta(3) == "0:00:15"
    now[0] = 114.0
    assert bar.eta(3) == "0:00:11"  # counting down before the next item ends
    now[0] = 140.0
    assert bar.eta(3) == "0:00:00"
    # A rerun that skipped every item is over: no estimate to wait for.
    assert runner._progress(total=4, already=4, show=False).eta(4) == "0:00:00"
    # The bar names the item last finished (it said nothing of which ones ran).
    with runner._progress(total=2, already=0, show=False) as advance:
        advance(ItemResult(index=0, path="x.mp4", name="x", status=FAILED))
        progress = advance.__self__
        assert progress.bar.tasks[0].description == "Batch (1 failed) · x failed"


def test_an_input_with_nothing_scored_fails_and_warnings_reach_batch_csv(tmp_path):
    """A video with nobody in it was a done row with every score empty, and exit 0; an
    item's warnings (an option its input does not use) were in its summary.json only."""
    from video_fixtures import write_grey_video

    pose_file(tmp_path / "in" / "a.npy")
    write_grey_video(tmp_path / "in" / "empty.mp4")
    m = manifest(
        tmp_path / "m.csv",
        ["path", "layout", "start"],
        [["in/empty.mp4", "", ""], ["in/a.npy", "uw-iom", "1"]],
    )
    out = tmp_path / "out"
    result = batch(m, "-o", out, "--workers", 1)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "failed: empty: empty.mp4: nothing scored: no person was found in any frame" in text
    # In the manifest's words: its column, not the flag batch does not have (--start).
    assert "warning: a: start: for videos and images, not used for a pose file" in text
    rows = pd.read_csv(out / "batch.csv").set_index("name")
    assert rows["status"].tolist() == ["failed", "done"] and not (out / "empty").exists()
    # Assessed, nobody scored: the row keeps what is known of the input (it lost both).
    assert rows.loc["empty", ["kind", "frames", "scored_s"]].tolist() == ["video", 12, 0.0]
    assert rows.loc["a", "warnings"] == "start: for videos and images, not used for a pose file"
    assert rows.loc["a", "high_or_worse_pct"] == 0.0
    # Run again: a is skipped, and its warning is shown again (after an interrupted run,
    # the run that finished the batch never showed the first one's warnings).
    again = " ".join(batch(m, "-o", out, "--workers", 1).output.split())
    assert "warning: a (done earlier): start: for videos and images, not used" in again


def test_the_views_of_a_take_assessed_one_by_one_count_its_time_once(tmp_path):
    """Two views of one 2 s take (no calibration: each view assessed on its own) counted
    4 s of exposure in their task's summary, against 2 s for another 2 s clip."""
    pose_file(tmp_path / "front.npy", 10, n=24)  # 2 s at 12 fps, low risk
    pose_file(tmp_path / "side.npy", 10, n=24)
    pose_file(tmp_path / "other.npy", n=24, pose=HIGH_POSE)  # 2 s, high
    header = ["path", "take", "task", "load_kg", "layout"]
    rows = [
        ["front.npy", "t1", "lift", "12", "uw-iom"],
        ["side.npy", "t1", "lift", "12", "uw-iom"],
        ["other.npy", "", "lift", "12", "uw-iom"],
    ]
    out = tmp_path / "out"
    assert (
        batch(manifest(tmp_path / "m.csv", header, rows), "-o", out, "--workers", 1).exit_code == 0
    )
    lift = pd.read_csv(out / "summary_by_task.csv").set_index("task").loc["lift"]
    assert lift["items"] == 3 and lift["scored_s"] == pytest.approx(4.0)
    assert lift["high_or_worse_pct"] == pytest.approx(50.0)  # 2 s of 4, not 2 of 6


@pytest.mark.slow
@pytest.mark.data
def test_a_calibrated_take_in_a_manifest_is_triangulated_as_one_item(tmp_path, shared_data):
    """The 4-view demo's take in a manifest (a take and a calibration column): one item, its
    four videos triangulated as `ergorisk assess v1 ... v4 --calibration` does; a second run
    skips it."""
    from multiview_demo import demo_paths

    videos, calibration = demo_paths(shared_data)
    header = ["path", "take", "calibration", "worker", "end"]
    rows = [[v, "lab", calibration, "Eve", "0.3"] for v in videos]
    m = manifest(tmp_path / "m.csv", header, rows)
    out = tmp_path / "out"
    args = ("-o", out, "--workers", 2, "--set", "video=false", "--set", "report=false")
    first = batch(m, *args)
    assert first.exit_code == 0, first.output
    table = pd.read_csv(out / "batch.csv")
    assert table["name"].tolist() == ["lab"] and table["status"].tolist() == ["done"]
    assert table["path"].iloc[0] == " + ".join(str(v) for v in videos)
    summary = json.loads((out / "lab" / "summary.json").read_text())
    assert summary["options"]["kind"] == "views" and summary["frame_count"] == 18  # 0.3 s, 60 fps
    assert "multiview" in summary  # triangulated: the views and their reprojection errors
    assert batch(m, *args).exit_code == 0
    assert pd.read_csv(out / "batch.csv")["status"].tolist() == ["skipped"]


def test_without_a_terminal_each_item_finished_is_a_line_on_stderr(tmp_path):
    """Under cron or systemd (stderr not a terminal) the bar drew nothing until the end."""
    pose_file(tmp_path / "a.npy")
    corrupt_file(tmp_path / "b.npy")
    done = subprocess.run(
        [sys.executable, "-m", "ergorisk", "batch", tmp_path, "-o", tmp_path / "out",
         "--workers", "1", "--set", "layout=uw-iom"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("[")]
    assert len(lines) == 2, done.stderr
    assert any(ln.startswith("[1/2] ") or ln.startswith("[2/2] ") for ln in lines)
    assert any(" a done (" in ln for ln in lines)
    assert any(" b failed: " in ln and "b.npy" in ln for ln in lines)
    assert all("ETA" in ln for ln in lines) and "━" not in done.stderr


def test_an_unfinished_item_whose_folder_holds_an_older_result_says_so(tmp_path):
    """An interrupted --force run after the manifest changed: batch.csv said "not finished"
    while photo/ still held the result done with the old options and its done marker."""
    from ergorisk.batch.inputs import BatchItem
    from ergorisk.batch.runner import INTERRUPTED, _interrupted
    from ergorisk.batch.store import MARKER

    item = BatchItem(index=0, path=tmp_path / "photo.jpg", name="photo")
    assert _interrupted(item, tmp_path) == INTERRUPTED
    (tmp_path / "photo").mkdir()
    (tmp_path / "photo" / MARKER).write_text("{}")
    assert _interrupted(item, tmp_path) == (
        f"{INTERRUPTED}; photo/ still holds an earlier run's result, other options"
    )


def test_a_manifest_item_whose_file_went_missing_keeps_its_done_result(tmp_path):
    """A new-user walkthrough: a done video archived (or its share not mounted), the batch
    run again: the item failed "no such file" and its finished result was removed, as if
    the file had been replaced."""
    from ergorisk.batch.inputs import from_manifest

    a = pose_file(tmp_path / "in" / "a.npy")
    sheet = manifest(tmp_path / "m.csv", ["path", "layout"], [["in/a.npy", "uw-iom"]])
    out = tmp_path / "out"
    assert [r.status for r in run_batch(from_manifest(sheet), out, show_progress=False)] == ["done"]
    a.unlink()
    (failed,) = run_batch(from_manifest(sheet), out, show_progress=False)
    assert failed.status == "failed" and "no such file" in failed.reason
    assert failed.reason.endswith("a/ keeps its earlier result (made when the input was there)")
    assert (out / "a" / MARKER).exists() and (out / "a" / "summary.json").exists()


def test_a_redo_that_fails_removes_a_result_of_another_file_and_keeps_one_of_the_same(
    tmp_path, monkeypatch
):
    """A new-user walkthrough: a good clip done, then replaced by a corrupt file: its redo
    failed, yet its folder kept the old report.pdf and its done marker. A --force redo that
    fails on the same file keeps the earlier result, which is still that file's, and says so."""
    import ergorisk.batch.item as batch_item

    a = pose_file(tmp_path / "in" / "a.npy")
    out = tmp_path / "out"
    items = from_folder(tmp_path / "in", {"layout": "uw-iom"})
    assert [r.status for r in run_batch(items, out, workers=1, show_progress=False)] == ["done"]

    def broken(item, out_dir):  # a failure not of the file (a crash, a full disk)
        raise RuntimeError("out of luck")

    with monkeypatch.context() as patch:
        patch.setattr(batch_item, "assess_into", broken)
        failed = run_item(items[0], out / "a")
    assert failed.status == "failed"
    assert failed.reason.endswith("a/ keeps the earlier result of this same input and options")
    assert (out / "a" / MARKER).exists()
    corrupt_file(a)  # the file replaced: its redo fails and the old result goes
    (failed,) = run_batch(items, out, workers=1, show_progress=False)
    assert failed.status == "failed" and "removed" in failed.reason
    assert not (out / "a").exists()
    (again,) = run_batch(items, out, workers=1, show_progress=False)
    assert again.status == "failed" and "earlier run" in again.reason


def test_batch_xlsx_holds_the_csv_tables_with_numbers_as_numbers(tmp_path):
    """batch.csv (UTF-8 without a BOM, commas) double-clicked in a German-locale Excel
    (list separator ';') showed each row in one column and 'Prüfung' garbled; batch.xlsx
    holds the same tables, and the CSVs stay as they were."""
    from openpyxl import load_workbook

    from ergorisk.report.xlsx import tables_xlsx

    folder = tmp_path / "in" / "Prüfung Halle 3"
    pose_file(folder / "a.npy", 10)
    pose_file(folder / "b.npy", n=12, pose=HIGH_POSE)
    corrupt_file(folder / "bad.npy")
    out = tmp_path / "out"
    args = ["--set", "layout=uw-iom", "--set", "worker=Jürgen", "--set", "task=Prüfung"]
    assert batch(tmp_path / "in", "-o", out, "--workers", 1, *args).exit_code == 1
    assert (out / "batch.csv").read_bytes().startswith(b"index,path,name,status,reason,")
    book = load_workbook(out / "batch.xlsx")
    assert book.sheetnames == ["Items", "By task", "By worker"]
    files = ("batch.csv", "summary_by_task.csv", "summary_by_worker.csv")
    for sheet, name in zip(book, files, strict=True):
        table = pd.read_csv(out / name)
        cells = list(sheet.values)
        assert list(cells[0]) == table.columns.tolist()
        # Each cell the CSV's value: numbers as numbers (24 == 24.0, never '24'), an empty
        # CSV field an empty cell.
        expected = [
            [None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in row]
            for row in table.itertuples(index=False)
        ]
        assert [list(row) for row in cells[1:]] == expected
        assert sheet.freeze_panes == "A2"
        assert (
            sheet.auto_filter.ref == f"A1:{sheet.cell(1, table.shape[1]).column_letter}{len(cells)}"
        )
    items = book["Items"]
    assert [c.value for c in items["C"][1:]] == [
        "Prüfung_Halle_3__a",
        "Prüfung_Halle_3__b",
        "Prüfung_Halle_3__bad",
    ]
    assert isinstance(items["K2"].value, int) and items["K2"].value == 24  # frames
    assert items["K4"].value is None and items["J4"].value == "pose"  # the corrupt file
    assert book["By worker"]["A2"].value == "Jürgen"
    # Text that looks like a formula stays text (a worker named '=1+1' ran as one).
    sheet = load_workbook(BytesIO(tables_xlsx({"T": pd.DataFrame({"worker": ["=1+1"]})})))["T"]
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"


def test_a_forced_run_of_some_inputs_keeps_the_others_and_says_so(tmp_path):
    """To redo one item a walkthrough ran a one-row manifest with --force into the batch's
    folder: it deleted another input's failure record (retried on the next run, its reason
    lost) and rewrote batch.csv with that row alone, saying nothing of the items left out."""
    pose_file(tmp_path / "a.npy")
    pose_file(tmp_path / "b.npy", 50)
    corrupt_file(tmp_path / "bad.npy")
    rows = [["a.npy", "uw-iom"], ["b.npy", "uw-iom"], ["bad.npy", "uw-iom"]]
    whole = manifest(tmp_path / "m.csv", ["path", "layout"], rows)
    out = tmp_path / "out"
    assert batch(whole, "-o", out, "--workers", 1).exit_code == 1
    one = manifest(tmp_path / "one.csv", ["path", "layout"], rows[:1])
    result = batch(one, "-o", out, "--force")
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "also holds 2 items of earlier runs that these inputs do not list (b, bad)" in said
    assert pd.read_csv(out / "batch.csv")["name"].tolist() == ["a"]
    assert (out / ".failed" / "bad.json").exists() and (out / "b" / MARKER).exists()
    again = pd.read_csv(out / "batch.csv") if batch(whole, "-o", out).exit_code == 1 else None
    assert again is not None and again["status"].tolist() == ["skipped", "skipped", "failed"]
    assert again["reason"].iloc[2].endswith("(earlier run; unchanged since, --force retries it)")
    assert "also holds" not in " ".join(batch(whole, "-o", out).output.split())
