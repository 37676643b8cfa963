"""`ergorisk assess VIDEO --people all`: one folder per person, people.json, the overview."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.contract import BBOX_COLUMNS

pytestmark = pytest.mark.slow


def test_people_all_on_the_two_person_view(shared_data, tmp_path):
    clip = shared_data / "media" / "pose2sim-multiperson" / "videos" / "cam01.mp4"
    out = tmp_path / "people"
    result = CliRunner().invoke(
        app, ["assess", str(clip), "--people", "all", "--no-report", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    people = json.loads((out / "people.json").read_text())["people"]
    assert len(people) >= 2
    # One main person, the one assessed without --people (the web app's list marks it too).
    (main,) = [p for p in people if p["main"]]
    single = CliRunner().invoke(
        app, ["assess", str(clip), "--no-report", "--no-video", "--out", str(tmp_path / "one")]
    )
    assert single.exit_code == 0, single.output
    one = pd.read_csv(tmp_path / "one" / "frames.csv")
    mine = pd.read_csv(out / main["folder"] / "frames.csv")
    assert abs(one["bbox_x_px"].median() - mine["bbox_x_px"].median()) < 100
    for person in people:
        assert person["frames_detected"] >= 80  # of 100 frames
        folder = out / person["folder"]
        frames = pd.read_csv(folder / "frames.csv")
        assert {"frames.csv", "frames.parquet", "summary.json", "annotated.mp4"} <= {
            p.name for p in folder.iterdir()
        }
        assert set(BBOX_COLUMNS) <= set(frames.columns)
        assert (out / person["thumbnail"]).stat().st_size > 1000
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["person_id"] == person["id"]
    assert (out / "overview.mp4").stat().st_size > 10_000
    # Two people, two different boxes.
    a, b = (pd.read_csv(out / p["folder"] / "frames.csv") for p in people[:2])
    assert (a["bbox_x_px"] - b["bbox_x_px"]).abs().median() > 50


def test_the_main_person_is_the_one_the_default_run_follows(shared_data, tmp_path):
    """cam02: the woman is the nearer at the start (the default run follows her), the man
    fills more of the video; people.json's main was the man until 2026-12-06."""
    clip = shared_data / "media" / "pose2sim-multiperson" / "videos" / "cam02.mp4"
    quiet = ["--no-report", "--no-video"]
    out = tmp_path / "people"
    result = CliRunner().invoke(
        app, ["assess", str(clip), "--people", "all", *quiet, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    single = CliRunner().invoke(app, ["assess", str(clip), *quiet, "--out", str(tmp_path / "one")])
    assert single.exit_code == 0, single.output
    one = pd.read_csv(tmp_path / "one" / "frames.csv")["bbox_x_px"].median()
    people = json.loads((out / "people.json").read_text())["people"]
    x = {
        p["id"]: pd.read_csv(out / p["folder"] / "frames.csv")["bbox_x_px"].median() for p in people
    }
    (main,) = [p["id"] for p in people if p["main"]]
    assert min(x, key=lambda pid: abs(x[pid] - one)) == main, (x, one, main)
    assert abs(x[main] - one) < 50


def test_an_unknown_person_id_exits_2(shared_data, tmp_path):
    clip = shared_data / "media" / "pose2sim-multiperson" / "videos" / "cam01.mp4"
    out = tmp_path / "p"
    result = CliRunner().invoke(
        app, ["assess", str(clip), "--people", "7", "--end", "0.5", "--out", str(out)]
    )
    assert result.exit_code == 2 and "IDs found" in result.output
    assert not out.exists()


def test_no_video_writes_no_overview_video_but_the_thumbnails(tmp_path):
    """--no-video wrote no annotated.mp4 but still overview.mp4."""
    from video_fixtures import EXAMPLE_CLIP

    out = tmp_path / "p"
    args = ["assess", str(EXAMPLE_CLIP), "--people", "all", "--end", "2", "--no-video"]
    result = CliRunner().invoke(app, [*args, "--no-report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(people.json, person-<id>/)" in result.stdout
    assert not (out / "overview.mp4").exists()
    people = json.loads((out / "people.json").read_text())["people"]
    for person in people:
        assert (out / person["thumbnail"]).stat().st_size > 1000
        assert not (out / person["folder"] / "annotated.mp4").exists()


def test_the_overview_blurs_a_face_nobody_tracked_shows(tmp_path, monkeypatch):
    """overview.mp4 blurred the faces of the people it draws only: a bystander the tracker
    did not follow (here the passer-by, left out of the people written) showed her face."""
    import sys

    import av

    import ergorisk.report.faces as faces_module
    from ergorisk.assessment import assess_people, write_people
    from ergorisk.report.faces import MARGIN, FaceDetector
    from video_fixtures import EXAMPLE_CLIP, tiled_faces

    people = assess_people(EXAMPLE_CLIP, people="all", end_s=7.2, report=False)
    jumper = max(people, key=lambda pid: int(people[pid].track.detected.sum()))
    blurred: list[list] = []  # the boxes blurred on each frame of the overview, in order
    blur = faces_module.blur_faces

    def recorded(rgb, boxes, *args, **kwargs):
        if sys._getframe(1).f_code.co_name == "show":  # the overview's, not annotated.mp4's
            blurred.append([faces_module._with_margin(box, MARGIN) for box in boxes])
        return blur(rgb, boxes, *args, **kwargs)

    monkeypatch.setattr(faces_module, "blur_faces", recorded)
    write_people({jumper: people[jumper]}, tmp_path / "people")
    assert (tmp_path / "people" / "overview.mp4").is_file()
    assert len(blurred) == len(people[jumper].frames)
    checked = 0
    with FaceDetector() as detector, av.open(str(EXAMPLE_CLIP)) as video:
        for i, frame in enumerate(video.decode(video=0)):
            if i > 215:
                break
            if i < 140:
                continue
            for cx, cy in tiled_faces(detector, frame.to_ndarray(format="rgb24")):
                checked += 1
                assert any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in blurred[i]), (
                    i,
                    (cx, cy),
                    blurred[i],
                )
    assert checked >= 2


def test_each_persons_video_blurs_the_other_followed_peoples_faces(tmp_path, monkeypatch):
    """In the passer-by's annotated.mp4 the jumper's face showed on frames 114-138: against
    the sun neither detector finds it, and only the passer-by's own pose face was added.
    The other people followed in the video are blurred from their poses too."""
    import sys

    import ergorisk.report.faces as faces_module
    from ergorisk.assessment import assess_people, write_people
    from ergorisk.report.faces import MARGIN, face_boxes_from_pose
    from video_fixtures import EXAMPLE_CLIP

    people = assess_people(EXAMPLE_CLIP, people="all", end_s=4.7, report=False)
    assert len(people) == 2
    jumper = min(people, key=lambda pid: np.nanmedian(people[pid].track.image[:, 0, 1]))
    other = next(pid for pid in people if pid != jumper)
    blurred: dict[int, list] = {}  # the passer-by's video: frame -> boxes blurred
    blur = faces_module.blur_faces

    def recorded(rgb, boxes, *args, **kwargs):
        caller = sys._getframe(1)
        if caller.f_code.co_name == "write" and caller.f_locals.get("track") is (
            people[other].track
        ):
            blurred[caller.f_locals["i"]] = [faces_module._with_margin(b, MARGIN) for b in boxes]
        return blur(rgb, boxes, *args, **kwargs)

    monkeypatch.setattr(faces_module, "blur_faces", recorded)
    write_people(people, tmp_path / "p")
    assert len(blurred) == len(people[other].frames)
    checked = 0
    for i in range(105, 141):  # the jumper on the box, against the sun
        for x0, y0, x1, y1 in face_boxes_from_pose(people[jumper].track.image[i], (720, 1280)):
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            assert any(a <= cx <= c and b <= cy <= d for a, b, c, d in blurred[i]), (i, blurred[i])
            checked += 1
    assert checked >= 20


def test_writing_no_people_is_an_input_error(tmp_path):
    """write_people({}) raised a bare StopIteration."""
    from ergorisk.assessment import write_people
    from ergorisk.errors import InputError

    with pytest.raises(InputError, match="no people"):
        write_people({}, tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_everyone_in_a_video_gets_the_cameras_tilt_from_the_scene(tmp_path):
    """The camera's tilt is the scene's, not a person's: with --people each person's came
    from their own standing frames (the passer-by had none: 'camera tilt not corrected')."""
    from ergorisk.assessment import assess_people
    from video_fixtures import EXAMPLE_CLIP

    people = assess_people(EXAMPLE_CLIP, people="all", end_s=4.0, report=False)
    assert len(people) == 2
    # each track carries its torso colour (an ID sliding onto someone else is checked), and
    # the web app's saved tracks keep it
    from ergorisk.web.people import load_tracks, save_tracks

    tracks = [a.track for a in people.values()]
    assert all(np.isfinite(t.chroma[t.detected]).mean() > 0.8 for t in tracks)
    save_tracks(tmp_path / "tracks.npz", tracks)
    again = load_tracks(tmp_path / "tracks.npz")
    pairs = zip(tracks, again, strict=True)
    assert all(np.array_equal(a.chroma, b.chroma, equal_nan=True) for a, b in pairs)
    tilts = [a.summary["options"]["camera_tilt"] for a in people.values()]
    assert all(t["method"] == "vanishing point" for t in tilts), tilts
    assert tilts[0] == tilts[1]
    assert not any("tilt" in w for a in people.values() for w in a.summary.warnings)


def test_the_passer_bys_walking_time_is_no_longer_than_she_is_seen():
    """She walks in at 1.33 s and out after 6.63 s; her gait bout reached a step past her
    first and last turns, where she is not in view: walking_s 5.87 s against 5.33 s seen."""
    from ergorisk.assessment import assess_people
    from video_fixtures import EXAMPLE_CLIP

    people = assess_people(EXAMPLE_CLIP, people="all", annotate=False, report=False)
    for a in people.values():
        seen = a.frames["person_detected"].to_numpy()
        assert not (a.activity.walking & ~seen).any()
        assert a.summary["walking_s"] <= round(seen.sum() / a.summary.fps, 3)
    walker = max(people.values(), key=lambda a: a.summary["walking_s"])
    assert walker.summary["walking_s"] == pytest.approx(5.333, abs=0.05)
