"""In the browser: a waiting job says its place in the line, Cancel stops a queued or a
running job and Retry runs a cancelled one; the upload form says what the up axis defaults to
and refuses an absurd load."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"
WORKSHEET = json.dumps([{"trunk_flexion_deg": 45, "upper_arm_flexion_deg": 95}])


def _job(page, job_id: int) -> dict:
    return page.request.get(f"/api/jobs/{job_id}").json()


def _text_is(page, element_id: str, text: str, timeout: int = 15_000) -> None:
    page.wait_for_function(
        "([id, t]) => (document.getElementById(id) || {}).textContent === t",
        arg=[element_id, text],
        timeout=timeout,
    )


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_queue_place_cancel_and_retry_in_the_browser(page, server, shot) -> None:
    # The video takes the one worker for a while; the two worksheets wait behind it.
    video = page.request.post(
        "/api/assessments",
        multipart={
            "file": {"name": EXAMPLE.name, "mimeType": "video/mp4", "buffer": EXAMPLE.read_bytes()},
            "task": "to cancel while running",
        },
    ).json()
    first, second = (
        page.request.post(
            "/api/assessments", multipart={"worksheet": WORKSHEET, "task": task}
        ).json()
        for task in ("first", "second")
    )
    assert _job(page, second["job_id"])["queue_position"] == 2

    page.goto(second["page_url"])
    _text_is(page, "job-text", "waiting: 2nd in line")
    assert page.locator("#job-h").inner_text() == "Waiting"
    assert page.locator("#cancel").is_visible() and page.locator("#retry").is_hidden()
    shot(page, "queued-2nd")
    page.click("#cancel")
    _text_is(page, "job-h", "Cancelled")
    assert page.locator(".meta .status").inner_text() == "cancelled"
    assert page.locator("#retry").is_visible() and page.locator("#cancel").is_hidden()
    assert _job(page, second["job_id"])["status"] == "cancelled"
    assert _job(page, first["job_id"])["queue_position"] == 1

    page.goto(video["page_url"])
    page.wait_for_function(
        "document.getElementById('job-text').textContent.startsWith('running')", timeout=30_000
    )
    page.click("#cancel")
    _text_is(page, "job-h", "Cancelled", timeout=30_000)
    assert page.inner_text("#job-text") == "Cancelled. Retry runs it again from the start."
    assert _job(page, video["job_id"])["status"] == "cancelled"
    shot(page, "running-cancelled")

    end = time.monotonic() + 60  # the worker is free again: the first worksheet runs
    while _job(page, first["job_id"])["status"] != "done" and time.monotonic() < end:
        time.sleep(0.2)
    assert _job(page, first["job_id"])["status"] == "done"

    page.goto(second["page_url"])
    page.locator("#retry").wait_for(state="visible", timeout=10_000)
    page.click("#retry")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    assert page.locator(".meta .status").inner_text() == "done"
    # The factor form of the results page holds the same bound; nothing is sent past it.
    page.fill("#factors-form #load_kg", "1e9")
    _text_is(
        page,
        "factors-status",
        'Load must be a number of kilograms from 0 to 500 (12.5 or 12,5), got "1e9".',
    )
    assert not page.js_errors, page.js_errors


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_the_history_follows_jobs_at_work_without_a_reload(page, server) -> None:
    def post(**fields):
        return page.request.post("/api/assessments", multipart=fields).json()

    before = post(worksheet=WORKSHEET, task="history follows: done before")
    end = time.monotonic() + 60
    while _job(page, before["job_id"])["status"] != "done" and time.monotonic() < end:
        time.sleep(0.2)
    video = post(
        file={"name": EXAMPLE.name, "mimeType": "video/mp4", "buffer": EXAMPLE.read_bytes()},
        task="history follows: video",
    )
    waiting = post(worksheet=WORKSHEET, task="history follows: waiting")

    page.goto("/history")
    page.evaluate("window.notReloaded = true")
    page.check(f"tr[data-id='{before['assessment_id']}'] input[name=pick]")
    status = "document.querySelector(`tr[data-id='${id}'] .status`).textContent"
    page.wait_for_function(
        f"id => /^running \\d+ %$/.test({status})", arg=video["assessment_id"], timeout=30_000
    )
    assert page.locator(f"tr[data-id='{waiting['assessment_id']}'] .status").inner_text() == (
        "queued (1 in line)"
    )
    # nothing counted yet: no "None records" in its duration cell
    assert "None" not in page.locator(f"tr[data-id='{waiting['assessment_id']}']").inner_text()
    page.request.post(f"/api/jobs/{video['job_id']}/cancel")
    # Both rows end as the server now renders them: the video cancelled, the worksheet
    # scored (its peak shown, its box open to tick), what was ticked still ticked.
    page.wait_for_function(
        f"id => {status} === 'done'", arg=waiting["assessment_id"], timeout=60_000
    )
    page.wait_for_function(
        f"id => {status} === 'cancelled'", arg=video["assessment_id"], timeout=10_000
    )
    row = page.locator(f"tr[data-id='{waiting['assessment_id']}']")
    assert row.locator("input[name=pick]").is_enabled()
    assert row.locator("td").nth(8).inner_text().strip().isdigit()  # REBA peak
    assert page.is_checked(f"tr[data-id='{before['assessment_id']}'] input[name=pick]")
    assert page.evaluate("window.notReloaded === true")
    assert not page.js_errors, page.js_errors


def test_the_form_names_the_up_default_and_bounds_the_load(page, server, tmp_path) -> None:
    page.goto("/")
    default = page.locator("#up-default")
    for name, words in (
        ("walk.bvh", "default: the mapping's up, else y (BVH)"),
        ("trial.c3d", "default: the mapping's up, else z (C3D)"),
    ):
        (tmp_path / name).write_bytes(b"not read by the form")
        page.set_input_files("#file", str(tmp_path / name))
        assert default.inner_text() == words
    (tmp_path / "take.csv").write_text("x\n")
    page.set_input_files("#file", str(tmp_path / "take.csv"))
    page.select_option("#layout", "coco17")
    assert default.inner_text() == "default: -y (the coco17 layout's)"
    page.select_option("#layout", "uw-iom")
    assert default.inner_text() == "default: z (the uw-iom layout's)"

    page.check("input[name=source][value=worksheet]")
    page.fill("#load_kg", "1000000000")
    page.click("#submit")
    assert (
        'Load must be a number of kilograms from 0 to 500 (12.5 or 12,5), got "1000000000".'
        in page.inner_text("#upload-errors")
    )
    assert page.url.rstrip("/") == server.url  # nothing was sent
    assert not page.js_errors, page.js_errors
