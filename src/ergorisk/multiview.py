"""Calibrated multi-view pose: several synchronised videos of one take -> 3D skeletons.

    cameras = prepare_views(videos, read_calibration("Calib.qca.txt"))   # matched, sized
    people = track_view_people(videos)            # everyone in each view, one process a view
    persons = associate_views(people, cameras)    # the same person's track in every view
    main = select_views_people(persons)[0]        # or "all", IDs, an ROI on the first view
    points, confidence, diag = triangulate_views(main.pixels(cameras), cameras)
    skel = multiview_skeleton(points, confidence, fps, cameras)   # canonical, z up

Stages: people tracked per view (in parallel) -> association across views -> sync (optional,
on the associated person, then associated again) -> swap correction -> triangulation with
outlier views -> canonical skeleton; the kinematics and scoring that follow are the usual
ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ergorisk.errors import InputError
from ergorisk.io.calibration import CalibrationError, Camera, fit_to_frame, match_videos
from ergorisk.pose.mediapipe_pose import Box, PoseTrack
from ergorisk.pose.people import PersonTrack
from ergorisk.pose.people_select import PeopleSpec
from ergorisk.pose.quality import Reliability
from ergorisk.pose.skeleton import Skeleton
from ergorisk.pose.triangulation import (
    MAX_VIEW_ERROR_PX,
    MEDIAPIPE33_LR_PAIRS,
    correct_swaps,
    triangulate,
)

# Two views' rates within 1 % are one rate (29.97 and 30 fps: a frame in 3 s; over that
# the frames drift apart).
RATE_TOLERANCE = 1.01


class MultiViewError(InputError):
    """Views that cannot be triangulated together (frame counts, one view, no camera)."""


def prepare_views(
    videos: Sequence[str | Path],
    cameras: Sequence[Camera],
    names: Sequence[str] | None = None,
) -> list[Camera]:
    """The camera of each video, checked: two or more views, one frame rate, and intrinsics
    rescaled (with a warning) where a video's frame size differs."""
    from ergorisk.io.video import media_kind, probe_video

    if len(videos) < 2:
        raise MultiViewError("a calibration needs two or more videos of the same take")
    # A photo among the views was told "the views have different frame rates (...: 25 fps)"
    pictures = [Path(v).name for v in videos if media_kind(v) == "image"]
    if pictures:
        raise MultiViewError(
            f"{', '.join(pictures)}: a picture, not a video: the views of a take are videos "
            "of the same moments, matched frame by frame"
        )
    matched = match_videos(videos, cameras, names)
    check_baselines(matched)
    infos = [probe_video(v) for v in videos]
    check_views_match(
        [(Path(v).name, i.fps, i.n_frames) for v, i in zip(videos, infos, strict=True)]
    )
    return [
        fit_to_frame(cam, info.width, info.height, video)
        for cam, info, video in zip(matched, infos, videos, strict=True)
    ]


def check_views_match(views: Sequence[tuple[str, float, int]]) -> None:
    """The views of a take, (name, fps, frames) each, share one frame rate (MultiViewError):
    they are matched frame by frame. Their frame counts may differ (cameras started and
    stopped by hand never record as many frames; 98 against 100 was refused): the take is
    the frames they all have (``common_frames``)."""
    rates = [fps for _, fps, _ in views]
    if max(rates) > RATE_TOLERANCE * min(rates):
        # A view at 30 fps among 60 fps ones, as many frames, passed, and the take's rate
        # (the first view's) set the smoothing and the holds: REBA 9 (high) instead of 7.
        listed = ", ".join(f"{name}: {fps:g} fps" for name, fps, _ in views)
        raise MultiViewError(
            f"the views have different frame rates ({listed}): the views of a take are "
            "matched frame by frame, so film them at one rate (or convert them to one first)"
        )


def common_frames(
    people: Sequence[Sequence[PersonTrack]], names: Sequence[str], synced: bool = False
) -> tuple[list[list[PersonTrack]], list[str]]:
    """Each view's tracks cut to the frames every view has (the shortest view's count), and
    the warning that says so where the counts differ (``synced``: --sync motion given, not
    to be advised)."""
    counts = [len(view[0].world) if view else None for view in people]
    known = [n for n in counts if n is not None]
    if not known or len(set(known)) == 1:
        return [list(view) for view in people], []
    n = min(known)
    listed = ", ".join(f"{name} {c}" for name, c in zip(names, counts, strict=True) if c)
    warning = f"the views have different frame counts ({listed}): the take is their first {n} " + (
        "frames, aligned by their motion (--sync motion)"
        if synced
        else "frames, matched frame by frame; views that were not started together need "
        "--sync motion"
    )
    return [[cut_track(t, 0, n) for t in view] for view in people], [warning]


def check_baselines(cameras: Sequence[Camera], min_m: float = 0.01) -> None:
    """Two cameras at the same place cannot triangulate: a calibration of intrinsics only
    (``ergorisk calibrate`` without --extrinsics puts every camera at the origin)."""
    centres = [-c.R.T @ c.t for c in cameras]
    for i, a in enumerate(cameras):
        for j in range(i + 1, len(cameras)):
            if np.linalg.norm(centres[i] - centres[j]) < min_m:
                raise MultiViewError(
                    f"cameras {a.name} and {cameras[j].name} are at the same place in the "
                    "calibration (intrinsics only?): each camera needs its position "
                    "(ergorisk calibrate --extrinsics)"
                )


def triangulate_views(
    tracks_2d: Sequence[np.ndarray] | np.ndarray,
    cameras: Sequence[Camera],
    *,
    min_visibility: float = 0.1,
    outlier_px: float = MAX_VIEW_ERROR_PX,
    # The confidence halves at the error a frame may have: at 15 px a wrist 23 px off read
    # 0.28, under the kinematics' 0.3, and was dropped on a reliable frame three cameras saw.
    error_scale_px: float = MAX_VIEW_ERROR_PX,
    fix_swaps: bool = True,
    lr_pairs: Sequence[tuple[int, int]] = MEDIAPIPE33_LR_PAIRS,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """3D landmarks from synchronised 2D landmarks of calibrated views.

    tracks_2d: one (T, J, 3) array per view: x, y in pixels of that camera, visibility in
    [0, 1] (NaN: not detected). Landmarks less visible than ``min_visibility`` are left out.

    Returns points (T, J, 3) metres in the calibration's world frame; confidence (T, J)
    in [0, 1]: the mean visibility of the views used times 1 / (1 + (e / error_scale_px)^2)
    for reprojection error e; and diagnostics: per camera the median reprojection error
    (px), the frames whose left/right labels were exchanged, and the joint observations
    rejected as outliers.
    """
    tracks = np.asarray(tracks_2d, dtype=float)
    if tracks.ndim != 4 or tracks.shape[-1] != 3:
        raise MultiViewError(f"tracks_2d must be (V, T, J, 3) arrays, got shape {tracks.shape}")
    if len(tracks) != len(cameras):
        raise MultiViewError(f"{len(tracks)} views but {len(cameras)} cameras")
    px = tracks[..., :2]
    vis = np.nan_to_num(tracks[..., 2])
    weights = np.where((vis >= min_visibility) & np.isfinite(px).all(axis=-1), vis, 0.0)
    swapped = np.zeros(tracks.shape[:2], bool)
    if fix_swaps:
        px, weights, swapped = correct_swaps(px, weights, cameras, lr_pairs)
    result = triangulate(px, weights, cameras, outlier_px=outlier_px)
    seen = weights > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_vis = np.nanmean(np.where(result.used, weights, np.nan), axis=0)
        errors = {
            c.name: float(np.nanmedian(e))
            for c, e in zip(cameras, result.view_error_px, strict=True)
        }
    solved = np.isfinite(result.points).all(axis=-1)
    rejected = (seen & ~result.used & solved[None]).sum(axis=(1, 2))
    confidence = np.nan_to_num(mean_vis / (1.0 + (result.error_px / error_scale_px) ** 2))
    diagnostics = {
        "cameras": [c.name for c in cameras],
        "frames": int(tracks.shape[1]),
        "median_reprojection_error_px": errors,
        "swaps_corrected": {
            c.name: int(n) for c, n in zip(cameras, swapped.sum(1), strict=True) if n
        },
        "views_rejected": {c.name: int(n) for c, n in zip(cameras, rejected, strict=True) if n},
        # of the view's readings of solved points (a view on the wrong person loses most)
        "views_rejected_share": {
            c.name: round(float(n / max(k, 1)), 4)
            for c, n, k in zip(
                cameras, rejected, (seen & solved[None]).sum(axis=(1, 2)), strict=True
            )
        },
        "error_px": result.error_px,
    }
    return result.points, confidence, diagnostics


def reliability(error_px: np.ndarray, max_px: float) -> Reliability:
    """Frames whose triangulation can be trusted: the median over the joints of the mean
    reprojection error of the views used is at most ``max_px`` (a person matched wrongly
    across views, or views out of sync, reproject far off)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a frame with no joint
        median = np.nanmedian(np.asarray(error_px, float), axis=1)
    ok = median <= max_px  # NaN (nothing triangulated): False
    reason = np.where(ok, "", f"reprojection error over {max_px:g} px").astype(object)
    reason[~np.isfinite(median)] = "not triangulated"
    unused = np.full(len(ok), np.nan)  # the single-camera checks' evidence
    return Reliability(ok, reason.astype(str), np.full(len(ok), -1), unused, unused, unused)


def world_up(cameras: Sequence[Camera]) -> str:
    """The calibration's up axis (z, y or -y): the one the cameras' image-up directions
    (their -y axes in the world) agree with best. Qualisys and Pose2Sim scenes are z up."""
    up = np.mean([-c.R[1] for c in cameras], axis=0)
    candidates = {"z": up[2], "y": up[1], "-y": -up[1]}
    axis = max(candidates, key=candidates.get)
    if candidates[axis] < 0.5 * np.linalg.norm(up):
        warnings.warn(
            f"the cameras do not agree on an up axis (mean image-up {np.round(up, 2)}); "
            f"taking {axis}",
            stacklevel=2,
        )
    return axis


def multiview_skeleton(
    points: np.ndarray, confidence: np.ndarray, fps: float, cameras: Sequence[Camera]
) -> Skeleton:
    """Triangulated MediaPipe landmarks -> canonical skeleton (metres, z up)."""
    from ergorisk.pose.layouts import to_canonical

    return to_canonical(
        points, "mediapipe33", up=world_up(cameras), confidence=confidence, fps=fps, units="m"
    )


# --- several people in each view, associated across views ------------------------------------


@dataclass(frozen=True)
class ViewsPerson:
    """One person across calibrated views: ``tracks`` one PersonTrack per view (all NaN in
    a view that never sees them), ``person_id`` their ID in the first view that sees them
    (offset past the first view's IDs when that is not the first view)."""

    person_id: int
    tracks: tuple[PersonTrack, ...]

    @property
    def n_views(self) -> int:
        return sum(bool(t.detected.any()) for t in self.tracks)

    @property
    def presence(self) -> float:
        """How much of the views they fill (pose.people_select.presence, summed)."""
        from ergorisk.pose.people_select import presence

        return sum(presence(t) for t in self.tracks)

    def pixels(self, cameras: Sequence[Camera]) -> np.ndarray:
        """(V, T, 33, 3) pixels and visibility in each view."""
        return np.stack([view_pixels(t, c) for t, c in zip(self.tracks, cameras, strict=True)])


def view_pixels(track: PoseTrack, camera: Camera) -> np.ndarray:
    """(T, 33, 3) pixels and visibility of a MediaPipe track (image landmarks are fractions
    of the frame)."""
    image = track.image.astype(float)
    return np.concatenate([image[..., :2] * camera.size, image[..., 2:3]], axis=-1)


def _view_people(video: str, max_side: int | None) -> list[PersonTrack]:
    from ergorisk.io.video import probe_video
    from ergorisk.pose.people import track_people

    return track_people(video, probe_video(video), max_side=max_side)


def track_view_people(
    videos: Sequence[str | Path],
    *,
    max_side: int | None = 960,
    workers: int | None = None,
    on_view: Callable[[], None] = lambda: None,
) -> list[list[PersonTrack]]:
    """Everyone in each video (pose.people.track_people), the videos in parallel
    processes. max_side: frames are scaled down to this longer side for inference.
    on_view(): as each view is done (a progress bar's step)."""
    args = [(str(v), max_side) for v in videos]
    if workers == 1:
        out = []
        for a in args:
            out.append(_view_people(*a))
            on_view()
        return out
    import multiprocessing as mp
    import os
    from concurrent.futures import as_completed

    # spawn: a fork of a process that already runs threads (MediaPipe, torch, a server) can
    # die or hang in the child; one process per core, each view's pose is a single core's work.
    workers = workers or min(len(videos), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        try:
            futures = [pool.submit(_view_people, *a) for a in args]
            for _ in as_completed(futures):  # the bar sat at 0/4, then jumped to 4/4
                on_view()
            return [f.result() for f in futures]
        except BaseException:
            # Ctrl-C or SIGTERM to this process alone: leaving the pool waited for every
            # view's pass to end (a minute) before the run could stop.
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()
            raise


def associate_views(
    people: Sequence[Sequence[PersonTrack]],
    cameras: Sequence[Camera],
    max_distance_m: float = 0.15,
) -> list[ViewsPerson]:
    """The same person's tracks in every view (pose.association), by ID, each person seen in
    at least one view. people: per view, its PersonTracks over the same (synchronised)
    frames."""
    from ergorisk.pose.association import associate

    tracks = [
        np.stack([view_pixels(t, c) for t in view]) if view else np.zeros((0, 0, 33, 3))
        for view, c in zip(people, cameras, strict=True)
    ]
    template = next(t for view in people for t in view)
    first_ids = [t.person_id for t in people[0]]
    spare = max(first_ids, default=-1) + 1
    persons = []
    for group in associate(tracks, cameras, max_distance_m):
        views = []
        for v, view in enumerate(people):
            chosen = [view[i] for i in group.members.get(v, [])]
            views.append(_merge(chosen, template))
        first = min(group.members)
        if first == 0:
            pid = people[0][group.members[0][0]].person_id
        else:
            pid, spare = spare, spare + 1
        persons.append(ViewsPerson(pid, tuple(replace(t, person_id=pid) for t in views)))
    return sorted(persons, key=lambda p: p.person_id)


def _merge(tracks: Sequence[PersonTrack], template: PersonTrack) -> PersonTrack:
    """One view's tracks of one person as one track, frame by frame (the first seen wins);
    all NaN when there are none."""
    world = np.full_like(template.world, np.nan)
    image = np.full_like(template.image, np.nan)
    boxes = np.full_like(template.bbox_px, np.nan)
    for t in tracks:
        fill = ~np.isfinite(world[:, 0, 0]) & t.detected
        world[fill], image[fill], boxes[fill] = t.world[fill], t.image[fill], t.bbox_px[fill]
    return PersonTrack(
        world, image, template.frame_index, template.time_s, template.person_id, boxes
    )


# Said where no person found in the views meets across them: a calibration of another rig
# read only "nobody is seen in two or more views" (docs/multiview.md promised the cause).
NOBODY_ACROSS = (
    "nobody is seen in two or more views: the people found in each view do not meet where "
    "the calibration puts the cameras; check the calibration, and which video is which "
    "camera (--cameras)"
)


def select_views_people(
    persons: Sequence[ViewsPerson], spec: PeopleSpec = "largest", roi: Box | None = None
) -> list[ViewsPerson]:
    """Whom to assess: the main person (the one who fills the most of all views, or the one
    ``roi`` picks in the first view), everyone seen in two or more views ('all'), or the
    given IDs (first-view IDs). Raises ValueError naming the problem."""
    from ergorisk.pose.people_select import main_person

    seen = [p for p in persons if p.n_views >= 2]
    if not seen:
        raise ValueError(NOBODY_ACROSS)
    if roi is not None:
        if spec != "largest":
            raise ValueError("--roi picks one person; use it without --people or with largest")
        first = [p.tracks[0] for p in seen if p.tracks[0].detected.any()]
        if not first:
            raise ValueError("nobody seen in two or more views is in the first view")
        pid = main_person(first, roi).person_id
        return [p for p in seen if p.person_id == pid]
    if spec == "largest":
        return [max(seen, key=lambda p: (p.presence, -p.person_id))]
    if spec == "all":
        return list(seen)
    by_id = {p.person_id: p for p in seen}
    missing = [i for i in spec if i not in by_id]
    if missing:
        known = ", ".join(str(i) for i in sorted(by_id))
        raise ValueError(
            f"no person with ID {', '.join(map(str, missing))} seen in two or more views "
            f"(IDs found: {known})"
        )
    return [by_id[i] for i in spec]


def with_reprojection(
    track: PersonTrack, points: np.ndarray, confidence: np.ndarray, camera: Camera
) -> PersonTrack:
    """The view's track for drawing: on frames where this view did not see the person (hidden
    behind someone, lost), their triangulated landmarks projected into this camera, with the
    triangulation's confidence as visibility, so the skeleton and the face blur follow them
    in every view. Its world landmarks stay this view's own."""
    missing = ~np.isfinite(track.image[:, :, :2]).all(axis=(1, 2))
    missing &= np.isfinite(points).all(axis=2).any(axis=1)
    if not missing.any():
        return track
    image = np.array(track.image, dtype=float)
    image[missing, :, :2] = camera.project(points[missing]) / np.asarray(camera.size, float)
    image[missing, :, 2] = np.nan_to_num(confidence[missing])
    return replace(track, image=image.astype(track.image.dtype))


def cut_track(track: PoseTrack, start: int, n: int) -> PoseTrack:
    """Frames start .. start + n of a track (a PersonTrack stays one)."""
    part = slice(start, start + n)
    if isinstance(track, PersonTrack):
        return replace(
            track,
            world=track.world[part],
            image=track.image[part],
            frame_index=track.frame_index[part],
            time_s=track.time_s[part],
            bbox_px=track.bbox_px[part],
        )
    return PoseTrack(
        track.world[part], track.image[part], track.frame_index[part], track.time_s[part]
    )


def synchronise(
    people: Sequence[Sequence[PersonTrack]], offsets: Sequence[int]
) -> tuple[list[list[PersonTrack]], np.ndarray]:
    """Every view's tracks cut to the frames all views share under ``offsets`` (view v's
    frame f + offsets[v] shows the same instant in every view). Returns the tracks, each
    view's first frame and the number of frames; raises MultiViewError when they do not
    overlap."""
    offsets = np.asarray(offsets, dtype=int)
    starts = offsets - offsets.min()
    lengths = [len(view[0].world) - s for view, s in zip(people, starts, strict=True) if view]
    n = min(lengths, default=0)
    if n <= 0:
        raise MultiViewError(f"the views do not overlap in time (offsets {offsets.tolist()})")
    cut = [[cut_track(t, int(s), n) for t in view] for view, s in zip(people, starts, strict=True)]
    return cut, starts


__all__ = [
    "CalibrationError",
    "MultiViewError",
    "ViewsPerson",
    "associate_views",
    "cut_track",
    "multiview_skeleton",
    "prepare_views",
    "reliability",
    "select_views_people",
    "synchronise",
    "track_view_people",
    "triangulate_views",
    "view_pixels",
    "with_reprojection",
    "world_up",
]
