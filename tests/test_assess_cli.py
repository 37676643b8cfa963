"""`ergorisk assess`: pose files in, outputs written; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Pose, joints

runner = CliRunner()


def uw_file(path, n: int = 30, trunk: float = 30.0):
    person = joints(Pose(trunk_flexion=trunk))
    one = np.stack([person[JOINT_INDEX[j]] for j in get_layout("uw-iom").joints])
    np.save(path, np.repeat(one[None], n, axis=0))
    return path


def test_assess_writes_the_three_outputs(tmp_path):
    src = uw_file(tmp_path / "a.npy")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "assess",
            str(src),
            "--layout",
            "uw-iom",
            "--out",
            str(out),
            "--load-kg",
            "6",
            "--coupling",
            "fair",
        ],
    )
    assert result.exit_code == 0, result.output
    frames = pd.read_csv(out / "frames.csv")
    assert len(frames) == 30 and (frames["load_kg_left"] == 6).all()
    assert (frames["coupling_left"] == 1).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["fps"] == 12 and summary["options"]["layout"] == "uw-iom"
    assert (out / "frames.parquet").stat().st_size > 0


def test_several_inputs_go_to_one_folder_each(tmp_path):
    a, b = uw_file(tmp_path / "s1.npy"), uw_file(tmp_path / "s2.npy", trunk=70)
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(a), str(b), "--layout", "uw-iom", "-o", str(out)])
    assert result.exit_code == 0, result.output
    one = pd.read_parquet(out / "s1" / "frames.parquet")
    two = pd.read_parquet(out / "s2" / "frames.parquet")
    assert two["reba_trunk_left"].iloc[0] > one["reba_trunk_left"].iloc[0]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda d: None, ["missing.npy", "--layout", "uw-iom"], "no such file"),
        (lambda d: (d / "e.npy").write_bytes(b""), ["e.npy", "--layout", "uw-iom"], "empty"),
        (
            lambda d: np.save(d / "w.npy", np.zeros((5, 15))),
            ["w.npy", "--layout", "uw-iom"],
            "shape",
        ),
        (lambda d: uw_file(d / "u.npy"), ["u.npy", "--layout", "kinect"], "unknown layout"),
        (lambda d: uw_file(d / "n.npy"), ["n.npy"], "--layout"),
        (
            lambda d: uw_file(d / "c.npy"),
            ["c.npy", "--layout", "uw-iom", "--coupling", "bad"],
            "error: --coupling must be one of",  # the flag as typed, named once
        ),
        (
            lambda d: uw_file(d / "k.npy"),
            ["k.npy", "--layout", "uw-iom", "--load-kg", "-3"],
            "error: --load-kg must be within 0-500 kg",
        ),
        (lambda d: uw_file(d / "v.npy"), ["v.npy", "--layout", "uw-iom", "--up", "x"], "up must"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, setup, args, message):
    setup(tmp_path)
    out = tmp_path / "out"
    args = [str(tmp_path / args[0]), *args[1:], "--out", str(out)]
    result = runner.invoke(app, ["assess", *args])
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists()


def test_all_nan_file_gives_flagged_frames_not_a_crash(tmp_path):
    np.save(tmp_path / "nan.npy", np.full((8, 15, 3), np.nan))
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["assess", str(tmp_path / "nan.npy"), "--layout", "uw-iom", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    frames = pd.read_csv(out / "frames.csv")
    assert not frames["person_detected"].any() and frames["reba_total"].isna().all()


def test_a_single_frame_and_a_mediapipe_file_with_visibility(tmp_path):
    from ergorisk.pose import to_z_up

    person = joints(Pose(trunk_flexion=45))
    lay = get_layout("mediapipe33")
    lm = np.zeros((1, 33, 4))
    for i, name in enumerate(lay.joints):
        if name is not None and np.isfinite(person[JOINT_INDEX[name]]).all():
            # z-up -> MediaPipe (x right, y down, z away): the inverse of the "-y" rotation.
            p = person[JOINT_INDEX[name]]
            lm[0, i, :3] = [p[0], -p[2], p[1]]
            lm[0, i, 3] = 0.9
    assert np.allclose(to_z_up(lm[0, 11, :3], "-y"), person[JOINT_INDEX["left_shoulder"]])
    np.save(tmp_path / "mp.npy", lm)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["assess", str(tmp_path / "mp.npy"), "--layout", "mediapipe33", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frames = pd.read_csv(out / "frames.csv")
    assert len(frames) == 1 and frames["person_detected"].iloc[0]
    assert frames["trunk_flexion_deg_left"].iloc[0] == pytest.approx(45, abs=1)
    assert frames["reba_trunk_left"].iloc[0] == 3


def test_a_folder_is_not_a_pose_file(tmp_path):
    result = runner.invoke(
        app, ["assess", str(tmp_path), "--layout", "uw-iom", "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_kinematics_thresholds_from_an_options_file(tmp_path):
    src = uw_file(tmp_path / "a.npy", trunk=30)
    (tmp_path / "opts.yaml").write_text("trunk_side_bend_deg: 5\nrapid_parts: [trunk]\n")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "assess",
            str(src),
            "--layout",
            "uw-iom",
            "-o",
            str(out),
            "--options",
            str(tmp_path / "opts.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    opts = json.loads((out / "summary.json").read_text())["options"]["kinematics"]
    assert opts["trunk_side_bend_deg"] == 5.0 and opts["rapid_parts"] == ["trunk"]
    (tmp_path / "bad.yaml").write_text("trunk_twist: 5\n")
    result = runner.invoke(
        app,
        [
            "assess",
            str(src),
            "--layout",
            "uw-iom",
            "-o",
            str(out),
            "--options",
            str(tmp_path / "bad.yaml"),
        ],
    )
    assert result.exit_code == 2 and "unknown option 'trunk_twist'" in result.stderr
    (tmp_path / "bad2.yaml").write_text("trunk_twist_deg: high\n")
    result = runner.invoke(
        app,
        [
            "assess",
            str(src),
            "--layout",
            "uw-iom",
            "-o",
            str(out),
            "--options",
            str(tmp_path / "bad2.yaml"),
        ],
    )
    assert result.exit_code == 2 and "trunk_twist_deg" in result.stderr


def test_the_summary_line_gives_each_peak_with_its_interval(tmp_path):
    # (The line is printed for videos and images; it is built the same from any assessment.)
    from ergorisk.assessment import assess
    from ergorisk.cli.assess import summary_line

    # The trunk 1 deg past the 20 deg band edge: the REBA interval spans two trunk bands.
    result = assess(uw_file(tmp_path / "edge.npy", trunk=21.0), layout="uw-iom")
    result.to_dir(tmp_path / "out")
    reba, rula = (result.summary[m]["total"]["peak"] for m in ("reba", "rula"))
    assert reba["low"] < reba["high"]
    line = summary_line(tmp_path / "edge.npy", tmp_path / "out", result)
    assert f"REBA peak {reba['score']} ({reba['low']}–{reba['high']}, " in line, line
    assert f"RULA peak {rula['score']} ({rula['low']}–{rula['high']}) from " in line, line


def test_a_held_peak_below_much_of_the_time_says_it_was_higher_in_short_runs(tmp_path):
    """Four views whose reliable frames came in runs of 12-13 at 60 fps printed 'REBA peak
    6 (medium)' beside 'high or worse 59%'. The line now says what the report's sentence
    says, by the same rule (report.model.higher_levels_note)."""
    from ergorisk.assessment import assess
    from ergorisk.cli.assess import summary_line

    # The trunk at 70 deg in runs of 3 frames (0.2 s at 15 fps), 3 of every 8 frames,
    # between runs at 30 deg: the held peak is the lower one's.
    def pose(trunk: float) -> np.ndarray:
        person = joints(Pose(trunk_flexion=trunk))
        return np.stack([person[JOINT_INDEX[j]] for j in get_layout("uw-iom").joints])

    frames = np.concatenate([np.stack([pose(30.0)] * 5 + [pose(70.0)] * 3)] * 15)
    np.save(tmp_path / "runs.npy", frames)
    result = assess(tmp_path / "runs.npy", layout="uw-iom", fps=15)
    result.to_dir(tmp_path / "out")
    line = summary_line(tmp_path / "runs.npy", tmp_path / "out", result)
    peak = result.summary["reba"]["total"]["peak"]["score"]
    assert peak < 8, line  # medium, under the high moments
    assert "% of the scored time at a higher level, in runs under 0.3 s), high or worse" in line


def test_help_wraps_prose_to_the_terminal_and_shows_the_defaults():
    """Prose paragraphs are re-flowed (not broken where the source wraps), and a "(default:
    ...)" in an option's help is not eaten as rich markup."""
    result = runner.invoke(app, ["assess", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    # The source breaks this paragraph after "image also": re-flowed, it runs on.
    (line,) = [x for x in result.output.splitlines() if "Writes frames.csv" in x]
    assert "report.html" in line
    text = " ".join(result.output.split())
    assert "0-500 kg (default: 0); 12.5, 12,5 or 12.5kg." in text and "(default: no)." in text


@pytest.mark.parametrize("command", [["assess"], ["batch"], ["serve"], ["score", "reba"]])
def test_help_in_a_narrow_terminal_is_plain_text_that_keeps_names_and_examples(command):
    """Under 100 columns rich's boxes squeezed the help to a word a line and cut option
    names ("--config,--opt…"): the command line gives click's plain help there, no markup
    shown, the examples not re-flowed; wide terminals keep rich's boxes."""
    import os
    import subprocess
    import sys

    def shown(columns: int) -> str:
        env = {**os.environ, "COLUMNS": str(columns)}
        done = subprocess.run(
            [sys.executable, "-m", "ergorisk", *command, "--help"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout

    narrow = shown(80)
    assert "╭" not in narrow and "…" not in narrow
    assert "[bold]" not in narrow and "[dim]" not in narrow and "\b" not in narrow
    assert "  -o, --out <path>" in narrow or command[0] in ("serve", "score")
    # Each example stays one line, as typed.
    example = {
        "assess": "ergorisk assess cam*.mp4 --calibration calib.toml --sync motion --out take",
        "batch": "ergorisk batch manifest.csv -o results/ --engine ray",
        "serve": 'ergorisk serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"',
        "score": "| ergorisk score reba",
    }[command[0]]
    assert any(example in line for line in narrow.splitlines()), narrow
    assert "╭─ Options" in shown(140)


def test_a_pose_file_prints_the_summary_line_as_a_video_does(tmp_path):
    """A pose file's run printed nothing (a video's prints its peaks and where it wrote)."""
    src = uw_file(tmp_path / "poses.npy", trunk=45.0)
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(src), "--layout", "uw-iom", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    peak = summary["reba"]["total"]["peak"]["score"]
    assert result.stdout.startswith("poses.npy: 30 frames, person in 30 (100%); ")
    assert (
        f"REBA peak {peak} " in result.stdout
        and "(frames.csv, frames.parquet, summary.json)" in result.stdout
    )


def test_the_summary_line_lists_only_what_this_run_wrote(tmp_path):
    """An output folder that already held files (a user's own, an earlier run's) had them
    listed as this run's outputs."""
    import os

    src = uw_file(tmp_path / "poses.npy", trunk=45.0)
    out = tmp_path / "out"
    out.mkdir()
    old = out / "photo.png"
    old.write_bytes(b"x")
    os.utime(old, (1_000_000_000, 1_000_000_000))  # 2001
    result = runner.invoke(app, ["assess", str(src), "--layout", "uw-iom", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(frames.csv, frames.parquet, summary.json)" in result.stdout, result.stdout
    assert old.exists()  # left alone


def test_options_a_pose_file_does_not_use_are_named_in_a_warning(tmp_path):
    """--start, --stride and --camera-pitch-deg were taken silently for a pose file."""
    src = uw_file(tmp_path / "poses.npy")
    args = ["assess", str(src), "--layout", "uw-iom", "--out", str(tmp_path / "o")]
    result = runner.invoke(
        app, [*args, "--start", "1", "--stride", "2", "--camera-pitch-deg", "20"]
    )
    assert result.exit_code == 0, result.output
    warning = "warning: --start, --stride, --camera-pitch-deg: for videos and images, not used"
    assert warning in result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["frame_count"] == 30 and len(summary["warnings"]) == 1
    clean = runner.invoke(app, [*args[:-1], str(tmp_path / "o2")])
    assert "warning" not in clean.output


def test_every_kind_of_run_prints_its_warnings_before_its_line(tmp_path, capsys):
    """Several views printed no warning ('the person was triangulated on 21% of the frames
    only'), though their summary.json had them; a camera that saw nobody read 'nan px'."""
    import dataclasses
    from pathlib import Path

    from ergorisk import assess
    from ergorisk.cli.assess import _errors_text, _print_result
    from ergorisk.scoring.summary import Summary

    result = assess(uw_file(tmp_path / "a.npy"), layout="uw-iom")
    summary = result.summary.to_dict()
    summary["warnings"] = ["the person was triangulated on 21% of the frames only"]
    result = dataclasses.replace(result, summary=Summary.of(summary))
    result.to_dir(tmp_path / "out")
    _print_result(Path("3 views"), tmp_path / "out", result)
    printed = capsys.readouterr()
    assert "warning: the person was triangulated on 21% of the frames only" in printed.err
    assert printed.out.startswith("3 views: 30 frames")
    assert _errors_text({"cam01": 9.04, "cam02": float("nan"), "cam03": None}) == (
        "cam01 9.0 px, cam02 not used, cam03 not used (no point of the person was "
        "triangulated with them)"
    )


def test_a_file_of_another_kind_is_named_as_such(tmp_path):
    """A .docx was asked for a layout, as if it were a pose file."""
    path = tmp_path / "notes.docx"
    path.write_text("[]")
    result = runner.invoke(app, ["assess", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "notes.docx: not a file ergorisk reads" in result.stderr
    assert "worksheet records (.json, .jsonl)" in result.stderr and "layout" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_file_of_worksheet_records_is_assessed_and_reported_on_request(tmp_path):
    """Worksheet records in a .json file were refused ("not a file ergorisk reads") though
    the same records were taken from Python and the web form; and --report did nothing for
    any input but a video or an image."""
    import ergorisk as er

    records = [
        {"trunk_flexion_deg": 45, "neck_flexion_deg": 25, "upper_arm_flexion_deg": 50},
        {"trunk_flexion_deg": 75, "knee_flexion_deg": 70, "upper_arm_flexion_deg": 100},
    ]
    path = tmp_path / "task.json"
    path.write_text(json.dumps(records))
    out = tmp_path / "o"
    result = runner.invoke(app, ["assess", str(path), "--out", str(out), "--report"])
    assert result.exit_code == 0, result.output
    expected = er.assess(records).frames["reba_total"].tolist()
    assert pd.read_csv(out / "frames.csv")["reba_total"].tolist() == expected
    peak = max(expected)
    assert (
        result.stdout.startswith(f"task.json: 2 records; REBA peak {peak} (")
        and f"in record {expected.index(peak) + 1}, high or worse" in result.stdout
    )
    assert {"report.html", "report.pdf", "report.xlsx"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "summary.json").read_text())["options"]["input"] == str(path)
    # A pose file's reports on request too; not by default.
    uw = uw_file(tmp_path / "p.npy")
    pose_args = ["assess", str(uw), "--layout", "uw-iom", "--out"]
    assert runner.invoke(app, [*pose_args, str(tmp_path / "p1"), "--report"]).exit_code == 0
    assert (tmp_path / "p1" / "report.pdf").is_file()
    assert runner.invoke(app, [*pose_args, str(tmp_path / "p2")]).exit_code == 0
    assert not (tmp_path / "p2" / "report.pdf").exists()
    # Several pose files: each its reports (the flag was taken and did nothing there), and
    # the Python API's report=True as well (only to_dir(report=True) wrote them).
    uw2 = uw_file(tmp_path / "q.npy")
    many = ["assess", str(uw), str(uw2), "--layout", "uw-iom", "--report", "--out"]
    assert runner.invoke(app, [*many, str(tmp_path / "m")]).exit_code == 0
    assert (tmp_path / "m" / "p" / "report.pdf").is_file()
    assert (tmp_path / "m" / "q" / "report.pdf").is_file()
    er.assess(records, report=True).to_dir(tmp_path / "api")
    assert (tmp_path / "api" / "report.html").is_file()
    er.assess(records).to_dir(tmp_path / "api2")
    assert not (tmp_path / "api2" / "report.html").exists()
    # Records of different tasks (the example file's loads differ): `ergorisk score`.
    example = tmp_path / "two_tasks.json"
    example.write_text(json.dumps([{**records[0], "load_kg": 2}, {**records[1], "load_kg": 8}]))
    refused = runner.invoke(app, ["assess", str(example), "--out", str(tmp_path / "o3")])
    assert refused.exit_code == 2 and "the records differ in load_kg" in refused.stderr
    assert "ergorisk score reba|rula FILE scores each alone" in refused.stderr
    assert not (tmp_path / "o3").exists()
    # Every factor that differs at once, with its values (the shipped example took three
    # runs, one named at a time).
    shipped = Path(__file__).resolve().parents[1] / "examples" / "reba_worksheets.json"
    refused = runner.invoke(app, ["assess", str(shipped), "--out", str(tmp_path / "o4")])
    assert refused.exit_code == 2
    assert (
        "differ in load_kg (1 kg, 8 kg, 12 kg) and shock (no, yes) and coupling (good, fair, "
        "poor)" in " ".join(refused.stderr.split())
    )


def test_people_of_anything_but_a_video_are_refused_by_name(tmp_path):
    """er.assess_people on an array, records or a number said "several videos are views of
    one take: give their calibration"; an image, "several people are followed in a video";
    --people with a pose file was taken silently."""
    import cv2

    import ergorisk as er
    from ergorisk.errors import InputError

    for source in (np.zeros((3, 15, 3)), [{"trunk_flexion_deg": 10.0}], 5):
        with pytest.raises(InputError, match=f"got {type(source).__name__}"):
            er.assess_people(source)
    image = tmp_path / "photo.png"
    cv2.imwrite(str(image), np.zeros((40, 30, 3), np.uint8))
    result = runner.invoke(
        app, ["assess", str(image), "--people", "all", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "followed in a video only" in result.stderr and "without --people" in result.stderr
    src = uw_file(tmp_path / "poses.npy")
    args = ["assess", str(src), "--layout", "uw-iom", "--people", "all", "-o", str(tmp_path / "p")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "warning: --people: for videos, not used for a pose file" in result.stderr
    # A pose file's reading options given for a video or an image are named, not taken
    # silently (`--layout coco17 --fps 5` on a video exited 0 without a word).
    from ergorisk import Config
    from ergorisk.assessment import unused_options

    cfg = Config().with_(layout="coco17", fps=5.0, stride=2)
    assert unused_options(cfg, "video") == ["--layout, --fps: for pose files, not used for a video"]
    assert unused_options(cfg, "image") == [
        "--stride: for videos, not used for an image",
        "--layout, --fps: for pose files, not used for an image",
    ]
    assert unused_options(cfg, "pose") == [
        "--stride: for videos and images, not used for a pose file"
    ]
    # Calibrated views: the calibration tilts each camera (--camera-pitch-deg 30 was recorded
    # as in effect, the trunk unchanged); --start and --end cut the take, so say nothing.
    views = Config().with_(layout="coco17", camera_pitch_deg=30.0, start_s=0.5, end_s=1.0)
    assert unused_options(views, "views") == [
        "--layout: for pose files, not used for videos",
        "--camera-pitch-deg: for one camera, not used with calibrated views (the calibration "
        "gives each camera's tilt)",
    ]
    assert unused_options(Config().with_(start_s=0.5), "views") == []
    # A walkthrough: --mapping on a .npy, --layout on a .bvh and --sync or --cameras without
    # views were taken without a word.
    from pathlib import Path

    mapped = Config().with_(mapping="map.yaml", sync="motion", cameras=("cam01",))
    assert unused_options(mapped, "pose", Path("p.npy")) == [
        "--sync, --cameras: for several calibrated views, not used here",
        "--mapping: for .bvh and .c3d files, not used for a .npy",
    ]
    assert unused_options(Config().with_(layout="uw-iom"), "pose", Path("walk.bvh")) == [
        "--layout: not used for a .bvh (--mapping names its joints)"
    ]
    assert unused_options(Config().with_(layout="uw-iom"), "pose", Path("p.npy")) == []


def test_several_pose_files_print_a_line_each_in_the_order_given(tmp_path):
    """One pose file printed its summary line; several printed nothing."""
    paths = [uw_file(tmp_path / f"{name}.npy", trunk=t) for name, t in (("b", 45.0), ("a", 5.0))]
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["assess", *map(str, paths), "--layout", "uw-iom", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["b.npy", "a.npy"]
    for line, name in zip(lines, ("b", "a"), strict=True):
        peak = json.loads((out / name / "summary.json").read_text())["reba"]["total"]["peak"]
        assert f"REBA peak {peak['score']} " in line and f"-> {out / name}/" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--load-kg", "heavy"], "--load-kg': a number of kg, such as 12.5, 12,5 or 12.5kg"),
        (["--load-kg", "26.5lb"], "--load-kg': kg, not pounds: 26.5lb is 12.02 kg"),
        (["--strat", "1"], "No such option: --strat"),
    ],
)
def test_a_usage_error_is_one_line_with_exit_code_2(args, says, tmp_path, monkeypatch, capsys):
    """Click's usage errors printed a usage block, a hint and the error (three lines, or a
    panel on a wide terminal), where every other bad input gives one line."""
    from ergorisk.cli import main

    argv = ["ergorisk", "assess", "clip.mp4", *args, "--out", str(tmp_path / "o")]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as done:
        main()
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert err.splitlines() == [f"error: {err.split('error: ', 1)[1].strip()}"]
    assert says in err and "ergorisk assess --help" in err
    assert not (tmp_path / "o").exists()
    monkeypatch.setattr("sys.argv", ["ergorisk", "assess", "--help"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0 and "Usage" in capsys.readouterr().out


def test_a_trunk_read_twisted_on_a_fifth_of_the_frames_or_more_is_said():
    """From one camera twist rests on MediaPipe's depth (22 deg MAE against four views):
    the example's trunk reads twisted on 26 % of its frames, a T-pose square to the camera
    47 deg twisted."""
    import pandas as pd

    from ergorisk.assessment import twist_warning

    frames = pd.DataFrame(
        {"trunk_twist_left": [True] * 2 + [False] * 8, "pose_reliable": [True] * 10}
    )
    (line,) = twist_warning(frames)
    assert line.startswith("the trunk reads twisted on 20% of the frames: from one camera")
    frames.loc[1, "pose_reliable"] = False  # left out, as from every figure: 1 in 9
    assert twist_warning(frames) == []
    assert twist_warning(frames.drop(columns="pose_reliable")) == []


def test_the_version_to_cite():
    """`ergorisk --version` was "No such option" (a researcher walkthrough); summary.json
    records the same version."""
    import ergorisk as er

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"ergorisk {er.__version__}\n"


def test_a_load_is_taken_as_typed_with_a_decimal_comma_or_kg(tmp_path):
    """ "--load-kg 12kg" and "12,5" (a decimal comma, as the web form takes it) were refused
    with "Input should be a valid number" (an ergonomist's walkthrough)."""
    sheet = tmp_path / "task.json"
    sheet.write_text(json.dumps([{"trunk_flexion_deg": 30}]))
    for typed, kg in (("12kg", 12.0), ("12,5", 12.5), ("12.5 kg", 12.5)):
        out = tmp_path / typed.replace(" ", "_")
        result = runner.invoke(app, ["assess", str(sheet), "--load-kg", typed, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["config"]["factors"]["load_kg"] == kg
