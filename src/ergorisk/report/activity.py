"""REBA's activity score (step 13) in words: for each flag, the evidence or why it is not set.

    kinds = activity_evidence(summary)   # pure: from summary.json alone

The report (HTML, PDF) and the web app show the same rows: each flag's episodes (body part,
from-to, how many times and how large: a repetition's actions' own sizes, a change's range)
or the reason there are none ("not enough time to judge: ..."), and what the flag adds to
REBA.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ergorisk.report.explain import PART_NAMES

KINDS = ("static", "repeated", "rapid_change")
LABELS = {"static": "Static", "repeated": "Repeated", "rapid_change": "Rapid change"}
SHOWN = 5  # episodes listed for a flag; the rest are counted ("and 3 shorter ones")


@dataclass(frozen=True)
class ActivityEpisode:
    part: str  # "Trunk", "Left upper arm"
    when: str  # "6.4–7.6 s"
    evidence: str  # "one large change of 77°"
    start_s: float
    end_s: float


@dataclass(frozen=True)
class ActivityKind:
    """One of REBA's three activity flags, as the reader sees it."""

    kind: str  # static | repeated | rapid_change
    label: str  # "Rapid change"
    rule: str  # what sets it, with the thresholds used
    state: str  # detected | none | not judged | set by assessor | off by assessor | entered
    finding: str  # the reason when no episode is listed ("" when episodes are)
    adds: str  # "+1 to REBA on these frames (2.3 s in all)" or "nothing"
    episodes: list[ActivityEpisode] = field(default_factory=list)
    more: int = 0  # episodes not listed (shorter than those listed)
    more_text: str = ""  # "and 3 shorter ones"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def activity_evidence(summary: Mapping[str, Any]) -> list[ActivityKind]:
    """Static, repeated and rapid change, each with its evidence, from summary.json."""
    options = summary.get("options") or {}
    task = options.get("task") or {}
    k = {**DEFAULTS, **(options.get("kinematics") or {})}
    entered = options.get("kind") == "worksheet"
    episodes = list(summary.get("activity") or [])
    not_judged = summary.get("activity_not_judged") or {}
    return [
        _kind(
            kind,
            task.get(kind),
            [e for e in episodes if e.get("kind") == kind],
            str(not_judged.get(kind, "")),
            k,
            entered,
        )
        for kind in KINDS
    ]


# The detectors' defaults (kinematics/options.py), for summaries that do not list them.
DEFAULTS = {
    "static_hold_s": 60.0,
    "static_range_deg": 15.0,
    "repeat_per_min": 4.0,
    "repeat_min_range_deg": 15.0,
    "repeat_max_range_deg": 45.0,
    "rapid_window_s": 1.0,
    "rapid_range_deg": 60.0,
    "rapid_parts": ["trunk", "neck", "legs"],
}


def _rule(kind: str, k: Mapping[str, Any]) -> tuple[str, str]:
    """(what sets the flag, the sentence when nothing did), with the thresholds used."""
    if kind == "static":
        held = f"held still (within {k['static_range_deg']:g}°) for {_seconds(k['static_hold_s'])}"
        return f"a body part {held} or longer", f"No body part was {held}."
    if kind == "repeated":
        small = f"small action ({k['repeat_min_range_deg']:g}–{k['repeat_max_range_deg']:g}°)"
        often = f"more than {k['repeat_per_min']:g} times a minute"
        return f"a {small} repeated {often}", f"No {small} was repeated {often}."
    parts = ", ".join(part_words(p).lower() for p in k["rapid_parts"])
    change = f"change of {k['rapid_range_deg']:g}° or more within {k['rapid_window_s']:g} s"
    return f"a posture {change} ({parts})", f"No {parts} {change}."


def _kind(
    kind: str,
    forced: bool | None,
    episodes: list[Mapping[str, Any]],
    not_judged: str,
    k: Mapping[str, Any],
    entered: bool,
) -> ActivityKind:
    rule, none = _rule(kind, k)
    state, finding, adds = "detected", "", ""
    if forced is True:
        state, finding = "set by assessor", "Set by the assessor for the whole task."
        adds = "+1 to REBA on every frame"
    elif forced is False:
        ignored = f" ({_count(len(episodes), 'detected episode')} not counted)" if episodes else ""
        state, finding = "off by assessor", f"Turned off by the assessor{ignored}."
    elif entered:
        state, finding = "entered", "As ticked in each worksheet record."
        adds = "+1 to REBA on the records where it is ticked"
    elif not episodes:
        state, finding = (
            ("not judged", f"{_sentence(not_judged)}.") if not_judged else ("none", none)
        )
    if state != "detected":
        return ActivityKind(kind, LABELS[kind], rule, state, finding, adds or "nothing")
    longest = sorted(episodes, key=lambda e: -float(e["duration_s"]))[:SHOWN]
    shown = sorted(longest, key=lambda e: float(e["start_s"]))
    more = len(episodes) - len(shown)
    return ActivityKind(
        kind,
        LABELS[kind],
        rule,
        state,
        finding,
        f"+1 to REBA on these frames ({covered_s(episodes):.1f} s in all)",
        [_episode(e, k) for e in shown],
        more,
        f"and {more} shorter one{'s' * (more != 1)}" if more else "",
    )


def _episode(e: Mapping[str, Any], k: Mapping[str, Any]) -> ActivityEpisode:
    start, end = float(e["start_s"]), float(e["end_s"])
    return ActivityEpisode(
        part=part_words(str(e["part"])),
        when=f"{start:.1f}–{end:.1f} s",
        evidence=episode_words(e, float(k["rapid_range_deg"])),
        start_s=start,
        end_s=end,
    )


def episode_words(e: Mapping[str, Any], rapid_range_deg: float = 60.0) -> str:
    """What one episode shows: 'held 72 s within 12°', '14 actions of 18–40°, 5.3 a
    minute', 'one large change of 77°'."""
    count, span = int(e.get("count") or 0), float(e.get("range_deg") or 0)
    if e["kind"] == "static":
        return f"held {_seconds(float(e['duration_s']))} within {span:.0f}°"
    if e["kind"] == "repeated":
        rate = f"{float(e.get('rate_per_min') or 0):.1f} a minute"
        low, high = e.get("action_min_deg"), e.get("action_max_deg")
        if low is not None and high is not None:  # each action's own size, as the rule's
            size = f"{low:.0f}°" if f"{low:.0f}" == f"{high:.0f}" else f"{low:.0f}–{high:.0f}°"
            return f"{_count(count, 'action')} of {size}, {rate}"
        # A summary from before the actions' sizes: the span is the whole episode's, drift
        # between the actions included ("angle range 163° over the episode" read as the
        # action's size beside the rule's 15–45°).
        return f"{_count(count, 'action')}, {rate} (the whole episode spans {span:.0f}°)"
    changes = "one large change" if count <= 1 else f"{count} large changes"
    if span < rapid_range_deg:
        # The range is measured on the frames flagged; a change across a gap in the track
        # (a jump's flight) shows less of itself there.
        return f"{changes}, partly while the pose was not seen ({span:.0f}° on the frames seen)"
    return f"{changes} of {span:.0f}°" if count <= 1 else f"{changes}, over {span:.0f}°"


def covered_s(episodes: list[Mapping[str, Any]]) -> float:
    """Seconds covered by the episodes (overlaps, e.g. two parts at once, counted once)."""
    total, reach = 0.0, float("-inf")
    for e in sorted(episodes, key=lambda e: float(e["start_s"])):
        start, end = float(e["start_s"]), float(e["end_s"])
        total += max(0.0, end - max(start, reach))
        reach = max(reach, end)
    return total


def part_words(part: str) -> str:
    """'upper_arm_left' -> 'Left upper arm'; 'trunk' -> 'Trunk'."""
    base, _, side = part.rpartition("_")
    if side in ("left", "right") and base in PART_NAMES:
        return f"{side.capitalize()} {PART_NAMES[base].lower()}"
    return PART_NAMES.get(part, part.replace("_", " ").capitalize())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _seconds(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:].rstrip(".")
