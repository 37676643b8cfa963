"""`ergorisk assess VIEWS... --calibration FILE`: bad input exits 2 with one line, no output."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from video_fixtures import remux

runner = CliRunner()


@pytest.fixture
def demo(shared_data):
    return shared_data / "media" / "pose2sim-multiperson"


def _refused(args, out):
    result = runner.invoke(app, ["assess", *map(str, args), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not out.exists()
    return result.output


def test_a_single_video_with_a_calibration(demo, tmp_path):
    text = _refused(
        [demo / "videos" / "cam01.mp4", "--calibration", demo / "calibration" / "Calib.qca.txt"],
        tmp_path / "o",
    )
    assert "two or more videos" in text


def test_a_video_with_no_matching_camera(demo, tmp_path):
    other = tmp_path / "side.mp4"
    shutil.copy(demo / "videos" / "cam02.mp4", other)
    text = _refused(
        [
            demo / "videos" / "cam01.mp4",
            other,
            "--calibration",
            demo / "calibration" / "Calib.qca.txt",
        ],
        tmp_path / "o",
    )
    assert "side.mp4" in text


def test_an_unreadable_calibration(demo, tmp_path):
    bad = tmp_path / "calib.toml"
    bad.write_text("this is not = [toml")
    text = _refused(
        [demo / "videos" / "cam01.mp4", demo / "videos" / "cam02.mp4", "--calibration", bad],
        tmp_path / "o",
    )
    assert "calib.toml" in text


def test_views_with_different_frame_counts_are_the_frames_they_share(demo, tmp_path):
    """Cameras started by hand never record as many frames: 98 against 100 was refused
    ("the views have different frame counts") with no way forward (a walkthrough). The take
    is the frames every view has, and a warning says so."""
    import json

    short = remux(demo / "videos" / "cam02.mp4", tmp_path / "cam02.mp4", 50)
    views = [demo / "videos" / "cam01.mp4", short, demo / "videos" / "cam03.mp4"]
    out = tmp_path / "o"
    args = [*map(str, views), "--calibration", str(demo / "calibration" / "Calib.qca.txt")]
    result = runner.invoke(app, ["assess", *args, "--no-video", "--no-report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["frame_count"] == 50
    said = " ".join(" ".join(summary["warnings"]).split())
    assert (
        "different frame counts (cam01 100, cam02 50, cam03 100): the take is their first 50"
        in (said)
    )


def test_views_at_different_frame_rates_are_refused(demo, tmp_path):
    """cam02's 100 frames labelled 30 fps among 60 fps views passed (as many frames), and the
    take read REBA 9 (high) instead of 7 (medium) with that view first."""
    slow = remux(demo / "videos" / "cam02.mp4", tmp_path / "cam02.mp4", slower=2)
    calibration = demo / "calibration" / "Calib.qca.txt"
    for order in ([slow, demo / "videos" / "cam01.mp4"], [demo / "videos" / "cam01.mp4", slow]):
        text = _refused([*order, "--calibration", calibration], tmp_path / "o")
        assert "different frame rates" in text and "cam02.mp4: 30 fps" in text, text
        assert "cam01.mp4: 60 fps" in text


def test_a_picture_among_the_views_is_named_as_one(demo, tmp_path):
    """A photo given as cam02 was told "the views have different frame rates (...: 25 fps)"."""
    import cv2

    frame = np.zeros((48, 64, 3), np.uint8)
    cv2.imwrite(str(tmp_path / "cam02.jpg"), frame)
    calibration = demo / "calibration" / "Calib.qca.txt"
    views = [demo / "videos" / "cam01.mp4", tmp_path / "cam02.jpg"]
    text = _refused([*views, "--calibration", calibration], tmp_path / "o")
    assert "cam02.jpg: a picture, not a video" in text, text


def test_a_start_past_the_take_is_refused_before_the_pose_work(demo, tmp_path, monkeypatch):
    """--start 5 on the 1.7 s take was refused after 35 s of pose estimation."""
    from ergorisk import multiview

    def no_pose(*_: object, **__: object) -> None:
        raise AssertionError("the pose work ran")

    monkeypatch.setattr(multiview, "track_view_people", no_pose)
    videos = [demo / "videos" / f"cam0{k}.mp4" for k in (1, 2)]
    calibration = demo / "calibration" / "Calib.qca.txt"
    text = _refused([*videos, "--calibration", calibration, "--start", "5"], tmp_path / "o")
    assert "--start 5 s is at or after the end of the video (1.7 s)" in text, text


def test_a_views_process_that_stops_says_how_to_call_from_a_script(demo, monkeypatch):
    """docs/multiview.md's snippet, run as a script without the __main__ guard: each view's
    spawned process ran the script again and died, and the error read "A process in the
    process pool was terminated abruptly" under "pose estimation failed"."""
    from concurrent.futures.process import BrokenProcessPool

    import ergorisk as er
    from ergorisk import multiview
    from ergorisk.errors import InputError

    def broken(*_: object, **__: object) -> None:
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(multiview, "track_view_people", broken)
    videos = [demo / "videos" / f"cam0{k}.mp4" for k in (1, 3)]
    with pytest.raises(InputError, match='if __name__ == "__main__"'):
        er.assess(videos, calibration=demo / "calibration" / "Calib.qca.txt", report=False)


def test_each_view_done_moves_the_bar(demo, tmp_path):
    """The views bar sat at 0/4 for 17 s, then jumped to 4/4: each view now steps it."""
    from ergorisk.multiview import track_view_people

    cuts = [remux(demo / "videos" / f"cam0{k}.mp4", tmp_path / f"cam0{k}.mp4", 6) for k in (1, 2)]
    steps: list[int] = []
    people = track_view_people(cuts, workers=2, on_view=lambda: steps.append(len(steps)))
    assert steps == [0, 1] and len(people) == 2  # a step per view, the views in order
