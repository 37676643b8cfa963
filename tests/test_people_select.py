"""Whom to assess among several people: the main person, everyone, IDs, and --roi."""

from __future__ import annotations

import pytest

from ergorisk.pose.people_select import parse_people_spec, person_at, presence, select_people
from people_fixtures import person

SMALL = (100, 100, 50, 100)
BIG = (500, 100, 200, 400)


def test_the_main_person_is_who_fills_the_video_most():
    worker = person(0, [SMALL] * 100)  # in view throughout, far away
    passer_by = person(1, [None] * 80 + [BIG] * 20)  # crosses close to the camera
    assert presence(worker) > presence(passer_by)
    assert [p.person_id for p in select_people([passer_by, worker])] == [0]


def test_a_larger_person_seen_as_long_is_the_main_one():
    people = [person(0, [SMALL] * 50), person(1, [BIG] * 50)]
    assert [p.person_id for p in select_people(people, "largest")] == [1]


def test_all_gives_everyone_by_id_and_ids_give_those():
    people = [person(2, [SMALL] * 5), person(0, [BIG] * 5), person(1, [SMALL] * 5)]
    assert [p.person_id for p in select_people(people, "all")] == [0, 1, 2]
    assert [p.person_id for p in select_people(people, [2, 0])] == [0, 2]


def test_an_unknown_id_names_the_ids_found():
    with pytest.raises(ValueError, match=r"no person with ID 7 in the video \(IDs found: 0, 1\)"):
        select_people([person(0, [SMALL]), person(1, [BIG])], [1, 7])


def test_the_roi_picks_the_person_inside_it_even_if_smaller():
    people = [person(0, [SMALL] * 10), person(1, [BIG] * 10)]
    roi = (80, 80, 180, 220)  # x0, y0, x1, y1 around the small person
    assert [p.person_id for p in select_people(people, roi=roi)] == [0]


def test_the_roi_weighs_the_share_of_the_box_inside_over_the_frames():
    half_in = person(0, [(0, 0, 100, 100)] * 10)  # half inside the roi for 10 frames
    fully_in = person(1, [None] * 8 + [(200, 0, 40, 100)] * 2)  # fully inside, 2 frames
    roi = (50, 0, 300, 100)
    assert select_people([half_in, fully_in], roi=roi)[0].person_id == 0


def test_an_roi_nobody_enters_is_an_error():
    with pytest.raises(ValueError, match="roi"):
        select_people([person(0, [SMALL] * 3)], roi=(900, 900, 950, 950))


def test_roi_with_all_is_refused():
    with pytest.raises(ValueError, match="roi picks one person"):
        select_people([person(0, [SMALL])], "all", roi=(0, 0, 10, 10))


def test_nobody_found_is_an_error():
    with pytest.raises(ValueError, match="nobody"):
        select_people([], "largest")


@pytest.mark.parametrize(
    ("text", "spec"),
    [(None, "largest"), ("largest", "largest"), ("ALL", "all"), ("3,1,3", [1, 3]), ("0", [0])],
)
def test_people_option_parses(text, spec):
    assert parse_people_spec(text) == spec


@pytest.mark.parametrize("text", ["some", "1,x", "-1", ""])
def test_bad_people_option_says_what_is_expected(text):
    with pytest.raises(ValueError, match="--people"):
        parse_people_spec(text)


def test_the_default_runs_pick_at_the_start_names_the_main_person():
    """Where the single-person pass picks someone at its start (estimate.start_main_box),
    the main person is the tracked one there, not the one who fills the video most (the
    4-view demo's cam02: the woman nearer the camera at the start, the man in view longer)."""
    near = person(0, [BIG] * 20 + [None] * 80)
    long = person(1, [SMALL] * 100)
    assert [p.person_id for p in select_people([near, long])] == [1]
    torso = (560, 250, 640, 400)  # inside BIG: x 500-700, y 100-500
    assert [p.person_id for p in select_people([near, long], start_box=torso)] == [0]
    assert person_at([near, long], torso) is near
    # Nobody's first box covers half of it: nobody is there, the video-long rule decides.
    assert person_at([long], torso) is None
    assert [p.person_id for p in select_people([long, near], start_box=(0, 0, 10, 10))] == [1]
