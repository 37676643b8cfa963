"""The overview frame (every skeleton, box and ID) and one thumbnail per person."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.report.people_overview import (
    best_frame,
    draw_overview,
    draw_thumbnail,
    person_colour,
)
from people_fixtures import person

GREY = np.full((1000, 1000, 3), 90, np.uint8)  # the fixtures' landmarks are in 1/1000s


def has_colour(rgb: np.ndarray, colour) -> bool:
    return bool(np.all(rgb == colour, axis=-1).any())


def test_the_overview_draws_everyone_seen_in_their_colour_and_nobody_else():
    a = person(0, [(100, 100, 200, 400)] * 3)
    b = person(1, [(600, 300, 150, 300), None, None])
    first = draw_overview(GREY, [a, b], 0)
    assert first.shape == GREY.shape and first.dtype == np.uint8
    assert (GREY == 90).all()  # the input frame is left as it was
    assert has_colour(first, person_colour(0)) and has_colour(first, person_colour(1))
    third = draw_overview(GREY, [a, b], 2)
    assert has_colour(third, person_colour(0)) and not has_colour(third, person_colour(1))


def test_the_box_is_drawn_where_the_person_is():
    a = person(0, [(600, 300, 150, 300)])
    drawn = np.all(draw_overview(GREY, [a], 0) == person_colour(0), axis=-1)
    ys, xs = np.nonzero(drawn)
    assert 590 <= xs.min() <= 605 and 745 <= xs.max() <= 760
    assert ys.max() <= 605  # the label may sit above the box, nothing goes below it


def test_on_a_frame_scaled_down_the_box_is_scaled_with_it():
    """The boxes are in source pixels: on a 1768-px video's frames drawn at 1280 px (or a
    portrait view's at 726x1280) they fell off the people."""
    a = person(0, [(600, 300, 150, 300)])  # in a 1000-px source
    half = np.full((500, 500, 3), 90, np.uint8)
    drawn = np.all(draw_overview(half, [a], 0, px_scale=0.5) == person_colour(0), axis=-1)
    ys, xs = np.nonzero(drawn)
    assert 295 <= xs.min() <= 303 and 372 <= xs.max() <= 380 and ys.max() <= 303
    thumb = draw_thumbnail(half, a, 0, height_px=200, px_scale=0.5)
    assert thumb.shape[0] == 200 and 0.4 < thumb.shape[1] / thumb.shape[0] < 1.0


def test_a_thumbnail_is_the_persons_crop_with_their_box_and_id():
    a = person(3, [(600, 300, 150, 300)])
    thumb = draw_thumbnail(GREY, a, 0, height_px=200)
    assert thumb.shape[0] == 200 and 0.4 < thumb.shape[1] / thumb.shape[0] < 1.0
    assert has_colour(thumb, person_colour(3))


def test_no_thumbnail_of_someone_not_in_the_frame():
    with pytest.raises(ValueError, match="not seen"):
        draw_thumbnail(GREY, person(0, [None, (1, 1, 5, 5)]), 0)


def test_a_person_is_shown_by_the_frame_they_are_largest_in():
    a = person(0, [None, (0, 0, 50, 100), (0, 0, 200, 400), (0, 0, 100, 200)])
    assert best_frame(a) == 2
