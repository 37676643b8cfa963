"""Recommendations lower the exact score; bands and wording come from the scorer."""

from __future__ import annotations

import pytest

import ergorisk as er
from ergorisk.report.bands import angle_bands, band_text, better_targets
from ergorisk.report.explain import exact_scores, explain
from ergorisk.report.recommend import recommend, recommend_task

BENT = {
    "trunk_flexion_deg": 38.0,
    "trunk_twist": True,
    "neck_flexion_deg": 25.0,
    "upper_arm_flexion_deg": 70.0,
    "lower_arm_flexion_deg": 40.0,
    "wrist_flexion_deg": 20.0,
    "load_kg": 6.0,
}


def test_trunk_bands_are_the_scorers():
    texts = [(band_text(b), b.score) for b in angle_bands("reba", "trunk_flexion_deg")]
    assert texts[-3:] == [("5–20°", 2), ("20–60°", 3), ("over 60°", 4)]
    # a value on an edge belongs to the lower band; the elbow's 60° scores 2 (<= 60)
    assert [t for t, _ in better_targets("reba", "trunk_flexion_deg", 38.0)] == [20.0, 5.0]
    assert band_text(angle_bands("reba", "lower_arm_flexion_deg")[0]) == "up to 60°"


def test_trunk_flexed_38_twisted_reads_like_the_worksheet():
    lines = explain("reba", {"trunk_flexion_deg": 38, "trunk_twist": True}).parts
    assert lines[0].text == "trunk flexed 38° (20–60°: 3), twisted (+1)"
    assert lines[0].score == 4


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        # held by the hysteresis 0.001° inside its band: "15.0°" over "over 15°" read wrong
        ("wrist_flexion_deg", -15.001, "wrist extended just over 15° (over 15° extension: 2)"),
        ("wrist_flexion_deg", -14.9, "wrist at −14.9° (within ±15°: 1)"),
        ("upper_arm_flexion_deg", 45.001, "upper arm raised just over 45° (45–90°: 3)"),
        ("upper_arm_flexion_deg", 89.999, "upper arm raised just under 90° (45–90°: 3)"),
        ("upper_arm_flexion_deg", 38.0, "upper arm raised 38° (20–45°: 2)"),
    ],
)
def test_an_angle_held_at_a_band_edge_reads_as_in_its_band(key, value, text):
    part = {"wrist_flexion_deg": "Wrist", "upper_arm_flexion_deg": "Upper arm"}[key]
    lines = {line.part: line for line in explain("reba", {key: value}).parts}
    assert lines[part].text.startswith(text), lines[part].text


@pytest.mark.parametrize(
    ("knee", "text"),
    [
        (59.999, "knees bent just under 60° (30–60°: +1)"),
        (60.001, "knees bent just over 60° (over 60°: +2)"),
        (29.6, "knees bent 29.6° (up to 30°)"),
        (45.0, "knees bent 45° (30–60°: +1)"),
    ],
)
def test_a_knee_held_at_a_band_edge_reads_as_in_its_band(knee, text):
    """The legs' line rounded the knee alone: a knee held at 59.999° read "60°" in 30–60°."""
    lines = {line.part: line for line in explain("reba", {"knee_flexion_deg": knee}).parts}
    assert lines["Legs"].text == f"standing on both feet, {text}"


@pytest.mark.parametrize("method", ["reba", "rula"])
def test_recommendation_lowers_the_exact_score(method):
    rec = recommend(method, BENT)
    assert rec is not None
    before = exact_scores(method, dict(BENT))["total"]
    after = exact_scores(method, dict(BENT, **{c.key: c.after for c in rec.changes}))["total"]
    assert rec.score_before == before and rec.score_after == after < before
    assert f"would lower {method.upper()} from {before} to {after}" in rec.text
    assert rec.surrogate_before is not None  # the surrogate rated the candidates


def test_no_recommendation_for_a_neutral_posture():
    assert recommend("reba", {}, use_surrogate=False) is None


def test_a_negative_flexion_is_named_in_the_advice():
    from ergorisk.report.recommend import Change

    assert Change("neck_flexion_deg", -18.0, 5.0).words("rula") == (
        "neck flexion −18° (extended) → −5 to 10°"
    )
    assert (
        Change("upper_arm_flexion_deg", -30.0, 0.0)
        .words("reba")
        .startswith("upper-arm elevation −30° (behind the body) → ")
    )
    assert Change("trunk_flexion_deg", 32.0, 0.0).words("reba") == "trunk flexion 32° → within ±5°"


def test_an_arm_below_the_shoulder_is_not_told_to_work_below_shoulder_height():
    """'Bring the work below shoulder height' was advised for an upper arm at 29° (a walk's
    arm swing) and at 61° (a new-user walkthrough)."""
    from ergorisk.report.recommend import Change, _advice

    for before in (29.0, 61.0):
        assert _advice(Change("upper_arm_flexion_deg", before, 20.0)) == (
            "bring the work closer, elbows near the body"
        )
    assert "below shoulder height" in _advice(Change("upper_arm_flexion_deg", 125.0, 90.0))
    # and through a recommendation, where the arm is the change that helps
    ws = {"upper_arm_flexion_deg": 61.0, "lower_arm_flexion_deg": 80.0, "load_kg": 0.0}
    rec = recommend("rula", ws, use_surrogate=False)
    assert rec is not None and rec.changes[0].key == "upper_arm_flexion_deg"
    assert rec.advice == "bring the work closer, elbows near the body"


def test_one_change_at_several_moments_reads_as_one_sentence():
    from dataclasses import replace

    from ergorisk.report.model import _one_change
    from ergorisk.report.recommend import Change

    base = recommend("rula", {"upper_arm_flexion_deg": 93.0}, use_surrogate=False)
    assert base is not None and " → within ±20° would lower RULA" in base.text

    def arm(method: str, angle: float, before: int, after: int):
        text = f"upper-arm elevation {angle:g}° → within ±20° would lower {method.upper()} "
        return replace(
            base,
            method=method,
            changes=(Change("upper_arm_flexion_deg", angle, 20.0),),
            score_before=before,
            score_after=after,
            text=text + f"from {before} to {after}: {base.advice}",
        )

    # The example's worst moments 2-4 (its report listed five clauses).
    arms = [(2, arm("reba", 93, 9, 5)), (2, arm("rula", 93, 6, 4)), (3, arm("reba", 123, 8, 5))]
    arms += [(4, arm("reba", 153, 7, 3)), (4, arm("rula", 153, 7, 5))]
    assert _one_change(arms) == (
        "upper-arm elevation 93–153° → within ±20° would lower REBA from 7–9 to 3–5 "
        "(medium risk or lower) and RULA from 6–7 to 4–5 (action level 3 or lower) at worst "
        "moments 2, 4"
    )
    # Other targets (the best change differs), or one moment only: each keeps its clause.
    other = recommend("reba", {"upper_arm_flexion_deg": 93.0}, use_surrogate=False)
    assert other is not None and "→ 20–45°" in other.text  # 90° is a 3° move: no advice
    assert _one_change([arms[0], (3, other)]) is None and _one_change(arms[:1]) is None


def test_task_recommendation_names_the_load_shock_and_grip():
    # REBA by the tables: trunk 30° (3), load 12 kg (2) + shock (1), coupling fair (1).
    ws = {"trunk_flexion_deg": 30.0, "load_kg": 12.0, "shock": True, "coupling": "fair"}
    rec = recommend_task("reba", ws)
    assert rec is not None and [c.key for c in rec.changes] == ["load_kg", "shock", "coupling"]
    assert rec.text.startswith(
        "load 12 kg → 5 kg or less, no shock or jerky force and grip fair → good would lower REBA"
    )
    assert "lighten the load" in rec.advice
    # the same worksheet scored by hand: score A 3+0+1 (trunk, neck, legs: Table A 2)
    total_before = er.reba.score_record(
        {"trunk_flexion_deg": 30.0, "load_kg": 12.0, "shock": True, "coupling": 1}
    )["total"]
    total_after = er.reba.score_record({"trunk_flexion_deg": 30.0})["total"]
    assert (rec.score_before, rec.score_after) == (total_before, total_after)
    assert rec.score_after < rec.score_before
    # 5 kg scores nothing in REBA, 2 kg nothing in RULA: no task recommendation
    assert recommend_task("reba", {"trunk_flexion_deg": 30.0, "load_kg": 5.0}) is None
    assert recommend_task("rula", {"arm_load_kg": 2.0, "body_load_kg": 2.0}) is None
    rula = recommend_task("rula", {"arm_load_kg": 12.0})
    assert rula is not None and rula.text.startswith("load 12 kg → 2 kg or less would lower RULA")


def test_a_load_is_shown_on_the_side_of_an_edge_it_scores():
    """22.1 lb (10.02 kg) read "load 10 kg" beside REBA load 2, and 10 kg scores 1; 22 lb
    read "9.979 kg" in one place and "10 kg" in another of the same report."""
    from ergorisk.report.explain import explain, kg_text

    assert [kg_text(v) for v in (0.0, 5.0, 7.3, 9.979032140000001, 12.0)] == [
        "0", "5", "7.3", "10", "12"
    ]  # fmt: skip
    # 9.979 rounds onto 10 and is in its band (an edge belongs to the lower band); over an
    # edge, the digits that keep it over
    assert kg_text(22.1 * 0.45359237) == "10.02" and kg_text(5.04) == "5.04"
    assert kg_text(10.001) == "just over 10" and kg_text(2.03) == "2.03"
    ws = {"trunk_flexion_deg": 30.0, "load_kg": 22.1 * 0.45359237}
    assert er.reba.score_record(ws)["load"] == 2
    lines = [line.text for line in explain("reba", ws).parts]
    assert any("load 10.02 kg" in text for text in lines), lines
    rec = recommend_task("reba", {**ws, "load_kg": 22 * 0.45359237})
    assert rec is not None and rec.text.startswith("load 10 kg → 5 kg or less"), rec.text
    # Exactly on an edge: REBA load 0 at 5 kg, and the line says why (a hand check of the
    # worksheet's "5-10 kg: +1" gave 1, a web walkthrough); off an edge, nothing added.
    five = {"trunk_flexion_deg": 30.0, "load_kg": 5.0}
    assert er.reba.score_record(five)["load"] == 0
    (load,) = [p for p in explain("reba", five).parts if p.text.startswith("load ")]
    assert load.score == 0
    assert load.text == "load 5 kg (on a band's edge: scored in the lower band)"
    (load,) = [p for p in explain("reba", {**five, "load_kg": 6.0}).parts if "kg" in p.text]
    assert load.score == 1 and load.text == "load 6 kg"
    # 2 kg is RULA's edge, not REBA's: it read "on a band's edge" beside REBA's load 0
    (load,) = [p for p in explain("reba", {**five, "load_kg": 2.0}).parts if "kg" in p.text]
    assert load.score == 0 and load.text == "load 2 kg"


def test_one_change_is_stated_at_every_moment_it_helps():
    from types import SimpleNamespace

    from ergorisk.report.explain import complete
    from ergorisk.report.model import actions
    from ergorisk.report.recommend import Change, apply_change

    # Moment 1's REBA advice and moment 2's RULA advice are the same trunk change; each
    # moment's other method had another advice. The line must state the change's effect on
    # both methods at both moments, each exactly re-scored (it joined moment 1's REBA to
    # moment 2's RULA and left out the rest).
    arms = {"neck_flexion_deg": 25.0, "upper_arm_flexion_deg": 50.0, "lower_arm_flexion_deg": 80.0}
    ws1 = {"trunk_flexion_deg": 50.0, **arms}
    ws2 = {"trunk_flexion_deg": 65.0, **arms, "knee_flexion_deg": 70.0}
    worksheets = [{m: complete(m, ws) for m in ("reba", "rula")} for ws in (ws1, ws2)]
    moments = [
        SimpleNamespace(
            episode=SimpleNamespace(rank=rank),
            worksheets=worksheets[rank - 1],
            recommendations=[
                apply_change(m, worksheets[rank - 1][m], Change("trunk_flexion_deg", t, 0.0))
            ],
        )
        for rank, m, t in ((1, "reba", 50.0), (2, "rula", 65.0))
    ]
    [line] = actions(moments)

    def total(method: str, ws: dict, trunk: float | None = None) -> int:
        scorer = er.reba if method == "reba" else er.rula
        ws = {k: v for k, v in ws.items() if k in scorer.INPUTS}
        return scorer.score_record(ws if trunk is None else dict(ws, trunk_flexion_deg=trunk))[
            "total"
        ]

    reba = [(total("reba", ws), total("reba", ws, 0.0)) for ws in (ws1, ws2)]
    rula = [(total("rula", ws), total("rula", ws, 0.0)) for ws in (ws1, ws2)]
    assert all(after < before for before, after in reba + rula)  # all four are lowered

    def span(values: list[int]) -> str:
        return f"{min(values)}–{max(values)}" if min(values) < max(values) else str(values[0])

    assert line.startswith(
        "Bring the work closer and up to about waist height (worst moments 1, 2)"
    )
    assert (
        f"trunk flexion 50–65° → within ±5° would lower REBA from {span([b for b, _ in reba])} "
        f"to {span([a for _, a in reba])}"
    ) in line
    assert f"RULA from {span([b for b, _ in rula])} to {span([a for _, a in rula])}" in line
    assert "at worst moment" not in line


def test_no_advice_to_move_an_angle_by_less_than_five_degrees():
    # REBA trunk 6° scores 2, within ±5° 1: the total would fall 3 -> 1, the largest drop,
    # but a 1° move is no advice (the report's angles are off by 4-6°); the neck's is next.
    # At 26° the trunk's move (to 0°) is advised.
    base = {"neck_flexion_deg": 25.0, "upper_arm_flexion_deg": 50.0}
    base |= {"lower_arm_flexion_deg": 80.0, "knee_flexion_deg": 10.0}
    assert er.reba.score_record(dict(base, trunk_flexion_deg=6.0))["total"] == 3
    assert er.reba.score_record(dict(base, trunk_flexion_deg=0.0))["total"] == 1
    rec = recommend("reba", dict(base, trunk_flexion_deg=6.0), use_surrogate=False)
    assert rec is not None and rec.changes[0].key == "neck_flexion_deg"
    rec = recommend("reba", dict(base, trunk_flexion_deg=26.0), use_surrogate=False)
    assert rec is not None and rec.changes[0].key == "trunk_flexion_deg"
    assert (rec.score_before, rec.score_after) == (4, 1)


def test_the_cover_of_a_cut_says_which_part_of_the_video_it_covers():
    import pandas as pd

    from ergorisk.report.model import _cut_text

    frames = pd.DataFrame({"time_s": [1.0 + k / 30 for k in range(90)]})
    cut = {"fps": 30.0, "config": {"media": {"start_s": 1.0, "end_s": 4.0}}}
    assert _cut_text(cut, frames) == " (1.00–4.00 s of the video)"
    whole = {"fps": 30.0, "config": {"media": {"start_s": 0.0, "end_s": None}}}
    assert _cut_text(whole, frames.assign(time_s=frames.time_s - 1.0)) == ""


def test_workbook_puts_each_recommendation_of_a_moment_on_its_own_line():
    from ergorisk.report.model import build_report
    from ergorisk.report.xlsx import _moments_table

    record = {"trunk_flexion_deg": 50.0, "neck_flexion_deg": 25.0, "load_kg": 12.0}
    record |= {"upper_arm_flexion_deg": 100.0, "lower_arm_flexion_deg": 80.0, "shock": True}
    a = er.assess([record])
    report = build_report(a.frames, a.summary.to_dict(), use_surrogate=False)
    cell = _moments_table(report)["REBA recommendation"][0]
    posture, also, task = cell.split("\n")
    assert posture.startswith("trunk flexion 50° → within ±5° would lower REBA from 8 to 4")
    # RULA's best change lowers REBA too: said, as the report's list says it
    assert also.startswith("upper-arm elevation 100° → within ±20° would lower REBA from 8 to 7")
    assert task.startswith("load 12 kg → 5 kg or less and no shock or jerky force would lower")
    both = "would lower REBA from 8 to 7 and RULA from 7 to 6"
    assert (
        report.moments[0].help_lines[1].startswith(f"upper-arm elevation 100° → within ±20° {both}")
    )


def test_the_same_change_for_reba_and_rula_is_one_line_naming_both():
    # A worst moment whose one problem is an arm raised 137°: when REBA's and RULA's change is
    # the same, the report listed it twice.
    from ergorisk.report.explain import complete
    from ergorisk.report.model import merge_help
    from ergorisk.report.recommend import Change, apply_change

    ws = {"upper_arm_flexion_deg": 137.0, "trunk_flexion_deg": 0.0, "neck_flexion_deg": 10.0}
    lower = Change("upper_arm_flexion_deg", 137.0, 20.0)
    recs = [apply_change(m, complete(m, ws), lower) for m in ("reba", "rula")]
    (line,) = merge_help(recs)
    reba, rula = (exact_scores(m, complete(m, ws))["total"] for m in ("reba", "rula"))
    after = [r.score_after for r in recs]
    assert line.startswith(
        f"upper-arm elevation 137° → within ±20° would lower REBA from {reba} to {after[0]} "
        f"and RULA from {rula} to {after[1]}: "
    )
    # Different changes stay apart, each line as its method's.
    other = apply_change("rula", complete("rula", ws), Change("upper_arm_flexion_deg", 137.0, 40.0))
    assert merge_help([recs[0], other]) == [recs[0].text, other.text]
