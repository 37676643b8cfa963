"""The batch's ETA weighs items by their frames and knows what is under way (batch/eta.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ergorisk.batch import eta, runner
from ergorisk.batch.inputs import BatchItem
from ergorisk.batch.item import DONE, FAILED, ItemResult

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sports2d-demo-720p.mp4"


def test_a_unit_of_work_costs_what_the_items_done_took():
    assert eta.scale([(530.0, 26.5), (1150.0, 57.5)]) == pytest.approx(0.05)
    assert eta.scale([]) is None


def test_an_item_under_way_counts_only_for_what_it_has_left():
    """Weighting by footage without start times counted a long video already half done
    twice: 19-23 s with 5.5 s left."""
    done = [(230.0, 23.0)]  # 0.1 s a unit of work
    # a 920-frame video started 60 s ago (92 s predicted): 32 s left, nothing waiting
    assert eta.eta_s(100.0, [(40.0, 920.0)], [], done, workers=2) == pytest.approx(32.0)
    # past its prediction: taken to end now
    assert eta.eta_s(200.0, [(40.0, 920.0)], [], done, workers=2) == 0.0
    # two waiting 230-frame items go to the free worker, one after the other (46 s), while
    # the long video ends in 32 s
    left = eta.eta_s(100.0, [(40.0, 920.0)], [230.0, 230.0], done, workers=2)
    assert left == pytest.approx(46.0)
    # on one worker they wait for the long video: 32 + 23 + 23
    assert eta.eta_s(100.0, [(40.0, 920.0)], [230.0, 230.0], done, 1) == pytest.approx(78.0)
    assert eta.eta_s(100.0, [], [230.0], [], 1) is None  # nothing finished yet


def test_an_item_s_work_is_its_frames_from_the_headers_and_its_kind_s_fixed_part(tmp_path):
    video, image, other = (eta.FIXED_FRAMES[k] for k in ("video", "image", "other"))
    assert eta.item_work(BatchItem(0, EXAMPLE, "a")) == pytest.approx(video + 230, abs=1)
    cut = BatchItem(1, EXAMPLE, "b", options={"start": 1.0, "end": 3.0, "stride": 2})
    assert eta.item_work(cut) == pytest.approx(video + 30, abs=1)  # 2 s at 30 fps, 1 in 2
    take = BatchItem(2, EXAMPLE, "c", views=(EXAMPLE, EXAMPLE))
    assert eta.item_work(take) == pytest.approx(video + 460, abs=2)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"not read")
    assert eta.item_work(BatchItem(3, photo, "d")) == image
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"garbage")
    assert eta.item_work(BatchItem(4, broken, "e")) == video  # it will fail
    # cut short, its index whole (the index comes first): only the data that is there
    cut_short = tmp_path / "cut.mp4"
    cut_short.write_bytes(EXAMPLE.read_bytes()[: EXAMPLE.stat().st_size // 10])
    assert eta.item_work(BatchItem(6, cut_short, "g")) == pytest.approx(video + 23, abs=2)
    assert eta.item_work(BatchItem(5, tmp_path / "poses.npy", "f")) == other


def test_the_bar_s_eta_uses_the_work_once_the_engine_says_what_started(monkeypatch):
    """The walkthrough's batch (a long video, a short one, a photo, a corrupt file) on two
    workers: counting items, the bar read about 8 s with 28 s left."""
    now = [0.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])
    items = [BatchItem(i, Path(f"{n}"), n) for i, n in enumerate(["long", "short", "p", "x"])]
    bar = runner._progress(total=4, already=0, show=False)
    bar.order = [i.index for i in items]
    bar.work = {0: 1150.0, 1: 460.0, 2: 45.0, 3: 1150.0}
    with bar as advance:
        bar.start(items[0])
        bar.start(items[1])
        now[0] = 23.0  # the short video: 23 s, 0.05 s a unit of work
        advance(ItemResult(index=1, path="short", name="short", status=DONE, seconds=23.0))
        # the long video has 57.5 - 23 s left; the photo (2.25 s) and the corrupt file
        # (57.5 s, its header says it is long) go to the other worker
        assert bar.eta(1) == "0:01:00"  # 23 + 2.25 + 57.5 - 23
        bar.start(items[2])
        now[0] = 25.0
        advance(ItemResult(index=2, path="p", name="p", status=DONE, seconds=2.0))
        bar.start(items[3])
        now[0] = 25.5
        advance(ItemResult(index=3, path="x", name="x", status=FAILED, seconds=0.01))
        # a failure says nothing of what work costs: 25 s for 505 units, the long video
        # 56.9 s from its start
        assert bar.eta(3) == "0:00:31"
        assert bar.workers == 2
    # the seconds an item took are the worker's own (the driver's add the process's start)
    assert bar.took[1] == 23.0


def test_without_starts_the_bar_keeps_the_pace_in_items(monkeypatch):
    """An engine that says nothing of starts (or headers not read yet): items' pace."""
    now = [0.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])
    bar = runner._progress(total=3, already=0, show=False)
    bar.order, bar.work = [0, 1, 2], {0: 1150.0, 1: 460.0, 2: 45.0}
    now[0] = 10.0
    bar.last = now[0]
    assert bar.eta(1) == "0:00:20"  # 10 s an item, 2 to go


def test_a_failure_first_gives_no_eta(monkeypatch):
    """A walkthrough: a corrupt file failed first in 1 s and the journal read "ETA 0:00:09"
    with 27 s of work left; a failure says nothing of the time an item takes."""
    now = [0.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])
    bar = runner._progress(total=4, already=0, show=False)
    with bar as advance:
        now[0] = 1.0
        advance(ItemResult(index=0, path="bad", name="bad", status=FAILED, seconds=1.0))
        assert bar.eta(1) == "-:--:--"
        now[0] = 11.0
        advance(ItemResult(index=1, path="a", name="a", status=DONE, seconds=10.0))
        assert bar.eta(2) == "0:00:22"  # 11 s for 2 items (the pace in items), 2 to go
