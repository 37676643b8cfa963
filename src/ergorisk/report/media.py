"""Pictures of an assessment: the annotated video (or image) and the worst moments' frames.

A second streaming pass over the source: the scores need the whole sequence (smoothing,
activity flags, camera tilt), so frames are decoded again (a thread), blurred and drawn in
place on this thread and encoded on another (libx264's own threads). The worst moments'
frames are decoded on their own before that pass, so the reports are written during it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import BBOX_COLUMNS
from ergorisk.io.video import Prefetch, iter_frames, read_image
from ergorisk.pose.mediapipe_pose import PoseTrack

Progress = Callable[[str, int, int | None], None]
# A worst moment's picture: the person with room around them (a wide shot leaves them a few
# dozen pixels tall in the PDF), 4:3, at least this share of the frame's height.
PICTURE_ASPECT, PICTURE_CONTEXT, PICTURE_MIN_SHARE = 4 / 3, 1.8, 0.45
PICTURE_TALL_MARGIN = 1.15
# A video of at least twice this many frames is drawn in parts side by side.
MIN_PART_FRAMES = 300


def person_crop(rgb: np.ndarray, row: Mapping[str, Any], source_width: float | None) -> np.ndarray:
    """The part of a drawn frame around the person (the row's bbox_*_px, in pixels of a frame
    ``source_width`` wide); the whole frame when the box or the width is unknown."""
    h, w = rgb.shape[:2]
    box = [row.get(c) for c in BBOX_COLUMNS]
    if not source_width or any(v is None or not np.isfinite(float(v)) for v in box):
        return rgb
    x, y, bw, bh = (float(v) * w / source_width for v in box)
    ch = min(
        h, max(bh * PICTURE_CONTEXT, bw * PICTURE_CONTEXT / PICTURE_ASPECT, h * PICTURE_MIN_SHARE)
    )
    cw = min(w, ch * PICTURE_ASPECT)
    # 4:3, unless the frame is too narrow for a 4:3 crop around the whole person (a portrait
    # video): then as tall as the person and a margin (it cut off the head and raised hands).
    ch = min(ch, max(cw / PICTURE_ASPECT, bh * PICTURE_TALL_MARGIN))
    x0 = int(np.clip(x + bw / 2 - cw / 2, 0, w - cw))
    y0 = int(np.clip(y + bh / 2 - ch / 2, 0, h - ch))
    return rgb[y0 : y0 + int(ch), x0 : x0 + int(cw)]


def moment_picture(
    drawn: np.ndarray,
    row: Mapping[str, Any],
    time_s: float | None,
    source_width: float | None,
    opaque: bool = False,
) -> np.ndarray:
    """A worst moment's picture from a drawn frame without banner: the person, cropped. The
    report writes the row's scores as text above it (``Moment.strip``): drawn into the
    picture, they printed at 4 pt on a portrait video's narrow crop. ``opaque``: a frame
    that has a banner already (at ``time_s``), hidden under a blank band of its colour."""
    from ergorisk.report.annotate import add_banner

    crop = person_crop(drawn, row, source_width)
    return add_banner(crop.copy(), row, time_s, opaque, write=False) if opaque else crop


def jpeg_data_uri(rgb: np.ndarray, max_side: int = 480) -> str:
    """A picture as an inline JPEG (data URI) for the self-contained HTML report and PDF."""
    import base64

    import cv2

    scale = min(1.0, max_side / max(rgb.shape[:2]))
    if scale < 1:
        rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]
    )
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


class DrawingRows:
    """Per-frame dicts of just the columns the drawing uses, made on demand: a list of whole
    rows would cost about 20 KB a frame (several hundred MB for a 10-minute video)."""

    def __init__(self, frames: pd.DataFrame) -> None:
        from ergorisk.report.annotate import DRAWN_COLUMNS

        self._columns = {
            c: frames[c].to_numpy(dtype=object)
            for c in (*DRAWN_COLUMNS, *BBOX_COLUMNS)
            if c in frames.columns
        }
        self.n = len(frames)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return {c: values[i] for c, values in self._columns.items()}


def write_image_outputs(
    path: Path,
    frames: pd.DataFrame,
    track: PoseTrack,
    stage: Path,
    moments: list[int],
    *,
    annotate: bool,
    max_side: int,
    blur_faces: bool = True,
    banner: bool = True,
    source_width: float | None = None,
) -> dict[int, str]:
    """annotated.png (when annotate, with its banner as ``banner`` says) and the frame's
    picture if it is a worst moment."""
    import cv2

    from ergorisk.report.annotate import annotate_frame, banner_above

    rgb = read_image(path, max_side)
    if blur_faces:
        from ergorisk.report.faces import private_frame

        rgb = private_frame(rgb, track.image[0], fine=True)
    row = DrawingRows(frames)[0]
    drawn = annotate_frame(rgb, track.image[0], row, 0.0, banner=False)
    pictures = (
        {0: jpeg_data_uri(moment_picture(drawn, row, None, source_width))} if 0 in moments else {}
    )
    if annotate:
        if banner:  # above the picture, as a video's: not over a raised hand
            drawn = banner_above(drawn, row, None)
        cv2.imwrite(str(stage / "annotated.png"), cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    return pictures


def moment_pictures(
    path: Path,
    rows: DrawingRows,
    track: PoseTrack,
    moments: list[int],
    *,
    source_fps: float,
    max_side: int,
    detector: Any = None,
    source_width: float | None = None,
    others: Sequence[np.ndarray] = (),
    regions: Sequence[tuple[int, int, int, int]] = (),
) -> dict[int, str]:
    """The pictures of the given rows, each frame decoded on its own (a seek to its
    keyframe), faces blurred (``detector``: a FaceDetector, None: not blurred; ``regions``:
    the video's ``small_people_regions``; ``others``:
    the image landmarks (T, 33, 3) of other people followed in the video, whose faces are
    blurred from their poses too), drawn without banner (the report writes the scores above
    each). Made before the video pass, so the reports need not wait for it."""
    from ergorisk.report.annotate import annotate_frame
    from ergorisk.report.faces import private_frame

    out: dict[int, str] = {}
    step = 1.0 / source_fps
    for i in sorted(set(moments)):
        t = float(track.time_s[i])
        # iter_frames keeps [start, end) with half a frame's tolerance at each end: this
        # window holds the frame at t and no neighbour.
        frame = next(iter_frames(path, t, t + step, 1, max_side, fast_rgb=True), None)
        if frame is None:
            continue
        rgb = frame.rgb
        if detector is not None:
            people = [track.image[i], *(o[i] for o in others if i < len(o))]
            rgb = private_frame(rgb, people, detector, regions=regions)
        drawn = annotate_frame(rgb, track.image[i], rows[i], t, inplace=True, banner=False)
        out[i] = jpeg_data_uri(moment_picture(drawn, rows[i], t, source_width))
    return out


def small_people(
    path: Path,
    start_s: float,
    end_s: float | None,
    stride: int,
    max_side: int,
    detector: Any,
) -> list[tuple[int, int, int, int]]:
    """The video's ``faces.small_people_regions`` (pixels of frames at ``max_side``), from
    FINE_SAMPLES frames spread over the assessed ones; none without a ``detector``."""
    if detector is None:
        return []
    from ergorisk.io.video import probe_video
    from ergorisk.pose.estimate import spread_frames
    from ergorisk.report.faces import FINE_SAMPLES, small_people_regions

    info = probe_video(path)
    frames = spread_frames(path, info, start_s, end_s, stride, max_side, FINE_SAMPLES)
    return small_people_regions(frames, detector)


def write_video_outputs(
    path: Path,
    frames: pd.DataFrame,
    track: PoseTrack,
    stage: Path,
    moments: list[int],
    *,
    fps: float,
    start_s: float,
    end_s: float | None,
    stride: int,
    annotate: bool,
    max_side: int,
    progress: Progress,
    blur_faces: bool = True,
    banner: bool = True,
    name: str = "annotated.mp4",
    source_width: float | None = None,
    on_pictures: Callable[[dict[int, str]], None] | None = None,
    others: Sequence[np.ndarray] = (),
) -> dict[int, str]:
    """The worst moments' pictures first (``on_pictures`` gets them at once, so the reports
    are written while the video is encoded), then every frame drawn into annotated.mp4
    (annotate); faces are blurred first (blur_faces). The pictures always carry the scores
    banner, the video only when ``banner``."""
    from contextlib import nullcontext

    from ergorisk.report import faces as privacy  # not `blur_faces`: the flag has that name
    from ergorisk.report.annotate import annotate_frame, banner_above
    from ergorisk.report.video_writer import H264Writer

    rows = DrawingRows(frames)
    n = rows.n
    # The banner's time is the table's: a calibrated view's video showed its own clock
    # (cam03's "t 0.22 s" where frames.csv and cam01 say 0.17 s: its sync offset).
    label_s = frames["time_s"].to_numpy(dtype=float) if "time_s" in frames else None
    with privacy.FaceDetector() if blur_faces else nullcontext(None) as found:
        regions = small_people(path, start_s, end_s, stride, max_side, found)
        thumbnails = moment_pictures(
            path,
            rows,
            track,
            moments,
            source_fps=fps * stride,
            max_side=max_side,
            detector=found,
            source_width=source_width,
            others=others,
            regions=regions,
        )
    if on_pictures is not None:
        on_pictures(thumbnails)
    if not annotate:
        return thumbnails
    from ergorisk import heap

    # Scoring, the tables and the pictures freed hundreds of MB below memory still in use:
    # glibc keeps it mapped until whatever sits above it goes (a 10-minute 1080p video held
    # about 330 MB more for the video pass's first 20 s).
    heap.trim()
    from ergorisk.pose.estimate import available_threads

    # Long videos are drawn in parts side by side (each its own decoder, face detector
    # and encoder), then joined without re-encoding: one part's drawing thread would
    # leave the second core half idle.
    parts = max(1, min(available_threads(), n // MIN_PART_FRAMES))
    cuts = [round(k * n / parts) for k in range(parts + 1)]
    times = track.time_s
    spans = [
        (a, b, start_s if a == 0 else float(times[a]), end_s if b == n else float(times[b]))
        for a, b in itertools.pairwise(cuts)
    ]
    files = [stage / name] if parts == 1 else [stage / f".part{k}-{name}" for k in range(parts)]

    def draw(span: tuple[int, int, float, float | None], out: Path) -> None:
        first, last, t0, t1 = span
        with privacy.FaceDetector() if blur_faces else nullcontext(None) as detector:
            faces = privacy.VideoFaces(detector, regions=regions) if detector is not None else None
            held = privacy.LookBack(faces) if faces is not None else None
            # A later part starts early by the face schedule's warm-up (frames seen, not
            # drawn), and an earlier one reads on by its look-back, so that its boxes are
            # the ones the whole video gets there.
            early = min(first, faces.warm_up) if faces is not None and first > 0 else 0
            stop = min(n, last + faces.look_back) if faces is not None else last
            start = t0 if early == 0 else float(times[first - early])
            end = t1 if stop == last else (end_s if stop == n else float(times[stop]))
            # The parts side by side fill the cores already: one decoding and one encoding
            # thread each (FFmpeg's own threads held a 1080p decoder's frames three times).
            one = 1 if parts > 1 else 0
            source = iter_frames(path, start, end, stride, max_side, fast_rgb=True, threads=one)
            encoder = H264Writer(out, fps, threads=one)

            def write(i: int, frame: Any, boxes: list[Any] | None) -> None:
                if boxes is not None and others:  # other people followed: their poses' faces
                    seen = [o[i] for o in others if i < len(o)]
                    boxes = boxes + privacy.faces_of(seen, frame.rgb.shape)
                # Decoded frames are fresh arrays used once: blurred, drawn in place.
                rgb = (
                    frame.rgb
                    if boxes is None
                    else privacy.blur_faces(frame.rgb, boxes, inplace=True)
                )
                row = rows[i]
                t = float(label_s[i]) if label_s is not None else frame.time_s
                drawn = annotate_frame(rgb, track.image[i], row, t, inplace=True, banner=False)
                # above the frame, not over it: hands raised to its top edge were hidden
                writer.write(banner_above(drawn, row, t, video=True) if banner else drawn)
                progress("video", 1, n)

            with encoder as writer, Prefetch(source, depth=2) as decoded:
                for i, frame in enumerate(decoded, start=first - early):
                    if i >= stop:
                        break
                    if held is None:
                        write(i, frame, None)
                        continue
                    ready = held.push(frame.rgb, track.image[i], i, (i, frame), first <= i < last)
                    for (j, done), boxes in ready:
                        write(j, done, boxes)
                if held is not None:
                    for (j, done), boxes in held.flush():
                        write(j, done, boxes)

    if parts == 1:
        draw(spans[0], files[0])
        return thumbnails
    from concurrent.futures import ThreadPoolExecutor

    from ergorisk.report.video_writer import join_parts

    try:
        with ThreadPoolExecutor(parts, thread_name_prefix="draw") as pool:
            list(pool.map(draw, spans, files))
        join_parts(files, stage / name)
    finally:
        for part in files:
            part.unlink(missing_ok=True)
    return thumbnails


def pictures_from_annotated(
    path: Path,
    frames: pd.DataFrame,
    rows: list[int],
    source_width: float | None = None,
    opaque: bool = False,
) -> dict[int, np.ndarray]:
    """The pictures of the given rows, re-made from a bannerless annotated.mp4 (one video
    frame per row of ``frames``) or annotated.png: faces are already blurred and the part
    colours depend on the posture only; the report writes the totals above each, from
    ``frames`` as they are now (``opaque``: media with an old banner, hidden). Rows the video
    does not hold are left out."""
    import cv2

    drawing = DrawingRows(frames)
    times = frames["time_s"].to_numpy(dtype=float)

    def picture(bgr: np.ndarray, r: int) -> np.ndarray:
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        return moment_picture(rgb, drawing[r], times[r], source_width, opaque)

    if path.suffix == ".png":
        bgr = cv2.imread(str(path))
        return {} if bgr is None or 0 not in rows else {0: picture(bgr, 0)}
    out: dict[int, np.ndarray] = {}
    capture = cv2.VideoCapture(str(path))
    try:
        i = 0
        for r in sorted({r for r in rows if 0 <= r < drawing.n}):
            while i < r and capture.grab():  # no decode of the frames skipped
                i += 1
            ok, bgr = capture.read()
            if not ok:
                break
            i += 1
            out[r] = picture(bgr, r)
    finally:
        capture.release()
    return out
