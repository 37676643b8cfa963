"""Shared, session-scoped runs of the real video pipeline (MediaPipe on the example clip)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from ergorisk import Assessment, assess

EXAMPLE_CLIP = Path(__file__).resolve().parents[1] / "examples" / "sports2d-demo-720p.mp4"


@dataclass(frozen=True)
class Run:
    result: Assessment
    out: Path


@functools.cache
def _demo_run(base: Path) -> Run:
    out = base / "demo" / "out"
    result = assess(EXAMPLE_CLIP)
    result.to_dir(out)
    return Run(result, out)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Run:
    """The whole example clip, every frame, with the annotated video and the report (~12 s),
    run once per session for every module that imports this fixture."""
    return _demo_run(tmp_path_factory.getbasetemp())


def write_grey_video(path: Path, n: int = 12, size: tuple[int, int] = (160, 120)) -> Path:
    """A short H.264 video of flat grey frames: nobody in it."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(30))
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(n):
            rgb = np.full((size[1], size[0], 3), 60 + 5 * i, np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def tiled_faces(detector, rgb: np.ndarray) -> list[tuple[float, float]]:
    """Face centres from the face detector run on 2 x 2 overlapping tiles: the reference that
    finds the example's passer-by where the whole frame does not (her face is 40 px)."""
    h, w = rgb.shape[:2]
    th, tw = int(h * 0.6), int(w * 0.6)
    centres = []
    for y in (0, h - th):
        for x in (0, w - tw):
            for x0, y0, x1, y1 in detector.faces(rgb[y : y + th, x : x + tw]):
                centres.append((x + (x0 + x1) / 2, y + (y0 + y1) / 2))
    return centres


def remux(source: Path, target: Path, n: int | None = None, slower: int = 1) -> Path:
    """The first ``n`` frames of a video (all: None), packets copied (no re-encoding), each
    frame lasting ``slower`` times as long (the same frames at a lower declared rate)."""
    import av

    target.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(source)) as src, av.open(str(target), "w") as dst:
        stream = dst.add_stream_from_template(src.streams.video[0])
        for i, packet in enumerate(src.demux(src.streams.video[0])):
            if packet.dts is None or (n is not None and i >= n):
                continue
            packet.pts, packet.dts = slower * packet.pts, slower * packet.dts
            packet.duration = slower * (packet.duration or 0)
            packet.stream = stream
            dst.mux(packet)
    return target
