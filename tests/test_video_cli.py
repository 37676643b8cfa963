"""`ergorisk assess VIDEO_OR_IMAGE`: exit codes, messages, and nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from video_fixtures import EXAMPLE_CLIP

ERGORISK = Path(sys.executable).parent / "ergorisk"


def bad_files(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    text = tmp_path / "notes.mov"
    text.write_text("this is not a video\n" * 50)
    data = EXAMPLE_CLIP.read_bytes()
    truncated = tmp_path / "truncated.mp4"  # index first (faststart), data cut at 40 %
    truncated.write_bytes(data[: int(len(data) * 0.4)])
    tiny = tmp_path / "tiny.mp4"
    tiny.write_bytes(data[:3000])
    image = tmp_path / "broken.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return {
        "missing": tmp_path / "missing.mp4",
        "empty": empty,
        "text": text,
        "truncated": truncated,
        "tiny": tiny,
        "image": image,
    }


@pytest.mark.parametrize("kind", ["missing", "empty", "text", "truncated", "tiny", "image"])
def test_bad_media_exits_2_with_one_line_and_writes_nothing(tmp_path, kind):
    path = bad_files(tmp_path)[kind]
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["assess", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(path) in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_an_output_path_that_is_a_file_is_refused_before_any_work(tmp_path):
    out = tmp_path / "taken"
    out.write_text("keep me")
    result = CliRunner().invoke(app, ["assess", str(EXAMPLE_CLIP), "--out", str(out)])
    assert result.exit_code == 2 and "not a folder" in result.stderr
    assert out.read_text() == "keep me"
    # A file further up the path: refused at once, naming it (it failed after the pose pass
    # as "[Errno 17] File exists: '.../.out.x1y2z3'", our staging folder's name).
    result = CliRunner().invoke(app, ["assess", str(EXAMPLE_CLIP), "--out", str(out / "o")])
    assert result.exit_code == 2, result.output
    assert f"cannot create the output folder {out / 'o'}: {out} is a file" in result.stderr
    batch = CliRunner().invoke(app, ["batch", str(EXAMPLE_CLIP.parent), "--out", str(out / "o")])
    assert batch.exit_code == 2 and f"{out} is a file" in batch.stderr


def test_bad_options_exit_2():
    runner = CliRunner()
    for args in (["--roi", "1,2,3"], ["--start", "3", "--end", "2"], ["--stride", "0"]):
        result = runner.invoke(app, ["assess", str(EXAMPLE_CLIP), "--out", "/tmp/x", *args])
        assert result.exit_code == 2, (args, result.output)


@pytest.mark.parametrize(
    ("roi", "message"),
    [
        (
            "5000,5000,10,10",
            "--roi 5000,5000,10,10 starts at x 5000, y 5000: outside the 1280x720 frame",
        ),
        ("10,10,0,0", "--roi needs x, y >= 0 and w, h > 0, got 10,10,0,0"),
        ("-5,0,100,100", "--roi needs x, y >= 0 and w, h > 0, got -5,0,100,100"),
    ],
)
@pytest.mark.parametrize("people", [None, "all"])
def test_a_bad_roi_is_one_line_that_echoes_it(tmp_path, roi, message, people):
    out = tmp_path / "out"
    extra = [] if people is None else ["--people", people]
    result = CliRunner().invoke(
        app, ["assess", str(EXAMPLE_CLIP), "--out", str(out), f"--roi={roi}", *extra]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [f"error: {message}"]
    assert not out.exists()


def test_an_roi_running_past_the_frames_edge_is_cut_to_it(tmp_path):
    """docs/video.md's `--roi 900,200,600,800` runs past a 1280x720 frame: it failed with
    MediaPipe's "CalculatorGraph::Run() failed" (its mirror image, for canonical facing,
    started left of the frame). Cut to the frame, it follows the passer-by who walks in
    there (the whole frame gives the jumper)."""
    out = tmp_path / "out"
    args = ["assess", str(EXAMPLE_CLIP), "--out", str(out), "--start", "1.3", "--end", "2.3"]
    result = CliRunner().invoke(
        app, [*args, "--roi", "900,200,600,800", "--no-video", "--no-report"]
    )
    assert result.exit_code == 0, result.output
    frames = pd.read_csv(out / "frames.csv")
    assert frames["person_detected"].any()
    assert (frames["bbox_x_px"].dropna() >= 800).all()  # on the right, where the ROI is
    # It says so (a photo's ROI past the edge was cut without a word), and nothing else.
    assert [line for line in result.stderr.splitlines() if "--roi" in line] == [
        "warning: --roi 900,200,600,800 reaches past the 1280x720 frame: cut to 900,200,380,520"
    ]


def test_an_roi_with_nobody_inside_says_so(tmp_path):
    """A photo's --roi on empty wall found nobody, and the only warning, "no person was
    found in the picture", did not name the ROI (a new-user walkthrough)."""
    import cv2

    from ergorisk.io.video import iter_frames

    picture = tmp_path / "frame.png"
    rgb = next(iter_frames(EXAMPLE_CLIP, 5.2, 5.23, 1, None)).rgb
    cv2.imwrite(str(picture), rgb[..., ::-1])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["assess", str(picture), "--roi", "1000,0,200,150", "--out", str(out), "--no-report"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: nobody was found inside --roi 1000,0,200,150: give x,y,w,h around the "
        "person, in pixels of the upright frame" in " ".join(result.stderr.split())
    )


def test_an_roi_on_empty_space_warns_that_nobody_inside_it_was_followed(tmp_path):
    """--roi on a patch of tree (a new-user walkthrough): a glitch there took the lock and
    lost it, and the passer-by found 2 s later was assessed with no word. An ROI around
    whom it followed warns of nothing (the test above)."""
    out = tmp_path / "out"
    args = ["assess", str(EXAMPLE_CLIP), "--out", str(out), "--end", "2.5"]
    result = CliRunner().invoke(app, [*args, "--roi", "1200,10,50,50", "--no-video", "--no-report"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: nobody inside --roi 1200,10,50,50 was followed: the person assessed was "
        "first followed steadily at 2.07 s outside it" in result.stderr
    )
    frames = pd.read_csv(out / "frames.csv")
    first = frames[frames["pose_reliable"]].iloc[0]
    assert first["bbox_x_px"] > 1250 or first["bbox_y_px"] > 60  # outside the ROI indeed
    # --no-video: it points to the video, not to an annotated.mp4 it did not write
    warnings = json.loads((out / "summary.json").read_text())["warnings"]
    (said,) = [w for w in warnings if w.startswith("nobody inside --roi")]
    assert said.endswith("; check the ROI on the video") and not (out / "annotated.mp4").exists()


def test_an_roi_around_someone_never_followed_warns_when_the_pick_only_touches_it():
    """A researcher's walkthrough: --roi around the 4-view demo's bystander in cam02 followed
    her on frame 0, lost her, and scored the man beside her (REBA 9) without a word: his box
    touched the ROI's edge. A pick with under a quarter of its box inside warns, one video
    and a take alike; the pick inside it warns of nothing."""
    import numpy as np

    from ergorisk.assessment import _roi_missed, views_roi_warning
    from ergorisk.pose.people import PersonTrack

    roi = (700, 400, 950, 950)  # --roi 700,400,250,550
    frames = pd.DataFrame(
        {
            "time_s": [0.0, 0.07],
            "person_detected": [True, True],
            "pose_reliable": [False, True],
            "bbox_x_px": [735.0, 442.0],
            "bbox_y_px": [501.0, 440.0],
            "bbox_w_px": [112.0, 325.0],
            "bbox_h_px": [392.0, 716.0],
        }
    )
    (said,) = _roi_missed(frames, roi, (1088, 1920), annotated=False)
    assert said.startswith("nobody inside --roi 700,400,250,550 was followed: the person ")
    assert "at 0.07 s outside it (box x 442, y 440, 325x716 px)" in said
    frames["pose_reliable"] = [True, True]  # the bystander herself: no warning
    assert _roi_missed(frames, roi, (1088, 1920)) == []

    n = 3
    boxes = np.tile([442.0, 440.0, 325.0, 716.0], (n, 1))
    seen = np.zeros((n, 33, 4), np.float32)  # detected: finite landmarks
    man = PersonTrack(seen, seen[..., :3], np.arange(n), np.arange(n) / 60, 1, boxes)
    person = type("ViewsPerson", (), {"person_id": 1, "tracks": [man]})()
    (views,) = views_roi_warning(person, roi, "cam02", annotated=False)
    assert views == (
        "nobody seen in two or more views is inside --roi 700,400,250,550: the person "
        "assessed (ID 1) has 15% of their box inside it in cam02 (on average); check "
        "cam02's video and the ROI"
    )
    assert views_roi_warning(person, (400, 400, 800, 1200), "cam02") == []


def test_an_end_past_the_end_of_the_video_is_assessed_to_its_end_with_a_warning(tmp_path):
    """--end 100 on the 7.7 s example was taken without a word (a new-user walkthrough)."""
    out = tmp_path / "out"
    args = ["assess", str(EXAMPLE_CLIP), "--out", str(out), "--start", "7", "--end", "100"]
    result = CliRunner().invoke(app, [*args, "--no-video", "--no-report"])
    assert result.exit_code == 0, result.output
    assert "warning: --end 100 s is past the video's end (7.67 s): assessed to its end" in (
        result.stderr
    )
    assert pd.read_csv(out / "frames.csv")["frame"].iloc[-1] == 229  # the last frame


def test_a_start_past_the_end_of_the_video_says_so(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["assess", str(EXAMPLE_CLIP), "--out", str(out), "--start", "20"]
    )
    assert result.exit_code == 2, result.output
    # The example lasts 230 frames at 30 fps: 7.7 s.
    assert "--start 20 s is at or after the end of the video (7.7 s)" in result.stderr
    assert not out.exists()


def test_the_command_runs_on_the_example_clip(tmp_path):
    out = tmp_path / "demo"
    done = subprocess.run(
        [
            str(ERGORISK),
            "assess",
            str(EXAMPLE_CLIP),
            "--out",
            str(out),
            "--end",
            "1.0",
            "--stride",
            "3",
            "--load-kg",
            "6",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("sports2d-demo-720p.mp4: 10 frames, person in ")
    assert "REBA peak" in line and "annotated.mp4" in line and "report.html" in line
    # MediaPipe's native log lines are kept off the terminal.
    assert "W0000" not in done.stderr and "XNNPACK" not in done.stderr
    assert {p.name for p in out.iterdir()} == {
        "frames.csv",
        "frames.parquet",
        "summary.json",
        "annotated.mp4",
        "report.html",
        "report.pdf",
        "report.xlsx",
    }


def test_sigterm_stops_assess_and_leaves_nothing_behind(tmp_path):
    """SIGTERM (kill, GNU timeout, a scheduler) killed the process at once and left its
    hidden staging folder, with a half-written annotated.mp4, beside --out. Now it unwinds as
    Ctrl-C does: exit 130, as `batch` gives, and nothing written."""
    import signal
    import time

    out = tmp_path / "demo"
    proc = subprocess.Popen(
        [str(ERGORISK), "assess", str(EXAMPLE_CLIP), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".demo.*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # the staging folder: the work is under way
    assert proc.poll() is None and list(tmp_path.glob(".demo.*"))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []
    # It said so (typer turned the interrupt into exit 130 without a word).
    assert err.decode().rstrip().endswith("interrupted: stopped before the end"), err


def test_ctrl_c_stops_assess_with_a_word_and_leaves_nothing_behind(tmp_path):
    """Ctrl-C (SIGINT to the process) ended `assess` with exit 130 and nothing printed."""
    import signal
    import time

    out = tmp_path / "demo"
    proc = subprocess.Popen(
        [str(ERGORISK), "assess", str(EXAMPLE_CLIP), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # a background job's SIGINT is ignored; a terminal's Ctrl-C is not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".demo.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert err.decode().rstrip().endswith("interrupted: stopped before the end"), err
    assert list(tmp_path.iterdir()) == []
