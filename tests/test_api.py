"""The Python API: er.assess computes and writes nothing; Assessment.to_dir writes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ergorisk as er
from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Arm, Pose, joints
from ergorisk.scoring.robust import sustained
from video_fixtures import EXAMPLE_CLIP


def test_the_public_names():
    names = set(dir(er))
    assert {"assess", "Assessment", "Config", "TaskFactors", "reba", "rula"} <= names
    assert er.reba.score_record({"trunk_flexion_deg": 30, "load_kg": 6})["total"] == 2
    assert er.Config().factors == er.TaskFactors()


def _listing(folder):
    return sorted(p for p in folder.rglob("*"))


def test_assess_a_video_writes_nothing_then_to_dir_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _listing(tmp_path), _listing(EXAMPLE_CLIP.parent)
    a = er.assess(EXAMPLE_CLIP, start_s=1.0, end_s=2.0, stride=2)
    assert (_listing(tmp_path), _listing(EXAMPLE_CLIP.parent)) == before
    assert isinstance(a, er.Assessment) and a.kind == "video"
    assert isinstance(a.frames, pd.DataFrame) and len(a.frames) == 15
    # The peak is the highest score held for 0.3 s (5 frames at 15 fps: stride 2) on reliable
    # frames, not one frame's.
    peak = a.summary.reba.total.peak
    assert a.summary.fps == pytest.approx(15.0, abs=0.01)
    total = a.frames["reba_total"].to_numpy(float, na_value=np.nan)
    held = sustained(np.where(a.frames["pose_reliable"].to_numpy(bool), total, np.nan), 15.0)
    assert peak.score == int(np.nanmax(held)) <= int(a.frames["reba_total"].max())
    assert a.summary.to_dict()["reba"]["total"]["peak"]["score"] == peak.score
    out = a.to_dir(tmp_path / "out")
    written = {p.name for p in out.iterdir()}
    assert written == {
        "frames.csv",
        "frames.parquet",
        "summary.json",
        "annotated.mp4",
        "report.html",
        "report.pdf",
        "report.xlsx",
    }
    saved = json.loads((out / "summary.json").read_text())
    assert saved["config"] == a.config.to_dict()
    assert saved["config"]["media"]["stride"] == 2


def test_a_skeleton_array_with_its_layout_and_fps():
    person = joints(Pose(trunk_flexion=45, right=Arm(flexion=100)))
    uw = np.stack([person[JOINT_INDEX[j]] for j in get_layout("uw-iom").joints])
    poses = np.repeat(uw[None], 8, axis=0)
    from_array = er.assess(poses, layout="uw-iom", fps=10)
    assert len(from_array.frames) == 8 and from_array.kind == "skeleton"
    assert from_array.frames["trunk_flexion_deg_left"].iloc[4] == pytest.approx(45, abs=0.5)
    assert from_array.frames["upper_arm_flexion_deg_right"].iloc[4] == pytest.approx(100, abs=1)
    from_skeleton = er.assess(from_array.skeleton)
    pd.testing.assert_frame_equal(from_array.frames, from_skeleton.frames)
    # The summary reads as summary.json's dict: `in` too (it tested (key, value) pairs).
    summary = from_array.summary
    assert "reba" in summary and "multiview" not in summary
    assert summary["reba"] == summary.to_dict()["reba"]
    with pytest.raises(er.InputError, match="layout"):
        er.assess(poses)
    # At a prompt an assessment shows its headline, not the whole table and every option.
    assert repr(from_array) == (
        "<Assessment skeleton, 8 frames at 10 fps, REBA peak 4 (4–5) from 0.00 s, "
        "RULA peak 3 (3–6) from 0.00 s; .frames, .summary, .to_dir(path)>"
    )
    # A take reads as its cameras, not as its first video alone.
    from ergorisk.assessment import View

    views = tuple(View(Path(f"{c}.mp4"), c, None, 0.0) for c in ("cam01", "cam03"))
    take = dataclasses.replace(from_array, kind="views", source=Path("cam01.mp4"), views=views)
    assert repr(take).startswith("<Assessment views of 2 cameras (cam01, cam03), 8 frames ")


def test_worksheet_records_score_like_the_worksheet_cli():
    records = [{"trunk_flexion_deg": 30, "load_kg": 6}, {"upper_arm_flexion_deg": 100}]
    a = er.assess(records[:1])
    assert a.kind == "worksheet" and a.frames["reba_total"].tolist() == [
        er.reba.score_record(records[0])["total"]
    ]
    with pytest.raises(er.WorksheetError, match="differ in load_kg"):
        er.assess(records)
    both = er.assess(records, load_kg=6)
    assert both.frames["load_kg_left"].tolist() == [6.0, 6.0]
    assert both.summary.to_dict().get("warnings", []) == []  # 6 kg as entered: nothing replaced
    # A task factor over what a record entered wins, and says so (it took REBA 2 -> 3 unsaid).
    heavier = er.assess(records, load_kg=20, coupling="poor")
    assert heavier.frames["load_kg_left"].tolist() == [20.0, 20.0]
    assert heavier.summary.to_dict()["warnings"] == [
        "the task factor load_kg = 20 kg replaces the load_kg the records entered (6 kg)"
    ]  # the coupling no record entered: nothing to say
    # Options records do not use are named, as for any other input (they went unsaid).
    with pytest.warns(er.AssessmentWarning):
        unused = er.assess([{"trunk_flexion_deg": 30}], stride=2, roi="1,2,3,4", layout="coco17")
    assert unused.summary.warnings == [
        "stride, roi: for videos and images, not used for worksheet records",
        "layout: for pose files, not used for worksheet records",
    ]


def test_a_records_rula_load_and_muscle_use_score_as_ergorisk_score_rula():
    """RULA's arm_load_kg 12 was scored as the task's 0 kg (RULA 3 where `ergorisk score
    rula` gave 6), and RULA's arm muscle use ticked REBA's static (a walkthrough)."""
    loads = {"upper_arm_flexion_deg": 100, "trunk_flexion_deg": 30}
    loads |= {"arm_load_kg": 12, "body_load_kg": 12}
    a = er.assess([loads])
    assert a.frames["rula_total"].tolist() == [er.rula.score_record(loads)["total"]] == [6]
    assert a.frames["arm_load_kg_left"].tolist() == [12.0]
    # one load per task: REBA's too, and said so
    assert a.frames["load_kg_left"].tolist() == [12.0]
    assert a.summary.warnings == [
        "the records' arm_load_kg / body_load_kg (12 kg) is the task's load: one per task, "
        "so load_kg takes it too (`ergorisk score` scores a record's keys as entered)"
    ]
    use = {"upper_arm_flexion_deg": 100, "trunk_flexion_deg": 30, "arm_muscle_use": True}
    use |= {"arm_load_static_or_repeated": True, "arm_load_kg": 12, "body_load_kg": 12}
    b = er.assess([use])
    assert b.frames["rula_total"].tolist() == [er.rula.score_record(use)["total"]] == [7]
    assert b.frames["arm_muscle_use_left"].tolist() == [True]
    assert b.frames["static_left"].tolist() == [False]  # REBA's box was not ticked
    # --no-static clears RULA's entered muscle use as it clears a detected one
    assert er.assess([use], static=False).frames["arm_muscle_use_left"].tolist() == [False]
    with pytest.raises(er.WorksheetError, match=r"differ in load_kg / arm_load_kg \(6 kg, 12 kg\)"):
        er.assess([{"load_kg": 6}, {"arm_load_kg": 12}])


def test_bad_sources_raise_input_errors(tmp_path):
    with pytest.raises(er.InputError, match="no such file"):
        er.assess(tmp_path / "missing.mp4")
    with pytest.raises(er.InputError, match="is a folder"):
        er.assess(tmp_path)
    with pytest.raises(er.InputError, match="cannot assess"):
        er.assess(42)  # type: ignore[arg-type]
    with pytest.raises(er.ConfigError, match="unknown option"):
        er.assess(np.zeros((2, 33, 3)), layout="mediapipe33", colour="red")
    # A tuple is corners: the message said "got 5000,0,-4990,10", a width nobody typed.
    with pytest.raises(er.ConfigError, match=r"a tuple is corners .*got \(5000, 0, 10, 10\)"):
        er.assess(np.zeros((2, 33, 3)), layout="mediapipe33", roi=(5000, 0, 10, 10))
    # The shape as passed: (10, 17) was reported as "(1, 10, 17)" (a researcher walkthrough).
    with pytest.raises(er.InputError, match=r"or one frame's \(J, 3\), got \(10, 17\)$"):
        er.assess(np.zeros((10, 17)), layout="coco17", fps=30)


def test_api_errors_name_the_keyword_the_cli_its_flag(tmp_path):
    """`er.assess(clip, start_s=100)` said "--start 100 s is at or after the end": the
    CLI's flag, not the keyword the caller typed; the CLI still names its flags."""
    from typer.testing import CliRunner

    from ergorisk.cli import app
    from ergorisk.errors import keyword_names

    clip = Path(__file__).resolve().parents[1] / "examples" / "sports2d-demo-720p.mp4"
    with pytest.raises(er.InputError, match=r": start_s 100 s is at or after the end"):
        er.assess(clip, start_s=100)
    cli = CliRunner().invoke(
        app, ["assess", str(clip), "-o", str(tmp_path / "o"), "--start", "100"]
    )
    assert cli.exit_code == 2 and ": --start 100 s is at or after the end" in cli.stderr
    assert keyword_names("--roi 1,2,3,4 and --video (--camera-pitch-deg) --help --x") == (
        "roi 1,2,3,4 and annotate (camera_pitch_deg) --help --x"
    )
    assert keyword_names("bad/--roi-file.txt --end") == "bad/--roi-file.txt end_s"


def test_api_warnings_name_keywords_in_the_summary_and_summary_json(tmp_path):
    """The API's summary said "--start, --stride: for videos and images, not used for
    poses": flags its caller never typed. It names the keywords, in summary.json too."""
    person = joints(Pose(trunk_flexion=30))
    uw = np.stack([person[JOINT_INDEX[j]] for j in get_layout("uw-iom").joints])
    # Raised as Python warnings too, and counted in the repr: a notebook showed neither.
    with pytest.warns(er.AssessmentWarning, match="^start_s, stride: for videos and images"):
        a = er.assess(
            np.repeat(uw[None], 20, axis=0), layout="uw-iom", fps=10, start_s=1.0, stride=2
        )
    assert a.summary.warnings == ["start_s, stride: for videos and images, not used for poses"]
    assert "1 warning in .summary.warnings" in repr(a)
    saved = json.loads((a.to_dir(tmp_path / "o") / "summary.json").read_text())
    assert saved["warnings"] == a.summary.warnings


def test_the_api_keeps_mediapipes_log_lines_off_the_terminal(tmp_path):
    """`er.assess(video)` printed a dozen lines of MediaPipe's C++ logging (XNNPACK,
    inference_feedback_manager) to the caller's terminal; the CLI already hid them.
    Python's own stderr still gets through, during the call and after it."""
    import subprocess
    import sys

    code = (
        "import sys, warnings, ergorisk as er\n"
        "from ergorisk.native_logs import silenced\n"
        f"a = er.assess({str(EXAMPLE_CLIP)!r}, end_s=0.5)\n"
        f"a.to_dir({str(tmp_path / 'o')!r}, report=False)\n"  # the face detector's lines
        "with silenced():\n"
        "    print('python during', file=sys.stderr)\n"
        "print('python after', len(a.frames), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "python during" in run.stderr and "python after 15" in run.stderr
    assert "XNNPACK" not in run.stderr and "inference_feedback" not in run.stderr, run.stderr


def test_silencing_from_several_threads_gives_fd2_back_once_all_are_done():
    """er.assess from a thread pool: each call saved fd 2 and put it back on its own, so
    two that overlapped left fd 2 on /dev/null for good (the second saved the first's)."""
    import os
    import threading

    from ergorisk.native_logs import silenced

    def where() -> tuple[int, int]:
        st = os.fstat(2)
        return st.st_dev, st.st_ino

    before, seen = where(), []
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with silenced():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with silenced():
            b_in.set()
            a_out.wait(5)
            seen.append(where())  # the first is out, this one is still in: still quiet

    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen and seen[0] != before
    assert where() == before


def test_a_runs_own_stored_config_reloads_as_itself(tmp_path):
    """summary.json's config (to_dict) keeps the roi as corners; reloaded as an options
    file it was read as the flag's x, y, w, h: another box, another score."""
    cfg = er.Config().with_(roi="100,100,500,600", load_kg=4)
    assert cfg.media.roi == (100, 100, 600, 700)
    saved = tmp_path / "config.json"
    saved.write_text(json.dumps(cfg.to_dict()))
    assert er.Config.load(saved) == cfg
    typed = tmp_path / "site.toml"  # typed by hand, flat or by section: the flag's x, y, w, h
    typed.write_text("[media]\nroi = [100, 100, 500, 600]\n")
    assert er.Config.load(typed).media.roi == (100, 100, 600, 700)
    with pytest.raises(er.ConfigError, match=r"roi must be 'x,y,w,h' text or \(x0, y0, x1"):
        er.Config.load(roi=(1, 2, 3))  # said "not enough values to unpack"


def test_config_as_a_mapping_and_wrong_types_are_input_errors():
    """config={"load_kg": 3} raised AttributeError: 'dict' object has no attribute 'with_';
    write_people([a], ...) "'list' object has no attribute 'values'"."""
    records = [{"trunk_flexion_deg": 30}]
    assert er.assess(records, config={"load_kg": 3}).frames["load_kg_left"].tolist() == [3.0]
    with pytest.raises(er.InputError, match=r"config must be an er\.Config, a mapping"):
        er.assess(records, config=5)  # type: ignore[arg-type]
    with pytest.raises(er.InputError, match="write_people takes assess_people's"):
        er.write_people([er.assess(records)], "out")  # type: ignore[arg-type]
    # bytes were read as records ("record 0: expected an object, got number 97"), and two
    # pose files as "several videos are views of one take".
    with pytest.raises(er.InputError, match="cannot assess a bytes"):
        er.assess(b"abc")  # type: ignore[arg-type]
    with pytest.raises(er.InputError, match="one pose file at a time"):
        er.assess(["a.npy", "b.npy"], layout="uw-iom")
    # A list of frames read as worksheet records: "record 0: expected an object, got an array".
    with pytest.raises(er.InputError, match=r"a list of poses: stack them .*np.asarray"):
        er.assess([np.zeros((33, 3))] * 3, layout="mediapipe33")


def test_poses_without_any_joint_warn_that_nothing_is_scored():
    """A pose array (or file) of NaNs read "person in 0 (0%)" with no warning, where a
    picture with nobody warns and a batch fails the item."""
    with pytest.warns(er.AssessmentWarning, match="no joint in any of the 10 frames"):
        a = er.assess(np.full((10, 15, 3), np.nan), layout="uw-iom", fps=12)
    assert not a.frames["person_detected"].any()


@pytest.mark.parametrize("fill", [np.nan, 0.0])
def test_poses_without_any_joint_read_as_missing_never_0(fill):
    """Parts not seen are missing, never 0. An all-NaN array read neck and knees 0° (the
    fallbacks for a layout without a head or legs), an all-zero one knees and elbows 0° (two
    joints at one point) at confidence 1; and the time per level summed to 0 s, not the
    poses' length: its "no person" seconds were cut to an integer."""
    with pytest.warns(er.AssessmentWarning, match="nothing is scored"):
        a = er.assess(np.full((10, 33, 3), fill), layout="mediapipe33", fps=30)
    angles = [c for c in a.frames.columns if c.endswith(("_deg_left", "_deg_right"))]
    assert "knee_flexion_deg_left" in angles and "neck_flexion_deg_right" in angles
    assert a.frames[angles].isna().all().all()
    confidences = [c for c in a.frames.columns if c.startswith("confidence_")]
    assert len(confidences) == 12 and (a.frames[confidences] == 0).all().all()
    for method in ("reba", "rula"):
        by_level = a.summary.to_dict()[method]["total"]["time_s_by_level"]
        assert by_level["no person"] == pytest.approx(10 / 30, abs=1e-3)
        assert sum(by_level.values()) == pytest.approx(a.summary.duration_s, abs=1e-3)


def test_a_run_with_no_reliable_frame_warns_and_each_kind_reads_as_itself():
    """er.assess on a 0.3 s cut (8 frames with a person, none followed 0.3 s) returned an
    assessment that said nothing of it (the CLI's line did); a picture's repr read "1 frames
    at 1 fps ... from 0.00 s", worksheet records' as frames too."""
    with pytest.warns(er.AssessmentWarning, match="reliable on none of the 8 frames"):
        a = er.assess(EXAMPLE_CLIP, end_s=0.3)
    assert "1 warning in .summary.warnings" in repr(a) and "peak" not in repr(a)
    records = er.assess([{"trunk_flexion_deg": 30}, {"trunk_flexion_deg": 70}])
    assert repr(records).startswith("<Assessment worksheet, 2 records, REBA peak ")
    assert " in record 2, RULA peak " in repr(records) and " s," not in repr(records)
