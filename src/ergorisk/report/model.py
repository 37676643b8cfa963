"""The report model: everything report.html, report.pdf and report.xlsx show, in words.

    model = build_report(frames, summary, meta, pictures)   # pure: no file is read or written

Every value here is display-ready (labels, sentences, percentages): the template and the
workbook only lay it out, so no internal key or raw dictionary can reach a reader.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.config import Metadata
from ergorisk.contract import (
    COUPLING_NAMES,
    NO_PERSON,
    NOT_SEEN,
    REBA_BANDS,
    REBA_RISK_LEVELS,
    RULA_ACTION_LEVELS,
    RULA_ACTION_WORDS,
    RULA_BANDS,
    SIDES,
    reba_risk_codes,
    rula_action_codes,
)
from ergorisk.report.activity import ActivityKind, activity_evidence
from ergorisk.report.annotate import PART_LEVELS, banner_css_colour, strip_parts
from ergorisk.report.episodes import Episode, worst_episodes
from ergorisk.report.explain import PART_NAMES, Explanation, explain, kg_text
from ergorisk.report.recommend import (
    BACKWARD,
    LABELS,
    Change,
    Recommendation,
    apply_change,
    recommend,
    recommend_task,
)
from ergorisk.scoring import reba, rula
from ergorisk.scoring.robust import SUSTAINED_MIN_S
from ergorisk.scoring.summary import reliable_scores

# (name, lowest, highest total) of each level, from the contract's bands.
REBA_LEVELS = tuple((name, lo, hi) for lo, hi, name in REBA_BANDS)
# RULA's by their totals, as "How to read the scores" gives them: "2: investigate further"
# (the action level) read as the score 2, which that line calls acceptable.
RULA_LEVELS = tuple(
    (f"{lo if lo == hi else f'{lo}–{hi}'}: {word}", lo, hi)
    for (lo, hi, _), word in zip(RULA_BANDS, RULA_ACTION_WORDS, strict=True)
)
LEVEL_COLOURS = ("#2ecc40", "#b8e986", "#ffdc00", "#ff851b", "#e62828")
RULA_COLOURS = ("#2ecc40", "#ffdc00", "#ff851b", "#e62828")
UNRELIABLE = "pose unreliable"
GREY, LIGHT_GREY, UNRELIABLE_GREY = "#9a9a9a", "#d8d8d8", "#6e6e6e"


@dataclass(frozen=True)
class Share:
    label: str
    percent: float
    seconds: float
    colour: str
    frames: int = 0  # the count behind the rounded percent and seconds


@dataclass(frozen=True)
class MethodVerdict:
    method: str  # "REBA" / "RULA"
    peak: str  # "10 (high risk: action necessary soon) from 6.53 s"
    sides: dict[str, list[Share]]  # side -> shares of time by level (incl. not seen)
    headline: str


@dataclass(frozen=True)
class PartRow:
    part: str
    side: str
    high_percent: float  # of the time the part was seen
    mean_score: float | None
    seen_percent: float
    # mean colour level (0 fine .. 3 most, annotate.PART_LEVELS) while seen: how much it
    # weighs, comparable between parts (a lower arm at its highest, 2, is level 1)
    mean_level: float | None = None
    # worksheet records show these: the highest part score, the records where the part is
    # raised and where it was filled in
    max_score: float | None = None
    high_count: int = 0
    seen_count: int = 0

    @property
    def drives(self) -> bool:
        """Raised a quarter of the time the person was reliably seen: one the verdict names
        ("Mostly from ..."). A share of the part's own seen time alone named "the legs"
        first for a close shot whose legs showed on 2 frames of 113 (both raised), scored
        as straight on the others."""
        return self.high_percent * self.seen_percent / 100 >= 25


@dataclass(frozen=True)
class Moment:
    episode: Episode
    title: str
    picture: str  # data URI ("" if none)
    side: str
    reba: Explanation
    rula: Explanation
    recommendations: list[Recommendation]
    worksheets: dict[str, dict[str, Any]]  # method -> completed worksheet of its side
    ranges: dict[str, str] = field(default_factory=dict)  # method -> "9–10" (score interval)
    # The picture's banner in words above it, on its colour (none without a picture):
    # drawn into the picture, it printed at 4 pt on a portrait video's narrow crop.
    strip: list[str] = field(default_factory=list)
    strip_colour: str = ""
    # method -> the side its explanation and worksheet are of: each method's higher side
    # there (``side``, the title's, is REBA's)
    sides: dict[str, str] = field(default_factory=dict)

    @property
    def help_lines(self) -> list[str]:
        """The moment's "What would help" lines (``merge_help``)."""
        return merge_help(self.recommendations)


def merge_help(recs: list[Recommendation]) -> list[str]:
    """One line per change: where REBA's and RULA's best change is the same, "upper-arm
    elevation 137° → within ±20° would lower REBA from 7 to 3 and RULA from 7 to 5: ...",
    not the same change twice (a worst moment listed it once for each method)."""
    groups: dict[tuple[str, str], list[Recommendation]] = {}
    for r in recs:
        groups.setdefault((r.what, r.advice), []).append(r)
    return [
        f"{what} would lower "
        + " and ".join(
            f"{r.method.upper()} from {r.score_before} to {r.score_after}"
            for r in sorted(rs, key=lambda r: r.method)  # REBA first, as the list
        )
        + (f": {advice}" if advice else "")
        for (what, advice), rs in groups.items()
    ]


@dataclass
class Report:
    title: str
    cover: list[tuple[str, str]]
    factors: list[tuple[str, str]]
    verdicts: list[MethodVerdict]
    parts: list[PartRow]
    moments: list[Moment]
    recommendations: list[str]
    quality: list[tuple[str, str]]
    warnings: list[str]
    method_notes: list[str]
    references: list[str]
    notes: str
    timeline_svg: str = ""
    activity: list[ActivityKind] = field(default_factory=list)  # REBA step 13, with evidence
    in_short: str = ""  # the verdict in one sentence, for a reader with ten seconds
    # its box's colour: the held REBA peak's level (RULA's without one); red for every
    # level read as an alarm over "REBA 3, low risk"
    in_short_colour: str = LEVEL_COLOURS[-1]
    # One picture or worksheet records, not a clip: no time to share out between levels.
    picture: bool = False
    image: bool = False  # one picture: "the picture", not "worst moment 1"
    records: int = 0  # how many hand-filled worksheet records (none: a clip or picture)
    # Pictures of the input (a video, a photo, views): a pose file's report spoke of its
    # pictures, the annotated video and blurred faces, none of which it has.
    drawn: bool = True
    # Said above the recommendations where the camera saw the person's back: advice built on
    # back-view angles read as sure as a side view's (a new-user walkthrough).
    recommendations_caveat: str = ""
    scales: str = field(default_factory=lambda: scales_text())
    # One camera's accuracy, beside the verdict: the ranges in brackets read as the whole
    # uncertainty, the method note saying otherwise six pages on (a manager's walkthrough).
    accuracy_note: str = ""
    generated: str = field(default_factory=lambda: dt.date.today().isoformat())

    @property
    def no_recommendation(self) -> str:
        """What the page and the workbook say where there is no recommendation: nothing was
        scored, or no posture change lowers a score ('nothing to fix' read for a photo of
        grass)."""
        if not self.moments:
            return "Nothing to change from this input: no moment was scored (the verdict says why)."
        if self.image:
            return "No posture change would lower the picture's scores."
        return "No posture change would lower the scores of the worst moments."


def scales_text() -> str:
    """How to read the two scores, from the bands and actions that score them (a manager
    read RULA 7 and REBA 9 without knowing one is the top of its scale)."""
    from ergorisk.contract import REBA_BANDS, RULA_BANDS
    from ergorisk.report.explain import REBA_ACTIONS, RULA_ACTIONS

    def span(lo: int, hi: int) -> str:
        return str(lo) if lo == hi else f"{lo}–{hi}"

    reba_bands = "; ".join(
        f"{span(lo, hi)} {name}, {REBA_ACTIONS[k]}" for k, (lo, hi, name) in enumerate(REBA_BANDS)
    )
    # Each with its action level: the verdict's "action level 3 or 4" beside the legend's
    # "3–4: investigate further" read as the scores 3-4 (a manager's walkthrough).
    rula_bands = "; ".join(
        f"{span(lo, hi)} action level {k + 1}, {RULA_ACTIONS[k + 1]}"
        for k, (lo, hi, _) in enumerate(RULA_BANDS)
    )
    return (
        f"How to read the scores: REBA rates the whole body from 1 to {REBA_BANDS[-1][1]} "
        f"({reba_bands}). RULA rates the arms, neck and trunk from 1 to {RULA_BANDS[-1][1]} "
        f"({rula_bands}). Where the two differ, act on the more urgent."
    )


def build_report(
    frames: pd.DataFrame,
    summary: Mapping[str, Any],
    meta: Metadata | None = None,
    pictures: Mapping[int, str] | None = None,
    episodes: list[Episode] | None = None,
    upright_tol_deg: float = 5.0,
    use_surrogate: bool = True,
) -> Report:
    """The report of one assessment. pictures: row position -> image data URI (the episode
    peaks' annotated, face-blurred frames; see ``picture_rows``)."""
    from ergorisk.report.charts import timeline_svg

    meta = meta or Metadata()
    fps = float(summary.get("fps") or 0) or None
    if episodes is None:
        episodes = worst_episodes(frames, fps=fps)
    options = summary.get("options", {})
    source_kind = str(options.get("kind") or "")
    # One frame, but for worksheet records, reads as a picture (a single pose too).
    kind = "image" if len(frames) == 1 and source_kind in ("", "pose", "skeleton") else source_kind
    moments = [
        _moment(frames, e, (pictures or {}).get(e.peak, ""), upright_tol_deg, use_surrogate, kind)
        for e in episodes
    ]
    source = input_name(options.get("input"))
    # One of several people in the input (--people): which one, on the title and the cover
    # (the reports of a video's people read alike once out of their person-<id> folders).
    person = summary.get("person_id")
    seen_in = source
    if person is not None:
        source = f"{source} · person {person}"
        # The cover says when they are seen: the IDs alone did not say whose report it was.
        seen = frames["time_s"][frames["person_detected"].astype(bool)]
        span = f", seen {seen.iloc[0]:.1f}–{seen.iloc[-1]:.1f} s" if len(seen) else ""
        seen_in = f"{source}{span}"
    parts = _parts(frames)
    # Hand-filled worksheets: records, not a clip or a picture (they read "one picture",
    # with the pose's uncertainty around typed angles).
    records = kind == "worksheet"
    drawn = source_kind in ("video", "image", "views")
    return Report(
        title=meta.task or source,
        cover=_cover(meta, summary, frames, seen_in, records),
        factors=_factors(
            options.get("task", {}),
            given=options.get("task_given"),
            picture=len(frames) == 1 and not records,
            not_judged=summary.get("activity_not_judged") or {},
            seen=ticked_records(frames) if records else activity_counts(summary),
            records=records,
            poses=source_kind in ("pose", "skeleton"),
        ),
        verdicts=[_verdict(frames, m, fps, summary, records) for m in ("reba", "rula")],
        parts=parts,
        in_short=in_short(summary, parts),
        in_short_colour=verdict_colour(summary),
        moments=moments,
        recommendations=actions(moments, upright_tol_deg, picture=kind == "image"),
        recommendations_caveat=_back_view_caveat(summary.get("view") or {}, moments),
        quality=_quality(frames, summary, records),
        warnings=[reader_words(str(w)) for w in summary.get("warnings", [])],
        method_notes=_method_notes(upright_tol_deg, options, picture=kind == "image"),
        references=REFERENCES if drawn else [r for r in REFERENCES if "MediaPipe" not in r],
        notes=meta.notes,
        timeline_svg=timeline_svg(frames, episodes) if len(frames) > 1 and not records else "",
        activity=activity_evidence(summary),
        picture=records or len(frames) == 1,
        image=kind == "image",
        records=len(frames) if records else 0,
        drawn=drawn,
        accuracy_note=ONE_CAMERA_NOTE if kind in ("video", "image") else "",
    )


ONE_CAMERA_NOTE = (
    "From one camera, a range in brackets is how far the pose's noise moves the score, not "
    "how far the score may be off: against four cameras, one camera's angles were 12–36° off "
    "on average (the method, at the end)."
)


def picture_rows(episodes: list[Episode]) -> list[int]:
    """Row positions of the frames whose pictures the report shows (the episode peaks)."""
    return [e.peak for e in episodes]


# ------------------------------------------------------------------ cover and factors


def _given(value: str) -> str:
    return value.strip() or "not given"


def _cover(
    meta: Metadata,
    summary: Mapping[str, Any],
    frames: pd.DataFrame,
    source: str,
    records: bool = False,
) -> list[tuple[str, str]]:
    duration = float(summary.get("duration_s") or 0)
    n = len(frames)
    span = (
        ("Records", f"{n} worksheet record{'s' * (n != 1)}")
        if records
        else ("Frames", "one picture")
        if len(frames) == 1
        else (
            "Duration",
            f"{duration:.1f} s, {len(frames)} frames at {float(summary.get('fps') or 0):g} fps"
            + _cut_text(summary, frames),
        )
    )
    return [
        ("Worker", _given(meta.worker)),
        ("Task", _given(meta.task)),
        ("Site", _given(meta.site)),
        ("Date", meta.date or dt.date.today().isoformat()),
        ("Assessor", _given(meta.assessor)),
        ("Input", source),
        span,
    ]


def _cut_text(summary: Mapping[str, Any], frames: pd.DataFrame) -> str:
    """' (1.00–4.00 s of the video)' for a --start/--end cut: its moments' times are the
    video's, and the cover said only '3.0 s' (a moment at 3.50 s read as past the end)."""
    media = (summary.get("config") or {}).get("media") or {}
    start, end = float(media.get("start_s") or 0.0), media.get("end_s")
    if (start <= 0 and end is None) or "time_s" not in frames or frames.empty:
        return ""
    fps = float(summary.get("fps") or 0)
    t0 = float(frames["time_s"].iloc[0])
    t1 = float(frames["time_s"].iloc[-1]) + (1 / fps if fps else 0.0)
    return f" ({t0:.2f}–{t1:.2f} s of the video)"


def _factors(
    task: Mapping[str, Any],
    picture: bool = False,
    not_judged: Mapping[str, str] | None = None,
    records: bool = False,
    poses: bool = False,
    given: Collection[str] | None = None,
    seen: Mapping[str, int] | None = None,
) -> list[tuple[str, str]]:
    """The task factors as scored. A value left to its default says so: one not among
    ``given`` (summary.json's options.task_given: set by a file, a flag or a manifest cell;
    "coupling good (the default)" read as if the assessor's "good" had been ignored), or,
    where a summary does not list them (a stored one before it did, a web rescoring), any
    value equal to the default. An activity left to the video (or the ``poses`` of a pose
    file) says whether it could be judged and, with ``seen`` (its episodes per kind:
    ``activity_counts``), whether it was set."""
    judged = (
        "as ticked in each worksheet record"
        if records
        else f"not judged from one {'pose' if poses else 'picture'}"
        if picture
        else f"judged from the {'poses' if poses else 'video'}"
    )

    def auto(key: str) -> str:
        value = task.get(key)
        if value is not None:
            return "yes (set by the assessor)" if value else "no (set by the assessor)"
        reason = (not_judged or {}).get(key)
        if reason and not (picture or records):
            return reason
        if records and seen is not None:  # how many records tick it ("as ticked in each
            # worksheet record" where none was read as if some were: a manager's walkthrough)
            count = seen.get(key, 0)
            return f"ticked in {count} of the records" if count else "ticked in no record"
        if seen is None or picture or records:
            return judged
        # the result beside how it was judged: it was only in the Activity section, pages on
        # (a new-user walkthrough)
        count = seen.get(key, 0)
        return f"{judged}: {f'set in {count} episode' + 's' * (count > 1) if count else 'not set'}"

    def default(text: str, is_default: bool, key: str) -> str:
        left = is_default and (given is None or key not in given)
        return f"{text} (the default)" if left else text

    load = float(task.get("load_kg") or 0)
    coupling = task.get("coupling", 0)
    name = COUPLING_NAMES[int(coupling)] if isinstance(coupling, int | float) else str(coupling)
    return [
        # to 0.1 kg: a load typed in pounds read "21.9992 kg"
        ("Load handled", default(f"{kg_text(load)} kg", load == 0, "load_kg")),
        (
            "Shock or rapid build-up of force",
            default("yes" if task.get("shock") else "no", not task.get("shock"), "shock"),
        ),
        ("Hand coupling", default(name, coupling in (0, "good"), "coupling")),
        ("A part held static over 1 minute", auto("static")),
        ("Small-range actions repeated over 4 times a minute", auto("repeated")),
        ("Rapid large changes of posture", auto("rapid_change")),
    ]


def activity_counts(summary: Mapping[str, Any]) -> dict[str, int] | None:
    """summary.json's activity episodes per kind ({"rapid_change": 5}); None where the
    summary has no activity list (a stored one before it did)."""
    episodes = summary.get("activity")
    if not isinstance(episodes, list):
        return None
    return dict(Counter(str(e.get("kind")) for e in episodes))


# ------------------------------------------------------------------ verdict


def _col(frames: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frames:
        return np.full(len(frames), np.nan)
    return frames[name].to_numpy(dtype=float, na_value=np.nan)


def level_shares(frames: pd.DataFrame, method: str, side: str, fps: float | None) -> list[Share]:
    """Share of the time in each risk level over the frames whose pose is reliable, then
    'pose unreliable' (left out, as from summary.json's levels), 'part not seen' (a person,
    reliably seen, but this side's score is missing) and 'no person': the web app's split."""
    levels, colours = (
        (REBA_LEVELS, LEVEL_COLOURS) if method == "reba" else (RULA_LEVELS, RULA_COLOURS)
    )
    suffix = "" if side == "both" else f"_{side}"
    total = _col(frames, f"{method}_total{suffix}")
    person = frames["person_detected"].to_numpy(dtype=bool)
    reliable = (
        frames["pose_reliable"].to_numpy(dtype=bool) if "pose_reliable" in frames else person
    ) & person
    n = max(len(total), 1)
    dt_s = 1.0 / fps if fps else 0.0
    counts = [
        (name, int(np.sum(reliable & (total >= lo) & (total <= hi))), c)
        for (name, lo, hi), c in zip(levels, colours, strict=True)
    ]
    counts.append((UNRELIABLE, int(np.sum(person & ~reliable)), UNRELIABLE_GREY))
    counts.append((NOT_SEEN, int(np.sum(reliable & ~np.isfinite(total))), LIGHT_GREY))
    counts.append((NO_PERSON, int(np.sum(~person)), GREY))
    # to 0.01 %: rounded to 0.1 first, 15 frames of 97 (15.46 %) read "16% of the clip" in
    # the legend beside the verdict's "15% of the scored time"
    return [Share(name, round(100 * k / n, 2), round(k * dt_s, 2), c, k) for name, k, c in counts]


def whole_percent(share: float) -> int:
    """100 * share to the nearest whole number, halves up, as the pages' JavaScript rounds
    (Math.round): Python's own rounding takes halves to the even number, and a back view
    seen on 22.5 % of the frames read 23 % on the page and 22 % in the PDF."""
    return math.floor(100 * share + 0.5)


def percent_text(count: int, total: int) -> str:
    """'57%'; never 100 % or 0 % where some frames are missing or some there: 214 frames of
    215 read "100% of the frames with a person" (a walkthrough)."""
    p = 100 * count / total if total else 0.0
    if 0 < count and p < 0.5:
        return "<1%"
    if count < total and p >= 99.5:
        return ">99%"
    return f"{whole_percent(count / total if total else 0.0)}%"


def scored_percent(shares: list[Share], labels: tuple[str, ...]) -> float:
    """The share of the scored time (the risk levels' frames) spent in ``labels``: the CLI's
    'high or worse N% of the scored time'."""
    # From the frame counts: the percents, each rounded to 0.1, summed to 25 % where the
    # CLI's line, from the frames themselves, said 26 % (25.5 %).
    scored = [sh for sh in shares if sh.label not in (UNRELIABLE, NOT_SEEN, NO_PERSON)]
    total = sum(sh.frames for sh in scored)
    return 100 * sum(sh.frames for sh in scored if sh.label in labels) / total if total else 0.0


def _verdict(
    frames: pd.DataFrame,
    method: str,
    fps: float | None,
    summary: Mapping[str, Any],
    records: bool = False,
) -> MethodVerdict:
    """The method's peak as the summary states it (the highest score held for a moment, not
    one frame's: the same figure as the CLI and the app), then the time at high levels."""
    # The frames every figure counts: an unreliable frame's score set the fallback peak
    # ("REBA reaches 10" where the reliable frames reached 8).
    total = reliable_scores(frames, f"{method}_total")
    sides = {s: level_shares(frames, method, s, fps) for s in (*SIDES, "both")}
    name = method.upper()
    held = (summary.get(method) or {}).get("total", {}).get("peak")
    if not np.isfinite(total).any():
        raw = _col(frames, f"{method}_total")
        why = "the pose was unreliable" if np.isfinite(raw).any() else "nobody was seen"
        return MethodVerdict(name, f"not scored: {why}", sides, f"{name}: not scored ({why})")
    if held:
        peak, t = int(held["score"]), float(held["time_s"])
        span = score_range(held.get("low"), held.get("high"))
    else:
        i = int(np.nanargmax(total))
        peak, t, span = int(total[i]), float(frames["time_s"].iloc[i]), ""
    if records:  # typed angles: no uncertainty, and records, not time
        words = _level_words(method, peak)
        where = int(np.nanargmax(total))
        pct = scored_percent(sides["both"], _HIGH[method])
        headline = f"{name} is {peak} ({words})" + (
            f" at its highest, in record {where + 1} of {len(frames)}; {pct:.0f}% of the "
            f"records at {_HIGH_WORDS[method]}."
            if len(frames) > 1
            else "."
        )
        return MethodVerdict(name, f"{peak} ({words})", sides, headline)
    if span and held.get("low") == held.get("high"):
        span = "the same"  # "7 (7–7 within the pose's uncertainty)" read as a misprint
    words = _level_words(method, peak) + (f"; {span} within the pose's uncertainty" if span else "")
    if len(frames) == 1:  # a picture: no time to speak of
        return MethodVerdict(name, f"{peak} ({words})", sides, f"{name} is {peak} ({words}).")
    pct = scored_percent(sides["both"], _HIGH[method])
    # The peak is held (scoring/robust.py); say so where it goes higher for shorter runs,
    # and how long, as the worst moments' worksheets (one frame each) then show the higher
    # score ("single frames up to 7" read wrong beside 0.7 s of RULA 7 in runs of 4 frames).
    scores = reliable_scores(frames, f"{method}_total")
    top = np.nanmax(scores)
    higher = ""
    if held and top > peak and fps:
        above = scores > peak
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, above.astype(int), 0])))[::2]
        level = "" if method == "reba" else f", {_level_short(method, int(top))}"
        held_s = above.sum() / fps
        # The time above the held peak, not at the top score: "briefly up to 5: 0.35 s in
        # all" read as 0.35 s at 5, where 5 lasted 0.10 s and 4 the rest.
        higher = (
            f", held {SUSTAINED_MIN_S:g} s or more (briefly higher, up to {int(top)}{level}: "
            f"{held_s:.{1 if held_s >= 1 else 2}f} s above {peak} in all, at most "
            f"{runs.max() / fps:.2f} s at a time)"
        )
    if not held and fps:  # a few reliable frames, too short to hold a score
        n = int(np.isfinite(scores).sum())
        short = f"no score held {SUSTAINED_MIN_S:g} s"
        headline = (
            f"{name}: {short}; {n} reliable frame{'s' * (n != 1)} ({n / fps:.2f} s) reach up "
            f"to {peak} ({words}), from {t:.2f} s."
        )
        return MethodVerdict(name, f"{short} (up to {peak} from {t:.2f} s)", sides, headline)
    headline = (
        f"{name} reaches {peak} ({words}){higher}, from {t:.2f} s; {pct:.0f}% of the scored "
        f"time at {_HIGH_WORDS[method]}."
    )
    return MethodVerdict(name, f"{peak} ({words}) from {t:.2f} s", sides, headline)


# How urgent each RULA action level is on REBA's scale of levels (LEVEL_COLOURS): 3-4
# "investigate further" beside REBA's medium ("action necessary"), 5-6 "change soon" beside
# high, 7 "change immediately" beside very high; RULA_COLOURS are those levels' colours.
RULA_URGENCY = (0, 2, 3, 4)


def ticked_records(frames: pd.DataFrame) -> dict[str, int]:
    """How many worksheet records tick each activity flag (on either side)."""
    out = {}
    for key in ("static", "repeated", "rapid_change"):
        cols = [c for c in (f"{key}_left", f"{key}_right") if c in frames]
        ticked = frames[cols].fillna(False).astype(bool).any(axis=1) if cols else []
        out[key] = int(np.sum(ticked))
    return out


def verdict_colour(summary: Mapping[str, Any]) -> str:
    """The colour of the more urgent held peak, REBA's level or RULA's action level on the
    same scale (RULA_URGENCY): the report says to act on the more urgent, and its box was
    orange for REBA "high" beside RULA 7, "change immediately". Red where neither was held."""
    urgency = []
    for method, codes, scale in (
        ("reba", reba_risk_codes, range(len(LEVEL_COLOURS))),
        ("rula", rula_action_codes, RULA_URGENCY),
    ):
        held = (summary.get(method) or {}).get("total", {}).get("peak")
        if held:
            urgency.append(scale[int(codes(np.array([int(held["score"])]))[0])])
    return LEVEL_COLOURS[max(urgency)] if urgency else LEVEL_COLOURS[-1]


def in_short(summary: Mapping[str, Any], parts: list[PartRow]) -> str:
    """The verdict in one sentence: each method's held peak in words, then the body parts at
    a raised score a quarter of the time the person was reliably seen or more ('Mostly from
    the lower arm, the upper arm and the trunk'). The headline beside it has the figures."""
    words = []
    for method in ("reba", "rula"):
        held = (summary.get(method) or {}).get("total", {}).get("peak")
        if held:
            level = _level_words(method, int(held["score"]))
            words.append(f"{method.upper()} {int(held['score'])}, {level}")
            peak = int(held["score"])
            words[-1] += higher_levels_note(summary, method, peak) or briefly(summary, method, peak)
    if not words:
        return ""
    # The most severe first: a lower arm at its highest score (2, +1 to the arm) all the
    # time led "Mostly from the lower arm, ..." though no advice spoke of it.
    raised = sorted(
        (p for p in parts if p.drives),
        key=lambda p: -(p.mean_level if p.mean_level is not None else p.high_percent / 100),
    )
    drivers = [f"the {d}" for d in dict.fromkeys(p.part.lower() for p in raised)][:3]
    text = "In short: " + "; ".join(words) + "."
    if drivers:
        listed = ", ".join(drivers[:-1]) + " and " + drivers[-1] if len(drivers) > 1 else drivers[0]
        text += f" Mostly from {listed}."
    return text


def _time_above(summary: Mapping[str, Any], method: str, peak: int) -> tuple[list, list, int]:
    """(level names, seconds in each over the reliable frames, the held peak's level)."""
    names = REBA_RISK_LEVELS if method == "reba" else RULA_ACTION_LEVELS
    codes = reba_risk_codes if method == "reba" else rula_action_codes
    by_level = (summary.get(method) or {}).get("total", {}).get("time_s_by_level") or {}
    seconds = [float(by_level.get(name) or 0.0) for name in names]
    return list(names), seconds, int(codes(np.array([peak]))[0])


def briefly(summary: Mapping[str, Any], method: str, peak: int) -> str:
    """' (briefly action level 4: 8% of the scored time)': the highest level reached above
    the held peak's, in runs too short to hold, where higher_levels_note says nothing (under
    10 %). The verdict read "RULA 6, ... change soon" over worst moments at RULA 7,
    "investigate and change immediately": two instructions for one clip."""
    names, seconds, level = _time_above(summary, method, peak)
    above = [k for k in range(level + 1, len(names)) if seconds[k] > 0]
    scored = sum(seconds)
    if not above or not scored:
        return ""
    share = percent_text(round(sum(seconds[level + 1 :]) * 1000), round(scored * 1000))
    return f" (briefly {names[above[-1]]}: {share} of the scored time)"


def higher_levels_note(summary: Mapping[str, Any], method: str, peak: int) -> str:
    """' (22% of the scored time at a higher level, in runs under 0.3 s)' where that share
    is 10 % or more: the held peak alone read "REBA 3, low risk" over a clip 21 % of whose
    time was medium, in runs too short to hold (the report's sentence and the command
    line's summary alike: four views whose reliable frames came in runs of 12-13 at 60 fps
    printed 'REBA peak 6 (medium)' beside 'high or worse 59%')."""
    _, seconds, level = _time_above(summary, method, peak)
    scored = sum(seconds)
    above = sum(seconds[level + 1 :])
    if not scored or above / scored < 0.1:
        return ""
    return (
        f" ({whole_percent(above / scored)}% of the scored time at a higher level, in runs under "
        f"{SUSTAINED_MIN_S:g} s)"
    )


def score_range(low: Any, high: Any) -> str:
    """'9–10': a score's interval as the report writes it ('' when unknown)."""
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return ""
    return f"{int(low)}–{int(high)}"


_HIGH = {"reba": ("high", "very high"), "rula": tuple(name for name, _, _ in RULA_LEVELS[2:])}
_HIGH_WORDS = {"reba": "high or very high risk", "rula": "action level 3 or 4"}


def _level_words(method: str, total: int) -> str:
    from ergorisk.report.explain import REBA_ACTIONS, RULA_ACTIONS

    if method == "reba":
        risk, action = reba.risk(np.array([total]))
        return f"{risk[0]} risk, {REBA_ACTIONS[int(action[0])]}"
    level = int(rula.action_level(np.array([total]))[0])
    return f"action level {level}, {RULA_ACTIONS[level]}"


# ------------------------------------------------------------------ body parts


def _parts(frames: pd.DataFrame) -> list[PartRow]:
    """Each REBA part and side: share of its seen time at a raised part score (the orange
    and red of the annotated video; the lower arm, whose REBA score stops at 2 and is drawn
    yellow there, counts that score), its mean score and how often it was seen, over the
    frames with a reliable pose, as every other figure of the report (it counted the
    unreliable ones too: the trunk read 42 % where the reliable frames give 40 %)."""
    rows = []
    person = frames["person_detected"].to_numpy(dtype=bool)
    if "pose_reliable" in frames:
        person = person & frames["pose_reliable"].to_numpy(dtype=bool)
    n_person = max(int(person.sum()), 1)
    for part, levels in PART_LEVELS.items():
        lut = np.asarray(levels)
        pair = []
        for side in SIDES:
            s = _col(frames, f"reba_{part}_{side}")
            # a part scored on a frame that counts no person (a triangulation with some
            # joints only) is not counted: the share is of the frames with a person
            seen = np.isfinite(s) & person
            levels_seen = lut[np.clip(s[seen], 0, len(lut) - 1).astype(int)]
            high = levels_seen >= min(2, lut.max())
            pair.append(
                PartRow(
                    part=PART_NAMES[part],
                    side=side,
                    high_percent=round(100 * float(high.mean()), 1) if seen.any() else 0.0,
                    mean_score=round(float(s[seen].mean()), 1) if seen.any() else None,
                    seen_percent=round(100 * float(seen.sum()) / n_person, 1),
                    mean_level=round(float(levels_seen.mean()), 2) if seen.any() else None,
                    max_score=float(s[seen].max()) if seen.any() else None,
                    high_count=int(high.sum()),
                    seen_count=int(seen.sum()),
                )
            )
        # The trunk and neck are one for both sides: one row, not the same figures twice.
        both = [replace(row, side="both") for row in pair]
        rows += both[:1] if both[0] == both[1] else pair
    # The parts that drive the score first, in the verdict's order ("Mostly from ..."): the
    # ones it names, then by their mean colour level, then the share raised. By the share
    # alone a lower arm at its top score (2, a yellow "+1") all the time headed the table
    # under "Mostly from the upper arm"; a close shot's legs, seen on 2 % of the frames,
    # headed it above the parts the verdict named.
    rows.sort(
        key=lambda r: (
            not r.drives,
            -(r.mean_level if r.mean_level is not None else -1),
            -r.high_percent,
            -(r.mean_score or 0),
        )
    )
    return rows


# ------------------------------------------------------------------ worst moments


def side_worksheet(row: pd.Series, method: str, side: str) -> dict[str, Any]:
    """One side's worksheet inputs from a frames row, as scored (NaN: not seen)."""
    from ergorisk.kinematics.worksheet import row_for_scoring

    inputs = reba.INPUTS if method == "reba" else rula.INPUTS
    scored = row_for_scoring(row, side, inputs)
    out = {}
    for key in inputs:
        value = scored.get(key)
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            value = math.nan if key.endswith("_deg") else None
        elif isinstance(value, np.generic):
            value = value.item()
        if value is not None:
            out[key] = value
    return out


def assumed_inputs(row: pd.Series, method: str, side: str) -> frozenset[str]:
    """The angles of one side's worksheet that were not measured on this frame but scored
    as neutral (kinematics.worksheet's ASSUMED and NEVER_SEEN: a wrist not seen, a neck of a
    layout without a head)."""
    from ergorisk.kinematics.worksheet import row_for_scoring

    inputs = reba.INPUTS if method == "reba" else rula.INPUTS
    scored = row_for_scoring(row, side, inputs)
    return frozenset(
        k
        for k in inputs
        if k.endswith("_deg")
        and k != "knee_flexion_deg"  # the knee(s) convention says "knees not seen" itself
        and pd.isna(row.get(f"{k}_{side}", np.nan))
        and pd.notna(scored.get(k, np.nan))
    )


def input_name(source: Any) -> str:
    """What the report calls its input: a file's name, or a multi-view take's views."""
    if isinstance(source, list | tuple):
        names = [Path(str(p)).name for p in source]
        return f"{len(names)} views: {', '.join(names)}"
    return Path(str(source or "assessment")).name


def _moment(
    frames: pd.DataFrame,
    e: Episode,
    picture: str,
    tol: float,
    use_surrogate: bool,
    kind: str = "",
) -> Moment:
    from ergorisk.report.explain import complete

    row = frames.iloc[e.peak]
    # Each method explains the side it scores higher there: RULA's column explained REBA's
    # side (right 4, its wrist not seen) where the frame's RULA is the left's 5.
    sides = {"reba": e.side, "rula": e.rula_side}
    worksheets = {m: complete(m, side_worksheet(row, m, sides[m])) for m in ("reba", "rula")}
    recs = [recommend(m, worksheets[m], tol, use_surrogate) for m in ("reba", "rula")]
    recs = [r for r in recs if r is not None]
    recs += _also_lowers(recs, worksheets, tol)
    recs += [recommend_task(m, worksheets[m], tol) for m in ("reba", "rula")]
    title = moment_title(e, kind)
    at = None if kind == "image" else float(row["time_s"])  # a photo has no time
    return Moment(
        episode=e,
        title=title,
        picture=picture,
        side=e.side,
        sides=sides,
        reba=explain("reba", worksheets["reba"], tol, assumed_inputs(row, "reba", e.side)),
        rula=explain("rula", worksheets["rula"], tol, assumed_inputs(row, "rula", sides["rula"])),
        # typed angles have no uncertainty: "8 (8–8 on this frame)" said nothing
        ranges={
            m: "" if kind == "worksheet" else _row_range(row, m, sides[m]) for m in ("reba", "rula")
        },
        recommendations=[r for r in recs if r is not None],  # the task's may be None
        worksheets=worksheets,
        strip=strip_parts(row, at) if picture else [],
        strip_colour=banner_css_colour(row) if picture else "",
    )


def _also_lowers(
    recs: list[Recommendation], worksheets: Mapping[str, dict[str, Any]], tol: float
) -> list[Recommendation]:
    """Each method's best change at a moment, applied to the other method where it lowers
    that score too, to the same target (on that method's side: RULA's may be the other):
    the card said 'trunk flexion 85° → within ±5° would lower RULA from 6 to 4' where the
    report's list, from the same moment, said it also lowers REBA from 9 to 5."""
    out: list[Recommendation] = []
    for r in recs:
        if r.task or len(r.changes) != 1 or isinstance(r.changes[0].before, bool):
            continue
        key, other = r.changes[0].key, "rula" if r.method == "reba" else "reba"
        if any(o.method == other and o.changes[0].key == key for o in recs + out):
            continue
        value = worksheets[other].get(key)
        if not isinstance(value, int | float) or math.isnan(value):
            continue
        extra = apply_change(other, worksheets[other], Change(key, value, r.changes[0].after), tol)
        # the same target (REBA's and RULA's bands differ for some parts): the same change
        if extra is not None and extra.targets[:1] == r.targets[:1]:
            out.append(extra)
    return out


def reader_words(warning: str) -> str:
    """A warning for the report's reader, who has the report, not ergorisk's docs folder
    nor its command line: "(off by 22° on average against four cameras, docs/accuracy.md)"
    loses the path, and a people warning its hint to whoever ran it ("--people all assesses
    everyone, --roi or --people ID someone else"; a batch's read "ergorisk assess VIDEO
    --people all assesses everyone (a row is one person), roi or people ID someone else" in
    a plant manager's PDF). summary.json keeps them for the person who ran the assessment."""
    text = re.sub(r";[^;]*\bassesses everyone\b[^;]*(;[^;]*\bpicks someone else)?", "", warning)
    # The tilt hint names a flag (or keyword) the reader has no use for: what it means.
    text = re.sub(
        r"give (?:--camera-pitch-deg|camera_pitch_deg) if the camera was not level",
        "the scores take the camera as level",
        text,
    )
    text = re.sub(r",\s*docs/[\w-]+\.md\)", ")", text)
    text = re.sub(r"\s*\(docs/[\w-]+\.md\)", "", text)
    return re.sub(r"docs/[\w-]+\.md", "ergorisk's documentation", text)


def moment_title(e: Episode, kind: str = "") -> str:
    """A worst moment's title; the web page's list says the same (assessment.js). The run is
    of each frame's higher side; the side named is the picture's ('left side; picture at'
    read as if the left side alone held the score). A picture and worksheet records have no
    time: 'The picture' and 'Record 2' (a photo read '0.00–1.00 s: ... for 1.0 s')."""
    if kind == "worksheet":
        return f"Record {e.peak + 1}: REBA {e.score} ({e.side} side)"
    if kind == "image":
        return f"The picture: REBA {e.score} ({e.side} side)"
    brief = f"; briefly {e.max_reba} at {e.max_s:.2f} s" if e.max_reba > e.score else ""
    shown = "at" if kind in ("pose", "skeleton") else "picture at"  # a pose file has none
    return (
        f"{e.start_s:.2f}–{e.end_s:.2f} s: REBA {e.score} or more for {e.duration_s:.1f} s "
        f"({shown} {e.peak_s:.2f} s, {e.side} side there{brief})"
    )


def _row_range(row: pd.Series, method: str, side: str) -> str:
    bounds = [row.get(f"{method}_total_{b}_{side}") for b in ("low", "high")]
    bounds = [None if b is None or b is pd.NA else float(b) for b in bounds]
    return score_range(*bounds)


def actions(moments: list[Moment], tol: float = 5.0, picture: bool = False) -> list[str]:
    """The recommendations as a short list of actions: one line per piece of advice (most
    severe moment first), naming the worst moments it helps (``picture``: "the picture", a
    photo's one moment) and what each change would lower, rather than the same advice once
    per moment and method."""
    groups: dict[str, list[tuple[int, Recommendation]]] = {}
    for m in moments:
        for r in m.recommendations:
            # the task's (load, shock, grip) one line for both methods
            groups.setdefault("" if r.task else r.advice or r.text, []).append((m.episode.rank, r))
    by_rank = {m.episode.rank: m for m in moments}
    out = []
    for key, items in groups.items():
        ranks = sorted({rank for rank, _ in items})
        if key == "":
            out.append(_task_line(items, ranks, picture))
            continue
        effects = _one_change(items + _elsewhere(items, by_rank, tol)) or "; ".join(
            dict.fromkeys(
                f"{r.text.split(': ', 1)[0]} ({_level_short(r.method, r.score_after)})"
                for _, r in items
            )
        )
        where = _where(ranks, picture)
        if items[0][1].advice:
            out.append(f"{key[0].upper()}{key[1:]} ({where}): {effects}")
        else:
            out.append(f"{effects} ({where})")
    return out


def _where(ranks: list[int], picture: bool = False) -> str:
    """Which worst moments a line helps: 'worst moments 1, 2', or a photo's 'the picture'."""
    if picture:
        return "the picture"
    return f"worst moment{'s' * (len(ranks) > 1)} {', '.join(map(str, ranks))}"


def _task_line(
    items: list[tuple[int, Recommendation]], ranks: list[int], picture: bool = False
) -> str:
    """The load, shock and grip, one line: 'Lighten the load: ... (worst moments 1, 2):
    load 12 kg → 5 kg or less, no shock and grip fair → good would lower REBA from 7–10 to
    3–7 (medium risk or lower) and RULA (load 2 kg or less) from 7 to 3–6 (...)'."""
    recs = sorted((r for _, r in items), key=lambda r: r.method)  # REBA's words first
    lowered = []
    for method in ("reba", "rula"):
        mine = [r for r in recs if r.method == method]
        if not mine:
            continue
        after = [r.score_after for r in mine]
        lower = " or lower" if min(after) < max(after) else ""
        # RULA's load scores nothing at 2 kg, REBA's at 5 kg
        own = mine[0].targets[0] if mine[0].targets[0] != recs[0].targets[0] else ""
        named = f" (with {own})" if own else ""
        lowered.append(
            f"{method.upper()}{named} from {_span(r.score_before for r in mine)} to "
            f"{_span(after)} ({_level_short(method, max(after))}{lower})"
        )
    advice = "; ".join(dict.fromkeys(a for r in recs for a in r.advice.split("; ")))
    where = _where(ranks, picture)
    return (
        f"{advice[0].upper()}{advice[1:]} ({where}): {recs[0].targets[0]} would lower "
        + " and ".join(lowered)
    )


def _elsewhere(
    items: list[tuple[int, Recommendation]], by_rank: Mapping[int, Moment], tol: float
) -> list[tuple[int, Recommendation]]:
    """One change found for some of a group's moments and methods, applied to the others
    where it lowers their score too. Without it, 'trunk flexion -> within ±5° would lower
    REBA from 10 to 9 and RULA from 6 to 4 (worst moments 1, 2)' joined moment 1's REBA to
    moment 2's RULA, and left out that it takes moment 2's REBA from 9 to 5."""
    if not items or any(len(r.changes) != 1 for _, r in items):
        return []
    changes = [r.changes[0] for _, r in items]
    key, target = changes[0].key, items[0][1].targets[0]
    if any(c.key != key or isinstance(c.before, bool) for c in changes) or any(
        r.targets[0] != target for _, r in items
    ):
        return []
    done = {(rank, r.method) for rank, r in items}
    after = {r.method: r.changes[0].after for _, r in items}
    extra = []
    for rank in sorted({rank for rank, _ in items}):
        for method in ("reba", "rula"):
            ws = by_rank[rank].worksheets.get(method, {})
            value = ws.get(key)
            if (rank, method) in done or not isinstance(value, int | float) or math.isnan(value):
                continue
            change = Change(key, float(value), after.get(method, changes[0].after))
            if change.target(method, tol) != target:
                continue
            rec = apply_change(method, ws, change, tol)
            if rec is not None:
                extra.append((rank, rec))
    return extra


def _one_change(items: list[tuple[int, Recommendation]]) -> str | None:
    """One sentence for the same change at several moments and methods: 'upper-arm elevation
    93–153° → within ±20° would lower REBA from 7–9 to 3–5 (medium risk or lower) and RULA
    from 6–7 to 4–5 (action level 3 or lower)', not five near-identical clauses. None
    where the moments need different changes."""
    recs = [r for _, r in items]
    if len(recs) < 2 or any(len(r.changes) != 1 for r in recs):
        return None
    keys = {r.changes[0].key for r in recs}
    before = [r.changes[0].before for r in recs]
    if len(keys) != 1 or any(isinstance(b, bool) for b in before):
        return None
    key = keys.pop()
    values = [float(b) for b in before]
    # The target as each recommendation words it ("within ±20°"): one, and one sign.
    targets = {r.targets[0] for r in recs}
    if len(targets) != 1 or min(values) < 0 < max(values):
        return None
    behind = f" ({BACKWARD[key]})" if min(values) < 0 and key in BACKWARD else ""
    lowered = []
    ranks = sorted({rank for rank, _ in items})
    for method in ("reba", "rula"):
        mine = [r for r in recs if r.method == method]
        if mine:
            after = [r.score_after for r in mine]
            lower = " or lower" if min(after) < max(after) else ""
            level = _level_short(method, max(after)) + lower
            # the moments this method's figures are of, where not all the group's
            own = sorted({rank for rank, r in items if r.method == method})
            at = (
                ""
                if own == ranks
                else f" at worst moment{'s' * (len(own) > 1)} " + ", ".join(map(str, own))
            )
            lowered.append(
                f"{method.upper()} from {_span(r.score_before for r in mine)} to {_span(after)} "
                f"({level}){at}"
            )
    return (
        f"{LABELS[key]} {_span(abs(v) for v in values)}°{behind} → {targets.pop()} would lower "
        + " and ".join(lowered)
    )


def _span(values: Any) -> str:
    """'7–9', or '8' when all are the same (whole numbers)."""
    ints = sorted({round(float(v)) for v in values})
    return str(ints[0]) if len(ints) == 1 else f"{ints[0]}–{ints[-1]}"


def _level_short(method: str, total: int) -> str:
    """'high risk' (REBA) or 'action level 3' (RULA): where a change leaves the score."""
    if method == "reba":
        return f"{reba.risk(np.array([total]))[0][0]} risk"
    return f"action level {int(rula.action_level(np.array([total]))[0])}"


# ------------------------------------------------------------------ data quality, method


def _quality(
    frames: pd.DataFrame, summary: Mapping[str, Any], records: bool = False
) -> list[tuple[str, str]]:
    n = max(len(frames), 1)
    person = frames["person_detected"].to_numpy(dtype=bool)

    def share(count: int, total: int, of: str) -> str:
        # one picture: yes or no ("100% of the frames" of a photo)
        return ("yes" if count else "no") if n == 1 else f"{percent_text(count, total)} of {of}"

    if records:
        # typed records: no person to detect, no pose to trust ("Person detected 100% of
        # the frames" of three worksheets); what is left is which sides were filled in
        out = [("Records", str(len(frames)))]
        for side in SIDES:
            seen = np.isfinite(_col(frames, f"reba_total_{side}"))
            out.append(
                (f"{side.capitalize()} side scored", share(int(seen.sum()), n, "the records"))
            )
        return out
    out = [("Person detected", share(int(person.sum()), n, "the frames"))]
    if "pose_reliable" in frames:
        ok = frames["pose_reliable"].to_numpy(dtype=bool)
        out.append(("Reliable pose", share(int(ok.sum()), n, "the frames")))
    out.extend(_view_rows(summary.get("view") or {}, picture=n == 1))
    for side in SIDES:
        seen = np.isfinite(_col(frames, f"reba_total_{side}"))
        people = max(int(person.sum()), 1)
        out.append(
            (
                f"{side.capitalize()} side fully scored",
                share(int(seen.sum()), people, "the frames with a person"),
            )
        )
    tilt = summary.get("options", {}).get("camera_tilt")
    if tilt:
        how = {
            "estimated": "estimated from standing frames, corrected",
            "vanishing point": "estimated from the scene's vertical lines, corrected",
            "given": "as given, corrected",
        }.get(str(tilt.get("method")), "not corrected")
        confidence = tilt.get("confidence")  # of an estimate (pose/tilt.py)
        if tilt.get("method") in ("estimated", "vanishing point") and confidence is not None:
            how = how.replace(", corrected", f", confidence {float(confidence):.2f}, corrected")
        method = str(tilt.get("method", ""))
        if method.startswith("none"):
            # "pitch 0.0°, roll 0.0° (not corrected)" read as a measured level camera.
            why = method.removeprefix("none").lstrip(": ")
            tilt_text = f"not estimated ({why}): the camera taken as level"
        else:
            tilt_text = (
                f"pitch {float(tilt.get('pitch_deg', 0)):.1f}°, roll "
                f"{float(tilt.get('roll_deg', 0)):.1f}° ({how})"
            )
        out.append(("Camera tilt", tilt_text))
    conf = summary.get("mean_confidence") or {}
    low = sorted(
        {
            k.rsplit("_", 1)[0].replace("_", " ") + f" ({k.rsplit('_', 1)[1]})": v
            for k, v in conf.items()
            if v is not None and float(v) < 0.6
        }.items()
    )
    views = summary.get("multiview") or {}
    if low and str((summary.get("options") or {}).get("kind")) in ("pose", "skeleton"):
        # A pose file's joints are there or not (its layout): "often hidden" read as if a
        # camera had missed them, beside a body-parts table that gave them seen throughout.
        absent = [k for k, v in low if float(v) == 0]
        if absent:
            out.append(("Not in the pose file (scored as neutral)", ", ".join(absent)))
        low = [(k, v) for k, v in low if float(v) > 0]
        if low:
            out.append(
                (
                    "Parts with low confidence in the pose file",
                    ", ".join(f"{k}: {100 * float(v):.0f}%" for k, v in low),
                )
            )
        low = []
    if low:
        # From several cameras a part's confidence is that of its triangulation (how well
        # the views that see it agree), not how often it is hidden.
        # One picture: a part is hidden or not, never "often" (a new-user walkthrough).
        label = (
            "Parts triangulated loosely"
            if views
            else "Parts seen poorly"
            if n == 1
            else "Parts often hidden"
        )
        out.append((label, ", ".join(f"{k}: {100 * float(v):.0f}% confidence" for k, v in low)))
    if beyond := _beyond_range(frames):
        out.append(("Left out: readings no body reaches", beyond))
    out.extend(_camera_rows(views))
    return out


def _back_view_caveat(view: Mapping[str, Any], moments: list[Moment]) -> str:
    """A line above the recommendations where the camera saw the person's back on
    BACK_SHARE of the reliable frames or more; "" otherwise or without a moment."""
    from ergorisk.pose.facing import BACK_SHARE

    back = float(view.get("back_share", 0.0))
    if not moments or back < BACK_SHARE:
        return ""
    return (
        f"The camera saw the person's back on {whole_percent(back)}% of the reliable frames, where "
        "the angles are least reliable: check these changes on a video "
        "filmed from the side before acting on them."
    )


def _view_rows(view: Mapping[str, Any], picture: bool) -> list[tuple[str, str]]:
    """Data-quality rows from summary["view"]: how much of the reliable time the camera saw
    the person's back, and the limbs pointing at it. "Reliable pose 100%" alone read as
    trust in every angle of a back view (a new-user walkthrough): it says only that the pose
    was followed steadily."""
    from ergorisk.pose.facing import BACK_SHARE, TOWARD_SHARE

    if "back_share" not in view:
        return []
    back = float(view["back_share"])
    seen = (
        ("yes" if back >= 0.5 else "no")
        if picture
        else f"{whole_percent(back)}% of the reliable frames"
    )
    if back >= BACK_SHARE:
        seen += ": angles from behind are the least reliable; film from the side (or front-side)"
    out = [("Seen from behind", seen)]
    toward = {
        k: float(v)
        for k, v in (view.get("toward_camera") or {}).items()
        if float(v) >= TOWARD_SHARE
    }
    if toward:
        out.append(
            (
                "Pointing at the camera (angle from estimated depth)",
                ", ".join(
                    k if picture else f"{k} {100 * v:.0f}%"
                    for k, v in sorted(toward.items(), key=lambda kv: -kv[1])
                ),
            )
        )
    return out


def _beyond_range(frames: pd.DataFrame) -> str:
    """'trunk (both sides) on 1 frame, wrist (right) on 5': the parts left out where a
    reading beyond a body's range gave the pose away (frames.csv beyond_range_parts), on
    reliable frames: why a part reads "not seen" there though it is in the picture."""
    if "beyond_range_parts" not in frames:
        return ""
    use = (
        frames["pose_reliable"].to_numpy(dtype=bool)
        if "pose_reliable" in frames
        else np.ones(len(frames), bool)
    )
    frames_of: dict[str, int] = {}
    for text in frames["beyond_range_parts"].to_numpy(dtype=object)[use]:
        sides: dict[str, list[str]] = {}
        for token in text.split() if isinstance(text, str) else []:
            part, _, side = token.rpartition("_")
            sides.setdefault(part.replace("_", " "), []).append(side)
        for part, seen in sides.items():
            key = f"{part} ({'both sides' if len(seen) > 1 else seen[0]})"
            frames_of[key] = frames_of.get(key, 0) + 1
    # frames.csv counts every frame: say which these are (10 there read 5 here).
    listed = ", ".join(
        f"{key} on {n} frame{'s' * (n != 1)}" for key, n in sorted(frames_of.items())
    )
    return (
        f"{listed} (of the frames with a reliable pose)" if listed and len(frames) > 1 else listed
    )


def _camera_rows(views: Mapping[str, Any]) -> list[tuple[str, str]]:
    """One row per camera of a multi-view assessment: what a reader needs to trust it."""
    rows = []
    errors = views.get("median_reprojection_error_px") or {}
    for cam in views.get("cameras") or []:
        parts = []
        if (e := errors.get(cam)) is not None and np.isfinite(e):
            parts.append(f"reprojection error {float(e):.1f} px")
        if (seen := (views.get("views_seen") or {}).get(cam)) is not None:
            parts.append(f"sees the person on {100 * float(seen):.0f}% of the frames")
        if offset := (views.get("sync_offsets") or {}).get(cam):
            parts.append(f"synchronised {int(offset):+d} frame{'s' * (abs(int(offset)) != 1)}")
        if swaps := (views.get("swaps_corrected") or {}).get(cam):
            parts.append(f"left and right put back on {int(swaps)} frame{'s' * (swaps != 1)}")
        rows.append((f"Camera {cam}", ", ".join(parts) or "used"))
    return rows


def _method_notes(
    tol: float, options: Mapping[str, Any] | None = None, picture: bool = False
) -> list[str]:
    """The method as this assessment ran it (a fixed text said 'on every frame' of a run with
    --stride 3, 'levelled for the camera tilt' where the tilt was not corrected, and 'angles
    smoothed' with the smoothing off)."""
    options = options or {}
    kind = options.get("kind")
    stride = int((options.get("media") or {}).get("stride") or 1)
    smoothing = float((options.get("kinematics") or {}).get("smoothing_s", 0.4) or 0)
    smoothed = f"angles smoothed over {smoothing:g} s" if smoothing > 0 else "angles not smoothed"
    tilt = options.get("camera_tilt") or {}
    method = str(tilt.get("method", ""))
    if kind == "views":
        pose = (
            "Pose: MediaPipe Pose (full model) in each calibrated camera's video, the same "
            "person matched across the views and triangulated into 3D (frames that reproject "
            f"more than 30 px off are flagged unreliable); {smoothed}."
        )
    elif kind in ("video", "image"):
        frames = (
            "one picture"
            if kind == "image"
            else "every frame"
            if stride == 1
            else f"one frame in {stride}"
        )
        level = (
            "not levelled for a camera tilt (none could be estimated)"
            if method.startswith("none")
            else f"levelled for the camera tilt ({method})"
            if method
            else "levelled for the camera tilt"
        )
        pose = f"Pose: MediaPipe Pose (full model) on {frames}, 3D world landmarks, {level}"
        pose += "." if kind == "image" else f"; {smoothed}."
    elif kind == "worksheet":
        pose = "Angles and flags as entered in each worksheet record (no pose estimation)."
    else:
        pose = f"Pose: the 3D joints of the pose file; {smoothed}."
    hysteresis = float(options.get("hysteresis_deg", 3.0) or 0)
    held = (
        f" Near an edge an angle keeps its band until it is {hysteresis:g}° past it, so that "
        "noise does not flip the score back and forth: the angle shown for such a frame "
        '(in this report and in frames.csv) is held just inside its band, "just under 60°".'
        if hysteresis > 0 and kind not in ("image", "worksheet")
        else ""
    )
    notes = [
        pose,
        "Each side is scored separately with the exact REBA and RULA worksheets; a frame's "
        "score is the higher side's. A body part that could not be seen is not scored.",
        f"An angle within ±{tol:g}° of upright counts as upright or neutral; a value exactly "
        f"on a band edge belongs to the lower band.{held}",
        "Score intervals, e.g. REBA 7 (6–8): the lowest and highest total that the angles' "
        "uncertainty allows (each angle moved by 4–6°, up to twice that as its part's "
        "confidence falls to 0, and a twist, side bend or abduction within 2–6° of its threshold "
        "counted both ways); a narrow interval is a solid score, a wide one a score near a "
        "band edge."
        + (
            ""
            if picture
            else " A peak's interval is the same held-score rule applied to the frames' "
            "lowest and highest totals; a worst moment's is its picture's alone, so it may "
            "reach higher (for example, a peak of 10 (9–10) whose picture reads 10 (10–11))."
        ),
        *(
            [
                "One camera's limits: the intervals show the pose's noise, not its accuracy. "
                "Against four calibrated cameras (the project's accuracy page, "
                "docs/accuracy.md), one camera's angles were off by 14° on average for the "
                "trunk, 12–15° for the knees and 24–36° for the elbows and upper arms (the "
                "limbs better from the front than from behind). Film from the side or "
                "front-side, the whole body in view."
            ]
            if kind in ("video", "image")
            else []
        ),
        "Worst moments are postures held: runs of frames that keep a REBA score for at least "
        "0.3 s (a dip of at most 0.05 s does not end a run), ranked by that score, then by "
        "how long they last.",
        "Recommendations: every change of one angle to a better band, or removal of one "
        "posture flag, is rated by a learned model of each score (DEBA for REBA, DULA for "
        "RULA, Yazdani et al.) and then re-scored with the exact worksheet; the change that "
        "lowers the score most is shown. Where two pieces of advice seem to pull apart, the "
        "aim is the same: work in front of the body, between waist and shoulder height.",
        "Faces are blurred: the assessed person's in every picture, anyone else's where the "
        "face detector finds them. A small face far from the camera can be missed: check the "
        "pictures before sharing them.",
    ]
    if kind == "worksheet":  # typed angles: no intervals, no time, no pictures
        drop = ("Score intervals", "Worst moments are postures held", "Faces are blurred")
        notes = [n for n in notes if not n.startswith(drop)]
        # a record, not a frame; nothing unseen in what was typed
        sides = (
            "Each side is scored separately with the exact REBA and RULA worksheets; a "
            "record's score is the higher side's (a record entered once holds both sides)."
        )
        notes = [sides if n.startswith("Each side is scored") else n for n in notes]
    elif kind not in ("video", "image", "views"):  # a pose file: no pictures, no faces
        notes = [n for n in notes if not n.startswith("Faces are blurred")]
    if picture:  # one picture (or one pose): nothing held over time
        notes = [n for n in notes if not n.startswith("Worst moments are postures held")]
    return notes


REFERENCES = [
    "Hignett S, McAtamney L. Rapid Entire Body Assessment (REBA). Applied Ergonomics "
    "31 (2000) 201–205.",
    "McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related "
    "upper limb disorders. Applied Ergonomics 24 (1993) 91–99.",
    "Yazdani A, Sabbagh Novin R, Merryweather A, Hermans T. DULA and DEBA: differentiable "
    "ergonomic risk models for postural assessment and optimization in ergonomically "
    "intelligent pHRI. IROS 2022.",
    "Lugaresi C et al. MediaPipe: a framework for building perception pipelines. 2019.",
]
