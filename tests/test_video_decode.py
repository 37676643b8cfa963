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
from video_fixtures import EXAMPLE_CLIP

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


def test_decoding_on_one_thread_gives_the_same_frames() -> None:
    """The drawing pass's parts decode on their own thread (threads=1): the same pixels as
    FFmpeg's frame threads, from the start and after a seek."""
    for start in (0.0, 3.0):
        threaded = list(iter_frames(EXAMPLE_CLIP, start, start + 1.0, fast_rgb=True))
        single = list(iter_frames(EXAMPLE_CLIP, start, start + 1.0, fast_rgb=True, threads=1))
        assert [f.index for f in single] == [f.index for f in threaded]
        assert len(single) == 30
        assert all(np.array_equal(a.rgb, b.rgb) for a, b in zip(single, threaded, strict=True))


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
    # libx264 in mp4 writes the index (moov) last: a cut file has none, as a recording a
    # phone did not finish; said so, not "Invalid data found" as for any other file ...
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaInputError, match=r"without its index \(moov\): a recording that"):
        list(iter_frames(cut))
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 50)
    with pytest.raises(MediaInputError, match="is not a readable video"):
        probe_video(text)
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


def test_a_picture_saved_under_a_video_name_is_an_image(tmp_path):
    """A JPEG named .mp4 was read as a one-frame clip: exit 0 and no score (a new-user
    walkthrough). Its first bytes say it is a picture; a real video stays a video."""
    import cv2

    photo = tmp_path / "photo.mp4"
    assert cv2.imwrite(str(tmp_path / "photo.jpg"), np.zeros((48, 64, 3), np.uint8))
    (tmp_path / "photo.jpg").rename(photo)
    assert media_kind(photo) == "image"
    assert media_kind(write_video(tmp_path / "clip.mp4")) == "video"
    assert media_kind(tmp_path / "missing.mp4") == "video"  # its error comes from reading


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


def write_matroska(path: Path, n: int, audio_s: float = 0.0, live: bool = False) -> Path:
    """``n`` frames at 30 fps in Matroska/WebM (VP9: ``.webm``), with ``audio_s`` seconds of
    silence beside them; ``live``: written as a stream (a browser's MediaRecorder), no
    duration in the header."""
    import av

    options = {"live": "1"} if live else {}
    with av.open(str(path), "w", options=options) as container:
        video = container.add_stream("libvpx-vp9" if path.suffix == ".webm" else "libx264", rate=30)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = container.add_stream("libopus" if path.suffix == ".webm" else "aac", rate=48000)
        for i in range(n):
            rgb = np.full((HEIGHT, WIDTH, 3), 8 * i, np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(video.encode(None))
        samples = int(audio_s * 48000)
        for start in range(0, samples, 960):
            chunk = np.zeros((1, min(960, samples - start)), np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 48000, start
            container.mux(audio.encode(frame))
        container.mux(audio.encode(None))
    return path


@pytest.mark.parametrize("name", ["take.mkv", "take.webm"])
def test_audio_running_past_the_video_is_not_a_truncated_video(tmp_path, name):
    """Matroska keeps no duration per stream; the container's is the longest stream's (the
    audio's 2.5 s here): the video's 1 s was refused as 'the file is truncated'."""
    clip = write_matroska(tmp_path / name, 30, audio_s=2.5)
    info = probe_video(clip)
    assert info.duration_s == pytest.approx(1.0, abs=0.05) and info.n_frames == 30
    assert [f.index for f in iter_frames(clip)] == list(range(30))


def test_a_webm_without_a_duration_in_its_header_has_its_length_read_from_its_packets(tmp_path):
    clip = write_matroska(tmp_path / "recorded.webm", 45, audio_s=1.5, live=True)
    import av

    with av.open(str(clip)) as container:  # what a browser's MediaRecorder leaves out
        assert not container.streams.video[0].metadata.get("DURATION")
    info = probe_video(clip)
    assert info.duration_s == pytest.approx(1.5, abs=0.05) and info.n_frames == 45
    assert len(list(iter_frames(clip))) == 45


def test_a_variable_rate_videos_frames_are_numbered_in_order_and_strided_evenly(tmp_path):
    """A phone's variable-rate video: frames 33 ms apart with some 67 ms gaps (dropped
    frames), so its average rate is under 30 fps. Numbers from time at that rate gave 25
    frames of 230 the number of another."""
    import av

    rng = np.random.default_rng(3)
    steps = np.where(rng.random(60) < 0.3, 6000, 3000)  # 1/90000 s: 33.3 or 66.7 ms
    pts = np.concatenate([[0], np.cumsum(steps)[:-1]]).astype(int)
    path = tmp_path / "phone.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.time_base = stream.time_base = Fraction(1, 90000)
        for i, p in enumerate(pts):
            frame = av.VideoFrame.from_ndarray(np.full((HEIGHT, WIDTH, 3), 4 * i, np.uint8))
            frame.pts, frame.time_base = int(p), Fraction(1, 90000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(60))
    np.testing.assert_allclose([f.time_s for f in frames], pts / 90000, atol=1e-6)
    assert [f.index for f in iter_frames(path, stride=2)] == list(range(0, 60, 2))
    later = list(iter_frames(path, start_s=1.0))
    assert later[0].index == int(np.argmax(pts / 90000 >= 1.0 - 1e-6))
