"""report.pdf, report.html and report.xlsx: what a plant manager and an ergonomist read."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ergorisk.config import Metadata
from ergorisk.report.write import write_reports
from report_fixtures import synthetic_assessment

pypdf = pytest.importorskip("pypdf")
openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("weasyprint")

META = Metadata(
    worker="Ana Souza",
    task="Palletising cartons",
    site="Plant 2, line 3",
    assessor="J. Doe",
    notes="Second shift.",
    date="2025-11-20",
)
INTERNAL = ("_deg", "_left", "_right", "reba_", "rula_", "{", "}", "task.", "None", "nan")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    frames, summary = synthetic_assessment()
    summary["activity"] = [
        {"kind": "rapid_change", "part": "trunk", "start_s": 1.5, "end_s": 2.5, "duration_s": 1.0}
        | {"count": 1, "rate_per_min": 0.0, "range_deg": 62.0}
    ]
    summary["activity_not_judged"] = {
        "static": "not enough time to judge: 6.0 s observed, need 60 s"
    }
    out = tmp_path_factory.mktemp("report")
    picture = np.full((90, 160, 3), 200, np.uint8)
    episodes_pictures = {i: picture for i in range(len(frames))}
    paths = write_reports(frames, summary, META, episodes_pictures, out)
    return frames, paths


def _pdf_text(path) -> str:
    reader = pypdf.PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_pdf_names_the_assessment_both_methods_and_recommendations(written):
    _, paths = written
    text, pages = _pdf_text(paths["pdf"])
    assert 2 <= pages <= 6
    flat = " ".join(text.split())
    for value in ("Ana Souza", "Palletising cartons", "Plant 2, line 3", "J. Doe", "2025-11-20"):
        assert value in flat
    assert "REBA" in flat and "RULA" in flat
    assert "line-3.mp4" in flat and "/data/uploads" not in flat
    assert "would lower REBA from" in flat
    assert "trunk flexed 50° (20–60°: 3), twisted (+1)" in flat  # justified in words
    assert "Hignett" in flat and "McAtamney" in flat
    assert "Activity (REBA step 13)" in flat
    assert "Trunk, 1.5–2.5 s: one large change of 62°" in flat
    assert "Not enough time to judge: 6.0 s observed, need 60 s." in flat


def test_pdf_and_html_show_no_internal_key(written):
    _, paths = written
    text, _ = _pdf_text(paths["pdf"])
    for key in INTERNAL:
        assert key not in text, key
    page = paths["html"].read_text(encoding="utf-8")
    visible = re.sub(r"<style>.*?</style>|<svg.*?</svg>|<[^>]+>", " ", page, flags=re.S)
    for key in INTERNAL:
        assert key not in visible, key
    assert "<img src=''" not in page and 'src=""' not in page


def test_xlsx_has_summary_frames_per_side_moments_and_worksheets(written):
    frames, paths = written
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    assert wb.sheetnames == [
        "Summary",
        "Frames left",
        "Frames right",
        "Worst moments",
        "REBA worksheets",
        "RULA worksheets",
    ]
    for side in ("left", "right"):
        rows = list(wb[f"Frames {side}"].iter_rows(values_only=True))
        assert len(rows) == len(frames) + 1
        assert "trunk flexion (°)" in rows[0] and "REBA total" in rows[0]
    moments = list(wb["Worst moments"].iter_rows(values_only=True))
    assert 2 <= len(moments) <= 5 and moments[0][0] == "Rank"
    # Streamed sheets are not padded: a row is as long as what was written in it.
    reba_ws = [r for r in wb["REBA worksheets"].iter_rows(values_only=True) if any(r)]
    assert any(r[1:2] == ("Trunk",) and "20–60°" in str(r[2]) for r in reba_ws)
    summary = [r for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]]
    assert ("Worker", "Ana Souza") in [r[:2] for r in summary]
    assert ("Notes", "Second shift.") in [r[:2] for r in summary]  # it was left out
    # The time per level as numbers (they were text: "2.2%", "0.17 s"), summing to the clip.
    shares = [r for r in summary if str(r[0]).startswith("  ")][:8]  # REBA's
    assert ("Risk level", "Share of the clip", "Time") in [r[:3] for r in summary]
    assert all(isinstance(r[1], int | float) and isinstance(r[2], int | float) for r in shares)
    assert sum(r[1] for r in shares) == pytest.approx(1.0, abs=0.01)
    # The activity rows: flag, evidence or reason, what it adds.
    assert (
        "Rapid change",
        "Trunk, 1.5–2.5 s: one large change of 62°",
        "+1 to REBA on these frames (1.0 s in all)",
    ) in [r[:3] for r in summary]
    assert ("Static", "Not enough time to judge: 6.0 s observed, need 60 s.", "nothing") in [
        r[:3] for r in summary
    ]
    # Recommendations numbered, each text beside its number (alone in A: bold, running on).
    at = [r[0] for r in summary].index("Recommendations")
    assert summary[at + 1][0] == "1." and len(str(summary[at + 1][1])) > 20
    # Long texts wrap in their cell (a verdict ran on far past the column).
    full = openpyxl.load_workbook(paths["xlsx"])["Summary"]
    long = [c for row in full.iter_rows() for c in row if len(str(c.value or "")) > 60]
    assert long and all(c.alignment.wrap_text for c in long)
    # The tables filter and sort by any column, header to last row (the frames had none).
    book = openpyxl.load_workbook(paths["xlsx"])
    for name, rows in (("Frames left", len(frames) + 1), ("Worst moments", len(moments))):
        sheet = book[name]
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{rows}"


def _scored_assessment(trunk: np.ndarray, fps: float = 10.0):
    """frames_table and the summary's method parts for one trunk series (the rest at rest)."""
    from ergorisk.scoring.frames import frames_table
    from ergorisk.scoring.summary import method_summaries
    from frames_fixtures import synthetic_sides

    neck = np.full(len(trunk), 25.0)  # flexed: Table C follows the trunk from here
    frames = frames_table(
        synthetic_sides(len(trunk), trunk_flexion_deg=trunk, neck_flexion_deg=neck), fps
    )
    summary = {"fps": fps, "duration_s": len(trunk) / fps, **method_summaries(frames, fps)}
    return frames, summary


def test_headline_and_worst_moment_give_the_score_interval():
    from ergorisk.report.model import build_report

    # Held at 21° for 2 s: 1° past the 20° edge, so the interval spans two trunk bands.
    trunk = np.r_[np.full(20, 0.0), np.full(20, 21.0), np.full(20, 0.0)]
    frames, summary = _scored_assessment(trunk)
    peak = summary["reba"]["total"]["peak"]
    assert peak["low"] < peak["score"] <= peak["high"]
    report = build_report(frames, summary, use_surrogate=False)
    span = f"{peak['low']}–{peak['high']}"
    assert f"reaches {peak['score']} (" in report.verdicts[0].headline
    assert span in report.verdicts[0].headline
    row = frames.iloc[report.moments[0].episode.peak]
    side = report.moments[0].side
    assert report.moments[0].ranges["reba"] == (
        f"{row[f'reba_total_low_{side}']}–{row[f'reba_total_high_{side}']}"
    )


def test_timeline_shades_the_unreliable_frames_with_a_legend_entry():
    from ergorisk.report.charts import UNRELIABLE, timeline_svg, unreliable_spans

    frames, _ = synthetic_assessment(n=8)
    assert unreliable_spans(frames) == []  # no reliability column (pose files): no shading
    assert UNRELIABLE not in timeline_svg(frames, [])
    frames["pose_reliable"] = [True, True, False, False, True, False, True, True]
    spans = unreliable_spans(frames)
    assert [(round(a, 6), round(b, 6)) for a, b in spans] == [(0.2, 0.4), (0.5, 0.6)]
    assert UNRELIABLE in timeline_svg(frames, [])


def test_the_worst_moments_are_not_grey_on_the_chart():
    """Grey on the web page's chart is the frames left out; the report's worst moments were
    grey bands too."""
    from ergorisk.report.charts import WORST_TINT, timeline_svg
    from ergorisk.report.episodes import worst_episodes

    trunk = np.r_[np.full(20, 0.0), np.full(20, 70.0), np.full(20, 0.0)]
    frames, _ = _scored_assessment(trunk)
    episodes = worst_episodes(frames, 4, fps=10.0)
    assert episodes
    svg = timeline_svg(frames, episodes)
    assert WORST_TINT in svg and WORST_TINT not in timeline_svg(frames, [])
    assert "blue bands: worst moments" in svg


def test_xlsx_frames_carry_reliability_unseen_parts_and_intervals():
    from ergorisk.report.xlsx import frames_sheet_columns

    frames, _ = _scored_assessment(np.full(10, 21.0))
    frames.insert(3, "pose_reliable", np.arange(10) > 2)
    sheet = frames_sheet_columns(frames, "left")
    assert list(sheet["Pose reliable"]) == list(np.arange(10) > 2)
    assert "Parts not seen" in sheet and "REBA total low" in sheet and "REBA total high" in sheet
    from ergorisk.report.xlsx import _part_names

    assert _part_names("upper_arm_left wrist_left") == "upper arm (left), wrist (left)"
    assert (sheet["REBA total low"] < sheet["REBA total high"]).all()  # 1° past an edge


def test_a_multi_view_take_is_named_by_its_views():
    from ergorisk.report.model import input_name

    assert input_name(["/d/videos/cam01.mp4", "/d/videos/cam02.mp4"]) == (
        "2 views: cam01.mp4, cam02.mp4"
    )
    assert input_name("/d/clip.mp4") == "clip.mp4" and input_name(None) == "assessment"


def test_a_multi_view_report_has_a_row_per_camera_and_names_triangulation_confidence():
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(10, 21.0))
    summary["mean_confidence"] = {"legs_left": 0.47, "trunk_left": 0.9}
    alone = dict(build_report(frames, summary, use_surrogate=False).quality)
    assert alone["Parts often hidden"] == "legs (left): 47% confidence"
    # One picture: a part is not "often" hidden.
    photo = dict(build_report(frames.iloc[:1], summary, use_surrogate=False).quality)
    assert photo["Parts seen poorly"] == "legs (left): 47% confidence"
    summary["multiview"] = {
        "cameras": ["cam01", "cam03"],
        "median_reprojection_error_px": {"cam01": 10.668, "cam03": 12.2},
        "views_seen": {"cam01": 1.0, "cam03": 0.4845},
        "sync_offsets": {"cam01": 0, "cam03": 3},
        "swaps_corrected": {"cam01": 1},
    }
    quality = dict(build_report(frames, summary, use_surrogate=False).quality)
    assert "Parts often hidden" not in quality
    assert quality["Parts triangulated loosely"] == "legs (left): 47% confidence"
    assert quality["Camera cam01"] == (
        "reprojection error 10.7 px, sees the person on 100% of the frames, "
        "left and right put back on 1 frame"
    )
    assert quality["Camera cam03"] == (
        "reprojection error 12.2 px, sees the person on 48% of the frames, synchronised +3 frames"
    )


def test_a_back_view_shows_in_data_quality_and_above_the_recommendations():
    """ "Reliable pose 100%" beside a back view read as trust in every angle (a new-user
    walkthrough of the 4-view demo's cam04): the data quality says how the camera saw the
    person, and the advice says to check it from the side."""
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    toward = {"right forearm": 0.35, "left forearm": 0.1, "left thigh": 0.3}
    summary["view"] = {"back_share": 0.75, "toward_camera": toward}
    report = build_report(frames, summary, use_surrogate=False)
    quality = dict(report.quality)
    assert quality["Seen from behind"] == (
        "75% of the reliable frames: angles from behind are the least reliable; "
        "film from the side (or front-side)"
    )
    # Those at TOWARD_SHARE (0.3) or more, the most first.
    assert quality["Pointing at the camera (angle from estimated depth)"] == (
        "right forearm 35%, left thigh 30%"
    )
    assert report.recommendations and report.recommendations_caveat.startswith(
        "The camera saw the person's back on 75% of the reliable frames"
    )
    # Under BACK_SHARE (0.4): the share, no advice to refilm, no caveat.
    summary["view"] = {"back_share": 0.39, "toward_camera": {}}
    report = build_report(frames, summary, use_surrogate=False)
    assert dict(report.quality)["Seen from behind"] == "39% of the reliable frames"
    assert "Pointing at the camera (angle from estimated depth)" not in dict(report.quality)
    assert report.recommendations_caveat == ""
    # A pose file or a worksheet has no view: no rows.
    del summary["view"]
    quality = dict(build_report(frames, summary, use_surrogate=False).quality)
    assert "Seen from behind" not in quality


def test_a_picture_reads_as_a_picture_not_a_video():
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(1, 30.0), fps=1.0)  # as assess gives an image
    report = build_report(frames, summary, use_surrogate=False)
    assert dict(report.cover)["Frames"] == "one picture" and "Duration" not in dict(report.cover)
    assert dict(report.factors)["Rapid large changes of posture"] == "not judged from one picture"
    peak = summary["reba"]["total"]["peak"]["score"]
    assert report.verdicts[0].headline.startswith(f"REBA is {peak} (")
    assert " s;" not in report.verdicts[0].headline and report.timeline_svg == ""
    # No bars sharing out "100% of the clip (1.0 s)" of a picture.
    from ergorisk.report.document import render_html

    page = render_html(report)
    assert report.picture and "of the clip" not in page
    # Nor "Share of the time each part was seen" and "100% of the frames" (a walkthrough).
    assert "of the frames" not in page and "Share of the time" not in page
    assert dict(report.quality)["Person detected"] == "yes"
    assert "score in the picture" in page
    # Nor "worst moment 1", "in order of those moments' risk" or "postures held ... 0.3 s".
    assert "worst moment" not in page.lower() and "0.3 s" not in page
    assert "<h2>The picture</h2>" in page
    assert all("(the picture)" in line for line in report.recommendations)
    video = build_report(*_scored_assessment(np.full(12, 30.0)), use_surrogate=False)
    assert dict(video.quality)["Person detected"] == "100% of the frames"
    assert dict(video.factors)["Rapid large changes of posture"] == "judged from the video"
    assert "Duration" in dict(video.cover) and video.timeline_svg
    # A pose file's or array's report read "judged from the video" (a researcher's .npy).
    frames, summary = _scored_assessment(np.full(12, 30.0))
    summary["options"] = {**summary.get("options", {}), "kind": "pose"}
    poses = build_report(frames, summary, use_surrogate=False)
    assert dict(poses.factors)["Rapid large changes of posture"] == "judged from the poses"


def test_a_part_both_sides_share_is_one_row_and_a_part_that_differs_is_two():
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.r_[np.full(10, 0.0), np.full(10, 30.0)])
    frames["reba_upper_arm_left"] = 3.0  # the left arm raised, the right at rest
    rows = build_report(frames, summary, use_surrogate=False).parts
    sides = {(r.part, r.side) for r in rows}
    assert ("Trunk", "both") in sides and ("Trunk", "left") not in sides
    assert {("Upper arm", "left"), ("Upper arm", "right")} <= sides
    trunk = next(r for r in rows if r.part == "Trunk")
    assert trunk.high_percent == 50.0 and trunk.seen_percent == 100.0
    # Frames with an unreliable pose count nowhere, here as in the verdict and the bars.
    frames["pose_reliable"] = np.r_[np.ones(15, bool), np.zeros(5, bool)]
    rows = build_report(frames, summary, use_surrogate=False).parts
    trunk = next(r for r in rows if r.part == "Trunk")
    assert trunk.high_percent == round(100 * 5 / 15, 1) and trunk.seen_percent == 100.0


def test_the_body_parts_table_leads_with_the_parts_the_verdict_names():
    # A lower arm at its top score (2, "+1") all the time headed the table by its share,
    # under "Mostly from the upper arm": the table now follows the verdict's order.
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(20, 0.0))
    for side in ("left", "right"):
        frames[f"reba_lower_arm_{side}"] = 2.0  # raised on every frame, a yellow level
        frames[f"reba_upper_arm_{side}"] = np.r_[np.full(12, 4.0), np.full(8, 1.0)]  # 60 %
    report = build_report(frames, summary, use_surrogate=False)
    order = [r.part for r in report.parts]
    assert order.index("Upper arm") < order.index("Lower arm")
    lower = next(r for r in report.parts if r.part == "Lower arm")
    upper = next(r for r in report.parts if r.part == "Upper arm")
    assert lower.high_percent == 100.0 > upper.high_percent == 60.0
    assert "Mostly from the upper arm" in report.in_short
    # Legs seen (and raised to their top) on 1 frame of 20 headed the table above the parts
    # the verdict named: they follow them now.
    for side in ("left", "right"):
        frames[f"reba_legs_{side}"] = np.r_[4.0, np.full(19, np.nan)]
    report = build_report(frames, summary, use_surrogate=False)
    order = [r.part for r in report.parts]
    legs = next(r for r in report.parts if r.part == "Legs")
    assert legs.high_percent == 100.0 and legs.seen_percent == 5.0 and not legs.drives
    assert order.index("Upper arm") < order.index("Lower arm") < order.index("Legs")
    assert "legs" not in report.in_short


def test_task_factors_say_what_is_a_default_and_what_the_video_could_not_judge():
    """'Task factors entered' listed the defaults (0 kg, good coupling) as if entered, and
    'a part held static over 1 minute: judged from the video' under the Activity section's
    'not enough time to judge: 6.8 s observed, need 60 s'."""
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    summary["activity_not_judged"] = {"static": "not enough time to judge: 1.2 s observed"}
    summary["options"] = {"task": {"load_kg": 0.0, "coupling": 2, "shock": False, "repeated": True}}
    factors = dict(build_report(frames, summary, use_surrogate=False).factors)
    assert factors["Load handled"] == "0 kg (the default)"
    assert factors["Hand coupling"] == "poor"
    assert factors["Shock or rapid build-up of force"] == "no (the default)"
    assert factors["A part held static over 1 minute"] == (
        "not enough time to judge: 1.2 s observed"
    )
    assert factors["Small-range actions repeated over 4 times a minute"] == (
        "yes (set by the assessor)"
    )
    assert factors["Rapid large changes of posture"] == "judged from the video"
    # With the activity episodes (summary.json's "activity"): whether it was set, there
    # rather than only in the Activity section, pages on (a new-user walkthrough).
    episode = {"part": "trunk", "start_s": 0.1, "end_s": 0.5, "duration_s": 0.4, "count": 1}
    episode.update(rate_per_min=0.0, range_deg=72.0)
    summary["activity"] = [{"kind": "rapid_change", **episode}] * 2
    factors = dict(build_report(frames, summary, use_surrogate=False).factors)
    assert factors["Rapid large changes of posture"] == "judged from the video: set in 2 episodes"
    summary["activity"] = []
    factors = dict(build_report(frames, summary, use_surrogate=False).factors)
    assert factors["Rapid large changes of posture"] == "judged from the video: not set"
    assert factors["A part held static over 1 minute"] == (
        "not enough time to judge: 1.2 s observed"
    )


def test_a_factor_the_assessor_set_to_its_default_value_is_not_called_the_default(tmp_path):
    """A manifest's coupling 'good' read 'Hand coupling: good (the default)' in the report,
    as if the assessor's entry had been ignored (a batch walkthrough). The Config keeps which
    fields were set; summary.json lists the factors set (options.task_given); the report
    calls the others alone the default. A stored config restored (the web's jobs) sets none,
    and a summary without the list keeps the old rule (a value equal to the default)."""
    import ergorisk as er
    from batch_fixtures import pose_file
    from ergorisk.config import Config
    from ergorisk.report.model import build_report

    cfg = Config.load(None, coupling="good", load_kg=None, site="Lyon")
    assert {"coupling", "site"} <= cfg.given and "load_kg" not in cfg.given
    assert cfg == Config().with_(site="Lyon")  # the same values: the same config
    assert Config.from_dict(cfg.to_dict()).given == frozenset()

    poses = pose_file(tmp_path / "p.npy")
    a = er.assess(poses, layout="uw-iom", fps=12.0, coupling="good", shock=False)
    assert a.summary.to_dict()["options"]["task_given"] == ["coupling", "shock"]
    factors = dict(build_report(a.frames, a.summary.to_dict(), use_surrogate=False).factors)
    assert factors["Hand coupling"] == "good"
    assert factors["Shock or rapid build-up of force"] == "no"
    assert factors["Load handled"] == "0 kg (the default)"  # not given

    summary = a.summary.to_dict()
    del summary["options"]["task_given"]  # stored before the list
    factors = dict(build_report(a.frames, summary, use_surrogate=False).factors)
    assert factors["Hand coupling"] == "good (the default)"


def test_the_verdict_says_how_long_a_score_above_the_held_peak_lasts():
    """'held 0.3 s or more (single frames up to 7)' beside 0.7 s of RULA 7 in runs of up to
    4 frames: the verdict now gives the time above the held peak and its longest run."""
    from ergorisk.report.model import build_report

    trunk = np.full(40, 30.0)
    trunk[[10, 11, 25, 26]] = 70.0  # two 0.2 s spikes, too short to hold at 10 fps
    frames, summary = _scored_assessment(trunk)
    reba = build_report(frames, summary, use_surrogate=False).verdicts[0].headline
    held = summary["reba"]["total"]["peak"]["score"]
    top = int(frames["reba_total"].max())
    assert top > held
    assert f"REBA reaches {held} (" in reba
    assert (
        f"(briefly higher, up to {top}: 0.40 s above {held} in all, at most 0.20 s at a time)"
        in reba
    )


def test_a_run_too_short_to_hold_a_score_is_said_so_from_reliable_frames_only():
    """With 8 reliable frames and no held peak, the report fell back to the highest score of
    any frame, unreliable ones included: "REBA reaches 10 ... from 3.00 s" where the
    reliable frames reached 8 from 3.07 s. It now says no score was held, over the
    reliable frames; a run with no reliable frame says why it is not scored."""
    from ergorisk.report.model import build_report
    from ergorisk.scoring.summary import method_summaries

    trunk = np.full(20, 30.0)
    trunk[:4] = 80.0  # the unreliable frames score higher
    frames, _ = _scored_assessment(trunk)
    frames["pose_reliable"] = np.arange(20) >= 17  # 3 reliable frames: 0.3 s at 10 fps
    frames["pose_reliable"] &= np.arange(20) != 19  # 2 frames, 0.2 s: nothing held
    summary = {"fps": 10.0, "duration_s": 2.0, **method_summaries(frames, 10.0)}
    assert summary["reba"]["total"]["peak"] is None
    reba = build_report(frames, summary, use_surrogate=False).verdicts[0]
    reached = int(frames["reba_total"].iloc[17])
    assert reached < int(frames["reba_total"].max())
    assert reba.headline.startswith(
        f"REBA: no score held 0.3 s; 2 reliable frames (0.20 s) reach up to {reached} ("
    )
    assert reba.headline.endswith("from 1.70 s.")
    frames["pose_reliable"] = False
    summary = {"fps": 10.0, "duration_s": 2.0, **method_summaries(frames, 10.0)}
    reba = build_report(frames, summary, use_surrogate=False).verdicts[0]
    assert reba.headline == "REBA: not scored (the pose was unreliable)"


def test_the_method_says_how_this_assessment_ran():
    """A fixed text said 'on every frame' of a --stride 3 run, 'levelled for the camera tilt'
    where no tilt could be estimated and 'angles smoothed' with --smoothing-s 0."""
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    summary["options"] = {
        "kind": "video",
        "media": {"stride": 3},
        "kinematics": {"smoothing_s": 0.0},
        "camera_tilt": {"method": "none: the person stands straight-legged on 0 frames, 3 needed"},
        "hysteresis_deg": 3.0,
    }
    notes = " ".join(build_report(frames, summary, use_surrogate=False).method_notes)
    assert "on one frame in 3, 3D world landmarks, not levelled for a camera tilt" in notes
    assert "angles not smoothed" in notes and "3° past it" in notes
    assert "a dip of at most 0.05 s does not end a run" in notes
    summary["options"].update(
        media={"stride": 1}, kinematics={"smoothing_s": 0.4}, camera_tilt={"method": "given"}
    )
    notes = " ".join(build_report(frames, summary, use_surrogate=False).method_notes)
    assert "on every frame, 3D world landmarks, levelled for the camera tilt (given)" in notes
    assert "angles smoothed over 0.4 s" in notes


def test_the_verdict_opens_with_one_plain_sentence():
    """A manager could not get the verdict in ten seconds from the figures' headline."""
    from ergorisk.report.model import PartRow, in_short

    summary = {
        "reba": {"total": {"peak": {"score": 10}}},
        "rula": {"total": {"peak": {"score": 6}}},
    }
    parts = [
        PartRow("Lower arm", "left", 95.0, 2.0, 58.0, 0.95),
        PartRow("Lower arm", "right", 93.0, 2.0, 100.0, 0.93),
        PartRow("Upper arm", "right", 73.0, 3.1, 100.0, 1.9),
        PartRow("Trunk", "both", 42.0, 2.5, 100.0, 1.4),
        PartRow("Neck", "both", 21.0, 1.9, 100.0, 0.9),
    ]
    # The most severe first (mean colour level): a lower arm at its highest REBA score (2,
    # level 1) the whole time came first, though it adds 1 and no advice spoke of it.
    assert in_short(summary, parts) == (
        "In short: REBA 10, high risk, action necessary soon; RULA 6, action level 3, "
        "investigate further and change soon. Mostly from the upper arm, the trunk and "
        "the lower arm."
    )
    assert in_short(summary, parts[3:4]).endswith("Mostly from the trunk.")
    assert in_short({}, parts) == ""
    # A close shot's legs, seen (and raised) on 2 of 113 frames and scored straight on the
    # others, came first: a part must be raised a quarter of the time the person was seen.
    legs = PartRow("Legs", "left", 100.0, 3.0, 1.8, 2.0)
    assert in_short(summary, [legs, *parts]).endswith(
        "Mostly from the upper arm, the trunk and the lower arm."
    )


def test_the_plain_sentence_says_when_much_of_the_time_was_at_a_higher_level():
    """The 4-view demo's cam01: "REBA 3, low risk" over a clip 21 % of whose scored time was
    medium, in runs too short to be held 0.3 s."""
    from ergorisk.report.model import in_short

    levels = {"negligible": 0.0, "low": 1.1, "medium": 0.3, "high": 0.0, "very high": 0.0}
    summary = {"reba": {"total": {"peak": {"score": 3}, "time_s_by_level": levels}}}
    assert in_short(summary, []) == (
        "In short: REBA 3, low risk, action may be necessary (21% of the scored time at a "
        "higher level, in runs under 0.3 s)."
    )
    levels.update(low=1.35, medium=0.05)  # under a tenth: said as brief
    assert in_short(summary, []) == (
        "In short: REBA 3, low risk, action may be necessary (briefly medium: 4% of the "
        "scored time)."
    )
    # The example's RULA: 6 held, 7 on 8 % of the scored time, where its worst moments read
    # "action level 4: investigate and change immediately" under "change soon".
    rula = {"action level 1": 0.4, "action level 2": 3.533, "action level 3": 2.2}
    summary = {"rula": {"total": {"peak": {"score": 6}, "time_s_by_level": rula}}}
    assert in_short(summary, []).endswith("change soon.")
    rula["action level 4"] = 0.633
    assert in_short(summary, []).endswith(
        "change soon (briefly action level 4: 9% of the scored time)."
    )


def test_a_worksheet_report_speaks_of_records_not_of_a_picture_or_the_pose():
    """Hand-entered worksheets read 'Frames: one picture', 'REBA is 7 (…; 4–7 within the
    pose's uncertainty)' around typed angles, and a worst moment '0.00–1.00 s ... 1.0 s'."""
    import ergorisk as er
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    records = [
        {"trunk_flexion_deg": 45, "neck_flexion_deg": 25, "upper_arm_flexion_deg": 100},
        {"trunk_flexion_deg": 5},
    ]
    a = er.assess(records, load_kg=6)
    assert (a.frames["reba_total_low_left"] == a.frames["reba_total_left"]).all()  # no interval
    report = build_report(a.frames, a.summary.to_dict(), use_surrogate=False)
    assert dict(report.cover)["Records"] == "2 worksheet records"
    peak = int(a.frames["reba_total"].max())
    assert report.verdicts[0].headline.startswith(f"REBA is {peak} (") and (
        "in record 1 of 2" in report.verdicts[0].headline
    )
    assert report.moments[0].title.startswith(f"Record 1: REBA {peak} (")
    page = render_html(report)
    assert "uncertainty" not in page and "of the clip" not in page and "one picture" not in page
    # How many records tick it ("as ticked in each worksheet record" where none did).
    assert dict(report.factors)["Rapid large changes of posture"] == "ticked in no record"
    ticked = er.assess([records[0], {**records[1], "rapid_change": True}], load_kg=6)
    rows = dict(build_report(ticked.frames, ticked.summary.to_dict(), use_surrogate=False).factors)
    assert rows["Rapid large changes of posture"] == "ticked in 1 of the records", rows
    # Body parts: each part's highest score and the records where it is raised, not the
    # picture's table of rounded means ("Trunk 3" where the records read 4 and 1, "in the
    # annotated picture"); data quality counts records, not frames with a person.
    trunk = a.frames["reba_trunk_left"].to_numpy(int)
    (row,) = [p for p in report.parts if p.part == "Trunk"]
    assert (row.max_score, row.high_count, row.seen_count) == (trunk.max(), 1, 2)
    assert trunk.tolist() == [3, 1] and "<td>3</td>\n      <td>1 of 2</td>" in page
    assert "annotated picture" not in page and "Person detected" not in page
    assert dict(report.quality)["Records"] == "2"
    # The method and the activity section in a record's words ("a frame's score", "only on
    # the frames where the angles over time show it", a walkthrough of a worksheet report).
    assert "a record&#39;s score is the higher side&#39;s" in page
    assert "a frame&#39;s score" not in page and "angles\n  over time" not in page
    assert "REBA adds 1 for each kind of activity ticked in a record" in page
    assert report.moments[0].ranges == {"reba": "", "rula": ""}  # "8 (8–8 on this frame)"
    # The workbook's worst moments: the record, from 1, no times ("Record 3" read "Start (s)
    # 2, End (s) 3, Duration (s) 1, Picture frame 2" in a manager's walkthrough).
    from ergorisk.report.xlsx import _moments_table

    table = _moments_table(report)
    assert table["Record"].tolist()[:1] == [1] and "Start (s)" not in table
    assert "Duration (s)" not in table and "Picture frame" not in table


def test_a_worst_moment_s_rula_is_its_own_higher_side_s_as_the_report_explains_it():
    """The page listed REBA's side's RULA (5) where the report's card, explaining RULA's
    higher side, and rula_total read 6."""
    from ergorisk.report.episodes import worst_episodes

    frames, _ = _scored_assessment(np.full(12, 50.0))
    frames["reba_total_left"] = frames["reba_total_left"].astype(float) + 1  # left higher
    frames["reba_total"] = frames["reba_total_left"]
    frames["rula_total_left"], frames["rula_total_right"] = 5, 6
    frames["rula_total"] = 6
    (episode,) = worst_episodes(frames, n=1, fps=10.0)
    assert episode.side == "left" and episode.rula_side == "right" and episode.peak_rula == 6


def test_warnings_come_with_the_verdict_not_at_the_back():
    """A triangulation on 21 % of the frames, a back view: the warnings sat under Data
    quality, after the verdict, the advice and the body parts that they call into question."""
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    summary["warnings"] = ["the person was triangulated on 21% of the frames only"]
    page = render_html(build_report(frames, summary, use_surrogate=False))
    check = page.index("Check before relying on these figures")
    assert page.index("Verdict") < check < page.index("What to change first")
    assert page.index("the person was triangulated on 21% of the frames only") > check


def test_a_warning_in_the_report_names_no_docs_path():
    """The report's reader has no docs/ folder: the twist warning read "(off by 22° ...,
    docs/accuracy.md)" in the manager's report. summary.json keeps the CLI's words."""
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    warning = (
        "the trunk reads twisted on 26% of the frames: from one camera, twist rests on "
        "estimated depth (off by 22° on average against four cameras, docs/accuracy.md); "
        "check it on the video before acting on it"
    )
    summary["warnings"] = [warning]
    report = build_report(frames, summary, use_surrogate=False)
    assert report.warnings == [warning.replace(", docs/accuracy.md)", ")")]
    assert "docs/" not in render_html(report)
    assert summary["warnings"] == [warning]


def test_a_people_warning_in_the_report_drops_the_hint_to_whoever_ran_it():
    """A batch item's report read "...; ergorisk assess VIDEO --people all assesses everyone
    (a row is one person), roi or people ID someone else" (a walkthrough): command-line
    words for a plant manager. The report keeps what was seen; summary.json the hint."""
    from ergorisk.batch.inputs import manifest_words, people_in_batch
    from ergorisk.errors import keyword_names
    from ergorisk.pose.estimate import PEOPLE_HINT
    from ergorisk.report.model import build_report

    seen = "another person is in view from 2.0 s to 6.0 s: the scores are one person's"
    cli = f"{seen}; {PEOPLE_HINT}"
    worded = [cli, keyword_names(cli), people_in_batch(manifest_words(cli)), f"a; b; {seen}"]
    assert "(a row is one person)" in worded[2] and worded[1] != cli  # the three wordings
    frames, summary = _scored_assessment(np.full(12, 30.0))
    summary["warnings"] = list(worded)
    report = build_report(frames, summary, use_surrogate=False)
    assert report.warnings == [seen, seen, seen, f"a; b; {seen}"]
    assert summary["warnings"] == worded


def test_the_data_quality_names_the_parts_left_out_for_a_reading_no_body_reaches():
    """The panel and frames.csv said why a part was "not seen" on the example's frame 20
    (a trunk twisted 123°); the report's data quality said nothing of it."""
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(10, 21.0))
    assert "Left out: readings no body reaches" not in dict(
        build_report(frames, summary, use_surrogate=False).quality
    )
    frames["beyond_range_parts"] = [""] * 10
    frames.loc[2, "beyond_range_parts"] = "trunk_left trunk_right"
    frames.loc[[3, 4], "beyond_range_parts"] = "wrist_right"
    frames["pose_reliable"] = True
    frames.loc[4, "pose_reliable"] = False  # an unreliable frame is left out of it all
    quality = dict(build_report(frames, summary, use_surrogate=False).quality)
    assert quality["Left out: readings no body reaches"] == (
        "trunk (both sides) on 1 frame, wrist (right) on 1 frame "
        "(of the frames with a reliable pose)"
    )


def test_a_short_share_of_the_clip_keeps_its_seconds():
    """'high 1% of the clip (0.0 s)' (a walkthrough): under a second, two decimals."""
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    trunk = np.r_[np.full(99, 0.0), np.full(1, 70.0)]  # one frame of 100 at a higher level
    page = render_html(build_report(*_scored_assessment(trunk, fps=30.0), use_surrogate=False))
    assert "1% of the clip (0.03 s)" in page and "(0.0 s)" not in page
    assert "99% of the clip (3.3 s)" in page
    # and under half a percent is "<1%", not "0% of the clip (0.03 s)"
    trunk = np.r_[np.full(299, 0.0), np.full(1, 70.0)]
    page = render_html(build_report(*_scored_assessment(trunk, fps=30.0), use_surrogate=False))
    assert "&lt;1% of the clip (0.03 s)" in page and " 0% of the clip" not in page


def test_a_report_with_nothing_scored_does_not_read_as_nothing_to_fix():
    # A photo of grass: "No posture change would lower the scores" read as "all is well".
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(1, 30.0), fps=1.0)
    frames["person_detected"] = False
    frames[[c for c in frames.columns if c.startswith(("reba_", "rula_"))]] = np.nan
    from ergorisk.scoring.summary import method_summaries

    summary.update(method_summaries(frames, 1.0))
    report = build_report(frames, summary, use_surrogate=False)
    assert report.moments == []
    page = render_html(report)
    assert "no moment was scored" in page and "No posture change would lower" not in page
    # the workbook says the same under its Recommendations heading (it was left bare)
    import io

    from ergorisk.report.xlsx import write_xlsx

    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(report, frames)))["Summary"]
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    after = cells[cells.index("Recommendations") + 1]
    assert after.startswith("Nothing to change from this input: no moment was scored")


def test_one_of_several_people_is_named_on_the_title_and_the_cover():
    # person-0/report.pdf and person-1/report.pdf read alike once out of their folders.
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    summary["options"] = {"input": "/videos/cam03.mp4", "kind": "video"}
    alone = build_report(frames, summary, use_surrogate=False)
    assert alone.title == "cam03.mp4" and dict(alone.cover)["Input"] == "cam03.mp4"
    one = build_report(frames, {**summary, "person_id": 1}, use_surrogate=False)
    assert one.title == "cam03.mp4 · person 1"
    # The cover says when they are seen (the IDs alone did not say whose report it was).
    seen = frames["time_s"][frames["person_detected"].astype(bool)]
    span = f"{seen.iloc[0]:.1f}–{seen.iloc[-1]:.1f} s"
    assert dict(one.cover)["Input"] == f"cam03.mp4 · person 1, seen {span}"


def test_the_legend_and_the_verdict_round_the_same_share_alike():
    # 15 frames of 97 at high risk (15.46 %): the legend read 16 % (rounded twice), the
    # verdict 15 %, on the 4-view demo.
    import pandas as pd

    from ergorisk.report.model import level_shares, scored_percent

    reba = np.r_[np.full(15, 9.0), np.full(82, 4.0)]
    frames = pd.DataFrame({"person_detected": True, "pose_reliable": True, "reba_total": reba})
    shares = level_shares(frames, "reba", "both", 60.0)
    high = next(s for s in shares if s.label == "high")
    verdict = scored_percent(shares, ("high", "very high"))
    assert f"{high.percent:.0f}" == f"{verdict:.0f}" == "15"


def test_the_verdict_box_takes_the_colour_of_the_more_urgent_held_peak():
    """It was red for every level: "REBA 3, low risk" read as an alarm (a new-user
    walkthrough). Then REBA's alone: orange for REBA 9 (high) beside RULA 7, "change
    immediately" (a manager's walkthrough), where the report says to act on the more urgent."""
    from ergorisk.report.model import LEVEL_COLOURS, RULA_COLOURS, verdict_colour

    def summary(reba: int | None, rula: int | None) -> dict:
        peak = lambda s: {"total": {"peak": {"score": s} if s else None}}  # noqa: E731
        return {"reba": peak(reba), "rula": peak(rula)}

    assert verdict_colour(summary(2, 2)) == LEVEL_COLOURS[1]  # low, acceptable
    assert verdict_colour(summary(3, 4)) == LEVEL_COLOURS[2] == RULA_COLOURS[1]  # investigate
    assert verdict_colour(summary(9, 5)) == LEVEL_COLOURS[3]  # high, change soon
    assert verdict_colour(summary(9, 7)) == LEVEL_COLOURS[4]  # change immediately
    assert verdict_colour(summary(11, 2)) == LEVEL_COLOURS[4]  # very high
    assert verdict_colour(summary(None, 3)) == RULA_COLOURS[1]  # action level 2
    assert verdict_colour(summary(None, None)) == LEVEL_COLOURS[-1]


def test_a_share_short_of_all_never_reads_100_percent():
    from ergorisk.report.model import percent_text

    assert [percent_text(k, 215) for k in (215, 214, 108, 1, 0)] == [
        "100%",
        ">99%",
        "50%",
        "<1%",
        "0%",
    ]


def test_a_half_percent_rounds_up_as_on_the_page():
    """A back view seen on 22.5 % of the frames read 23 % on the page (JavaScript's
    Math.round) and 22 % in the PDF (Python takes halves to the even number)."""
    from ergorisk.report.model import _view_rows, percent_text, whole_percent

    assert [whole_percent(x) for x in (0.225, 0.245, 0.2249, 0.5)] == [23, 25, 22, 50]
    assert percent_text(45, 200) == "23%"
    assert _view_rows({"back_share": 0.225}, picture=False)[0] == (
        "Seen from behind",
        "23% of the reliable frames",
    )


def test_a_wrist_never_measured_is_said_so_not_shown_as_0_degrees(tmp_path):
    """A walkthrough: a UW-IOM pose file (no hands) read "Wrist 1: wrist at 0° (within
    ±15°: 1)" at every worst moment, while its body-parts table gave the wrist as never
    seen. The scoring takes it as neutral; the worksheet says that."""
    import ergorisk as er
    from batch_fixtures import pose_file
    from ergorisk.report.model import build_report

    a = er.assess(pose_file(tmp_path / "p.npy", trunk=50.0), layout="uw-iom", fps=12)
    assert a.frames["wrist_flexion_deg_left"].isna().all()
    report = build_report(a.frames, a.summary.to_dict(), use_surrogate=False)
    moment = report.moments[0]
    for e in (moment.reba, moment.rula):
        (wrist,) = [p for p in e.parts if p.part == "Wrist"]
        assert wrist.text == "wrist not measured: taken as neutral" and wrist.score == 1
    (twist,) = [p for p in moment.rula.parts if p.part == "Wrist twist"]
    assert twist.text == "wrist not measured: taken as mid-range"
    (trunk,) = [p for p in moment.reba.parts if p.part == "Trunk"]
    assert trunk.text.startswith("trunk flexed 50°")  # measured angles as before
    # Nor does it speak of pictures, the annotated video or faces it does not have.
    from ergorisk.report.document import render_html

    assert not report.drawn and "(at " in moment.title and "picture at" not in moment.title
    page = render_html(report)
    for absent in ("No picture for this input", "in this picture", "annotated video",
                   "Faces are blurred", "MediaPipe", "often hidden"):  # fmt: skip
        assert absent not in page, absent
    assert "on this frame" in page
    assert (
        "Not in the pose file (scored as neutral)",
        "wrist (left), wrist (right)",
    ) in report.quality


def test_a_tilt_not_estimated_is_not_shown_as_a_measured_level_camera():
    # A photo's data quality read "pitch 0.0°, roll 0.0° (not corrected)" (a walkthrough).
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    why = "none: the person does not stand straight-legged in the picture"
    tilt = {"pitch_deg": 0.0, "roll_deg": 0.0, "method": why, "frames_used": 0}
    summary["options"] = {"input": "p.jpg", "kind": "video", "camera_tilt": tilt}
    quality = dict(build_report(frames, summary, use_surrogate=False).quality)
    assert quality["Camera tilt"] == (
        "not estimated (the person does not stand straight-legged in the picture): the "
        "camera taken as level"
    )
    tilt.update(method="vanishing point", pitch_deg=12.34, confidence=0.5)
    quality = dict(build_report(frames, summary, use_surrogate=False).quality)
    assert quality["Camera tilt"].startswith("pitch 12.3°, roll 0.0° (estimated from the scene")


def test_the_report_says_how_to_read_each_scale():
    """A manager read RULA 7 and REBA 9 without knowing that 7 is RULA's top (a walkthrough):
    the verdict says each scale's range and what each band asks for."""
    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.full(12, 30.0))
    page = render_html(build_report(frames, summary, use_surrogate=False))
    assert "REBA rates the whole body from 1 to 15 (1 negligible, no action necessary;" in page
    assert "8–10 high, action necessary soon; 11–15 very high, action necessary now)" in page
    assert "RULA rates the arms, neck and trunk from 1 to 7 (1–2 action level 1, acceptable;" in (
        page
    )
    assert "7 action level 4, investigate and change immediately). Where the two differ, act" in (
        page
    )


def test_two_worst_moments_share_a_pdf_page_each_whole(tmp_path):
    """Each worst moment took a page of its own, half of it blank (a manager's walkthrough);
    a portrait video's tall picture pushed even short ones apart. Two moments now share a
    page, each whole: its title and both worksheets on that page."""
    frames, summary = synthetic_assessment()
    summary["options"]["kind"] = "video"
    portrait = np.full((854, 480, 3), 200, np.uint8)  # a phone held upright
    paths = write_reports(
        frames, summary, META, {i: portrait for i in range(len(frames))}, tmp_path, formats=("pdf",)
    )
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(paths["pdf"]).pages]
    (page,) = [p for p in pages if "1. 4.00–4.50 s: REBA 5 or more" in p]
    assert "2. 2.00–3.50 s: REBA 4 or more" in page
    assert page.count("Worksheet steps, for the ergonomist") == 4


@pytest.mark.parametrize("kind", ["video", "pose"])
def test_a_worst_moment_s_two_worksheets_print_side_by_side(tmp_path, kind):
    """The printed layout is a table cell and floats, not WeasyPrint's slow flex layout: the
    REBA and RULA worksheets of each moment still print side by side, beside the picture
    (a video) or across the page (a pose file, no picture). A float whose margins summed to
    100 % wrapped below the other one in the pose file's report."""
    frames, summary = synthetic_assessment()
    summary["options"]["kind"] = kind
    pictures = {i: np.full((90, 160, 3), 200, np.uint8) for i in range(len(frames))}
    paths = write_reports(
        frames, summary, META, pictures if kind == "video" else None, tmp_path, formats=("pdf",)
    )
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:
        if re.fullmatch(r"(REBA|RULA) \d+", text.strip()):  # a worksheet's score, in bold
            runs.append((text.strip()[:4], tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    for page in pypdf.PdfReader(paths["pdf"]).pages:
        page.extract_text(visitor_text=visit)
    reba = [(x, y) for m, x, y in runs if m == "REBA"]
    rula = [(x, y) for m, x, y in runs if m == "RULA"]
    assert len(reba) == len(rula) == 2  # the two worst moments
    for (x_reba, y_reba), (x_rula, y_rula) in zip(reba, rula, strict=True):
        assert y_rula == pytest.approx(y_reba, abs=1.0)  # on one line
        assert x_rula - x_reba > 120  # a column to the right, of an A4 page's ~520 pt
    # Beside a picture the worksheets start a third of the way across; without, at the left.
    assert (reba[0][0] > 200) == (kind == "video")


def _text_sizes(pdf: bytes) -> dict[str, float]:
    """Each run of text in the PDF -> the largest size it is printed at, in points."""
    import io

    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size) -> None:
        scale = np.hypot(tm[2], tm[3]) * np.hypot(cm[2], cm[3])
        if text.strip():
            sizes[text.strip()] = max(sizes.get(text.strip(), 0.0), size * scale)

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_a_worst_moment_s_scores_strip_prints_at_7_pt_or_more():
    """The strip of scores over a worst moment's picture was drawn into the picture, as wide
    as it: about 4 pt in print on a portrait video's narrow crop (cam02, a people run). The
    report writes it as text above the picture, on the level's colour."""
    from ergorisk.report.document import render_html, render_pdf
    from ergorisk.report.model import build_report
    from ergorisk.report.write import as_data_uri

    frames, summary = synthetic_assessment()
    frames["reba_risk_level"] = "medium"
    summary["options"]["kind"] = "video"
    portrait = as_data_uri(np.full((854, 480, 3), 200, np.uint8))
    pictures = dict.fromkeys(range(len(frames)), portrait)
    report = build_report(frames, summary, META, pictures, use_surrogate=False)
    moment = report.moments[0]
    # In words: the video banner's "REBA L not seen R 10" read as a code on paper.
    assert moment.strip == ["REBA left 5, right 5 (medium)", "RULA left 3, right 3", "at 4.20 s"]
    assert moment.strip_colour == "#ffdc00"  # the banner's yellow
    page = render_html(report)
    assert '<p class="strip" style="background:#ffdc00"><span>REBA left 5, right 5' in page
    sizes = _text_sizes(render_pdf(page))
    for part in moment.strip:
        assert sizes[part] >= 7.0, (part, sizes.get(part))


def test_a_strip_names_a_side_not_seen_and_a_frame_left_out():
    from ergorisk.report.annotate import strip_parts

    row = {"person_detected": True, "pose_reliable": False, "reba_total_left": None,
           "reba_total_right": 10, "reba_risk_level": "high", "rula_total_left": float("nan"),
           "rula_total_right": 7}  # fmt: skip
    assert strip_parts(row, 5.3) == [
        "pose unreliable, left out of the figures",
        "REBA left not seen, right 10 (high)",
        "RULA left not seen, right 7",
        "at 5.30 s",
    ]
    assert strip_parts({"person_detected": False}, None) == ["no person"]


def test_a_worst_moment_explains_each_method_on_the_side_it_scores_higher():
    """The RULA column explained REBA's side (right 4, its wrist not measured) where the
    frame's RULA is the left side's 5 (the 4-view demo's woman, worst moment 2)."""
    from ergorisk.report.model import build_report
    from ergorisk.scoring.frames import frames_table
    from ergorisk.scoring.summary import method_summaries
    from frames_fixtures import synthetic_sides

    fps, n = 10.0, 40
    trunk = np.r_[np.full(10, 0.0), np.full(20, 30.0), np.full(10, 0.0)]
    sides = synthetic_sides(n, trunk_flexion_deg=trunk, neck_flexion_deg=np.full(n, 25.0))
    # REBA higher on the right (weight on it, knees bent), RULA on the left (its wrist)
    right = {"knee_flexion_deg": 70.0, "legs_unilateral": True}
    left = {"wrist_flexion_deg": 30.0, "wrist_twist_end_range": True, "arm_muscle_use": True}
    for side, values in (("right", right), ("left", left)):
        for name, value in values.items():
            sides[side][name] = np.full(n, value)
    frames = frames_table(sides, fps)
    summary = {"fps": fps, "duration_s": n / fps, **method_summaries(frames, fps)}
    report = build_report(frames, summary, use_surrogate=False)
    m = report.moments[0]
    row = frames.iloc[m.episode.peak]
    assert row["reba_total_right"] > row["reba_total_left"]
    assert row["rula_total_left"] > row["rula_total_right"]
    assert (m.side, m.sides) == ("right", {"reba": "right", "rula": "left"})
    assert (m.reba.total, m.rula.total) == (row["reba_total_right"], row["rula_total_left"])
    assert m.worksheets["rula"]["wrist_flexion_deg"] == 30.0
    assert m.ranges["rula"] == f"{row['rula_total_low_left']}–{row['rula_total_high_left']}"
    from ergorisk.report.document import render_html

    html = render_html(report)
    assert f"<b>RULA {m.rula.total}</b> (left side)" in html
    assert f"<b>REBA {m.reba.total}</b> (right" not in html  # the title's side: not said twice


def test_the_higher_side_counts_a_side_without_a_score_as_lower():
    import pandas as pd

    from ergorisk.report.episodes import higher_side

    def row(left, right):
        return pd.Series({"rula_total_left": left, "rula_total_right": right})

    assert higher_side(row(5, np.nan), "rula", tie="right") == "left"  # right not scored
    assert higher_side(row(4, 5), "rula", tie="left") == "right"
    assert higher_side(row(5, 5), "rula", tie="left") == "left"  # a tie: the caller's side
    assert higher_side(row(np.nan, np.nan), "rula", tie="left") == "left"


def test_rula_s_legend_names_its_levels_by_the_totals_how_to_read_gives():
    # "2: investigate further" (the action level) read as the total 2, which "How to read
    # the scores" on the same page calls acceptable.
    from ergorisk.report.model import RULA_LEVELS, scales_text

    assert [name for name, _, _ in RULA_LEVELS] == [
        "1–2: acceptable", "3–4: investigate further", "5–6: change soon", "7: change now",
    ]  # fmt: skip
    text = scales_text()
    assert all(f"{name.split(':')[0]} " in text for name, _, _ in RULA_LEVELS)


def test_the_advice_goes_under_the_whole_moment():
    """A load's advice for both methods under the picture made a moment taller than half a
    page: one a page in report.pdf, half of it blank. The advice now spans the card."""
    from dataclasses import replace

    from ergorisk.report.document import render_html
    from ergorisk.report.model import build_report

    frames, summary = _scored_assessment(np.r_[np.full(10, 0.0), np.full(20, 50.0)])
    report = build_report(frames, summary, use_surrogate=False)
    pictured = replace(report.moments[0], picture="data:image/jpeg;base64,AA==")
    assert pictured.help_lines
    page = render_html(replace(report, moments=[pictured], drawn=True))
    side, rest = page.split('<div class="side">', 1)[1].split('<div class="why">', 1)
    assert 'alt="Worst moment 1"' in side and "What would help" not in side
    assert "What would help" in rest


def test_page_one_says_what_a_range_is_and_what_an_action_level_is():
    """A manager's walkthrough: "REBA reaches 12 (11–12 within the pose's uncertainty)" read
    as a firm figure, the method at the end saying the angles were 24–36° off; "RULA 7 (7–7
    ...)" looked like a misprint; "action level 3 or 4" read as the scores 3-4 of the legend;
    and a photo's warning named --camera-pitch-deg."""
    from ergorisk.report.document import render_html
    from ergorisk.report.model import ONE_CAMERA_NOTE, build_report, reader_words

    frames, summary = _scored_assessment(np.full(40, 70.0))
    summary["options"] = {"kind": "video"}
    peak = summary["reba"]["total"]["peak"]
    peak["low"] = peak["high"] = peak["score"]  # an interval of one score
    report = build_report(frames, summary, use_surrogate=False)
    assert report.accuracy_note == ONE_CAMERA_NOTE
    assert "a range in brackets is how far the pose" in render_html(report)
    assert "; the same within the pose's uncertainty" in report.verdicts[0].headline
    assert f"{peak['score']}–{peak['score']}" not in report.verdicts[0].headline
    assert "7 action level 4, investigate and change immediately" in report.scales, report.scales
    assert "3–4 action level 2" in report.scales
    summary["options"] = {"kind": "worksheet"}  # typed angles: no camera
    assert build_report(frames, summary, use_surrogate=False).accuracy_note == ""
    said = reader_words(
        "camera tilt not corrected (the person does not stand straight-legged in the "
        "picture); give --camera-pitch-deg if the camera was not level"
    )
    assert said.endswith("; the scores take the camera as level"), said
