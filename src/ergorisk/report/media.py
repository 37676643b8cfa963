"""Pictures of an assessment: the annotated video (or image) and the worst moments' frames.

A second streaming pass over the source: the scores need the whole sequence (smoothing,
activity), so frames are decoded again, drawn on this thread and encoded on another.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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
) -> dict[int, str]:
    """annotated.png (when annotate) and the frame's picture if it is a worst moment."""
    import cv2

    from ergorisk.report.annotate import annotate_frame
    from ergorisk.report.html import jpeg_data_uri

    rgb = read_image(path, max_side)
    if blur_faces:
        from ergorisk.report.faces import private_frame

        rgb = private_frame(rgb, track.image[0])
    drawn = annotate_frame(rgb, track.image[0], DrawingRows(frames)[0], 0.0)
    if annotate:
        cv2.imwrite(str(stage / "annotated.png"), cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    return {0: jpeg_data_uri(drawn)} if 0 in moments else {}


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
    name: str = "annotated.mp4",
) -> dict[int, str]:
    """Draw every frame into annotated.mp4 (annotate) or just the worst moments' frames;
    faces are blurred first (blur_faces)."""
    from contextlib import nullcontext

    from ergorisk.report.annotate import annotate_frame
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
                drawn = annotate_frame(rgb, track.image[i], rows[i], frame.time_s)
                if writer is not None:
                    writer.write(drawn)
                    progress("video", 1, n)
                if frame.index in wanted:
                    thumbnails[wanted[frame.index]] = jpeg_data_uri(drawn)
    finally:
        if writer is not None:
            writer.close()
    return thumbnails
