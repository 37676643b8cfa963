"""Several videos of one take with their calibration: one multi-view assessment, and a 400
naming the problem for what the upload can tell at once (the real demo, cut short)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from video_fixtures import remux

from .conftest import wait_job

DEMO = "media/pose2sim-multiperson"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    shared_data = SHARED_DATA  # the shared_data fixture, for a module-wide fixture
    if not shared_data.is_dir():
        pytest.skip(f"reference data not found at {shared_data} (../shared/data beside the repo)")
    root = tmp_path_factory.mktemp("views")
    videos = shared_data / DEMO / "videos"
    return {
        "cam01": remux(videos / "cam01.mp4", root / "cam01.mp4", 20),
        "cam02": remux(videos / "cam02.mp4", root / "cam02.mp4", 20),
        "cam02_long": remux(videos / "cam02.mp4", root / "long" / "cam02.mp4", 30),
        "cam02_slow": remux(videos / "cam02.mp4", root / "slow" / "cam02.mp4", 20, slower=2),
        "side": remux(videos / "cam02.mp4", root / "side.mp4", 20),
        "calibration": shared_data / DEMO / "calibration" / "Calib.qca.txt",
    }


def post(client, videos: list[Path], calibration: Path | None, **fields: str):
    files = [("file", (v.name, v.read_bytes(), "video/mp4")) for v in videos]
    if calibration is not None:
        files.append(("calibration", (calibration.name, calibration.read_bytes(), "text/plain")))
    return client.post("/api/assessments", data=fields, files=files)


def refused(client, settings, videos, calibration, **fields) -> str:
    res = post(client, videos, calibration, **fields)
    assert res.status_code == 400, res.text
    # nothing kept: no row, no file
    assert client.get("/api/assessments").json()["total"] == 0
    assert not any((settings.data_dir / "staging").iterdir())
    return res.json()["detail"]


@pytest.mark.slow
def test_two_views_one_assessment_with_each_annotated_view(client, settings, clips):
    res = post(client, [clips["cam01"], clips["cam02"]], clips["calibration"], worker="Ann")
    assert res.status_code == 202, res.text
    made = res.json()
    job = wait_job(client, made["job_id"], timeout_s=300)
    assert job["status"] == "done", job["message"]
    detail = client.get(f"/api/assessments/{made['assessment_id']}").json()
    assert detail["kind"] == "views" and detail["worker"] == "Ann"
    assert detail["input_name"] == "cam01.mp4, cam02.mp4"
    assert detail["config"]["media"]["cameras"] == ["cam01", "cam02"]
    assert detail["views"] == ["annotated-cam01.mp4", "annotated-cam02.mp4"]
    assert detail["media"] == "annotated-cam01.mp4" and detail["frames"] == 20
    assert detail["summary"]["multiview"]["cameras"] == ["cam01", "cam02"]
    for name in detail["views"]:
        video = client.get(f"/api/assessments/{made['assessment_id']}/files/{name}")
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert video.content[4:8] == b"ftyp"
    folder = settings.data_dir / "assessments" / str(made["assessment_id"])
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "calibration.qca.txt",
        "view1.mp4",
        "view2.mp4",
    ]
    summary = (next(folder.glob("v*")) / "summary.json").read_text()
    assert str(settings.data_dir) not in summary
    assert json.loads(summary)["options"]["input"] == "cam01.mp4, cam02.mp4"
    skeleton = client.get(f"/api/assessments/{made['assessment_id']}/skeleton").json()
    assert len(skeleton["frames"]) == 20


def test_a_single_video_with_a_calibration(client, settings, clips):
    text = refused(client, settings, [clips["cam01"]], clips["calibration"])
    assert "two or more videos" in text


def test_several_videos_without_a_calibration(client, settings, clips):
    text = refused(client, settings, [clips["cam01"], clips["cam02"]], None)
    assert "calibration" in text


def test_an_unreadable_calibration(client, settings, clips, tmp_path):
    bad = tmp_path / "calib.toml"
    bad.write_text("this is not = [toml")
    text = refused(client, settings, [clips["cam01"], clips["cam02"]], bad)
    assert "calib.toml" in text and str(settings.data_dir) not in text


def test_an_unknown_calibration_format(client, settings, clips, tmp_path):
    bad = tmp_path / "calib.json"
    bad.write_text("{}")
    text = refused(client, settings, [clips["cam01"], clips["cam02"]], bad)
    assert "calib.json" in text and ".qca.txt" in text


def test_a_video_with_no_camera(client, settings, clips):
    text = refused(client, settings, [clips["cam01"], clips["side"]], clips["calibration"])
    assert "side.mp4" in text and "cameras" in text


def test_cameras_named_in_a_field(client, settings, clips):
    text = refused(
        client, settings, [clips["cam01"], clips["side"]], clips["calibration"], cameras="cam01"
    )
    assert "2 videos but 1 camera names" in text


def test_views_with_different_frame_counts_are_accepted(client, settings, clips):
    """Cameras started by hand never record as many frames: 20 and 30 frames were refused;
    the take is the frames both have (multiview.common_frames, its warning)."""
    res = post(client, [clips["cam01"], clips["cam02_long"]], clips["calibration"])
    assert res.status_code == 202, res.text


def test_views_at_different_frame_rates(client, settings, clips):
    """As many frames, one view at half the rate: matched frame by frame, it passed."""
    text = refused(client, settings, [clips["cam01"], clips["cam02_slow"]], clips["calibration"])
    assert "different frame rates" in text and "cam02.mp4: 30 fps" in text, text


def test_a_view_that_is_not_a_video(client, settings, clips, tmp_path):
    photo = tmp_path / "cam02.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    files = [
        ("file", ("cam01.mp4", clips["cam01"].read_bytes(), "video/mp4")),
        ("file", ("cam02.png", photo.read_bytes(), "image/png")),
        ("calibration", ("Calib.qca.txt", clips["calibration"].read_bytes(), "text/plain")),
    ]
    res = client.post("/api/assessments", files=files)
    assert res.status_code == 400 and "cam02.png" in res.json()["detail"]


def test_the_calibration_is_never_an_option(client, clips):
    res = post(
        client,
        [clips["cam01"], clips["cam02"]],
        clips["calibration"],
        options="calibration: /etc/passwd",
    )
    assert res.status_code == 400 and "calibration" in res.json()["detail"]


@pytest.mark.parametrize(
    "fields",
    [{"people": "pick"}, {"options": "people: all"}, {"options": "people: 0,1"}],
    ids=["pick", "all", "two IDs"],
)
def test_everyone_of_a_take_is_refused_with_the_cli_that_does_it(client, settings, clips, fields):
    """A walkthrough: a take uploaded with people=pick was accepted and assessed the largest
    person only; with people: all it was accepted and failed in the job ("use
    assess_people")."""
    text = refused(
        client, settings, [clips["cam01"], clips["cam02"]], clips["calibration"], **fields
    )
    assert "assessed for one person here" in text and "--people all" in text
