"""Media input: probe and stream the frames of a video (PyAV), or read one image (OpenCV).

    info = probe_video("clip.mp4")                       # size after rotation, fps, frames
    for frame in iter_frames("clip.mp4", start_s=2, end_s=10, stride=2):
        frame.index, frame.time_s, frame.rgb            # (H, W, 3) uint8, upright

Frames are decoded one at a time, so memory does not grow with the video's length. Phone
videos store the camera's orientation as a display matrix; frames come out rotated upright.
``Prefetch`` decodes on a background thread (FFmpeg releases the GIL) so that decoding
overlaps pose inference.
"""

from __future__ import annotations

import functools
import itertools
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from ergorisk.io.poses import PoseInputError

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp", ".ts"}
)
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".jp2", ".pbm", ".ppm"}
)
# Pose files (io/poses.py): arrays and tables need their layout, motion capture its mapping.
POSE_SUFFIXES = frozenset({".npy", ".npz", ".csv", ".bvh", ".c3d"})


class MediaInputError(PoseInputError):
    """A video or image that cannot be read: missing, empty, truncated, not a video."""


def no_frames_error(path: str | Path, info: VideoInfo, start_s: float) -> MediaInputError:
    """The error for a --start/--end window that holds no frame, saying why when it can."""
    if start_s > 0 and start_s >= info.duration_s:
        return MediaInputError(
            f"{path}: --start {start_s:g} s is at or after the end of the video "
            f"({info.duration_s:.1f} s)"
        )
    return MediaInputError(f"{path}: no frame between --start and --end")


def media_kind(path: str | Path) -> str | None:
    """'video', 'image', or None (not a media file), from the file name's suffix; a video's
    name on a picture (a photo saved as .mp4, which read as a one-frame clip with no score)
    is an image, told from the file's first bytes."""
    suffix = Path(path).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "image" if _holds_picture(Path(path)) else "video"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return None


def _holds_picture(path: Path) -> bool:
    """The file starts as a picture OpenCV reads (JPEG, PNG, ...): its signature, not its
    name. A missing file is not (OpenCV would log it; its error comes later)."""
    if not path.is_file():
        return False
    import cv2

    return bool(cv2.haveImageReader(str(path)))


@dataclass(frozen=True)
class VideoInfo:
    """What a video holds. ``width``/``height`` are upright (after rotation)."""

    width: int
    height: int
    fps: float
    n_frames: int  # from the container; may be an estimate
    duration_s: float
    rotation_deg: int  # counter-clockwise rotation applied to decoded frames
    codec: str


@dataclass(frozen=True)
class Frame:
    index: int  # frame number in the source video, from 0
    time_s: float  # presentation time from the start of the video
    rgb: np.ndarray  # (H, W, 3) uint8, upright


def _check_file(path: Path) -> None:
    if not path.exists():
        raise MediaInputError(f"{path}: no such file")
    if path.is_dir():
        raise MediaInputError(f"{path} is a folder, not a video or image")
    if path.stat().st_size == 0:
        raise MediaInputError(f"{path} is empty")


def _unfinished_mp4(path: Path) -> bool:
    """An ISO media file (MP4, MOV: an 'ftyp' box first) with no 'moov' box, the index a
    camera writes when it stops recording; FFmpeg only says "Invalid data"."""
    with open(path, "rb") as f:
        head = f.read(12)
        if head[4:8] != b"ftyp":
            return False
        f.seek(0)
        offset, size = 0, path.stat().st_size
        while offset + 8 <= size:  # the top-level boxes: size (4 bytes, big-endian), type
            f.seek(offset)
            box = f.read(16)
            length, kind = int.from_bytes(box[:4], "big"), box[4:8]
            if kind == b"moov":
                return False
            if length == 1 and len(box) == 16:  # a 64-bit size follows
                length = int.from_bytes(box[8:16], "big")
            if length < 8:  # 0: the box runs to the end of the file
                return True
            offset += length
        return True


def _open(path: Path):
    import av

    _check_file(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as err:
        if _unfinished_mp4(path):
            raise MediaInputError(
                f"{path} is an MP4/MOV recording without its index (moov): a recording that "
                "was not finished (the phone or camera stopped abruptly) or a copy cut short"
            ) from None
        raise MediaInputError(f"{path} is not a readable video ({_reason(err)})") from None
    if not container.streams.video:
        container.close()
        raise MediaInputError(f"{path} has no video stream")
    return container


def _reason(err: Exception) -> str:
    text = getattr(err, "strerror", None) or str(err)
    return text.splitlines()[0] if text else type(err).__name__


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's header and first frame; raise MediaInputError if it is not a video."""
    import av

    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if not (fps > 0 and np.isfinite(fps)):
            raise MediaInputError(f"{path}: the video has no frame rate")
        try:
            first = next(container.decode(stream))
        except (StopIteration, av.error.FFmpegError):
            raise MediaInputError(f"{path}: no frame could be decoded (truncated?)") from None
        rotation = round((first.rotation or 0) / 90.0) % 4 * 90
        width, height = first.width, first.height
        if rotation in (90, 270):
            width, height = height, width
        duration = header_duration_s(container, stream)
        if duration > 0:
            _check_the_end_decodes(path, container, stream, duration)
        else:
            duration = _scanned_duration_s(path, stream.index)
        n_frames = stream.frames or round(duration * fps)
        return VideoInfo(
            width, height, fps, int(n_frames), float(duration), rotation, stream.codec_context.name
        )
    finally:
        container.close()


def _check_the_end_decodes(path: Path, container, stream, duration: float) -> None:
    """Fail fast on a truncated file: seek near the end its header announces and decode a
    frame there (cheap), rather than finding out after minutes of pose estimation."""
    import av

    if duration <= 1.0:
        return
    t0 = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    try:
        container.seek(int((t0 + duration - 1.0) / stream.time_base), stream=stream, backward=True)
        frame = next(container.decode(stream), None)
    except av.error.FFmpegError:
        frame = None
    if frame is None:
        raise MediaInputError(
            f"{path}: the last second announced by its header cannot be "
            "decoded; the file is truncated or corrupt"
        )


def header_duration_s(container, stream) -> float:
    """The video stream's duration from the header (0 when unknown). Matroska and WebM keep
    no duration per stream but a DURATION tag; their container's duration is the longest
    stream's (an audio track running on past the video read as a truncated video), so it is
    taken only when the video is the file's one stream."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    tag = _tag_seconds(stream.metadata.get("DURATION") or stream.metadata.get("duration"))
    if tag:
        return tag
    if container.duration and len(container.streams) == 1:
        return container.duration / 1e6
    return 0.0


def _tag_seconds(text: str | None) -> float:
    """A Matroska DURATION tag ("00:00:03.000000000") in seconds; 0 when absent or not one."""
    try:
        h, m, sec = (text or "").split(":")
        return 3600 * int(h) + 60 * int(m) + float(sec)
    except ValueError:
        return 0.0


def _scanned_duration_s(path: Path, index: int) -> float:
    """The video stream's end from its packets' timestamps, read without decoding (a
    second or two for ten minutes of video): for files whose header does not say, such as
    a browser's MediaRecorder WebM or a Matroska file without a DURATION tag."""
    stat = path.stat()
    times = _packet_times(str(path), stat.st_size, stat.st_mtime_ns, index)
    return max(0.0, float(times[:, 1].max() - times[:, 0].min())) if len(times) else 0.0


@functools.lru_cache(maxsize=8)
def _packet_times(path: str, size: int, mtime_ns: int, index: int) -> np.ndarray:
    """(n, 2) each video packet's start and end, seconds from the stream's start time, in
    presentation order; read once (packets, not decoded: the size and time key the cache)
    for a file's length and its frames' numbers."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[index]
        base = float(stream.time_base)
        t0 = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        times = sorted(
            (p.pts * base - t0, (p.pts + (p.duration or 0)) * base - t0)
            for p in container.demux(stream)
            if p.pts is not None and p.stream.type == "video"
        )
    return np.array(times, dtype=float).reshape(-1, 2)


def iter_frames(
    path: str | Path,
    start_s: float = 0.0,
    end_s: float | None = None,
    stride: int = 1,
    max_side: int | None = None,
    fast_rgb: bool = False,
    threads: int = 0,
) -> Iterator[Frame]:
    """Decode frames in [start_s, end_s), every ``stride``-th one, upright, as RGB.

    ``max_side`` scales frames down (never up) so their longer side is at most that many
    pixels. ``fast_rgb`` converts to RGB with OpenCV (``_rgb``): for frames that are only
    drawn on; pose estimation keeps FFmpeg's conversion, which its results were measured on.
    ``threads``: FFmpeg's decoding threads, 0 its own choice (frames in parallel); 1 where
    decoders already run side by side (about 35 MB less a 1080p decoder, no slower with two).
    A file that ends early with a decoding error raises MediaInputError; a clean early end
    (fewer frames than the header said) does not.
    """
    import av

    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame-parallel decoding threads inside FFmpeg
        stream.codec_context.thread_count = threads  # as H264Writer's: 0 lets FFmpeg choose
        rate = stream.average_rate or stream.guessed_rate or 30
        fps = float(rate)
        t0 = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        if start_s > 0:
            # Seek to the keyframe before start_s; frames before it are skipped below.
            container.seek(
                int((start_s + t0) / stream.time_base),
                stream=stream,
                backward=True,
                any_frame=False,
            )
        numbers = _frame_numbers(path, stream, fps)
        index_offset = None
        kept = 0
        last_time = -np.inf
        try:
            for frame in container.decode(stream):
                time_s = (
                    float(frame.pts * stream.time_base) - t0 if frame.pts is not None else -np.inf
                )
                if time_s <= last_time:  # missing or broken timestamps: count frames
                    time_s = last_time + 1.0 / fps
                last_time = time_s
                # Frame numbers from presentation time: exact for constant-rate video; a
                # variable-rate one's (a phone's) are counted (``_frame_numbers``).
                index = round(time_s * fps)
                if numbers is not None:
                    index = numbers.get(round(time_s, 6), index)
                if time_s < start_s - 0.5 / fps:
                    continue
                if end_s is not None and time_s >= end_s - 0.5 / fps:
                    break
                if index_offset is None:
                    index_offset = index
                if (index - index_offset) % stride:
                    continue
                yield Frame(index, time_s, _upright_rgb(frame, max_side, fast_rgb))
                kept += 1
            # Only a duration the header gives can show a truncated file.
            expected_end = header_duration_s(container, stream) - t0
            if end_s is not None:
                expected_end = min(expected_end, end_s)
            if expected_end > 0 and expected_end - last_time > max(0.5, 0.02 * expected_end):
                raise MediaInputError(
                    f"{path}: the data ends at {max(last_time, 0):.1f} s but the header says "
                    f"{expected_end:.1f} s; the file is truncated"
                )
        except av.error.FFmpegError as err:
            raise MediaInputError(
                f"{path}: decoding failed after {kept} frames ({_reason(err)}); "
                "the file may be truncated or corrupt"
            ) from None
    finally:
        container.close()


def _frame_numbers(path: Path, stream, fps: float) -> dict[float, int] | None:
    """For a variable-rate video (a phone's), where numbers from presentation time at the
    average rate would give two frames the same number (and --stride would keep frames
    unevenly apart), each frame's number in the order shown, by its presentation time;
    None otherwise (numbers from time are exact). Decided once a file (cached)."""
    stat = path.stat()
    return _counted_numbers(str(path), stat.st_size, stat.st_mtime_ns, stream.index, fps)


@functools.lru_cache(maxsize=8)
def _counted_numbers(
    path: str, size: int, mtime_ns: int, index: int, fps: float
) -> dict[float, int] | None:
    """The frames' numbers in presentation order, starting where numbers from time would
    start; None where numbers from time are already unique. A file with a whole index (MP4,
    MOV, AVI) whose steps are all equal has a constant rate: no packet is read."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[index]
        entries = stream.index_entries
        if stream.frames and len(entries) >= stream.frames:
            steps = {b.timestamp - a.timestamp for a, b in itertools.pairwise(entries)}
            if len(steps) <= 1:
                return None
    starts = _packet_times(path, size, mtime_ns, index)[:, 0]
    by_time = [round(t * fps) for t in starts]
    if len(set(by_time)) == len(by_time):
        return None
    first = by_time[0] if by_time else 0
    return {round(t, 6): first + i for i, t in enumerate(starts)}


def _rgb(frame, fast: bool) -> np.ndarray:
    """A decoded frame as RGB. ``fast``: the usual yuv420p (video range) through OpenCV's I420
    conversion, a third of the CPU of FFmpeg's rgb24 one (which costs 2 ms a 720p frame, as
    much as the decoding); both use BT.601 and differ by about one level, enough to move
    MediaPipe's landmarks a little. Other formats and full range keep FFmpeg's conversion."""
    full_range = frame.color_range == 2  # AVCOL_RANGE_JPEG: OpenCV assumes video range
    even = not (frame.width | frame.height) & 1
    if fast and frame.format.name == "yuv420p" and not full_range and even:
        import cv2

        return cv2.cvtColor(frame.to_ndarray(format="yuv420p"), cv2.COLOR_YUV2RGB_I420)
    return frame.to_ndarray(format="rgb24")


def _upright_rgb(frame, max_side: int | None, fast_rgb: bool = False) -> np.ndarray:
    rgb = _rgb(frame, fast_rgb)
    height, width = rgb.shape[:2]
    if max_side and max(width, height) > max_side:
        import cv2

        scale = max_side / max(width, height)
        # Even sizes keep chroma subsampling simple for a later H.264 encoding. OpenCV's
        # bilinear resize is about twice as fast as FFmpeg's here; area only past 2x.
        size = (2 * round(width * scale / 2), 2 * round(height * scale / 2))
        rgb = cv2.resize(
            rgb, size, interpolation=cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
        )
    k = round((frame.rotation or 0) / 90.0) % 4
    return np.ascontiguousarray(np.rot90(rgb, k)) if k else rgb


def read_image(path: str | Path, max_side: int | None = None) -> np.ndarray:
    """One image as upright RGB (EXIF orientation applied), (H, W, 3) uint8."""
    import cv2

    path = Path(path)
    _check_file(path)
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)  # applies EXIF orientation
    if bgr is None:
        raise MediaInputError(f"{path} is not a readable image")
    if max_side and max(bgr.shape[:2]) > max_side:
        scale = max_side / max(bgr.shape[:2])
        bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


T = TypeVar("T")
_DONE = object()


class Prefetch(Generic[T]):
    """Iterate ``source`` on a background thread, at most ``depth`` items ahead.

    The bounded queue keeps memory constant; an exception in the producer is re-raised in
    the consumer. Use as a context manager so an early exit stops the producer.
    """

    def __init__(self, source: Iterable[T], depth: int = 4) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(source,), daemon=True)
        self._thread.start()

    def _run(self, source: Iterable[T]) -> None:
        try:
            for item in source:
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as err:  # handed to the consumer, which re-raises it
            self._put(err)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
