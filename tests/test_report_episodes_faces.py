"""Worst moments are held postures; faces are blurred beyond detection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ergorisk.pose.people_models import Detection, Roi
from ergorisk.report.episodes import worst_episodes


def _frames(reba: list[float], fps: float = 10.0) -> pd.DataFrame:
    n = len(reba)
    return pd.DataFrame(
        {
            "frame": np.arange(n),
            "time_s": np.arange(n) / fps,
            "reba_total": reba,
            "rula_total": [3.0] * n,
            "reba_total_left": reba,
            "reba_total_right": reba,
        }
    )


def test_a_one_frame_spike_is_no_worst_moment_a_held_posture_is():
    reba = [3] * 5 + [11] + [3] * 5 + [9] * 4 + [3] * 5 + [7] * 6
    eps = worst_episodes(_frames(reba), n=3, min_duration_s=0.3)
    # the 11 at frame 5 lasts 0.1 s; every frame scores 3 or more, so that run holds the rest
    assert [(e.score, e.start, e.end) for e in eps] == [(9, 11, 14), (7, 20, 25)]
    assert eps[0].duration_s == pytest.approx(0.4) and eps[0].rank == 1


def test_the_picture_is_a_frame_at_the_held_score_and_a_brief_spike_is_reported():
    # REBA 10 held for 0.5 s, with one frame at 11 inside it (frame 3).
    reba = [3] * 2 + [10, 11, 10, 10, 10] + [3] * 3
    frames = _frames(reba)
    frames.loc[5, "rula_total"] = 6  # among the frames at 10, the highest RULA is pictured
    (e,) = worst_episodes(frames, n=1, min_duration_s=0.3)
    assert (e.score, e.start, e.end) == (10, 2, 6)
    assert (e.peak, e.peak_reba, e.peak_rula, e.peak_s) == (5, 10, 6, 0.5)
    assert (e.max_reba, e.max_s) == (11, 0.3)


def test_the_picture_is_a_frame_whose_angles_were_all_measured():
    # The example's worst moment was pictured where the wrist was "not measured: taken as
    # neutral", beside frames at the same REBA with every angle measured.
    from ergorisk.scoring import reba as reba_method
    from ergorisk.scoring import rula as rula_method

    frames = _frames([3] * 2 + [10] * 5 + [3] * 3)
    for k in {*reba_method.INPUTS, *rula_method.INPUTS}:
        if k.endswith("_deg"):
            frames[f"{k}_left"] = frames[f"{k}_right"] = 10.0
    frames.loc[4, "rula_total"] = 7  # the highest RULA, its right wrist not seen
    frames.loc[4, ["wrist_flexion_deg_left", "wrist_flexion_deg_right"]] = np.nan
    frames.loc[5, "rula_total"] = 6
    (e,) = worst_episodes(frames, n=1, min_duration_s=0.3)
    assert (e.peak, e.peak_rula) == (5, 6)
    # Where every frame at the held score lacks one angle, the highest RULA again.
    frames.loc[2:6, "wrist_flexion_deg_right"] = np.nan
    (e,) = worst_episodes(frames, n=1, min_duration_s=0.3)
    assert (e.peak, e.peak_rula) == (4, 7)


def test_the_picture_is_taken_from_the_middle_of_the_run_not_its_edge():
    # The example's landing: held at 9 from the first frame of the run (the man just down,
    # upright) through the squat; at equal RULA, the frame nearest the middle is pictured.
    reba = [3] * 2 + [9, 10, 9, 9, 9, 9, 9, 9, 9] + [3] * 2
    (e,) = worst_episodes(_frames(reba), n=1, min_duration_s=0.3)
    assert (e.score, e.start, e.end) == (9, 2, 10)
    assert e.peak == 6  # not 2, the run's first frame


def test_a_one_frame_dip_neither_cuts_a_worst_moment_nor_is_its_picture():
    # 60 fps, as the 4-view demo: 0.4 s at REBA 6-7 with one frame at 4 (a side unseen).
    reba = [3] * 10 + [6, 7, 6, 6, 7, 6, 6, 6, 4, 6, 7, 6, 6, 7, 6, 6, 6, 7, 6, 6, 6, 6, 6, 7]
    reba += [3] * 10
    eps = worst_episodes(_frames(reba, fps=60.0), n=1, min_duration_s=0.3)
    (ep,) = eps
    assert (ep.score, ep.start, ep.end) == (6, 10, 33)
    assert reba[ep.peak] == 6


def test_equal_scores_rank_the_longer_first_and_no_person_breaks_a_run():
    reba = [8] * 3 + [np.nan] + [8] * 3 + [1] + [8] * 5
    eps = worst_episodes(_frames(reba), n=3)
    assert [(e.start, e.end) for e in eps] == [(8, 12), (0, 2), (4, 6)]


def test_blurred_face_is_no_longer_detected(shared_data):
    cv2 = pytest.importorskip("cv2")
    from ergorisk.report.faces import blur_faces, detect_faces

    path = shared_data / "media" / "opencv-messi5.jpg"
    if not path.exists():
        pytest.skip(f"{path} not found")
    rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    boxes = detect_faces(rgb)
    assert boxes, "the test photo should have a detectable face"
    blurred = blur_faces(rgb, boxes)
    assert detect_faces(blurred, min_confidence=0.2) == []
    assert not np.array_equal(blurred, rgb)


def test_pose_face_landmarks_give_a_fallback_box():
    from ergorisk.report.faces import face_boxes_from_pose

    lm = np.zeros((33, 3))
    lm[:11, 0] = np.linspace(0.45, 0.55, 11)
    lm[:11, 1] = 0.2
    lm[:11, 2] = 0.9
    ((x0, y0, x1, y1),) = face_boxes_from_pose(lm, (100, 200, 3))
    assert x0 < 90 < 110 < x1 and y0 < 20 < y1


def test_a_picture_of_several_people_blurs_each_ones_face_and_anyone_elses(shared_data):
    """The web app's people thumbnails blurred the followed people's faces from their poses
    alone: a face nobody followed showed. ``private_frame`` takes several poses, and runs
    the detectors for everyone else."""
    cv2 = pytest.importorskip("cv2")
    from ergorisk.report.faces import detect_faces, private_frame

    path = shared_data / "media" / "opencv-messi5.jpg"
    if not path.exists():
        pytest.skip(f"{path} not found")
    rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert detect_faces(rgb), "the test photo should have a detectable face"
    h, w = rgb.shape[:2]
    poses = []
    for x in (0.08, 0.9):  # two people followed, faces at the photo's left and right edges
        lm = np.full((33, 3), np.nan)
        lm[:11] = [x, 0.8, 0.9]
        lm[:11, 0] += np.linspace(0, 0.03, 11)
        poses.append(lm)
    out = private_frame(rgb, poses)
    assert detect_faces(out, min_confidence=0.2) == []  # nobody followed: the detector's
    for lm in poses:  # each person followed: their pose's face box
        cx, cy = int(lm[5, 0] * w), int(lm[5, 1] * h)
        assert not np.array_equal(
            out[cy - 3 : cy + 3, cx - 3 : cx + 3], rgb[cy - 3 : cy + 3, cx - 3 : cx + 3]
        )


def test_the_pose_face_box_is_sized_by_the_body_not_the_frame():
    """A small worker in a large frame: the face box follows their torso (a fixed share of
    the frame made a box three times the head, which hid the shoulders)."""
    from ergorisk.report.faces import HEAD_PER_TORSO, MIN_FACE_PER_FRAME, face_boxes_from_pose

    w, h = 1280, 720
    lm = np.full((33, 3), np.nan)
    lm[:11] = [500 / w, 100 / h, 0.9]
    lm[:11, 0] += np.linspace(0, 12 / w, 11)  # ears 12 px apart
    lm[[11, 12, 23, 24]] = [[490, 130, 0.9], [525, 130, 0.9], [495, 210, 0.9], [520, 210, 0.9]]
    lm[[11, 12, 23, 24], :2] /= (w, h)
    ((x0, _, x1, _),) = face_boxes_from_pose(lm, (h, w, 3))
    assert x1 - x0 == pytest.approx(HEAD_PER_TORSO * 80 * 1.4, abs=1)  # torso 80 px
    lm[23, 2] = 0.1  # a hip unseen: the frame's share again
    ((x0, _, x1, _),) = face_boxes_from_pose(lm, (h, w, 3))
    assert x1 - x0 == pytest.approx(MIN_FACE_PER_FRAME * w * 1.4, abs=1)


@pytest.mark.slow
def test_assess_blurs_the_face_of_a_photo_unless_told_not_to(shared_data, tmp_path):
    cv2 = pytest.importorskip("cv2")
    from typer.testing import CliRunner

    from ergorisk.cli import app
    from ergorisk.report.faces import detect_faces

    path = shared_data / "media" / "opencv-messi5.jpg"
    if not path.exists():
        pytest.skip(f"{path} not found")

    def annotated(*flags: str) -> np.ndarray:
        out = tmp_path / ("kept" if flags else "blurred")
        result = CliRunner().invoke(app, ["assess", str(path), "--out", str(out), *flags])
        assert result.exit_code == 0, result.output
        drawn = cv2.cvtColor(cv2.imread(str(out / "annotated.png")), cv2.COLOR_BGR2RGB)
        return drawn[-original.shape[0] :]  # the photo, under its banner's strip

    original = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    ((x0, y0, x1, y1),) = detect_faces(original)

    def unchanged(rgb: np.ndarray) -> float:  # share of the face's pixels as photographed
        diff = np.abs(rgb.astype(int) - original.astype(int)).sum(axis=2)[y0:y1, x0:x1]
        return float((diff < 30).mean())

    blurred = annotated()
    assert detect_faces(blurred, min_confidence=0.2) == []
    assert unchanged(blurred) < 0.3
    # --no-blur-faces keeps the face (the drawn neck lines cross it, so no detector here)
    assert unchanged(annotated("--no-blur-faces")) > 0.6


def test_heads_of_the_followed_person_are_left_to_the_pose_box_and_stale_heads_are_dropped():
    """The person detector's head on the followed person (a head box around the pose's
    face) is not blurred a second time, larger; a bystander's head is. The previous run's
    head is held one more round only where the new run has none, and the followed person's
    where the pose loses them."""
    from ergorisk.report.faces import HEAD_HOLD_GROWTH, VideoFaces, face_boxes_from_pose, uncovered

    pose = np.full((33, 3), np.nan)
    pose[:11] = [0.5, 0.2, 0.9]
    pose[:11, 0] += np.linspace(0, 0.04, 11)  # a face about 0.06 of 1000 px wide
    rgb = np.zeros((500, 1000, 3), np.uint8)
    (face,) = face_boxes_from_pose(pose, rgb.shape)
    x0, y0, x1, y1 = face
    cx, cy = (x0 + x1) / 2, y1 - (x1 - x0) / 2  # the face landmarks' centre
    assert cx == pytest.approx(520, abs=1) and cy == pytest.approx(100, abs=1)
    own = (x0 - 30, y0 + 20, x1 - 20, y1 + 40)  # the detector's head: larger, off-centre
    bystander = (800, 300, 850, 350)
    beside = (int(cx) + 2, y0, x1 + 60, y1)  # a head beside the face: kept
    assert uncovered([own, bystander, beside], [face]) == [bystander, beside]

    runs = iter([[own, bystander, (100, 100, 140, 140)], [(805, 300, 855, 350)]])

    class Fake:
        def faces(self, rgb: np.ndarray) -> list:
            return []

        def people(self, rgb: np.ndarray, tiles: bool = False, regions: tuple = ()) -> list:
            # heads whose bodies are nobody followed (far from the pose's hips)
            return [Detection(Roi(-1e4, -1e4, 10.0), 0.9, head) for head in next(runs)]

    faces = VideoFaces(Fake(), every=100, heads_every=6)  # type: ignore[arg-type]
    first = faces(rgb, pose, 0)
    assert bystander in first and (100, 100, 140, 140) in first and own not in first
    # Frame 6: the bystander found again (their old box dropped), the other head missed:
    # held from frame 0, grown by 6 x HEAD_HOLD_GROWTH of its 40 px on each side.
    fresh, held, pose_box = faces(rgb, pose, 6)
    assert fresh == (805, 300, 855, 350) and pose_box == face
    grow = 6 * HEAD_HOLD_GROWTH * 40
    assert held == pytest.approx((100 - grow, 100 - grow, 140 + grow, 140 + grow), abs=1)
    # Frame 7: the pose loses the worker; their head, held from frame 0, is blurred.
    lost = faces(rgb, np.full((33, 3), np.nan), 7)
    gx, gy = 7 * HEAD_HOLD_GROWTH * (own[2] - own[0]), 7 * HEAD_HOLD_GROWTH * (own[3] - own[1])
    assert len(lost) == 3
    assert lost[1] == pytest.approx((own[0] - gx, own[1] - gy, own[2] + gx, own[3] + gy), abs=1)


def test_a_part_is_seen_at_most_on_every_frame_with_a_person():
    from ergorisk.report.annotate import PART_LEVELS
    from ergorisk.report.model import _parts

    # a multi-view take: the legs triangulated on a frame that counts no person
    cols = {"person_detected": [True] * 9 + [False]}
    for part in PART_LEVELS:
        for side in ("left", "right"):
            cols[f"reba_{part}_{side}"] = [1.0] * 10
    rows = _parts(pd.DataFrame(cols))
    assert {r.seen_percent for r in rows} == {100.0}


def test_body_parts_count_the_lower_arms_worst_score_as_raised():
    from ergorisk.report.annotate import PART_LEVELS
    from ergorisk.report.model import _parts

    n = 10
    cols = {"person_detected": [True] * n}
    for part in PART_LEVELS:
        for side in ("left", "right"):
            cols[f"reba_{part}_{side}"] = [np.nan] * n
    cols["reba_lower_arm_left"] = [2.0] * 3 + [1.0] * 7  # REBA's lower arm: 1 or 2
    cols["reba_trunk_left"] = [3.0] * 4 + [2.0] * 6  # trunk 3 is orange, 2 yellow
    rows = {(r.part, r.side): r for r in _parts(pd.DataFrame(cols))}
    assert rows[("Lower arm", "left")].high_percent == 30.0
    assert rows[("Trunk", "left")].high_percent == 40.0
    assert rows[("Lower arm", "left")].mean_score == 1.3


def _region_faces(detector, rgb: np.ndarray, region) -> list[tuple[float, float]]:
    """Face centres the face detector finds in the checked region itself, a smaller picture
    than a tile (the example's passer-by entering at the right edge: her face is 30 px)."""
    if region is None or region[2] > rgb.shape[1] or region[3] > rgb.shape[0]:
        return []
    x0, y0, x1, y1 = region
    return [
        (x0 + (a + c) / 2, y0 + (b + d) / 2)
        for a, b, c, d in detector.faces(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    ]


# Where bystanders' faces show: the example's passer-by (a 40 px profile the face detector
# misses on the whole frame), and the woman behind the man on the treadmill in the 4-view
# demo's cam04 (portrait; the person detector sees the two as one on its letterboxed frame).
# (video, first and last frame checked, the least number of faces checked, the followed
# person's ROI: their pose's face box covers them, as in the pipeline (None: a stand-in),
# where bystanders' faces are checked (None: everywhere; in cam04 the right half, where the
# woman stands: the reference takes a hand or the furniture for a face on some frames))
FACE_CLIPS = {
    "example passer-by": (None, 140, 215, 2, None, None),
    # She enters at the right edge: the untiled run at frame 42 missed her (frames 39-47).
    # Between two runs of the person detector her face showed on frames 37-41, before boxes
    # reached back (faces.LookBack).
    "example passer-by entering": (None, 36, 60, 4, None, (900, 200, 1280, 560)),
    "demo cam04 bystander": (
        "media/pose2sim-multiperson/videos/cam04.mp4",
        30,
        70,
        10,
        (50, 380, 780, 1500),
        (544, 0, 1088, 750),
    ),
}


def _heads(rgb: np.ndarray) -> list:
    """The person detector's heads on the frame and its tiles, bystanders' included."""
    from ergorisk.report.faces import FaceDetector

    with FaceDetector() as detector:
        return detector.heads(rgb, tiles=True)


@pytest.mark.slow
@pytest.mark.parametrize("clip", FACE_CLIPS)
def test_a_bystanders_face_is_covered_on_every_frame_a_tiled_detector_finds_it(clip):
    import av

    from ergorisk.pose.mediapipe_pose import MediaPipePose
    from ergorisk.report.faces import MARGIN, FaceDetector, LookBack, VideoFaces
    from video_fixtures import EXAMPLE_CLIP, tiled_faces

    name, first, last, min_checked, roi, region = FACE_CLIPS[clip]
    rx0, ry0, rx1, ry1 = region or (0, 0, 1e9, 1e9)
    if name is None:
        path = EXAMPLE_CLIP
    else:
        path = Path(__file__).resolve().parents[2] / "shared" / "data" / name
        if not path.is_file():
            pytest.skip(f"reference data not found: {path}")
    # The followed person's face landmarks (here a stand-in in a corner): with them the face
    # detector runs every few frames only, as along a real video.
    pose = np.full((33, 3), np.nan)
    pose[:11] = [0.02, 0.02, 0.9]
    pose[:11, 0] += np.linspace(0, 0.02, 11)
    followed = MediaPipePose(roi=roi, fps=60) if roi is not None else None
    checked = 0

    def check(i: int, faces_seen: list, boxes: list) -> None:
        nonlocal checked
        # What blur_faces blurs: each box grown by MARGIN of its size on each side.
        blurred = [
            (x0 - MARGIN * (x1 - x0), y0 - MARGIN * (y1 - y0), x1 + MARGIN * (x1 - x0),
             y1 + MARGIN * (y1 - y0))
            for x0, y0, x1, y1 in boxes
        ]  # fmt: skip
        for cx, cy in faces_seen:
            checked += 1
            assert any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in blurred), (
                i,
                (cx, cy),
                blurred,
            )

    with FaceDetector() as detector, av.open(str(path)) as video:
        faces = VideoFaces(detector)
        held = LookBack(faces)  # as the video pass blurs: boxes reach back between runs
        for i, frame in enumerate(video.decode(video=0)):
            if i < first - faces.warm_up:  # fed from its warm-up on, as a part of a video is
                continue
            if i > last + faces.look_back:  # and read on by its look-back
                break
            rgb = frame.to_ndarray(format="rgb24")
            if followed is not None:
                pose = followed.process(rgb).image
            seen = []
            if first <= i <= last:
                # Faces a tiled face detector finds and, in a bystander's region, heads the
                # person detector finds on this very frame (the pipeline runs it on every
                # sixth; elsewhere its heads include the followed person's stand-in pose).
                centres = tiled_faces(detector, rgb) + _region_faces(detector, rgb, region)
                if region is not None:
                    centres += [((a + c) / 2, (b + d) / 2) for a, b, c, d in _heads(rgb)]
                seen = [(x, y) for x, y in centres if rx0 <= x <= rx1 and ry0 <= y <= ry1]
            for (j, found), boxes in held.push(rgb, pose, i, (i, seen), first <= i <= last):
                check(j, found, boxes)
        for (j, found), boxes in held.flush():
            check(j, found, boxes)
    assert checked >= min_checked


def test_a_video_assessed_with_no_blur_faces_runs_no_face_detector(tmp_path, monkeypatch):
    """--no-blur-faces reached the video pass as a name that the face module's `blur_faces`
    function shadowed: the video was blurred (and the detectors run) whatever the flag."""
    import ergorisk as er
    from ergorisk.report import faces
    from video_fixtures import EXAMPLE_CLIP

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("a face detector was opened with blur_faces=False")

    a = er.assess(EXAMPLE_CLIP, end_s=0.4, blur_faces=False, report=False)
    monkeypatch.setattr(faces, "FaceDetector", refused)
    a.to_dir(tmp_path / "kept")
    assert (tmp_path / "kept" / "annotated.mp4").stat().st_size > 0
    with pytest.raises(AssertionError, match="face detector"):
        er.assess(EXAMPLE_CLIP, end_s=0.4, report=False).to_dir(tmp_path / "blurred")


def test_a_face_held_forward_and_found_again_is_blurred_where_both_boxes_meet():
    """At frame 71 of the 4-view demo's cam01, a bystander's head held 5 frames (grown 25 %
    a side) and the same head found a frame later (grown 5 %), blurred together, hid the
    worker's right arm. The face is inside both boxes (each grown at the rate faces may
    move), so it is blurred where they meet; two people's faces side by side, and the
    followed person's own box, are left whole."""
    from ergorisk.report.faces import narrowed

    # A 100-px head moving 4 px a frame to the right, found at 66 at (500, 100, 600, 200)
    # and at 72 at (524, 100, 624, 200); frame 71's boxes:
    held = (475, 75, 625, 225)  # 66's, grown by 0.05 x 5 frames a side
    fresh = (519, 95, 629, 205)  # 72's, grown back by 0.05 x 1 frame
    pose = [(100, 100, 180, 180)]
    got = narrowed([held, *pose], [fresh], pose)
    assert got == [(519, 95, 625, 205), *pose]
    face_at_71 = (520, 100, 620, 200)  # where the head is on frame 71
    x0, y0, x1, y1 = got[0]
    assert (
        x0 <= face_at_71[0] and y0 <= face_at_71[1] and x1 >= face_at_71[2] and y1 >= face_at_71[3]
    )
    assert (x1 - x0) * (y1 - y0) < 0.55 * (held[2] - held[0]) * (held[3] - held[1])
    # Two faces side by side (centres a face apart): not one face, both boxes kept.
    neighbour = (640, 100, 740, 200)
    assert narrowed([held], [neighbour], []) == [held, neighbour]
    # A fresh box near the pose's box is not paired with it: the pose's box stays as it is.
    assert narrowed(pose, [(105, 100, 185, 180)], pose) == [*pose, (105, 100, 185, 180)]
    # A box much larger (a head around a face) is not paired either.
    assert narrowed([held], [(400, 0, 700, 300)], []) == [held, (400, 0, 700, 300)]


def test_a_moment_picture_holds_the_whole_person_in_a_portrait_video_and_is_4_3_otherwise():
    """cam02's (1088x1920) picture at 0.73 s was a 4:3 strip from the shoulders down: the
    head and the raised hand it scored were cut off (a new-user walkthrough)."""
    from ergorisk.report.media import person_crop

    def crop_box(w: int, h: int, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        rgb = np.zeros((h, w, 3), np.uint8)
        rgb[box[1] : box[1] + box[3], box[0] : box[0] + box[2]] = 255  # the person
        row = dict(zip(("bbox_x_px", "bbox_y_px", "bbox_w_px", "bbox_h_px"), box, strict=True))
        crop = person_crop(rgb, row, float(w))
        assert crop.sum() == rgb.sum(), "part of the person is cut off"
        return crop.shape[1], crop.shape[0], int(crop.sum()), int(rgb.sum())

    cw, ch, _, _ = crop_box(1088, 1920, (300, 400, 500, 1100))
    assert cw == 1088 and 1100 < ch <= 1100 * 1.15 + 1
    cw, ch, _, _ = crop_box(1280, 720, (500, 150, 200, 450))
    assert (cw, ch) == (960, 720)


def test_the_followed_persons_own_detection_is_not_a_bystanders_head():
    """The detector's head for the followed person, placed from the shoulders, is off the
    face when they are upside down (the example at 4.8 s, a pixel off the pose's face box):
    known by its body centred on their hips, it is theirs, not a bystander's."""
    from ergorisk.report.faces import own_heads

    pose = np.full((33, 3), np.nan)
    pose[23] = (0.40, 0.50, 0.9)  # hips at (512, 360) and (538, 360) in 1280 x 720
    pose[24] = (0.42, 0.50, 0.9)
    him = Detection(Roi(530.0, 365.0, 400.0), 0.9, (480, 60, 575, 150))
    her = Detection(Roi(900.0, 380.0, 300.0), 0.9, (880, 200, 920, 240))
    assert own_heads([him, her], [pose], (720, 1280, 3)) == [(480, 60, 575, 150)]
    unseen = pose.copy()
    unseen[23:25, 2] = 0.1  # hips not seen: nobody's own head is known
    assert own_heads([him, her], [unseen], (720, 1280, 3)) == []


def small_walker_picture() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The example's passer-by 180 px tall near the edge of a grey 1088x1920 picture, and
    where she is (x0, y0, x1, y1)."""
    import cv2

    from ergorisk.io.video import iter_frames
    from video_fixtures import EXAMPLE_CLIP

    rgb = next(iter_frames(EXAMPLE_CLIP, 5.2, 5.23, 1, None)).rgb
    walker = rgb[380:720, 220:440]
    small = cv2.resize(walker, None, fx=180 / 340, fy=180 / 340)
    canvas = np.full((1920, 1088, 3), 120, np.uint8)
    canvas[300 : 300 + small.shape[0], 60 : 60 + small.shape[1]] = small
    return canvas, (60, 300, 60 + small.shape[1], 300 + small.shape[0])


def test_a_small_person_in_a_picture_is_found_on_finer_squares_and_a_window_is_not():
    """A picture is also searched on squares half its short side (report/faces.py,
    FINE_MIN_SCORE): the example's passer-by 180 px tall at the edge of a 1088x1920
    picture is found only there; a hit there without a body (the example's building
    windows, 0.76 at 1.0 s) is not taken for a head."""
    from ergorisk.io.video import iter_frames
    from ergorisk.report.faces import FaceDetector, private_frame
    from video_fixtures import EXAMPLE_CLIP

    canvas, (left, _, right, _) = small_walker_picture()
    with FaceDetector() as found:
        assert found.people(canvas, tiles=True) == []
        (her,) = found.people(canvas, tiles=True, fine=True)
        x0, y0, x1, y1 = her.head
        assert left < x0 < x1 < right and 290 < y0 < y1 < 360
        blurred = private_frame(canvas, None, found, fine=True)
        assert (blurred[y0:y1, x0:x1] != canvas[y0:y1, x0:x1]).any()
        assert (private_frame(canvas, None, found)[y0:y1, x0:x1] == canvas[y0:y1, x0:x1]).all()
        scene = next(iter_frames(EXAMPLE_CLIP, 1.0, 1.03, 1, None)).rgb
        plain = [d.head for d in found.people(scene, tiles=True)]
        assert [d.head for d in found.people(scene, tiles=True, fine=True)] == plain


def test_a_photo_blurs_the_masked_bystander_at_the_back_of_the_room(shared_data, tmp_path):
    """The 4-view demo's cam01, first frame, as a photo: the woman at the back (120 px tall
    in 1088x1920, a mask on) was found by no detector on the frame or its two tiles, and her
    face showed in annotated.png; the finer squares find her (0.81)."""
    import cv2

    import ergorisk as er
    from ergorisk.io.video import iter_frames
    from multiview_demo import DEMO

    rgb = next(iter_frames(shared_data / DEMO / "videos" / "cam01.mp4", 0.0, 0.01, 1, None)).rgb
    picture = tmp_path / "cam01.png"
    cv2.imwrite(str(picture), rgb[..., ::-1])
    er.assess(picture, report=False).to_dir(tmp_path / "out")
    drawn = cv2.imread(str(tmp_path / "out" / "annotated.png"))[..., ::-1]
    scale = drawn.shape[1] / rgb.shape[1]  # at most 1280 px high
    photo = cv2.resize(rgb, (drawn.shape[1], round(rgb.shape[0] * scale)), cv2.INTER_AREA)
    drawn = drawn[-photo.shape[0] :]  # the photo, under its banner's strip
    x0, y0, x1, y1 = (round(v * scale) for v in (50, 300, 105, 355))  # her face
    diff = np.abs(drawn[y0:y1, x0:x1].astype(int) - photo[y0:y1, x0:x1].astype(int))
    assert (diff.sum(axis=2) > 30).mean() > 0.5


def test_a_video_searches_around_small_people_found_on_a_few_frames():
    """A video's frames are not searched on finer squares (21 detector runs a frame); a few
    frames spread over it are (``small_people_regions``), and around each person found
    only there a square joins the person detector's tiles on every run of the video pass:
    cam01's masked bystander showed on every frame of annotated.mp4."""
    from ergorisk.report.faces import FaceDetector, VideoFaces, small_people_regions

    canvas, (left, top, right, bottom) = small_walker_picture()
    with FaceDetector() as found:
        (region,) = small_people_regions([canvas, canvas], found)  # one per place
        x0, y0, x1, y1 = region
        assert x1 - x0 == y1 - y0 == 1088 // 2
        assert x0 <= left and right <= x1 and y0 <= top and bottom <= y1
        plain, searched = VideoFaces(found), VideoFaces(found, regions=[region])
        assert plain(canvas, None, 0) == []
        ((hx0, hy0, hx1, hy1),) = searched(canvas, None, 0)
        assert left < hx0 < hx1 < right and top - 10 < hy0 < hy1 < top + 60


def test_a_hit_on_a_small_square_must_be_someone_in_it():
    """A person cut by a small square's edge is found there with a region far larger than
    the square and a head box on his chest (the man beside cam01's bystander): a blur hid
    his upper body. Hits on the extra squares must centre inside them and be at most 1.25
    times their side."""
    from ergorisk.pose.people_models import _within

    def hit(cx: float, cy: float, size: float) -> Detection:
        return Detection(Roi(cx, cy, size), 0.8, (0, 0, 1, 1))

    square = (0, 272, 544, 816)
    assert _within(hit(60, 515, 592), square)  # the bystander, at the frame's edge
    assert not _within(hit(438, 849, 1258), square)  # the man: centre below the square
    assert not _within(hit(300, 500, 956), square)  # larger than the square allows


def test_the_masked_bystander_is_blurred_along_the_video_too(shared_data, tmp_path):
    """cam01 of the 4-view demo: the woman standing at the back (a mask on, about 80 px
    tall in the drawn frame) showed on every frame of annotated.mp4."""
    import av
    import cv2

    import ergorisk as er
    from ergorisk.io.video import iter_frames
    from multiview_demo import DEMO

    clip = shared_data / DEMO / "videos" / "cam01.mp4"
    er.assess(clip, report=False).to_dir(tmp_path / "out")
    with av.open(str(tmp_path / "out" / "annotated.mp4")) as video:
        drawn = {i: f.to_ndarray(format="rgb24") for i, f in enumerate(video.decode(video=0))}
    for i in (0, 50, 99):
        rgb = next(iter_frames(clip, i / 60, (i + 1) / 60, 1, None)).rgb
        frame = drawn[i][-round(rgb.shape[0] * drawn[i].shape[1] / rgb.shape[1]) :]
        photo = cv2.resize(rgb, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_AREA)
        scale = frame.shape[1] / rgb.shape[1]
        x0, y0, x1, y1 = (round(v * scale) for v in (50, 300, 105, 355))  # her face
        diff = np.abs(frame[y0:y1, x0:x1].astype(int) - photo[y0:y1, x0:x1].astype(int))
        assert (diff.sum(axis=2) > 30).mean() > 0.5, f"her face shows on frame {i}"


def test_a_bystander_beside_a_found_person_still_gets_her_square(shared_data):
    """cam02 of the 4-view demo: the masked woman at the back (a 33 px head in the 726x1280
    drawn frame) is found on the finer squares only, 120 px from the centre of the man's
    plain detection; a hit within a third of a plain region of it passed for that person,
    so she got no square and her face showed on every frame of cam02's annotated video.
    Someone the plain pass finds has their head there; she does not."""
    from ergorisk.io.video import iter_frames
    from ergorisk.report.faces import FaceDetector, VideoFaces, small_people_regions
    from multiview_demo import DEMO

    clip = shared_data / DEMO / "videos" / "cam02.mp4"
    frames = [f.rgb for f in iter_frames(clip, 0.0, None, 1, 1280)]
    her = (516, 329, 549, 364)  # her head on frames 15-95, as the finer squares find it
    with FaceDetector() as found:
        regions = small_people_regions([frames[0], frames[50], frames[99]], found)
        assert any(
            x0 <= her[0] and her[2] <= x1 and y0 <= her[1] and her[3] <= y1
            for x0, y0, x1, y1 in regions
        ), regions
        boxes = VideoFaces(found, regions=regions)(frames[60], None, 0)
        assert any(
            b[0] < her[2] and her[0] < b[2] and b[1] < her[3] and her[1] < b[3] for b in boxes
        ), boxes
