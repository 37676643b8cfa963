"""Which person tracks of calibrated views are the same person: cross-view association.

    groups = associate(tracks, cameras)      # tracks: per view (P_v, T, 33, 3) pixels, vis
    groups[0].members                        # {view: [track indices]} of one person

As Pose2Sim's person association does, the affinity of two people seen from two cameras is
the distance between the rays from each camera through their landmarks: the rays of one
person's joint cross in space (up to the pose model's error), another person's miss by their
separation. Here it is summed over whole tracks (the multi-person tracker already follows
each person in each view), not decided frame by frame, and only swap-proof points are used
(the nose and the midpoints of shoulders, hips, knees and ankles), since a view may label
the left and right sides the wrong way round. Tracks are then grouped greedily, best pair
first, under complete linkage: a track joins a person only if it agrees with every track
already there, and one view gives a person several tracks only when they follow one another
in time (a track lost and found again under a new ID).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ergorisk.io.calibration import Camera
from ergorisk.pose.triangulation import _quiet, undistort

# (a, b) landmark pairs whose midpoint is compared; (0, 0) is the nose alone.
MIDPOINTS: tuple[tuple[int, int], ...] = ((0, 0), (11, 12), (23, 24), (25, 26), (27, 28))


@dataclass
class Person:
    """One person across views: ``members`` {view: track indices (time-disjoint)}."""

    members: dict[int, list[int]] = field(default_factory=dict)

    def tracks(self) -> list[tuple[int, int]]:
        return [(v, i) for v, ids in self.members.items() for i in ids]


def anchor_points(tracks: np.ndarray, min_visibility: float = 0.3) -> np.ndarray:
    """(..., T, 33, 3) pixels and visibility -> (..., T, M, 2) swap-proof points (nose,
    mid-shoulders, mid-hips, mid-knees, mid-ankles); NaN where not seen well enough."""
    tracks = np.asarray(tracks, dtype=float)
    a, b = (np.array(idx) for idx in zip(*MIDPOINTS, strict=True))
    xy = (tracks[..., a, :2] + tracks[..., b, :2]) / 2
    seen = np.minimum(tracks[..., a, 2], tracks[..., b, 2]) >= min_visibility
    return np.where(seen[..., None], xy, np.nan)


def rays(points_px: np.ndarray, camera: Camera) -> np.ndarray:
    """(..., 2) pixels -> (..., 3) unit directions, in the world, of the rays from the
    camera's centre through them."""
    norm = undistort(points_px, camera)
    d = np.concatenate([norm, np.ones((*norm.shape[:-1], 1))], axis=-1) @ camera.R  # R^T d
    return d / np.linalg.norm(d, axis=-1, keepdims=True)


def ray_distance_m(
    rays_a: np.ndarray, centre_a: np.ndarray, rays_b: np.ndarray, centre_b: np.ndarray
) -> np.ndarray:
    """Shortest distance (metres) between paired rays (..., 3) from two camera centres."""
    cross = np.cross(rays_a, rays_b)
    norm = np.linalg.norm(cross, axis=-1)
    gap = np.abs(np.sum((centre_b - centre_a) * cross, axis=-1))
    return gap / np.where(norm > 1e-9, norm, np.nan)


def frame_distances(
    tracks_a: np.ndarray, cam_a: Camera, tracks_b: np.ndarray, cam_b: Camera
) -> np.ndarray:
    """(P_a, P_b, T) per frame, the median ray distance (metres) over the anchor points of
    every track of view a against every track of view b; NaN where not both seen."""
    ra = rays(anchor_points(tracks_a), cam_a)[:, None]  # (P_a, 1, T, M, 3)
    rb = rays(anchor_points(tracks_b), cam_b)[None]  # (1, P_b, T, M, 3)
    d = ray_distance_m(ra, cam_a.centre, rb, cam_b.centre)
    with _quiet():
        return np.nanmedian(d, axis=-1)


def pair_costs(
    tracks: Sequence[np.ndarray], cameras: Sequence[Camera], min_frames: int = 5
) -> dict[tuple[int, int, int, int], float]:
    """{(view a, track i, view b, track j): median over shared frames of the per-frame ray
    distance (metres)} for every pair of tracks of two views seen together in at least
    ``min_frames`` frames (a < b)."""
    costs = {}
    for a in range(len(tracks)):
        for b in range(a + 1, len(tracks)):
            if not (len(tracks[a]) and len(tracks[b])):
                continue
            d = frame_distances(tracks[a], cameras[a], tracks[b], cameras[b])
            shared = np.isfinite(d).sum(axis=-1)
            with _quiet():
                med = np.nanmedian(d, axis=-1)
            for i, j in zip(*np.nonzero(shared >= min_frames), strict=True):
                costs[(a, int(i), b, int(j))] = float(med[i, j])
    return costs


def associate(
    tracks: Sequence[np.ndarray],
    cameras: Sequence[Camera],
    max_distance_m: float = 0.15,
    min_frames: int = 5,
    max_overlap: int = 3,
) -> list[Person]:
    """People across views from each view's person tracks.

    tracks: per view, a (P_v, T, 33, 3) array of its tracks (pixels, visibility; NaN where
    not seen), the views synchronised. Two tracks are the same person when their rays pass
    within ``max_distance_m`` (median over shared frames; Pose2Sim's default threshold is
    0.1 m per frame). Returns every person with tracks in two or more views, plus each
    track left alone (one view), as Person objects."""
    costs = pair_costs(tracks, cameras, min_frames)
    seen = [np.isfinite(t[..., 0, 0]) if len(t) else np.zeros((0, 0), bool) for t in tracks]
    people = [Person({v: [i]}) for v, t in enumerate(tracks) for i in range(len(t))]
    owner = {(v, i): p for p in people for (v, i) in p.tracks()}
    for (a, i, b, j), cost in sorted(costs.items(), key=lambda kv: kv[1]):
        if cost > max_distance_m:
            break
        pa, pb = owner[(a, i)], owner[(b, j)]
        if pa is pb or not _compatible(pa, pb, costs, seen, max_distance_m, max_overlap):
            continue
        for v, ids in pb.members.items():
            pa.members.setdefault(v, []).extend(ids)
            for k in ids:
                owner[(v, k)] = pa
        people.remove(pb)
    for p in people:
        p.members = {v: sorted(ids) for v, ids in sorted(p.members.items())}
    return people


def _compatible(pa: Person, pb: Person, costs, seen, max_distance_m, max_overlap) -> bool:
    """Complete linkage: every cross pair measured agrees, and two tracks of one view are
    (nearly) never seen at once."""
    for va, ia in pa.tracks():
        for vb, ib in pb.tracks():
            if va == vb:
                if (seen[va][ia] & seen[vb][ib]).sum() > max_overlap:
                    return False
                continue
            key = (va, ia, vb, ib) if va < vb else (vb, ib, va, ia)
            if key in costs and costs[key] > max_distance_m:
                return False
    return True
