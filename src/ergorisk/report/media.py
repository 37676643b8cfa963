"""Pictures of an assessment: the annotated video (or image) and the worst moments' frames.

A second streaming pass over the source: the scores need the whole sequence (smoothing,
activity), so frames are decoded again, drawn on this thread and encoded on another.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.pose.mediapipe_pose import PoseTrack
from ergorisk.pose.video import Prefetch, iter_frames, read_image

Progress = Callable[[str, int, int | None], None]


class DrawingRows:
    """Per-frame dicts of just the columns the drawing uses, made on demand: a list of whole
    rows would cost about 20 KB a frame (several hundred MB for a 10-minute video)."""

    def __init__(self, frames: pd.DataFrame) -> None:
        from ergorisk.report.annotate import DRAWN_COLUMNS

        self._columns = {
            c: frames[c].to_numpy(dtype=object) for c in DRAWN_COLUMNS if c in frames.columns
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
) -> dict[int, str]:
    """annotated.png (when annotate) and the frame's picture if it is a worst moment (with
    its banner, whatever ``banner`` says for annotated.png)."""
    import cv2

    from ergorisk.report.annotate import add_banner, annotate_frame
    from ergorisk.report.html import jpeg_data_uri

    rgb = read_image(path, max_side)
    if blur_faces:
        from ergorisk.report.faces import private_frame

        rgb = private_frame(rgb, track.image[0])
    row = DrawingRows(frames)[0]
    drawn = annotate_frame(rgb, track.image[0], row, 0.0, banner=banner)
    if annotate:
        cv2.imwrite(str(stage / "annotated.png"), cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    if 0 not in moments:
        return {}
    return {0: jpeg_data_uri(drawn if banner else add_banner(drawn.copy(), row, 0.0))}


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
) -> dict[int, str]:
    """Draw every frame into annotated.mp4 (annotate) or just the worst moments' frames;
    faces are blurred first (blur_faces). The pictures always carry the scores banner, the
    video only when ``banner``."""
    from contextlib import nullcontext

    from ergorisk.report.annotate import add_banner, annotate_frame
    from ergorisk.report.faces import FaceDetector, private_frame
    from ergorisk.report.html import jpeg_data_uri
    from ergorisk.report.video_writer import H264Writer

    rows = DrawingRows(frames)
    wanted = {int(track.frame_index[i]): i for i in moments}
    thumbnails: dict[int, str] = {}
    n = rows.n
    source = iter_frames(path, start_s, end_s, stride, max_side)
    writer = H264Writer(stage / name, fps) if annotate else None
    faces = FaceDetector() if blur_faces else nullcontext(None)
    try:
        with Prefetch(source, depth=4) as decoded, faces as detector:
            for i, frame in enumerate(decoded):
                if i >= n:
                    break
                if writer is None and frame.index not in wanted:
                    continue
                rgb = frame.rgb
                if detector is not None:
                    rgb = private_frame(rgb, track.image[i], detector)
                row = rows[i]
                drawn = annotate_frame(rgb, track.image[i], row, frame.time_s, banner=banner)
                if writer is not None:
                    writer.write(drawn)
                    progress("video", 1, n)
                if frame.index in wanted:
                    picture = drawn if banner else add_banner(drawn.copy(), row, frame.time_s)
                    thumbnails[wanted[frame.index]] = jpeg_data_uri(picture)
    finally:
        if writer is not None:
            writer.close()
    return thumbnails


def pictures_from_annotated(
    path: Path, frames: pd.DataFrame, rows: list[int], opaque: bool = False
) -> dict[int, np.ndarray]:
    """The pictures of the given rows, re-made from a bannerless annotated.mp4 (one video
    frame per row of ``frames``) or annotated.png: faces are already blurred and the part
    colours depend on the posture only, so only the banner (the totals) is drawn again, from
    ``frames`` as they are now (``opaque``: over an old banner, hiding it). Rows the video
    does not hold are left out."""
    import cv2

    from ergorisk.report.annotate import add_banner

    drawing = DrawingRows(frames)
    times = frames["time_s"].to_numpy(dtype=float)
    if path.suffix == ".png":
        bgr = cv2.imread(str(path))
        if bgr is None:
            return {}
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        return {r: add_banner(rgb.copy(), drawing[r], times[r], opaque) for r in rows if r == 0}
    wanted = sorted({r for r in rows if 0 <= r < drawing.n})
    out: dict[int, np.ndarray] = {}
    capture = cv2.VideoCapture(str(path))
    try:
        i = 0
        for r in wanted:
            while i < r and capture.grab():  # no decode of the frames skipped
                i += 1
            ok, bgr = capture.read()
            if not ok:
                break
            i += 1
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            out[r] = add_banner(rgb, drawing[r], times[r], opaque)
    finally:
        capture.release()
    return out
