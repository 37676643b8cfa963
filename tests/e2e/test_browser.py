"""A new user in a real browser: upload the example video, watch the progress, review the
scores frame by frame, click the timeline, change the load, find the assessment again."""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import numpy as np
import pytest

PlaywrightError = pytest.importorskip("playwright.sync_api").Error

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"
JOB_TIMEOUT_MS = 240_000
JOB_STATE = """() => {
    const bar = document.getElementById('job-bar'), job = document.getElementById('job');
    return document.body && {ready: document.body.dataset.ready === '1',
                             bar: bar ? bar.value : null, hidden: job ? job.hidden : true};
}"""

LEAVE = """() => {  // would the page ask before being left?
    const e = new Event('beforeunload', {cancelable: true});
    window.dispatchEvent(e);
    return e.defaultPrevented;
}"""


def panel_state(page) -> dict:
    return page.evaluate("""() => {
        const v = document.getElementById('video');
        const txt = id => (document.getElementById(id) || {}).textContent || '';
        return {row: Number(document.getElementById('panel').dataset.row),
                time: v ? v.currentTime : null, duration: v ? v.duration : null,
                ready: v ? v.readyState : null,
                frameHead: txt('panel-frame'),
                rebaLeft: txt('p-reba_total-left'), rebaRight: txt('p-reba_total-right'),
                loadLeft: txt('p-reba_load-left'), loadRight: txt('p-reba_load-right'),
                marker: Number(document.getElementById('timeline').dataset.marker),
                peak: Number(document.getElementById('headline').dataset.rebaPeak)};
    }""")


def submit_and_open(page) -> None:
    """Send the upload form and wait for the new assessment's page to be ready (job done)."""
    page.click("#submit")
    page.wait_for_url(re.compile(r"/assessments/\d+$"), timeout=30_000)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)


def seek_first(page, row_of: str, fps: float) -> int:
    """Seek the video to the frame the JS expression ``row_of`` picks from the frames API
    (``j``: its JSON), and wait for the panel to show it."""
    row = page.evaluate(
        "fetch(location.pathname.replace('/assessments/', "
        f"'/api/assessments/') + '/frames').then(r => r.json()).then(j => {row_of})"
    )
    assert row >= 0, row_of
    page.evaluate(f"document.getElementById('video').currentTime = {(row + 0.5) / fps}")
    page.wait_for_function(
        f"document.getElementById('panel').dataset.row === '{row}'", timeout=5_000
    )
    return row


def first_int(text: str) -> int:
    found = re.search(r"\d+", text)
    assert found, f"no score in {text!r}"
    return int(found.group())


def test_upload_video_review_rescore_and_find_in_history(page, server, shot) -> None:
    page.goto("/")
    page.fill("#worker", "E2E worker")
    page.fill("#task", "jump and squat")
    page.set_input_files("#file", str(EXAMPLE))
    assert page.is_visible("#blur_faces") and page.is_checked("#blur_faces")  # private by default
    page.click("#submit")
    page.wait_for_url(re.compile(r"/assessments/\d+$"), timeout=60_000)
    url = page.url

    # Live progress: the bar moves while the job runs, then the page shows the results.
    seen: set[float] = set()
    end = time.monotonic() + JOB_TIMEOUT_MS / 1000
    while time.monotonic() < end:
        try:  # the page reloads itself when the job is done
            job = page.evaluate(JOB_STATE)
        except PlaywrightError:
            job = None
        if job and job["ready"]:
            break
        if job and job["bar"] is not None and not job["hidden"]:
            seen.add(round(float(job["bar"]), 2))
        page.wait_for_timeout(250)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
    assert any(0 < v < 1 for v in seen), f"no intermediate progress seen: {sorted(seen)}"

    # The annotated video plays in the browser and the panel shows frame 0, both sides.
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=30_000)
    state = panel_state(page)
    assert 7.0 < state["duration"] < 8.5
    assert state["row"] == 0 and state["frameHead"].startswith("Frame 0")
    # frame 0 is a glitch, flagged "unconfirmed track": said in a reader's words
    assert "pose unreliable: followed for under 0.3 s" in state["frameHead"], state
    for cell in (
        "Trunk",
        "Score A",
        "Score B",
        "Table C",
        "Activity",
        "REBA total",
        "Risk level",
        "RULA grand score",
    ):
        assert page.locator("#panel").get_by_text(cell, exact=False).first.is_visible(), cell

    # The summary's warnings, as the reports list them (the page showed none), in its words;
    # and what a peak is (the worst moments showed a higher score than the headline's).
    assert page.is_visible("#warnings") and page.is_visible("#headline-help")
    warned = page.inner_text("#warnings-list")
    assert "the trunk reads twisted on" in warned and "docs/" not in warned  # as the reports
    assert "(off by 22° on average against four cameras)" in warned
    assert "held 0.3 s or more" in page.inner_text("#headline-help")
    # How the view was taken into account, as in the report's data quality (the page
    # corrected a tilt without a word): the example's tilt from its scene, its back share.
    measured = page.inner_text("#measured")
    assert re.search(
        r"Camera tilt corrected: pitch -?\d+\.\d°, roll -?\d+\.\d° \(estimated from the "
        r"scene's vertical lines, confidence 0\.\d\d\)",
        measured,
    ), measured
    assert re.search(r"Seen from behind on \d+% of the reliable frames", measured), measured

    # % of time: frames without a person count for every side; a side partly out of view
    # (here the left one, often) is "part not seen", not "no person".
    shares = page.evaluate("""() => {
        const t = document.getElementById('shares-reba');
        const heads = [...t.querySelectorAll('thead th')].map(h => h.textContent.trim());
        const rows = {};
        t.querySelectorAll('tbody tr').forEach(tr => {
            rows[tr.querySelector('th').textContent.trim()] =
                [...tr.querySelectorAll('td')].map(td => parseFloat(td.textContent) || 0);
        });
        return {heads, rows};
    }""")
    # Unreliable frames are left out of the levels (as in summary.json and the report).
    assert shares["heads"][-3:] == ["pose unreliable", "part not seen", "no person"], shares
    rows = shares["rows"]
    assert rows["left"][-1] == rows["right"][-1] == rows["higher side"][-1] > 0, rows
    assert rows["left"][-2] > 0, rows
    for row in rows.values():
        assert abs(sum(row) - 100) < 0.5, rows

    # Clicking the timeline seeks the video; the panel and the marker follow that frame.
    page.locator("#timeline").scroll_into_view_if_needed()  # below the warnings, as a user
    area = page.locator("#timeline .nsewdrag").first.bounding_box()
    page.mouse.click(area["x"] + 0.7 * area["width"], area["y"] + area["height"] / 2)
    page.wait_for_function("document.getElementById('video').currentTime > 1", timeout=10_000)
    page.wait_for_timeout(500)
    state = panel_state(page)
    fps = page.evaluate("JSON.parse(document.getElementById('page-data').textContent).fps")
    assert state["row"] == int(state["time"] * fps), state
    assert state["row"] > 0 and f"Frame {state['row']}" in state["frameHead"]
    assert abs(state["marker"] - state["row"] / fps) < 0.1
    assert 0.6 * state["duration"] < state["time"] < 0.8 * state["duration"]
    page.wait_for_function(
        f"document.getElementById('skeleton').dataset.row === '{state['row']}'", timeout=10_000
    )  # the 3D skeleton shows the same frame
    page.locator("#panel-h").click()  # focus outside the video: the arrow keys step frames
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"document.getElementById('panel').dataset.row === '{state['row'] + 1}'", timeout=5_000
    )

    # A frame without a person shows no angles (the table has placeholders there).
    seek_first(page, "j.data.person_detected.indexOf(false)", fps)
    assert "no person detected" in page.inner_text("#panel-frame")
    for cell in ("legs", "neck", "wrist"):
        assert page.locator(f"#p-reba_{cell}-left").inner_text().strip() == "–", cell

    # A part left out for a reading no body reaches says which reading, not just "not seen";
    # a wrist not seen says it is scored as neutral (the side keeps its total).
    seek_first(
        page, "j.data.beyond_range_parts.findIndex(v => (v || '').includes('trunk_left'))", fps
    )
    trunk = page.locator("#p-reba_trunk-left").inner_text()
    assert "left out: trunk twist" in trunk and "beyond a body's range (over 90°)" in trunk
    total = page.locator("#p-reba_total-left").inner_text()
    assert total.strip() == "not scored: part of this side was not seen or left out (see above)"
    # A wrist left out is scored as neutral where its side has a total, and not said to be
    # where another part left the side without one.
    seek_first(
        page,
        "j.data.beyond_range_parts.findIndex((v, i) => (v || '').includes('wrist_right') "
        "&& j.data.reba_total_right[i] !== null)",
        fps,
    )
    wrist = page.locator("#p-reba_wrist-right").inner_text()
    assert "left out: wrist" in wrist and wrist.rstrip().endswith("scored as neutral"), wrist
    seek_first(
        page,
        "j.data.unseen_parts.findIndex((v, i) => (v || '').includes('wrist_left') "
        "&& j.data.person_detected[i] && j.data.reba_total_left[i] === null)",
        fps,
    )
    assert "scored as neutral" not in page.locator("#p-reba_wrist-left").inner_text()

    # Playing: the marker and the panel follow the video.
    page.evaluate("document.getElementById('video').currentTime = 1.0")
    page.evaluate("document.getElementById('video').play()")
    page.wait_for_function("document.getElementById('video').currentTime > 1.8", timeout=10_000)
    page.evaluate("document.getElementById('video').pause()")
    page.wait_for_timeout(400)
    state = panel_state(page)
    assert state["row"] == int(state["time"] * fps) and state["row"] > 50, state
    assert abs(state["marker"] - state["row"] / fps) < 0.1

    # A frame with a person, to see the load change its REBA score.
    page.locator("#worst button").first.click()
    page.wait_for_timeout(500)
    before = panel_state(page)
    side = "Left" if re.search(r"\d", before["rebaLeft"]) else "Right"  # a side with a score
    # Both sides' legs score the more flexed knee: the other side's panel says so (its own
    # knee's angle did not explain its legs score).
    knees = {s: page.locator(f"#p-reba_legs-{s}").inner_text() for s in ("left", "right")}
    angles = {
        s: float(re.search(r"knee flexion (-?[\d.]+)°", t).group(1)) for s, t in knees.items()
    }
    low, high = sorted(angles, key=angles.get)
    if angles[low] < angles[high]:
        assert f"(scored: {angles[high]:.1f}°, the more flexed knee)" in knees[low], knees
    assert "scored:" not in knees[high], knees
    assert before[f"load{side}"].strip().startswith("0"), before
    page.fill("#load_kg", "12")
    page.wait_for_function(
        "document.getElementById('factors-form').dataset.state === 'changed'", timeout=20_000
    )
    after = panel_state(page)
    assert after["row"] == before["row"]
    assert after[f"load{side}"].strip().startswith("2"), after  # > 10 kg: load score 2
    assert "load 12 kg" in after[f"load{side}"]
    assert first_int(after[f"reba{side}"]) > first_int(before[f"reba{side}"]), (before, after)
    assert after["peak"] >= before["peak"]
    assert page.evaluate(LEAVE)  # unsaved factors: leaving the page asks first
    assert page.locator("#headline-unsaved").is_visible()  # beside the changed headline
    # the downloads say they hold the saved factors, not the ones shown
    assert "These files hold the saved factors (load 0 kg" in page.inner_text("#dl-note")
    page.click("#save-factors")
    # while the reports are written again, the links wait (one clicked gave the old version)
    assert page.locator("#downloads a.pending").count() == page.locator("#downloads a").count()
    page.wait_for_function(  # the reports (PDF included) are written again: seconds
        "document.getElementById('factors-form').dataset.state === 'saved'", timeout=90_000
    )
    assert not page.evaluate(LEAVE)
    assert page.locator("#headline-unsaved").is_hidden()
    assert page.locator("#dl-note").is_hidden() and not page.locator("#downloads a.pending").count()
    shot(page, "results")
    saved_reports_are_whole(page, url, "E2E worker")
    worst_moment_and_overlay_follow_the_scores(page)
    metadata_edit_round_trip(page, url)
    page.select_option("#load_unit", "lb")  # the same load in pounds; stored in kg
    assert page.input_value("#load_kg") == "26.46"
    assert page.inner_text("#factors-form .load-equiv") == "= 12 kg"
    # And back: the exact 12 kg, not 26.46 lb's 12.0021 (25 kg was saved as 25.002)
    page.select_option("#load_unit", "kg")
    assert page.input_value("#load_kg") == "12"
    assert page.locator("#factors-form .load-equiv").is_hidden()
    page.select_option("#load_unit", "lb")
    # 22.1 lb is 10.02 kg: over the 10 kg edge, so said beside its load score of 2 (it read
    # "load 10 kg", and 10 kg scores 1)
    page.fill("#load_kg", "22.1")
    page.wait_for_function(
        f"(document.getElementById('p-reba_load-{side.lower()}') || {{}}).textContent"
        "?.includes('10.02 kg')",
        timeout=20_000,
    )
    assert panel_state(page)[f"load{side}"].strip().startswith("2")
    assert page.inner_text("#factors-form .load-equiv") == "= 10.02 kg"
    page.select_option("#load_unit", "kg")
    # Shown to 0.01 kg (26.5 lb read "12.0202"); the exact kg of 22.1 lb stays behind it.
    assert page.input_value("#load_kg") == "10.02"
    kg = page.evaluate("ER.loadKg(document.getElementById('factors-form'))")
    assert kg == pytest.approx(22.1 * 0.45359237, abs=1e-9)
    page.fill("#load_kg", "12")  # back to the saved 12 kg
    page.wait_for_function(
        "document.getElementById('factors-form').dataset.state !== 'busy'", timeout=20_000
    )

    # After a reload the saved factors and scores stay; the history lists the assessment.
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
    assert page.input_value("#load_kg") == "12"  # not "12.0"
    # The headline's share at high or worse is the reports' (the PDF said 55 %, the page
    # gave the clip's parts per level alone: a web walkthrough)
    high = re.search(r", high or worse (\d+)% of the scored time", page.inner_text("#headline"))
    assert high, page.inner_text("#headline")
    html = page.request.get(api_path(url) + "/files/report.html").text()
    assert f"{high[1]}% of the scored time at high or very high risk" in html
    activity_shows_its_evidence(page)
    page.goto("/history?worker=E2E+worker")
    row = page.locator("#history tbody tr").first
    assert "jump and squat" in row.inner_text()
    assert first_int(row.locator("td").nth(8).inner_text()) >= after["peak"]
    shot(page, "history")
    compare_leaves_out_unreliable_frames(page, url)

    # On a phone the pages fit the screen's width (wide tables scroll inside themselves).
    page.set_viewport_size({"width": 390, "height": 844})
    for address in (url, "/history", "/"):
        page.goto(address)
        page.wait_for_load_state("load")
        if address == url:
            page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (address, width)
        if address == url:
            # The levels run down the table in the page's own type (a row of eight levels
            # fitted the screen in 8.7 px type, its figures running together).
            size = page.evaluate("getComputedStyle(document.querySelector('#shares td')).fontSize")
            assert float(size.removesuffix("px")) >= 12, size
            heads = page.locator("#shares-reba thead th").all_inner_texts()
            assert [h.strip() for h in heads] == ["level", "left", "right", "higher side"], heads
    assert not page.js_errors, page.js_errors


def compare_leaves_out_unreliable_frames(page, url: str) -> None:
    """The compare page's timeline has a gap on each frame whose pose is unreliable, as the
    assessment's page and the reports do (it used to draw their scores)."""
    ident = url.rstrip("/").rsplit("/", 1)[1]
    frames = page.request.get(api_path(url) + "/frames").json()["data"]
    unreliable = [i for i, ok in enumerate(frames["pose_reliable"]) if ok is False]
    scored = [i for i, v in enumerate(frames["reba_total"]) if v is not None]
    assert set(unreliable) & set(scored), "the example has unreliable frames with a score"
    page.goto(f"/compare?a={ident}&b={ident}")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
    ys = page.evaluate("document.getElementById('cmp-timeline').data.map(t => t.y)")
    assert len(ys) == 4  # A and B, REBA and RULA
    for y in ys:
        assert all(y[i] is None for i in unreliable)
        assert all(y[i] is not None for i in set(scored) - set(unreliable))


def api_path(url: str) -> str:
    return url.replace("/assessments/", "/api/assessments/")


def saved_reports_are_whole(page, url: str, worker: str) -> None:
    """After "Save factors": the PDF downloads with the new load; the HTML report shows one
    picture per worst moment and no broken image."""
    pypdf = pytest.importorskip("pypdf")
    moments = page.request.get(api_path(url) + "/worst-moments").json()
    with page.expect_download() as info:
        page.get_by_role("link", name="Report (PDF)").click()
    pdf = pypdf.PdfReader(info.value.path())
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert 2 <= len(pdf.pages) <= 12 and worker in text and "12 kg" in text
    for m in moments:
        assert f"picture at {m['peak_s']:.2f} s" in text
    html = page.request.get(api_path(url) + "/files/report.html").text()
    assert "<img src=''" not in html and 'src=""' not in html
    report = page.context.new_page()
    report.goto(api_path(url) + "/files/report.html")
    images = report.evaluate(
        "[...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, "
        "data: i.src.startsWith('data:image/')}))"
    )
    report.close()
    assert len(images) == len(moments) > 0
    assert all(i["ok"] and i["data"] for i in images), images


def worst_moment_and_overlay_follow_the_scores(page) -> None:
    """The page lists the server's worst moments; a click shows the peak in the video and the
    panel; the scores over the video are the page's (re-scored) ones."""
    moments = page.evaluate(
        "fetch(location.pathname.replace('/assessments/', '/api/assessments/') + "
        "'/worst-moments').then(r => r.json())"
    )
    items = page.locator("#worst li")
    assert items.count() == len(moments)
    last = moments[-1]
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    items.nth(len(moments) - 1).locator("button").click()
    page.wait_for_function(
        f"document.getElementById('panel').dataset.row === '{last['peak']}'", timeout=10_000
    )
    page.wait_for_timeout(800)  # smooth scrolling
    in_view = page.evaluate("""() => ['video', 'panel'].map(id => {
        const r = document.getElementById(id).getBoundingClientRect();
        return r.top < innerHeight && r.bottom > 0;
    })""")
    assert in_view == [True, True]
    overlay = page.inner_text("#score-overlay")
    state = panel_state(page)
    for side, cell in (("L", "rebaLeft"), ("R", "rebaRight")):
        shown = re.search(rf"REBA.*?{side} (\S+)", overlay).group(1)
        panel = re.search(r"\d+", state[cell])
        assert shown == (panel.group() if panel else "not"), (overlay, state)  # "not seen"


def activity_shows_its_evidence(page) -> None:
    """The activity table: repetition not judged on a 7.7 s clip, the jump's rapid changes
    listed (a click shows one's start); a factor set to no clears the flag, auto brings it back."""
    rows = page.locator("#activity-rows tr")
    assert rows.count() == 3
    repeated = page.inner_text("#activity-rows tr[data-kind=repeated]")
    assert "Not enough time to judge" in repeated and "need 30 s" in repeated
    rapid = page.locator("#activity-rows tr[data-kind=rapid_change]")
    assert rapid.get_attribute("data-state") == "detected"
    assert "+1 to REBA on these frames" in rapid.inner_text()
    first = rapid.locator("li button").first
    start = float(re.search(r"(\d+\.\d)–", first.inner_text()).group(1))
    first.click()
    page.wait_for_timeout(500)
    state = panel_state(page)
    assert abs(state["time"] - start) < 0.1, (state, start)
    for value, expected in (("no", "off by assessor"), ("auto", "detected")):
        page.select_option("#rapid_change", value)
        page.wait_for_selector(
            f"#activity-rows tr[data-kind=rapid_change][data-state='{expected}']", timeout=20_000
        )


def metadata_edit_round_trip(page, url: str) -> None:
    page.click("#edit-meta")
    page.fill("#meta-assessor", "J. Doe")
    page.fill("#meta-site", "Plant 2")
    with page.expect_navigation(timeout=60_000):  # saved: the page reloads with them
        page.click("#save-meta")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    assert "assessor J. Doe" in page.inner_text(".meta")
    item = page.request.get(api_path(url)).json()
    assert item["assessor"] == "J. Doe" and item["site"] == "Plant 2"
    assert item["worker"] == "E2E worker" and item["factors"]["load_kg"] == 12


def test_upload_form_checks_before_sending(page, server, tmp_path, shot) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    page.goto("/")
    # A take's calibration, left chosen when one video remains, is said not to be sent (it
    # was hidden with the take's fields and dropped without a word).
    (tmp_path / "calib.toml").write_text("[cam01]\n")
    page.set_input_files("#file", [str(EXAMPLE), str(EXAMPLE)])
    page.set_input_files("#calibration", str(tmp_path / "calib.toml"))
    assert page.locator("#views-note").is_hidden()
    page.set_input_files("#file", str(EXAMPLE))
    assert page.locator("#views-part").is_hidden()
    assert page.inner_text("#views-note") == (
        'One file chosen: the calibration "calib.toml" is not used. It goes with several '
        "videos of one take: choose all of them together."
    )
    page.set_input_files("#calibration", [])
    assert page.locator("#views-note").is_hidden()
    page.set_input_files("#file", str(notes))
    page.click("#submit")
    error = page.locator("#upload-errors")
    assert "unsupported type .txt" in error.inner_text()
    assert page.url.rstrip("/") == server.url  # nothing was sent

    # A .mp4 that is not a video: only the server can tell; its answer names the file.
    fake = tmp_path / "clip.mp4"
    fake.write_text("not a video")
    page.set_input_files("#file", str(fake))
    page.click("#submit")
    page.wait_for_function("document.getElementById('upload-errors').textContent !== ''")
    assert (
        error.inner_text() == '"clip.mp4" was refused: the content does not look like a .mp4 file.'
    )
    assert page.url.rstrip("/") == server.url
    # The message has the focus (the button, disabled while sending, had dropped it to the
    # page: a keyboard user's next Tab went past the form).
    assert page.evaluate("document.activeElement.id") == "upload-errors"
    # An advanced option's fault is not the file's; a factor set twice names its field.
    page.evaluate("document.getElementById('advanced').open = true")
    for typed, said in (
        ("smoothng_s: 0.8", "Advanced options: unknown option 'smoothng_s'"),
        ("load_kg: 5", "Advanced options: option load_kg is given twice: in its own field (Load)"),
    ):
        page.fill("#options", typed)
        page.evaluate("document.getElementById('upload-errors').textContent = ''")
        page.click("#submit")
        page.wait_for_function("document.getElementById('upload-errors').textContent !== ''")
        assert error.inner_text().startswith(said), error.inner_text()
    page.fill("#options", "")

    # A .npy pose file: the form reads its joint count and picks the one layout that fits.
    np.save(tmp_path / "take.npy", np.zeros((5, 15, 3)))
    page.set_input_files("#file", str(tmp_path / "take.npy"))
    page.wait_for_function("document.getElementById('layout-guess').textContent !== ''")
    assert page.inner_text("#layout-guess") == "15 joints: uw-iom chosen."
    assert page.input_value("#layout") == "uw-iom"
    # Told otherwise, the server refuses it at once, naming the file once.
    page.select_option("#layout", "coco17")
    page.click("#submit")
    page.wait_for_function("document.getElementById('upload-errors').textContent !== ''")
    assert error.inner_text().startswith(
        '"take.npy" was refused: layout coco17 has 17 joints but the poses have 15'
    )
    assert page.url.rstrip("/") == server.url

    # Too large for the server's limit (lowered here to 100 KB): refused before sending.
    page.evaluate("document.getElementById('upload-form').dataset.maxBytes = String(100 * 1024)")
    page.set_input_files("#file", str(EXAMPLE))
    page.click("#submit")
    assert "the limit is 100 KB" in error.inner_text()
    assert page.url.rstrip("/") == server.url

    # A worksheet entered by hand is scored and reviewed like a video.
    page.check("input[name=source][value=worksheet]")
    page.fill("input[name=trunk_flexion_deg]", "70")
    page.fill("input[name=upper_arm_flexion_deg]", "100")
    page.fill("#task", "hand worksheet")
    submit_and_open(page)
    trunk = page.locator("#p-reba_trunk-left").inner_text()
    assert first_int(trunk) == 4 and "flexion 70.0°" in trunk  # > 60 degrees: 4
    upper_arm = page.locator("#p-reba_upper_arm-right").inner_text()
    assert first_int(upper_arm) == 4 and "flexion 100.0°" in upper_arm  # > 90 degrees: 4
    shot(page, "worksheet")

    # The same task with the trunk and arm nearer neutral, compared from the history.
    page.goto("/")
    page.check("input[name=source][value=worksheet]")
    page.fill("input[name=trunk_flexion_deg]", "10")
    page.fill("input[name=upper_arm_flexion_deg]", "10")
    page.fill("#task", "hand worksheet")
    submit_and_open(page)
    page.goto("/history?task=hand+worksheet")
    assert page.locator("#compare").is_disabled()
    for box in page.locator("input[name=pick]").all()[:2]:
        box.check()
    page.click("#compare")
    page.wait_for_url(re.compile(r"/compare\?a=\d+&b=\d+$"), timeout=10_000)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
    peak = page.locator("#cmp-reba tr", has_text="peak").first.locator("td").nth(2)
    assert "better" in peak.get_attribute("class") and first_int(peak.inner_text()) > 0
    assert peak.inner_text().strip().startswith("-")
    shot(page, "compare")

    # Deleting the "after" one (with the confirmation) takes it out of the history.
    after_url = page.locator("#card-b h2 a").get_attribute("href")
    page.goto(after_url)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#delete")
    page.wait_for_url(re.compile(r"/history$"), timeout=10_000)
    assert page.locator("#history tbody tr", has_text="hand worksheet").count() == 1
    assert page.request.get(after_url).status == 404
    assert not page.js_errors, page.js_errors


def test_worksheet_with_each_side_entered_apart(page, server, shot) -> None:
    page.goto("/")
    page.check("input[name=source][value=worksheet]")
    assert page.locator("#ws-right").is_hidden()  # one posture for both sides by default
    page.fill("#ws-left input[name=upper_arm_flexion_deg]", "100")
    page.uncheck("#ws-same")
    right = page.locator("#ws-right")
    assert right.is_visible()
    # The right side starts as a copy of the left one; change what differs.
    assert right.locator("input[name=upper_arm_flexion_deg]").input_value() == "100"
    right.locator("input[name=upper_arm_flexion_deg]").fill("10")
    right.locator("input[name=knee_flexion_deg]").fill("-5")
    page.click("#submit")
    assert "knee flexion (right side): must be 0° or more" in page.inner_text("#upload-errors")
    # Past the API's ±360°, said in the field's own words (it came back as "worksheet:
    # record 0, key 'trunk_flexion_deg': ..." from the server, a web walkthrough).
    right.locator("input[name=trunk_flexion_deg]").fill("500")
    page.click("#submit")
    assert "flexion (right side): an angle is within ±360°, got 500." in page.inner_text(
        "#upload-errors"
    )
    right.locator("input[name=trunk_flexion_deg]").fill("0")
    # Typed with a decimal comma, as in most of Europe: 12,5 kg and 40,5°, not 125 kg and 405°
    # (a number field in Chromium drops the comma it cannot place).
    knee = right.locator("input[name=knee_flexion_deg]")
    knee.fill("")
    knee.press_sequentially("40,5")
    page.fill("#load_kg", "")
    page.locator("#load_kg").press_sequentially("12,5")
    page.fill("#task", "two sides")
    submit_and_open(page)
    left_arm = page.locator("#p-reba_upper_arm-left").inner_text()
    right_arm = page.locator("#p-reba_upper_arm-right").inner_text()
    assert first_int(left_arm) == 4 and "flexion 100.0°" in left_arm  # > 90 degrees: 4
    assert first_int(right_arm) == 1 and "flexion 10.0°" in right_arm  # -20..20: 1
    legs = [page.locator(f"#p-reba_legs-{side}").inner_text() for side in ("left", "right")]
    assert first_int(legs[0]) == 1 and first_int(legs[1]) == 2, legs  # knee 30-60: +1
    assert "40.5°" in legs[1], legs
    load = page.locator("#p-reba_load-left").inner_text()
    assert first_int(load) == 2 and "load 12.5 kg" in load, load  # > 10 kg: 2
    # A record's words, not a video's ("1 frame. REBA peak 6 ... from 0.00 s ... held 0.3 s").
    headline = page.inner_text("#headline")
    assert re.match(r"The worksheet record: REBA \d+ \(", headline), headline
    assert "frame" not in headline and " from " not in headline, headline
    assert page.locator("#headline-help").is_hidden()
    assert page.inner_text("#panel-frame").startswith("The record")
    # A record has no picture (the list said "at the picture"); each method's higher side,
    # as the report's card: the right leg bent for REBA, the left arm raised for RULA.
    assert page.inner_text("#worst li") == (
        "Record 1: REBA 3 (right side) · RULA 5 (left side) in the record"
    )
    # Records, not a video's frames (a walkthrough: "frame 0 (1 of 1) · 0.00 s", "Scores of
    # this frame", "Postures held at least 0.3 s", "auto (detected)")
    assert page.inner_text("#panel-h") == "Scores of this record"
    assert page.inner_text("#frame-label") == "record 1 of 1"
    assert page.inner_text("#worst-help").startswith("The records of highest REBA")
    assert "auto (as entered)" in page.inner_text("#factors-form")
    assert "detected" not in page.inner_text("#factors-form")
    shot(page, "worksheet-sides")
    # A flag set for the task shows the activity card in a record's words (it spoke of
    # "the angles over time" and episodes to click, which a worksheet has none of).
    assert page.locator("#activity-card").is_hidden()
    page.select_option("#repeated", "yes")
    page.wait_for_function(
        "document.getElementById('factors-form').dataset.state === 'changed'", timeout=20_000
    )
    assert page.locator("#activity-card").is_visible()
    help_text = page.inner_text("#activity-help")
    assert help_text.startswith("REBA adds 1 for each kind of activity ticked in a record")
    assert "over time" not in help_text and "episode" not in help_text
    assert not page.js_errors, page.js_errors


def _mocap_helpers():
    """tests/test_pose_mocap.py writes a small BVH file and its joint mapping."""
    path = Path(__file__).resolve().parents[1] / "test_pose_mocap.py"
    spec = importlib.util.spec_from_file_location("e2e_pose_mocap", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_bvh_file_with_its_joint_mapping(page, server, tmp_path) -> None:
    bvh, mapping = _mocap_helpers().bvh_file(tmp_path)
    page.goto("/")
    page.set_input_files("#file", str(bvh))
    assert page.locator("#mapping-part").is_visible()  # a mapping instead of a layout
    assert page.locator("#layout-part").is_hidden()
    assert page.inner_text("#upload-errors") == ""  # not an error before sending
    page.click("#submit")
    assert 'needs its joint mapping; choose it under "Joint mapping"' in page.inner_text(
        "#upload-errors"
    )
    page.set_input_files("#mapping", str(mapping))
    page.fill("#task", "motion capture")
    submit_and_open(page)
    assert page.inner_text("#headline").startswith("2 frames")
    assert "flexion" in page.locator("#p-reba_upper_arm-left").inner_text()
    # The take has no hand joints: the wrist has no score (issue 13: a part not seen is
    # missing, never a measured 0), and the panel says why.
    wrist = page.locator("#p-reba_wrist-left").inner_text()
    assert wrist.startswith("–") and "not seen" in wrist
    assert "not seen" not in page.locator("#p-reba_lower_arm-left").inner_text()
    assert not page.js_errors, page.js_errors


def test_a_photo_reads_as_a_picture_not_a_video(page, server, tmp_path, shot) -> None:
    """A photo's page spoke of time: "REBA: % of time ... 100.0%", "Frame 0 · 0.00 s", "t 0.00
    s" over the picture, "estimating the pose in every frame" (a new-user walkthrough)."""
    import cv2

    capture = cv2.VideoCapture(str(EXAMPLE))
    capture.set(cv2.CAP_PROP_POS_FRAMES, 60)  # the jumper standing on the box, the walker
    ok, bgr = capture.read()
    capture.release()
    assert ok
    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), bgr)
    page.goto("/")
    page.set_input_files("#file", str(photo))
    submit_and_open(page)
    assert page.inner_text("#panel-frame").startswith("The picture")
    assert page.locator("#shares").is_hidden() and "% of time" not in page.inner_text("body")
    overlay = page.inner_text("#score-overlay")
    assert overlay.startswith(("REBA", "pose unreliable", "no person")) and " t 0.00" not in overlay
    assert "not from one picture" in page.inner_text("#activity-help")
    assert page.locator("#headline-help").is_hidden()
    shot(page, "photo")
    assert not page.js_errors, page.js_errors


def test_a_warning_names_the_option_as_the_form_sets_it(page, server, shared_data) -> None:
    """A photo's "give camera_pitch_deg if the camera was not level" named an option the
    upload form has no field for (the page's wording looked for the flag, --camera-pitch-deg,
    which the job had already turned into its keyword)."""
    page.goto("/")
    page.set_input_files("#file", str(shared_data / "media" / "opencv-messi5.jpg"))
    submit_and_open(page)
    warned = page.inner_text("#warnings-list")
    assert "camera tilt not corrected" in warned, warned
    assert "camera_pitch_deg: degrees, under Advanced options on a new upload" in warned, warned
    assert "give camera_pitch_deg" not in warned
    assert not page.js_errors, page.js_errors


def test_a_back_view_says_what_the_peak_leaves_out_and_how_it_was_seen(
    page, server, shared_data
) -> None:
    """The 4-view demo's cam04, the man seen from behind: "REBA peak 7 (medium)" sat over a
    table giving high 19 %, and the tilt was corrected without a word (a web walkthrough).
    The headline says what the held peak leaves out, as the command line does, and the line
    under the warnings how the camera saw him."""
    page.goto("/")
    video = shared_data / "media" / "pose2sim-multiperson" / "videos" / "cam04.mp4"
    page.set_input_files("#file", str(video))
    submit_and_open(page)
    headline = page.inner_text("#headline")
    assert re.search(
        r"REBA peak \d+ \(range \d+–\d+, \w+\) from \d+\.\d\d s \(\d+% of the scored time at a "
        r"higher level, in runs under 0\.3 s\)",
        headline,
    ), headline
    measured = page.inner_text("#measured")
    assert "Seen from behind on 100% of the reliable frames" in measured, measured
    assert "Camera tilt corrected: pitch" in measured, measured
    assert "the camera sees the person's back" in page.inner_text("#warnings-list")
    assert not page.js_errors, page.js_errors
