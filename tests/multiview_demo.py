"""The real 4-view demo (../shared/data/media/pose2sim-multiperson), MediaPipe run once per
test session: its four views take about 30 s on two cores."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

DEMO = Path("media/pose2sim-multiperson")
VIEWS = ("cam01", "cam02", "cam03", "cam04")
# Where the man on the treadmill stands in the first frame of each view (x0, y0, x1, y1 px).
ROIS = {
    "cam01": (150, 250, 650, 1250),
    "cam02": (330, 300, 800, 1200),
    "cam03": (380, 300, 900, 1400),
    "cam04": (50, 380, 780, 1500),
}


@functools.cache
def demo_views(shared_data: Path) -> tuple[list, np.ndarray]:
    """(cameras, (4, T, 33, 3) pixel tracks) of the man on the treadmill."""
    from ergorisk.io.calibration import read_calibration
    from ergorisk.multiview import estimate_view_poses, pixel_tracks, prepare_views

    videos = [shared_data / DEMO / "videos" / f"{v}.mp4" for v in VIEWS]
    calibration = read_calibration(shared_data / DEMO / "calibration" / "Calib.qca.txt")
    cameras = prepare_views(videos, calibration)
    tracks = estimate_view_poses(videos, [ROIS[v] for v in VIEWS])
    return cameras, pixel_tracks(tracks, cameras)
