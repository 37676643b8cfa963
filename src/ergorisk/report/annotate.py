"""Draw a scored pose on a frame: the skeleton coloured by each part's REBA score, a banner.

Pure drawing on RGB arrays (OpenCV primitives); no file I/O. Landmarks are MediaPipe's 33
image landmarks as fractions of the frame, so drawing works at any output resolution.
"""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np

from ergorisk.contract import REBA_RISK_LEVELS

# RGB colours for the risk of one part: fine, a little, more, most.
LEVEL_COLOURS: tuple[tuple[int, int, int], ...] = (
    (46, 204, 64),
    (255, 220, 0),
    (255, 133, 27),
    (230, 40, 40),
)
UNSCORED_COLOUR = (170, 170, 170)
# REBA part score -> colour level (index = score). Each part's range differs, so a trunk
# at 3 (20-60 deg) and an upper arm at 3 (45-90 deg) are both "more", a lower arm at 2 "a little".
PART_LEVELS: dict[str, tuple[int, ...]] = {
    "trunk": (0, 0, 1, 2, 3, 3),
    "neck": (0, 0, 1, 2),
    "legs": (0, 0, 1, 2, 3),
    "upper_arm": (0, 0, 1, 2, 3, 3, 3),
    "lower_arm": (0, 0, 1),
    "wrist": (0, 0, 1, 2),
}
# The frames-table columns that annotate_frame reads.
DRAWN_COLUMNS: tuple[str, ...] = (
    "person_detected",
    "pose_reliable",
    "reba_risk_level",
    "reba_total_left",
    "reba_total_right",
    "rula_total_left",
    "rula_total_right",
    *(f"reba_{part}_{side}" for part in PART_LEVELS for side in ("left", "right")),
)
# REBA risk level (negligible ... very high) -> banner colour level.
RISK_LEVELS_COLOUR = (0, 0, 1, 2, 3)

# MediaPipe landmark indices per drawn segment: (part, side or None, (a, b)).
_L = {
    "nose": 0,
    "l_ear": 7,
    "r_ear": 8,
    "l_sh": 11,
    "r_sh": 12,
    "l_el": 13,
    "r_el": 14,
    "l_wr": 15,
    "r_wr": 16,
    "l_pi": 17,
    "r_pi": 18,
    "l_in": 19,
    "r_in": 20,
    "l_hip": 23,
    "r_hip": 24,
    "l_kn": 25,
    "r_kn": 26,
    "l_an": 27,
    "r_an": 28,
    "l_he": 29,
    "r_he": 30,
    "l_to": 31,
    "r_to": 32,
}
SEGMENTS: tuple[tuple[str, str | None, tuple[int, int]], ...] = tuple(
    [("trunk", None, (_L["l_sh"], _L["r_sh"])), ("trunk", None, (_L["l_hip"], _L["r_hip"]))]
    + [
        item
        for s, side in (("l", "left"), ("r", "right"))
        for item in (
            ("trunk", side, (_L[f"{s}_sh"], _L[f"{s}_hip"])),
            ("upper_arm", side, (_L[f"{s}_sh"], _L[f"{s}_el"])),
            ("lower_arm", side, (_L[f"{s}_el"], _L[f"{s}_wr"])),
            ("wrist", side, (_L[f"{s}_wr"], _L[f"{s}_in"])),
            ("wrist", side, (_L[f"{s}_wr"], _L[f"{s}_pi"])),
            ("legs", side, (_L[f"{s}_hip"], _L[f"{s}_kn"])),
            ("legs", side, (_L[f"{s}_kn"], _L[f"{s}_an"])),
            ("legs", side, (_L[f"{s}_an"], _L[f"{s}_he"])),
            ("legs", side, (_L[f"{s}_he"], _L[f"{s}_to"])),
            ("neck", side, (_L[f"{s}_ear"], _L[f"{s}_sh"])),
        )
    ]
)


def part_colour(part: str, score: float | None) -> tuple[int, int, int]:
    if score is None or not np.isfinite(score):
        return UNSCORED_COLOUR
    levels = PART_LEVELS[part]
    return LEVEL_COLOURS[levels[int(np.clip(score, 0, len(levels) - 1))]]


def draw_pose(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    part_scores: Mapping[tuple[str, str], float | None],
    min_visibility: float = 0.3,
) -> None:
    """Draw in place. landmarks (33, 3): x, y fractions and visibility; part_scores maps
    (part, side) to the REBA part score (None: not scored)."""
    if not np.isfinite(landmarks[0, 0]):
        return
    height, width = rgb.shape[:2]
    thick = max(2, round(min(width, height) / 200))
    xy = np.round(np.nan_to_num(landmarks[:, :2]) * (width, height)).astype(int)
    seen = landmarks[:, 2] >= min_visibility
    for part, side, (a, b) in SEGMENTS:
        if not (seen[a] and seen[b]):
            continue
        if side is None:  # shared trunk lines: the worse side's colour
            score = max(
                (
                    s
                    for s in (part_scores.get((part, "left")), part_scores.get((part, "right")))
                    if s is not None and np.isfinite(s)
                ),
                default=None,
            )
        else:
            score = part_scores.get((part, side))
        cv2.line(rgb, tuple(xy[a]), tuple(xy[b]), part_colour(part, score), thick, cv2.LINE_AA)
    for i in np.flatnonzero(seen[11:]) + 11:
        cv2.circle(rgb, tuple(xy[i]), thick + 1, (255, 255, 255), -1, cv2.LINE_AA)


def draw_banner(
    rgb: np.ndarray, text: str, level: int | None, opaque: bool = False, write: bool = True
) -> None:
    """A strip across the top, coloured by the risk level (None: grey), with one line;
    see-through unless opaque; ``write`` False: the strip alone, sized for ``text``."""
    height, width = rgb.shape[:2]
    scale = max(0.4, min(width, height) / 900)
    (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    scale *= min(1.0, (width - 20) / max(tw, 1))
    band = _banner_band(text, scale)
    # Opaque: twice as deep, so that it hides an earlier banner whatever that one's text size.
    strip = rgb[: 2 * band if opaque else band]
    mix = 0.0 if opaque else 0.35
    cv2.addWeighted(strip, mix, np.full_like(strip, _banner_colour(level)), 1 - mix, 0.0, dst=strip)
    if write:
        _banner_write(rgb, text, scale, band)


def _banner_band(text: str, scale: float) -> int:
    """The banner's height, in pixels, for its text at ``scale``."""
    (_, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, _thickness(scale))
    return th + base + 12


def _banner_write(rgb: np.ndarray, text: str, scale: float, band: int) -> None:
    """The banner's text, black, on its strip (the top ``band`` rows of ``rgb``)."""
    thick = _thickness(scale)
    _, base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    org = (10, band - base - 6)
    cv2.putText(rgb, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick, cv2.LINE_AA)


def _thickness(scale: float) -> int:
    return max(1, round(scale * 2))


def _banner_colour(level: int | None) -> tuple[int, int, int]:
    return UNSCORED_COLOUR if level is None else LEVEL_COLOURS[RISK_LEVELS_COLOUR[level]]


def banner_text(row: Mapping[str, object], time_s: float | None) -> str:
    """'REBA L 7 R 8  RULA L 5 R 6  t 3.40 s' from one frames-table row; a side without a
    score reads 'not seen', and a frame whose pose is unreliable says it is left out.
    ``time_s`` None: a photo, which has no time (its banner read 't 0.00 s')."""
    at = "" if time_s is None else f"   t {time_s:.2f} s"
    if not bool(row.get("person_detected", False)):
        return f"no person{at}"
    left_out = "pose unreliable, left out:  " if _unreliable(row) else ""
    total = _totals(row)
    return (
        f"{left_out}REBA L {total['reba_left']} R {total['reba_right']} ({_level(row)})   "
        f"RULA L {total['rula_left']} R {total['rula_right']}{at}"
    )


def strip_parts(row: Mapping[str, object], time_s: float | None) -> list[str]:
    """The banner in words for a printed page, where it need not fit across a frame:
    ['REBA left not seen, right 10 (high)', 'RULA left not seen, right 7', 'at 5.30 s']
    (the report's strip over a worst moment's picture; 'L not seen R 10' read as a code)."""
    at = [] if time_s is None else [f"at {time_s:.2f} s"]
    if not bool(row.get("person_detected", False)):
        return ["no person", *at]
    total = _totals(row)
    parts = [
        f"REBA left {total['reba_left']}, right {total['reba_right']} ({_level(row)})",
        f"RULA left {total['rula_left']}, right {total['rula_right']}",
        *at,
    ]
    return ["pose unreliable, left out of the figures", *parts] if _unreliable(row) else parts


def _totals(row: Mapping[str, object]) -> dict[str, str]:
    """Each method's and side's total as text: the score, or 'not seen'."""

    def fmt(value: object) -> str:
        try:
            return str(int(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return "not seen"

    return {
        f"{m}_{side}": fmt(row.get(f"{m}_total_{side}"))
        for m in ("reba", "rula")
        for side in ("left", "right")
    }


def _level(row: Mapping[str, object]) -> str:
    # A person with no total (a part that blanks both sides not seen) read "(None)".
    level = row.get("reba_risk_level")
    return level if isinstance(level, str) else "not scored"


def annotate_frame(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    row: Mapping[str, object],
    time_s: float,
    inplace: bool = False,
    banner: bool = True,
) -> np.ndarray:
    """One frame drawn from its landmarks and frames-table row: a copy, or ``rgb`` itself when
    ``inplace`` (a video frame nobody else holds). The part colours depend on the posture
    only; the banner's totals also on the task factors."""
    out = rgb if inplace else rgb.copy()
    scores = {}
    for part in PART_LEVELS:
        for side in ("left", "right"):
            scores[(part, side)] = _float(row.get(f"reba_{part}_{side}"))
    draw_pose(out, landmarks, scores)
    if banner:
        add_banner(out, row, time_s)
    return out


def add_banner(
    rgb: np.ndarray,
    row: Mapping[str, object],
    time_s: float | None,
    opaque: bool = False,
    write: bool = True,
) -> np.ndarray:
    """Draw the banner of one frames-table row on rgb (in place); returns rgb. An unreliable
    frame's banner is grey, as the report and the app shade it. ``write`` False: its strip
    without the text (over an old banner, hiding it)."""
    draw_banner(rgb, banner_text(row, time_s), _banner_level(row), opaque, write)
    return rgb


# The longest banner a frame can have: a video's strip is sized by it, the same on every frame.
LONGEST_BANNER = (
    "pose unreliable, left out:  REBA L not seen R not seen (very high)   "
    "RULA L not seen R not seen   t 99999.99 s"
)


def banner_above(
    rgb: np.ndarray, row: Mapping[str, object], time_s: float | None, video: bool = False
) -> np.ndarray:
    """A new picture: the row's banner on a strip above ``rgb``, not over it (over a video
    frame or a photo it hid hands raised to the top edge), its text as wide as the picture
    allows. ``video``: the strip and the text's size those of the longest banner, so that
    every frame of a video has the same size."""
    text = banner_text(row, time_s)
    width = rgb.shape[1]
    sizing = LONGEST_BANNER if video else text
    (tw, _), _ = cv2.getTextSize(sizing, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)
    scale = min(1.2, (width - 20) / max(tw, 1))
    band = _banner_band(sizing, scale)
    out = np.empty((band + rgb.shape[0], width, 3), dtype=np.uint8)
    out[:band] = _banner_colour(_banner_level(row))
    out[band:] = rgb
    _banner_write(out, text, scale, band)
    return out


def banner_css_colour(row: Mapping[str, object]) -> str:
    """The row's banner colour as CSS ("#ff851b"): the report writes a worst moment's banner
    as text above its picture."""
    return "#{:02x}{:02x}{:02x}".format(*_banner_colour(_banner_level(row)))


def _banner_level(row: Mapping[str, object]) -> int | None:
    return None if _unreliable(row) else _risk_index(row.get("reba_risk_level"))


_RISK_NAMES = REBA_RISK_LEVELS


def _float(value: object) -> float | None:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _unreliable(row: Mapping[str, object]) -> bool:
    """A person whose pose is flagged unreliable (rows without the column are reliable)."""
    flag = row.get("pose_reliable", True)
    return bool(row.get("person_detected", False)) and flag is not None and not bool(flag)


def _risk_index(name: object) -> int | None:
    return _RISK_NAMES.index(name) if name in _RISK_NAMES else None
