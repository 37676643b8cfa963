"""Assessment of a video or an image: pixels -> pose -> the same scoring as pose files.

    track = estimate_video_poses(path, info, media)   # decode thread + MediaPipe, streaming
    skeleton, tilt = track_skeleton(track, fps, media.camera_pitch_deg)
    result = assess_skeleton(skeleton, ...)            # ergorisk.assess: kinematics + scoring
    write: frames.csv/.parquet, summary.json, annotated.mp4 (.png), report.html

Memory stays bounded: frames are decoded, estimated and dropped one by one; only the 33
landmarks per frame are kept. The annotated video is a second streaming pass (the scores
need the whole sequence: smoothing, activity detection), decoding on one thread, drawing on
this one and encoding on a third.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.assess import Assessment, assess_skeleton, relabel_peaks, write_outputs
from ergorisk.kinematics import KinematicsOptions, TaskFactors
from ergorisk.pose.layouts import to_canonical
from ergorisk.pose.mediapipe_pose import Box, MediaPipePose, PoseTrack
from ergorisk.pose.skeleton import Skeleton
from ergorisk.pose.tilt import Tilt, estimate_tilt, level
from ergorisk.pose.video import (
    MediaInputError,
    Prefetch,
    VideoInfo,
    iter_frames,
    media_kind,
    probe_video,
    read_image,
)

# progress(phase, frames done since the last call, total frames or None)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class MediaOptions:
    """How to read the pixels and what to write besides the frames table.

    start_s/end_s/stride: which frames; roi: (x0, y0, x1, y1) pixels of the upright frame
    where to find the person to follow; camera_pitch_deg: None estimates the camera tilt from
    standing frames, a number uses that pitch (0: a level camera); inference_max_side scales
    frames down before pose estimation; annotate_max_side caps the annotated video's size.
    """

    start_s: float = 0.0
    end_s: float | None = None
    stride: int = 1
    roi: Box | None = None
    camera_pitch_deg: float | None = None
    inference_max_side: int | None = None
    annotate: bool = True
    report: bool = True
    annotate_max_side: int = 1280
    worst_moments: int = 4

    def __post_init__(self) -> None:
        if self.stride < 1:
            raise ValueError(f"--stride must be at least 1, got {self.stride}")
        if self.start_s < 0:
            raise ValueError(f"--start must be >= 0, got {self.start_s}")
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError(f"--end ({self.end_s}) must be after --start ({self.start_s})")


def _noop(phase: str, advance: int, total: int | None) -> None:
    pass


def estimate_video_poses(
    path: str | Path, info: VideoInfo, media: MediaOptions, progress: Progress = _noop
) -> PoseTrack:
    """MediaPipe on every selected frame; decoding overlaps inference on a second thread."""
    total = expected_frames(info, media)
    poses, index, times = [], [], []
    frames = iter_frames(path, media.start_s, media.end_s, media.stride, media.inference_max_side)
    with (
        MediaPipePose(
            video=True, roi=_scaled_roi(media, info), fps=info.fps / media.stride
        ) as estimator,
        Prefetch(frames, depth=4) as prefetched,
    ):
        for frame in prefetched:
            poses.append(estimator.process(frame.rgb))
            index.append(frame.index)
            times.append(frame.time_s)
            progress("pose", 1, total)
    if not poses:
        raise MediaInputError(f"{path}: no frame between --start and --end")
    return PoseTrack.stack(poses, index, times)


def estimate_image_pose(rgb: np.ndarray, roi: Box | None) -> PoseTrack:
    with MediaPipePose(video=False, roi=roi) as estimator:
        return PoseTrack.stack([estimator.process(rgb)], [0], [0.0])


def expected_frames(info: VideoInfo, media: MediaOptions) -> int:
    end = info.duration_s if media.end_s is None else min(media.end_s, info.duration_s)
    return max(1, int(np.ceil(max(end - media.start_s, 0) * info.fps / media.stride)))


def _scaled_roi(media: MediaOptions, info: VideoInfo) -> Box | None:
    """The ROI is given in pixels of the original frame; inference may run on smaller ones."""
    if media.roi is None or not media.inference_max_side:
        return media.roi
    scale = min(1.0, media.inference_max_side / max(info.width, info.height))
    return tuple(int(v * scale) for v in media.roi)  # type: ignore[return-value]


def track_skeleton(
    track: PoseTrack,
    fps: float,
    camera_pitch_deg: float | None = None,
    min_standing_frames: int = 3,
) -> tuple[Skeleton, Tilt]:
    """World landmarks -> canonical skeleton (visibility as confidence), levelled."""
    # MediaPipe's world frame is the camera's: y is down, always (never guessed from the pose).
    skel = to_canonical(
        track.world[..., :3].astype(float),
        "mediapipe33",
        up="-y",
        confidence=track.world[..., 3].astype(float),
        fps=fps,
        units="m",
    )
    if camera_pitch_deg is None:
        tilt = estimate_tilt(skel, min_frames=min_standing_frames)
    else:
        tilt = Tilt(float(camera_pitch_deg), 0.0, "given")
    return level(skel, tilt), tilt


def with_source_frames(result: Assessment, track: PoseTrack) -> Assessment:
    """Frame numbers and times of the source video (they differ with --start/--stride)."""
    frames = result.frames.copy()
    frames["frame"] = track.frame_index
    frames["time_s"] = np.round(track.time_s, 4)
    summary = dict(result.summary)
    relabel_peaks(summary, track.frame_index, track.time_s)
    return Assessment(
        frames=frames, summary=summary, activity=result.activity, skeleton=result.skeleton
    )


def assess_media(
    path: str | Path,
    out_dir: str | Path,
    media: MediaOptions | None = None,
    options: KinematicsOptions | None = None,
    task: TaskFactors | None = None,
    upright_tol_deg: float = 5.0,
    progress: Progress = _noop,
) -> Assessment:
    """Assess a video or image and write every output into out_dir (atomically)."""
    path = Path(path)
    media = media or MediaOptions()
    kind = media_kind(path)
    started = time.perf_counter()
    if kind == "image":
        rgb = read_image(path)
        track, fps = estimate_image_pose(rgb, media.roi), 1.0
        source: dict[str, Any] = {"width": rgb.shape[1], "height": rgb.shape[0]}
    else:
        info = probe_video(path)
        track = estimate_video_poses(path, info, media, progress)
        fps = info.fps / media.stride
        source = asdict(info)
    pose_s = time.perf_counter() - started
    skel, tilt = track_skeleton(
        track, fps, media.camera_pitch_deg, min_standing_frames=1 if kind == "image" else 3
    )
    source = {
        "input": str(path),
        "kind": kind or "video",
        **source,
        "media": {**asdict(media), "roi": None if media.roi is None else list(media.roi)},
        "camera_tilt": tilt.to_dict(),
    }
    result = with_source_frames(
        assess_skeleton(skel, options, task, upright_tol_deg, source=source), track
    )
    result.summary["person_detected_rate"] = round(float(track.detected.mean()), 4)
    result.summary["warnings"] = media_warnings(track, tilt)
    result.summary["timing_s"] = {"pose": round(pose_s, 3)}
    _write_all(path, kind, result, track, media, out_dir, upright_tol_deg, progress)
    return result


def media_warnings(track: PoseTrack, tilt: Tilt) -> list[str]:
    found = track.detected
    out = []
    if not found.any():
        out.append("no person was found in any frame; every frame is flagged")
    elif found.mean() < 0.5:
        out.append(f"a person was found in only {100 * found.mean():.0f}% of the frames")
    if tilt.method.startswith("none") and found.any():
        out.append(
            f"camera tilt not corrected ({tilt.method.removeprefix('none: ')}); "
            "give --camera-pitch-deg if the camera was not level"
        )
    return out


def _write_all(
    path: Path,
    kind: str | None,
    result: Assessment,
    track: PoseTrack,
    media: MediaOptions,
    out_dir: str | Path,
    upright_tol_deg: float,
    progress: Progress,
) -> None:
    """Everything into a staging folder beside out_dir, then moved in: no half outputs."""
    from ergorisk.report.breakdown import worst_moments

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise MediaInputError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage_root = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        stage = write_outputs(result, stage_root / "out")
        moments = worst_moments(result.frames, media.worst_moments)
        thumbnails: dict[int, str] = {}
        if kind == "image":
            thumbnails = _write_image_outputs(path, result, track, stage, moments, media)
        elif media.annotate or media.report:
            thumbnails = _write_video_outputs(path, result, track, stage, moments, media, progress)
        if media.report:
            from ergorisk.report.html import render_report

            page = render_report(
                result.frames, result.summary, moments, thumbnails, path.name, upright_tol_deg
            )
            (stage / "report.html").write_text(page, encoding="utf-8")
        _move_into(stage, out)
    finally:
        shutil.rmtree(stage_root, ignore_errors=True)


def _move_into(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    for item in stage.iterdir():
        os.replace(item, out / item.name)


def _write_image_outputs(
    path: Path,
    result: Assessment,
    track: PoseTrack,
    stage: Path,
    moments: list[int],
    media: MediaOptions,
) -> dict[int, str]:
    import cv2

    from ergorisk.report.annotate import annotate_frame
    from ergorisk.report.html import jpeg_data_uri

    rgb = read_image(path, media.annotate_max_side)
    drawn = annotate_frame(rgb, track.image[0], _row_dict(result.frames, 0), 0.0)
    if media.annotate:
        cv2.imwrite(str(stage / "annotated.png"), cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    return {0: jpeg_data_uri(drawn)} if 0 in moments else {}


class _DrawingRows:
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


def _row_dict(frames: pd.DataFrame, i: int) -> dict[str, Any]:
    return _DrawingRows(frames)[i]


def _write_video_outputs(
    path: Path,
    result: Assessment,
    track: PoseTrack,
    stage: Path,
    moments: list[int],
    media: MediaOptions,
    progress: Progress,
) -> dict[int, str]:
    """Second pass over the video: draw every frame (annotate) or just the worst ones."""
    from ergorisk.report.annotate import annotate_frame
    from ergorisk.report.html import jpeg_data_uri
    from ergorisk.report.video_writer import H264Writer

    frames = result.frames
    rows = _DrawingRows(frames)
    wanted = {int(track.frame_index[i]): i for i in moments}
    fps = float(result.summary["fps"])
    thumbnails: dict[int, str] = {}
    n = rows.n
    source = iter_frames(path, media.start_s, media.end_s, media.stride, media.annotate_max_side)
    writer = H264Writer(stage / "annotated.mp4", fps) if media.annotate else None
    try:
        with Prefetch(source, depth=4) as decoded:
            for i, frame in enumerate(decoded):
                if i >= n:
                    break
                if writer is None and frame.index not in wanted:
                    continue
                drawn = annotate_frame(frame.rgb, track.image[i], rows[i], frame.time_s)
                if writer is not None:
                    writer.write(drawn)
                    progress("video", 1, n)
                if frame.index in wanted:
                    thumbnails[wanted[frame.index]] = jpeg_data_uri(drawn)
    finally:
        if writer is not None:
            writer.close()
    return thumbnails
