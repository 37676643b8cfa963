"""Video decoding: frame selection, rotation metadata, streaming, and refusing bad files."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from ergorisk.io.video import (
    MediaInputError,
    Prefetch,
    iter_frames,
    media_kind,
    probe_video,
    read_image,
)

WIDTH, HEIGHT, N_FRAMES = 64, 48, 30


def write_video(path: Path, n: int = N_FRAMES, rotation: int | None = None) -> Path:
    """Frame i is uniformly grey at level 8 * i, with a white block in the top-left corner."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(30))
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "10"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(n):
            rgb = np.full((HEIGHT, WIDTH, 3), 8 * i, np.uint8)
            rgb[:16, :16] = 255
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return write_video(tmp_path_factory.mktemp("video") / "clip.mp4")


def grey_level(rgb: np.ndarray) -> int:
    return round(float(rgb[-8:, -8:].mean()) / 8)


def test_probe_reports_size_rate_and_length(clip):
    info = probe_video(clip)
    assert (info.width, info.height, info.fps, info.n_frames) == (WIDTH, HEIGHT, 30.0, 30)
    assert info.rotation_deg == 0 and info.codec == "h264"
    assert info.duration_s == pytest.approx(1.0, abs=0.05)


def test_every_frame_in_order_with_its_number_and_time(clip):
    frames = list(iter_frames(clip))
    assert [f.index for f in frames] == list(range(N_FRAMES))
    assert [grey_level(f.rgb) for f in frames] == list(range(N_FRAMES))
    assert frames[10].time_s == pytest.approx(10 / 30)
    assert frames[0].rgb.shape == (HEIGHT, WIDTH, 3) and frames[0].rgb.dtype == np.uint8


def test_start_end_and_stride_select_source_frames(clip):
    frames = list(iter_frames(clip, start_s=0.2, end_s=0.7, stride=3))
    assert [f.index for f in frames] == [6, 9, 12, 15, 18]
    assert [grey_level(f.rgb) for f in frames] == [6, 9, 12, 15, 18]


def test_a_one_frame_window_decodes_exactly_that_frame(clip):
    # How the worst moments' pictures are decoded (report/media.py: moment_pictures): the
    # window [t, t + 1/fps) after a seek. A window centred on t lost or shifted frames.
    for i in range(N_FRAMES):
        frames = list(iter_frames(clip, i / 30, (i + 1) / 30))
        assert [(f.index, grey_level(f.rgb)) for f in frames] == [(i, i)]


def test_max_side_scales_down_keeping_even_sizes(clip):
    frame = next(iter_frames(clip, max_side=32))
    assert frame.rgb.shape == (24, 32, 3)


@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_rotation_metadata_gives_upright_frames_like_opencv(tmp_path, rotation):
    import cv2

    path = write_video(tmp_path / "rotated.mp4", n=3, rotation=rotation)
    info = probe_video(path)
    frame = next(iter_frames(path)).rgb
    expected_shape = (HEIGHT, WIDTH) if rotation == 180 else (WIDTH, HEIGHT)
    assert frame.shape[:2] == expected_shape == (info.height, info.width)
    capture = cv2.VideoCapture(str(path))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # OpenCV applies the display matrix too
    ok, bgr = capture.read()
    assert ok and bgr.shape[:2] == frame.shape[:2]
    white = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).mean(axis=2) > 200
    assert np.array_equal(frame.mean(axis=2) > 200, white)


def test_missing_empty_and_non_video_files_are_refused(tmp_path):
    with pytest.raises(MediaInputError, match="no such file"):
        probe_video(tmp_path / "nothing.mp4")
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(MediaInputError, match="empty"):
        probe_video(empty)
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 20)
    with pytest.raises(MediaInputError, match="not a readable video"):
        probe_video(text)
    with pytest.raises(MediaInputError, match="folder"):
        probe_video(tmp_path)


def test_truncated_video_is_refused_not_silently_shortened(tmp_path):
    data = write_video(tmp_path / "long.mp4", n=150).read_bytes()
    cut = tmp_path / "cut.mp4"
    # libx264 in mp4 writes the index (moov) last: a cut file has none ...
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaInputError):
        list(iter_frames(cut))
    # ... while a faststart file (index first) decodes until its data stops.
    import av

    fast = tmp_path / "fast.mp4"
    with (
        av.open(str(tmp_path / "long.mp4")) as src,
        av.open(str(fast), "w", options={"movflags": "+faststart"}) as dst,
    ):
        out = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = out
                dst.mux(packet)
    data = fast.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaInputError, match="truncated"):
        list(iter_frames(cut))


def test_images_read_upright_rgb_and_bad_images_refused(tmp_path):
    import cv2

    bgr = np.zeros((20, 30, 3), np.uint8)
    bgr[..., 2] = 255  # red in OpenCV's BGR order
    cv2.imwrite(str(tmp_path / "red.png"), bgr)
    rgb = read_image(tmp_path / "red.png")
    assert rgb.shape == (20, 30, 3) and rgb[0, 0].tolist() == [255, 0, 0]
    (tmp_path / "bad.jpg").write_text("no")
    with pytest.raises(MediaInputError, match="not a readable image"):
        read_image(tmp_path / "bad.jpg")


def test_media_kind_from_suffix():
    assert media_kind("a/b.MP4") == "video" and media_kind("x.mov") == "video"
    assert media_kind("p.jpeg") == "image" and media_kind("poses.npy") is None


def test_prefetch_is_bounded_and_passes_errors_on():
    produced = []

    def source():
        for i in range(100):
            produced.append(i)
            yield i

    with Prefetch(source(), depth=3) as items:
        first = next(iter(items))
        threading.Event().wait(0.2)
        assert first == 0 and len(produced) <= 5  # the producer waits for the consumer

    def failing():
        yield 1
        raise MediaInputError("broken at 2")

    with Prefetch(failing()) as items, pytest.raises(MediaInputError, match="broken"):
        list(items)


def test_a_video_whose_frames_stop_short_of_its_header_gets_a_warning():
    """Cut 8 frames short (under the decoder's 0.5 s bound), a file passed without a word."""
    from ergorisk.assessment import _cut_short

    info = {"fps": 30.0, "duration_s": 230 / 30}
    whole = np.arange(230) / 30
    assert _cut_short("video", info, whole, None) == []
    assert _cut_short("video", info, whole[:228], None) == []  # two frames: container slack
    (warning,) = _cut_short("video", info, whole[:222], None)
    assert "stop at 7.40 s where its header says 7.67 s (8 frames missing)" in warning
    assert _cut_short("video", info, whole[:60], 2.0) == []  # --end 2: all there
    assert _cut_short("image", info, whole[:1], None) == []
    # --stride 7 reads frames 0, 7, ..., 224: the last six are skipped, not missing.
    assert _cut_short("video", info, whole[::7], None, stride=7) == []
    assert _cut_short("video", info, whole[:222:7], None, stride=7) != []
