"""REBA's activity flags in the report: each flag's evidence, or why it is not set."""

from __future__ import annotations

import re

import numpy as np

from ergorisk.report.activity import activity_evidence, covered_s, part_words
from ergorisk.scoring.summary import shift_activity
from report_fixtures import synthetic_assessment


def episode(kind: str, part: str, start: float, end: float, **extra: float) -> dict:
    return {
        "kind": kind,
        "part": part,
        "start_s": start,
        "end_s": end,
        "duration_s": round(end - start, 3),
        "count": 1,
        "rate_per_min": 0.0,
        "range_deg": 0.0,
        **extra,
    }


def summary_with(activity: list[dict], not_judged: dict | None = None, **task) -> dict:
    out: dict = {"fps": 30.0, "activity": activity, "options": {"kind": "video", "task": task}}
    if not_judged:
        out["activity_not_judged"] = not_judged
    return out


def by_kind(summary: dict) -> dict:
    return {k.kind: k for k in activity_evidence(summary)}


def test_a_rapid_change_is_shown_with_its_part_time_and_range_and_adds_one():
    kinds = by_kind(
        summary_with(
            [episode("rapid_change", "legs", 6.367, 7.567, range_deg=77.2)],
            {"repeated": "not enough time to judge: 6.5 s observed, need 30 s"},
        )
    )
    assert list(kinds) == ["static", "repeated", "rapid_change"]
    rapid = kinds["rapid_change"]
    assert rapid.state == "detected" and rapid.finding == ""
    assert [(e.part, e.when, e.evidence) for e in rapid.episodes] == [
        ("Legs", "6.4–7.6 s", "one large change of 77°")
    ]
    assert rapid.adds == "+1 to REBA on these frames (1.2 s in all)"
    assert kinds["repeated"].state == "not judged" and not kinds["repeated"].episodes
    assert kinds["repeated"].finding == "Not enough time to judge: 6.5 s observed, need 30 s."
    assert kinds["repeated"].adds == "nothing"
    # Judged, and nothing found: the rule's own words, with its thresholds.
    assert kinds["static"].state == "none"
    assert kinds["static"].finding == "No body part was held still (within 15°) for 60 s."


def test_many_episodes_show_the_five_longest_in_time_order_and_count_the_rest():
    # Eight holds of 61..68 s on alternating parts, the longest last.
    holds = [
        episode("static", ("trunk", "upper_arm_left")[i % 2], 100.0 * i, 100.0 * i + 61 + i)
        for i in range(8)
    ]
    static = by_kind(summary_with(holds))["static"]
    assert [e.start_s for e in static.episodes] == [300.0, 400.0, 500.0, 600.0, 700.0]
    assert static.episodes[-1].part == "Left upper arm"
    assert static.more == 3 and static.more_text == "and 3 shorter ones"
    assert (
        static.adds == f"+1 to REBA on these frames ({sum(61 + i for i in range(8)):.1f} s in all)"
    )


def test_the_evidence_of_repetition_and_of_a_change_across_a_tracking_gap():
    kinds = by_kind(
        summary_with(
            [
                episode("repeated", "neck", 10, 70, count=14, rate_per_min=14.0, range_deg=24.6),
                episode("rapid_change", "legs", 5.533, 5.633, range_deg=11.3),
                episode("rapid_change", "trunk", 20, 22, count=2, range_deg=80),
            ]
        )
    )
    # A summary from before the actions' sizes: the span is the whole episode's.
    assert kinds["repeated"].episodes[0].evidence == (
        "14 actions, 14.0 a minute (the whole episode spans 25°)"
    )
    gap, two = kinds["rapid_change"].episodes
    assert gap.evidence.startswith("one large change, partly while the pose was not seen")
    assert "(11° on the frames seen)" in gap.evidence
    assert two.evidence == "2 large changes, over 80°"


def test_factors_set_by_the_assessor_override_the_evidence():
    found = [episode("rapid_change", "trunk", 1, 2, range_deg=70)]
    kinds = by_kind(summary_with(found, static=True, rapid_change=False))
    assert kinds["static"].state == "set by assessor"
    assert kinds["static"].adds == "+1 to REBA on every frame"
    assert (
        kinds["rapid_change"].finding
        == "Turned off by the assessor (1 detected episode not counted)."
    )
    assert kinds["rapid_change"].adds == "nothing" and not kinds["rapid_change"].episodes
    entered = activity_evidence({"options": {"kind": "worksheet", "task": {}}})
    assert {k.state for k in entered} == {"entered"}


def test_overlapping_episodes_are_counted_once_and_parts_read_as_words():
    eps = [episode("x", "trunk", 0, 2), episode("x", "legs", 1, 3), episode("x", "neck", 5, 6)]
    assert covered_s(eps) == 4.0
    assert part_words("lower_arm_right") == "Right lower arm" and part_words("legs") == "Legs"


def test_episode_times_move_to_the_source_time_once():
    summary = summary_with([episode("rapid_change", "trunk", 1.0, 2.0)])
    shift_activity(summary, np.array([12.5, 12.6, 12.7]))
    assert (summary["activity"][0]["start_s"], summary["activity"][0]["end_s"]) == (13.5, 14.5)


def test_the_html_report_shows_the_activity_table():
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    frames, summary = synthetic_assessment()
    summary["activity"] = [episode("rapid_change", "legs", 3.4, 4.6, range_deg=77.0)]
    summary["activity_not_judged"] = {
        "repeated": "not enough time to judge: 6.0 s observed, need 30 s"
    }
    report = build_report(frames, summary, use_surrogate=False)
    assert [k.label for k in report.activity] == ["Static", "Repeated", "Rapid change"]
    page = render_html(report)
    section = re.search(r'<section class="activity">(.*?)</section>', page, re.S)
    assert section, "the report has an activity section"
    text = " ".join(re.sub(r"<[^>]+>", " ", section.group(1)).split())
    assert "Activity (REBA step 13)" in text
    assert "Legs, 3.4–4.6 s: one large change of 77°" in text
    assert "+1 to REBA on these frames (1.2 s in all)" in text
    assert "Not enough time to judge: 6.0 s observed, need 30 s." in text


def test_a_repetition_reads_as_its_actions_own_sizes_not_the_episode_s_span():
    """The rule reads 'a small action (15–45°) repeated more than 4 times a minute'; its
    evidence read '14 times, 5.3 a minute (angle range 163° over the episode)', taken for
    163° actions. It gives each action's own size now."""
    sizes = {"range_deg": 163.0, "action_min_deg": 18.2, "action_max_deg": 39.6}
    rep = episode("repeated", "trunk", 0, 158.5, count=14, rate_per_min=5.3, **sizes)
    same = episode("repeated", "neck", 0, 60, count=3, rate_per_min=5.0)
    same |= {"range_deg": 40.0, "action_min_deg": 24.4, "action_max_deg": 24.4}
    kinds = by_kind(summary_with([rep, same]))
    assert kinds["repeated"].rule == "a small action (15–45°) repeated more than 4 times a minute"
    assert [e.evidence for e in kinds["repeated"].episodes] == [
        "14 actions of 18–40°, 5.3 a minute",
        "3 actions of 24°, 5.0 a minute",
    ]
