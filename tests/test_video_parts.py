"""The annotated video drawn in parts side by side and joined without re-encoding."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.report.video_writer import H264Writer, join_parts
from video_fixtures import demo_run  # noqa: F401  (session fixture)


def _write(path, levels: list[int]) -> None:
    with H264Writer(path, fps=25) as writer:
        for level in levels:
            writer.write(np.full((64, 96, 3), level, np.uint8))


def test_joined_parts_play_every_frame_in_order_at_the_rate(tmp_path):
    import av

    parts = [tmp_path / ".part0-a.mp4", tmp_path / ".part1-a.mp4"]
    _write(parts[0], [10 * k for k in range(12)])
    _write(parts[1], [120 + 10 * k for k in range(9)])
    join_parts(parts, tmp_path / "a.mp4")
    with av.open(str(tmp_path / "a.mp4")) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        assert float(stream.average_rate) == 25
    levels = [int(np.median(f.to_ndarray(format="gray"))) for f in frames]
    assert len(levels) == 21
    # Every frame in order (grey levels within codec noise), times evenly spaced.
    assert np.all(np.abs(np.diff(levels) - 10) <= 3), levels
    pts = np.array([f.pts for f in frames])
    assert np.all(np.diff(pts) == pts[1] - pts[0])


def _decoded(path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


@pytest.mark.slow
def test_a_video_drawn_in_two_parts_is_the_video_drawn_in_one(demo_run, tmp_path, monkeypatch):  # noqa: F811
    import ergorisk.report.media as media

    monkeypatch.setattr(media, "MIN_PART_FRAMES", 100)  # the 230-frame example: two parts
    monkeypatch.setattr("ergorisk.pose.estimate.DEFAULT_THREADS", 2)
    demo_run.result.to_dir(tmp_path / "parts", report=False)
    one = _decoded(demo_run.out / "annotated.mp4")
    two = _decoded(tmp_path / "parts" / "annotated.mp4")
    assert len(two) == len(one) == len(demo_run.result.frames)
    assert not list((tmp_path / "parts").glob(".part*"))  # the parts are gone
    # The same drawing frame by frame, up to the encoder's noise (each part starts a GOP).
    gaps = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(one, two, strict=True)]
    assert max(gaps) < 3.0, max(gaps)
