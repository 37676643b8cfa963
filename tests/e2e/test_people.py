"""Several people in one video, in a real browser: upload the demo's cam01.mp4 asking to
choose, see the people found with their thumbnails, pick two with their worker names, and
find two assessments with those names in the history."""

from __future__ import annotations

import re
import time

import httpx
import pytest

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CAM01 = "media/pose2sim-multiperson/videos/cam01.mp4"
JOB_TIMEOUT_S = 240


def test_pick_two_people_and_find_them_in_the_history(page, server, shot, shared_data) -> None:
    page.goto("/")
    page.fill("#task", "e2e pick")
    page.set_input_files("#file", str(shared_data / CAM01))
    assert page.is_visible("#people-part") and not page.is_visible("#views-part")
    page.check("#people-pick")
    page.click("#advanced summary")
    page.fill("#options", "end_s: 0.5")  # half a second keeps the test short
    page.click("#submit")
    page.wait_for_url(re.compile(r"/assessments/\d+/people$"), timeout=60_000)
    assessment_id = int(re.search(r"/assessments/(\d+)/people", page.url).group(1))

    # The people job runs, then the people found are offered, each with a thumbnail.
    page.wait_for_selector("#pick-form:not([hidden])", timeout=JOB_TIMEOUT_S * 1000)
    cards = page.locator(".person")
    assert cards.count() >= 2
    page.wait_for_function(
        "[...document.querySelectorAll('.person-thumb')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        timeout=30_000,
    )
    sizes = page.eval_on_selector_all(
        ".person-thumb", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])"
    )
    assert all(w > 20 and h == 240 for w, h in sizes), sizes
    ids = [int(cards.nth(k).get_attribute("data-person")) for k in range(cards.count())]
    titles = page.locator(".person-title").all_text_contents()
    assert all(f"Person {i}" in t for i, t in zip(ids, titles, strict=True))
    shot(page, "people-picker")

    # Pick the first two, name them, leave anyone else out.
    names = {ids[0]: "Ann E2E", ids[1]: "Bob E2E"}
    for k, pid in enumerate(ids):
        box = page.locator(f"#pick-{pid}")
        if k < 2:
            box.check()
            page.fill(f"#worker-{pid}", names[pid])
        else:
            box.uncheck()
    page.click("#pick-submit")
    # The history of this video: the two picked people's rows, whatever else it holds.
    page.wait_for_url(re.compile(r"/history\?q=cam01\.mp4$"), timeout=30_000)
    landed = page.locator("table.list tbody tr").all_text_contents()
    assert len(landed) == 2 and all("cam01.mp4" in row for row in landed), landed

    # Both are in the history with their names; their jobs finish without pose estimation.
    with httpx.Client(base_url=server.url, timeout=10) as api:
        items = api.get("/api/assessments", params={"task": "e2e pick"}).json()["items"]
        assert sorted(i["worker"] for i in items) == sorted(names.values())
        assert assessment_id in [i["id"] for i in items]
        end = time.monotonic() + JOB_TIMEOUT_S
        while time.monotonic() < end:
            items = api.get("/api/assessments", params={"task": "e2e pick"}).json()["items"]
            if all(i["status"] not in ("queued", "running") for i in items):
                break
            time.sleep(0.5)
        assert [i["status"] for i in items] == ["done", "done"], items
    page.goto("/history?task=e2e+pick")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    text = " ".join(rows.all_text_contents())
    assert "Ann E2E" in text and "Bob E2E" in text
    shot(page, "people-history")
    # Each one's page is their own assessment, with the video of the person.
    page.goto(f"/assessments/{items[0]['id']}")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    assert items[0]["worker"] in page.inner_text("p.meta")
    assert not page.js_errors, page.js_errors
