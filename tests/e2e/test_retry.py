"""The server dies (kill -9) during a job; after a restart the page says so, and Retry in the
browser runs the job again to the end."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"


def _job(page, job_id: int) -> dict:
    return page.request.get(f"/api/jobs/{job_id}").json()


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_retry_an_interrupted_job_in_the_browser(browser, own_server, shot) -> None:
    srv = own_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=srv.url)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        # A short clip (1.5 s) keeps the job brief; kill the server once it is estimating poses.
        created = page.request.post(
            "/api/assessments",
            multipart={
                "file": {
                    "name": EXAMPLE.name,
                    "mimeType": "video/mp4",
                    "buffer": EXAMPLE.read_bytes(),
                },
                "end_s": "1.5",
                "task": "cut off",
            },
        ).json()
        job_id = created["job_id"]
        end = time.monotonic() + 60
        while not (_job(page, job_id)["phase"] == "pose") and time.monotonic() < end:
            time.sleep(0.05)
        srv.kill()
        srv.start()

        page.goto(created["page_url"])
        retry = page.locator("#retry")
        retry.wait_for(state="visible", timeout=10_000)
        assert "server stopped" in page.locator("#job-error").inner_text()
        assert page.locator(".meta .status").inner_text() == "interrupted"
        assert page.locator("#job-h").inner_text() == "Interrupted"
        assert page.locator("#retry-help").is_hidden()  # only a failure needs that advice
        shot(page, "interrupted")
        retry.click()
        # The header's status follows the job (it said "interrupted" before the retry).
        badge = page.wait_for_function(
            "(document.getElementById('job-text') || {textContent: ''}).textContent"
            ".startsWith('running') && document.querySelector('.meta .status').textContent",
            timeout=30_000,
        ).json_value()
        assert badge == "running"
        assert page.locator("#job-h").inner_text() == "Processing"
        page.wait_for_function("document.body.dataset.ready === '1'", timeout=120_000)
        assert page.locator(".meta .status").inner_text() == "done"
        assert page.locator("#headline").inner_text().startswith("45 frames")
        job = _job(page, job_id)
        assert job["status"] == "done" and job["attempts"] == 2, job
        assert not errors, errors
    finally:
        context.close()
