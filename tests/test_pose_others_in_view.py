"""Someone who comes into view after the start of a one-person run is said (pose/
others_in_view.py): the rule on arrays, and its wording for the CLI, the web app and batch.
The real clip's passer-by: tests/test_video_assess.py."""

from __future__ import annotations

import numpy as np

from ergorisk.pose.estimate import PEOPLE_HINT, entered_warning, media_warnings, people_warning
from ergorisk.pose.mediapipe_pose import PoseTrack
from ergorisk.pose.others_in_view import entering_spans, looks_at, others_at
from ergorisk.pose.tilt import Tilt


def body(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """(33, 3) image landmarks spread over the box (fractions of the frame)."""
    xs, ys = np.linspace(x0, x1, 33), np.linspace(y0, y1, 33)[::-1]
    return np.column_stack([xs, ys, np.ones(33)]).astype(np.float32)


NOBODY = np.full((33, 3), np.nan, np.float32)


def test_a_detection_on_the_followed_person_is_theirs_one_elsewhere_someone_else():
    followed = np.stack([body(0.3, 0.1, 0.45, 0.6)] * 3 + [NOBODY])
    found = [
        np.array([[0.37, 0.4, 0.93]]),  # the followed person's own hips
        np.array([[0.37, 0.4, 0.93], [0.87, 0.75, 0.96]]),  # and a passer-by at the right
        # just outside the box, within its margin (a tenth of its size): theirs
        np.array([[0.46, 0.62, 0.9], [0.05, 0.5, 0.8]]),
        np.array([[0.87, 0.75, 0.96]]),  # the followed person lost: nothing to tell
    ]
    assert others_at(found, followed).tolist()[:3] == [0.0, 1.0, 1.0]
    assert np.isnan(others_at(found, followed)[3])


def test_someone_in_view_on_two_looks_or_more_after_the_start_is_a_stretch():
    t = np.arange(8.0)
    # The example's passer-by (walks in at 1.3 s, out at 6.5 s), as the looks see her.
    assert entering_spans(t, np.array([0, 0, 1, 1, 1, 1, 1, 0.0]), 0) == [(2.0, 6.0)]
    # One look that misses her (or loses the followed person) does not cut the stretch...
    assert entering_spans(t, np.array([0, 0, 1, 1, np.nan, 1, 0, 0]), 0) == [(2.0, 5.0)]
    assert entering_spans(t, np.array([0, 0, 1, 0, 1, 1, 0, 0.0]), 0) == [(2.0, 5.0)]
    # ... two do: two stretches.
    assert entering_spans(t, np.array([0, 1, 1, 0, 0, 1, 1, 0.0]), 0) == [(1.0, 2.0), (5.0, 6.0)]
    # One look alone (under a second in view, or a detector's glitch): nothing.
    assert entering_spans(t, np.array([0, 0, 0, 1, 0, 0, 0, 0.0]), 0) == []
    assert entering_spans(t[:1], np.array([1.0]), 0) == []
    assert entering_spans(t[:0], np.array([]), 0) == []


def test_people_in_view_at_the_start_are_not_said_again():
    t = np.arange(6.0)
    # Counted at the start by the main person's pick (people_at_start 2: one other).
    assert entering_spans(t, np.array([1, 1, 1, 1, 1, 1.0]), 1) == []
    # Or seen by the first look though the pick counted nobody else (a lower score there).
    assert entering_spans(t, np.array([1, 1, 0, 1, 1, 1.0]), 0) == []
    # A third person besides those two is said.
    assert entering_spans(t, np.array([1, 1, 2, 2, 2, 1.0]), 1) == [(2.0, 4.0)]
    # The first look says nothing (the followed person not found there): the pick's count.
    assert entering_spans(t, np.array([np.nan, 1, 1, 1, 1, 1]), 0) == [(1.0, 5.0)]


def test_looks_follow_the_frame_numbers_so_segments_look_where_one_pass_does():
    every, stride = 30, 1
    picked = [i for i in range(95) if looks_at(i, i, every, stride)]
    assert picked == [0, 30, 60, 90]
    # A segment from frame 40 (its first kept frame 40 is its ordinal 40, not 0).
    assert [i for i in range(40, 95) if looks_at(i, i, every, stride)] == [60, 90]
    # A cut from frame 45: its first frame, then on the whole video's grid.
    assert [i for i in range(45, 95) if looks_at(i, i - 45, every, stride)] == [45, 60, 90]
    # Every other frame (stride 2) kept from frame 1: one look in each 30 frames still.
    assert [i for i in range(1, 95, 2) if looks_at(i, (i - 1) // 2, every, 2)] == [1, 31, 61, 91]


def test_the_warning_names_the_stretches_and_what_to_do():
    said = entered_warning([(2.0, 6.0)])
    assert said == (
        "another person is in view from 2.0 s to 6.0 s (looked for every 1 s): the scores are "
        "one person's, the one followed from the start (see annotated.mp4); --people all "
        "assesses everyone, --roi or --people ID someone else"
    )
    assert said.endswith(PEOPLE_HINT) and people_warning(2, True, False).endswith(PEOPLE_HINT)
    many = entered_warning([(1.0, 2.0), (5.0, 7.0), (9.0, 10.0), (12.0, 14.0), (20.0, 21.0)])
    assert many.startswith(
        "another person is in view from 1.0 s to 2.0 s, from 5.0 s to 7.0 s, from 9.0 s to "
        "10.0 s and 2 more times (looked"
    )
    assert entered_warning([]) is None


def test_the_people_warning_says_where_the_one_followed_is():
    from ergorisk.pose.estimate import where_in_picture

    image = np.full((33, 3), np.nan)
    for x, words in ((0.1, "on the left of"), (0.5, "in the middle of"), (0.9, "on the right of")):
        image[:, 0] = x + np.linspace(-0.05, 0.05, 33)
        assert where_in_picture(image) == f"{words} the picture"
    assert where_in_picture(np.full((33, 3), np.nan)) == ""
    said = people_warning(2, True, False, "annotated.mp4", "on the left of the picture")
    assert said == (
        "2 people in view at the start: the largest, on the left of the picture, is followed "
        f"(see annotated.mp4); {PEOPLE_HINT}"
    )
    assert people_warning(3, True, True, None, "in the middle of the picture") == (
        "3 people in the picture: the largest, in the middle of the picture, is assessed; "
        "--roi picks someone else"
    )


def _track(others: list[float], people_at_start: int = 1) -> PoseTrack:
    n = 8
    world = np.zeros((n, 33, 4), np.float32)
    image = np.repeat(body(0.3, 0.1, 0.45, 0.6)[None], n, axis=0)
    t = np.arange(n) / 1.0
    seen = np.column_stack([t[: len(others)], others])
    return PoseTrack(
        world, image, np.arange(n), t, people_at_start=people_at_start, others_seen=seen
    )


def test_media_warnings_say_it_once_after_the_people_at_the_start():
    tilt = Tilt(0.0, 0.0, "given", confidence=None)
    said = media_warnings(_track([0, 0, 1, 1, 1, 1, 1, 0]), tilt, kind="video")
    assert [w for w in said if w.startswith("another person")] == [entered_warning([(2.0, 6.0)])]
    two = media_warnings(_track([1, 1, 1, 1, 2, 2, 1, 1], 2), tilt, kind="video")
    assert two[0].startswith("2 people in view at the start")
    assert two[1].startswith("another person is in view from 4.0 s to 5.0 s")
    assert not any("another" in w for w in media_warnings(_track([1] * 8, 2), tilt, kind="video"))
    none = PoseTrack(np.zeros((8, 33, 4)), np.zeros((8, 33, 3)), np.arange(8), np.arange(8.0))
    assert none.others_seen is None and media_warnings(none, tilt, kind="video") == []


def test_the_web_app_and_batch_word_it_as_they_can_act_on_it():
    from ergorisk.batch.inputs import manifest_words, people_in_batch
    from ergorisk.errors import keyword_names
    from ergorisk.web.forms import VIDEO_PEOPLE_HINT
    from ergorisk.web.pipeline import people_here

    said = entered_warning([(2.0, 6.0)])
    assert people_here(keyword_names(said), "video") == (
        "another person is in view from 2.0 s to 6.0 s (looked for every 1 s): the scores are "
        f"one person's, the one followed from the start (see annotated.mp4); {VIDEO_PEOPLE_HINT}"
    )
    # A batch row is one person (people = all is refused): the command line does it.
    for warning in (said, people_warning(2, True, False)):
        worded = people_in_batch(manifest_words(warning, {}))
        assert worded.endswith(
            "; ergorisk assess VIDEO --people all assesses everyone (a row is one person); "
            "a roi or people column picks someone else"
        ), worded
    assert people_in_batch("the trunk reads twisted") == "the trunk reads twisted"
