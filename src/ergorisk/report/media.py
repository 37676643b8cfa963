"""Pictures of an assessment: the annotated video (or image) and the worst moments' frames.

A second streaming pass over the source: the scores need the whole sequence (smoothing,
activity flags, camera tilt), so frames are decoded again (a thread), blurred and drawn in
place on this thread and encoded on another (libx264's own threads).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ergorisk.io.video import Prefetch, iter_frames, read_image
from ergorisk.pose.mediapipe_pose import PoseTrack

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
    on_pictures: Callable[[dict[int, str]], None] | None = None,
) -> dict[int, str]:
    """Draw every frame into annotated.mp4 (annotate) or just the worst moments' frames;
    faces are blurred first (blur_faces). ``on_pictures`` is called with the pictures as soon
    as the last of them is drawn (the reports need not wait for the whole video)."""
    from contextlib import nullcontext

    from ergorisk.report.annotate import annotate_frame
    from ergorisk.report.faces import FaceDetector, VideoFaces, blur_faces
    from ergorisk.report.html import jpeg_data_uri
    from ergorisk.report.video_writer import H264Writer

    rows = DrawingRows(frames)
    wanted = {int(track.frame_index[i]): i for i in moments}
    thumbnails: dict[int, str] = {}
    n = rows.n
    source = iter_frames(path, start_s, end_s, stride, max_side)
    writer = H264Writer(stage / name, fps) if annotate else None
    detector = FaceDetector() if blur_faces else nullcontext(None)
    handed = not wanted and on_pictures is not None
    if handed:
        on_pictures({})  # type: ignore[misc]
    try:
        with Prefetch(source, depth=4) as decoded, detector as found:
            faces = VideoFaces(found) if found is not None else None
            for i, frame in enumerate(decoded):
                if i >= n:
                    break
                if writer is None and frame.index not in wanted:
                    continue
                # Decoded frames are fresh arrays used once: blur and draw them in place.
                rgb = frame.rgb
                if faces is not None:
                    rgb = blur_faces(rgb, faces(rgb, track.image[i]), inplace=True)
                drawn = annotate_frame(rgb, track.image[i], rows[i], frame.time_s, inplace=True)
                if frame.index in wanted:
                    thumbnails[wanted[frame.index]] = jpeg_data_uri(drawn)
                    if len(thumbnails) == len(wanted) and on_pictures is not None:
                        on_pictures(thumbnails)
                        handed = True
                if writer is not None:
                    writer.write(drawn)
                    progress("video", 1, n)
    finally:
        if writer is not None:
            writer.close()
    if on_pictures is not None and not handed:
        on_pictures(thumbnails)
    return thumbnails
