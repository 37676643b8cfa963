"""The batch's time left, from each item's work and the seconds items took so far.

    work = item_work(item)                            # in video frames, from the headers
    left = eta_s(now, running, pending, done, workers)  # seconds, or None before any result

Counting items alone (every item as long as the mean so far) read 8 s with 28 s left where a
long video came last, and weighting by footage without knowing what was under way counted a
long video already half done twice (19-23 s with 5.5 s left). Here an item takes its work
(frames, and a fixed part by kind) times the seconds a unit of work took in the items done
so far, an item under way the rest of that from when it started, and the items waiting go,
in order, to the worker free first: the same order the engines hand them out. (A fit of a
fixed cost and a cost per frame on the items done needs two sizes of video done, and read
a photo's 5 s as a frame's cost.) A failed item says nothing of the cost of work.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# An item's work in video frames: the frames MediaPipe sees, plus what its kind costs
# whatever its length, in frames of the same cost (the camera tilt, the canonical facing,
# the reports, ...). Measured with one worker (2026-12-07): the example 26.5 s, it muxed 4
# times 66.5 s (0.058 s a frame, 13.2 s fixed: 230 frames), a photo 2.7 s, a UW-IOM pose
# file 0.6 s.
FIXED_FRAMES = {"video": 230.0, "image": 45.0, "other": 10.0}


def item_work(item: Any) -> float:
    """An item's work in video frames (FIXED_FRAMES): from its files' headers, a video's
    duration within its start/end options, at its rate, over its stride (a take's views
    summed); a file whose header cannot be read costs its kind's fixed part only."""
    from ergorisk.io.video import media_kind

    paths = item.views or (item.path,)
    kind = media_kind(paths[0]) or "other"
    frames = sum(_video_frames(Path(p), item.options) for p in paths) if kind == "video" else 0
    return FIXED_FRAMES[kind] + frames


def _video_frames(path: Path, options: dict[str, Any]) -> float:
    import av

    from ergorisk.io.video import header_duration_s

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or stream.guessed_rate or 0)
            # the header's, as probe_video reads it (not its scan of a file without one)
            duration = header_duration_s(container, stream)
            if not duration and rate:
                duration = (stream.frames or 0) / rate
            # The share of the video's data in the file: an MP4 cut short keeps a whole
            # header (its index first), which announced 920 frames for a 20 kB file.
            expected = (stream.bit_rate or 0) * duration / 8
            present = min(1.0, path.stat().st_size / expected) if expected > 0 else 1.0
    except (OSError, IndexError, av.error.FFmpegError, ValueError):
        return 0.0  # the item will fail; it costs next to nothing
    start = float(options.get("start") or 0.0)
    end = min(duration, float(options.get("end") or duration))
    return present * max(0.0, end - start) * rate / max(1, int(options.get("stride") or 1))


def scale(done: Sequence[tuple[float, float]]) -> float | None:
    """Seconds per unit of work (``item_work``), from the (work, seconds) of the items
    done: their seconds over their work. None before any item is done."""
    work = sum(w for w, _ in done)
    return sum(s for _, s in done) / work if done and work > 0 else None


def eta_s(
    now: float,
    running: Sequence[tuple[float, float]],
    pending: Sequence[float],
    done: Sequence[tuple[float, float]],
    workers: int,
) -> float | None:
    """Seconds until the last item ends: ``running`` (start time, work) under way,
    ``pending`` the work of the items still waiting in the order they will be handed out,
    ``done`` (work, seconds) of the items done; ``workers`` items at a time. An item past
    its prediction is taken to end now. None before any item is done."""
    per = scale(done)
    if per is None:
        return None
    free = [max(now, start + per * work) for start, work in running]
    free += [now] * max(0, workers - len(free))
    heapq.heapify(free)
    for work in pending:
        heapq.heappush(free, heapq.heappop(free) + per * work)
    return max(free) - now
