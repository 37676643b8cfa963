"""The server-rendered pages: each renders with what it must show, from the real API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ergorisk.contract import REBA_INPUTS, RULA_INPUTS
from ergorisk.web.routes.pages import compare_rows
from ergorisk.web.server import create_app
from ergorisk.web.settings import Settings

from .conftest import wait_job

# Set by the task factors, not by the hand-entered posture.
FACTOR_KEYS = {
    "load_kg",
    "shock",
    "coupling",
    "static",
    "repeated",
    "rapid_change",
    "arm_load_kg",
    "arm_load_static_or_repeated",
    "arm_shock",
    "body_load_kg",
    "body_load_static_or_repeated",
    "body_shock",
}
BOX_LIFT = {
    "trunk_flexion_deg": 70,
    "neck_flexion_deg": 25,
    "knee_flexion_deg": 45,
    "upper_arm_flexion_deg": 50,
    "lower_arm_flexion_deg": 110,
    "wrist_flexion_deg": 20,
}


def add_worksheet(client: TestClient, record: dict, **meta: str) -> int:
    res = client.post("/api/assessments", data={"worksheet": json.dumps(record), **meta})
    assert res.status_code == 202, res.text
    job = wait_job(client, res.json()["job_id"])
    assert job["status"] == "done", job
    return res.json()["assessment_id"]


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, "the page carries its assessment as JSON"
    return json.loads(found.group(1))


def test_upload_page_offers_file_worksheet_metadata_and_factors(
    client: TestClient, settings: Settings
) -> None:
    res = client.get("/")
    assert res.status_code == 200
    html = res.text
    assert 'id="upload-form"' in html and 'type="file"' in html
    assert f'data-max-bytes="{settings.max_upload_bytes}"' in html
    for ext in (".mp4", ".jpg", ".npy"):
        assert ext in html
    # Every posture key of the worksheet contract has a field in the hand-entered form.
    for key in sorted((set(REBA_INPUTS) | set(RULA_INPUTS)) - FACTOR_KEYS):
        assert f'name="{key}"' in html, key
    for name in (
        "worker",
        "task",
        "site",
        "notes",
        "load_kg",
        "coupling",
        "shock",
        "static",
        "repeated",
        "rapid_change",
    ):
        assert f'name="{name}"' in html, name
    assert '<script src="/static/upload.js">' in html
    assert client.get("/static/upload.js").status_code == 200


def test_unknown_assessment_is_a_404_page(client: TestClient) -> None:
    res = client.get("/assessments/999")
    assert res.status_code == 404
    assert "text/html" in res.headers["content-type"]
    assert "999" in res.text and "Not found" in res.text


def test_results_page_of_a_finished_assessment(client: TestClient) -> None:
    aid = add_worksheet(
        client, BOX_LIFT, worker="Ann", task="box lift", load_kg="12", coupling="poor"
    )
    res = client.get(f"/assessments/{aid}")
    assert res.status_code == 200
    html = res.text
    item = page_data(html)
    assert item["id"] == aid and item["status"] == "done"
    for element in (
        'id="timeline"',
        'id="panel"',
        'id="shares"',
        'id="worst"',
        'id="factors-form"',
        'id="save-factors"',
        'id="downloads"',
    ):
        assert element in html, element
    assert re.search(r'<section id="job"[^>]*\bhidden\b', html)  # no progress bar once done
    assert re.search(r'id="load_kg"[^>]*value="12"', html)  # not "12.0"
    assert re.search(r'<option value="poor"\s+selected>', html)
    for name in item["files"]:
        assert f"/api/assessments/{aid}/files/{name}" in html
    assert "box lift" in html and "Ann" in html
    assert "/assets/plotly.min.js" in html and "/static/assessment.js" in html


def test_results_page_of_a_failed_job_offers_a_retry(client: TestClient, tmp_path: Path) -> None:
    bad = tmp_path / "broken.npy"
    bad.write_bytes(b"\x93NUMPY not really")
    with bad.open("rb") as f:
        res = client.post(
            "/api/assessments",
            data={"layout": "uw-iom"},
            files={"file": (bad.name, f, "application/octet-stream")},
        )
    if res.status_code != 202:  # refused at upload: nothing to retry, the message says why
        assert res.status_code in (400, 415) and res.json()["detail"]
        pytest.skip(f"the server refuses this file at upload: {res.json()['detail']}")
    job = wait_job(client, res.json()["job_id"])
    assert job["status"] == "failed"
    html = client.get(f"/assessments/{res.json()['assessment_id']}").text
    assert 'id="retry"' in html and 'id="job-bar"' in html
    assert '<h2 id="job-h">Failed</h2>' in html  # not "Processing"
    assert re.search(r'<p id="retry-help" class="help" >Retry runs the\s+same upload', html)
    assert re.search(r'<div id="results"[^>]*\bhidden\b', html)
    # Nothing to compare: its tick box is off, and compare says it failed (it promised
    # results "yet")
    failed, done = res.json()["assessment_id"], add_worksheet(client, {})
    history = client.get("/history").text
    assert re.search(rf'value="{failed}"[^>]*disabled title="nothing to compare: failed"', history)
    assert not re.search(rf'value="{done}"[^>]*disabled', history)
    compared = client.get("/api/compare", params={"a": done, "b": failed})
    assert compared.status_code == 409
    assert compared.json()["detail"] == (
        f"assessment {failed} has no results: its job failed (retry it from its page)"
    )


def test_history_filters_and_sorts(client: TestClient) -> None:
    low = add_worksheet(client, {}, worker="Ann", task="packing", site="A")
    high = add_worksheet(client, BOX_LIFT, worker="Bob", task="packing", site="B", load_kg="15")
    html = client.get("/history").text
    assert f'data-id="{low}"' in html and f'data-id="{high}"' in html

    only_bob = client.get("/history", params={"worker": "Bob"}).text
    assert f'data-id="{high}"' in only_bob and f'data-id="{low}"' not in only_bob

    by_peak = client.get("/history", params={"sort": "reba_peak", "order": "desc"}).text
    rows = [int(x) for x in re.findall(r'<tr data-id="(\d+)"', by_peak)]
    assert rows == [high, low]
    by_peak_asc = client.get("/history", params={"sort": "reba_peak", "order": "asc"}).text
    assert [int(x) for x in re.findall(r'<tr data-id="(\d+)"', by_peak_asc)] == [low, high]
    # The newest first unless sorted otherwise: site "0" sorts last, its scores are low.
    add_worksheet(client, {}, worker="Cy", task="packing", site="0")
    for key in ("site", "reba_median", "rula_median"):
        page = client.get("/history", params={"sort": key, "order": "desc"}).text
        assert next(int(x) for x in re.findall(r'<tr data-id="(\d+)"', page)) == high, key
        assert f'<option value="{key}" selected>' in page, key
        assert re.search(f'sort={key}&(amp;)?order=asc"', page), key  # its column's link
    assert 'name="pick"' in html and 'id="compare"' in html
    # Both medians shown: the row's last two cells are the RULA peak and the RULA median.
    item = client.get(f"/api/assessments/{high}").json()
    row = re.search(f'<tr data-id="{high}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert len(cells) == 12
    assert cells[5] == "worksheet"  # typed records: their name is their kind, said once
    assert float(cells[-1]) == item["rula_median"]


def test_compare_page_shows_both_and_the_differences(client: TestClient) -> None:
    before = add_worksheet(client, BOX_LIFT, task="packing", load_kg="15")
    after = add_worksheet(client, {**BOX_LIFT, "trunk_flexion_deg": 10}, task="packing")
    cmp = client.get("/api/compare", params={"a": before, "b": after}).json()
    res = client.get("/compare", params={"a": before, "b": after})
    assert res.status_code == 200
    html = res.text
    assert 'id="card-a"' in html and 'id="card-b"' in html and 'id="cmp-timeline"' in html
    assert "not of the same task" not in html
    diff = cmp["methods"]["reba"]["difference"]["peak"]
    assert diff < 0  # less trunk flexion and no load: a lower peak
    peak_row = re.search(
        r'<th scope="row">peak</th><td>[^<]*</td><td>[^<]*</td>\s*'
        r'<td class="better">([^<]*)',
        html,
    )
    assert peak_row and float(peak_row.group(1)) == diff
    # A was 15 kg, B 0 kg: said, as part of the difference (a walkthrough: hidden).
    assert cmp["factors"]["a"]["load_kg"] == 15 and cmp["factors"]["b"]["load_kg"] == 0
    assert "The task factors differ" in html
    assert '<strong class="differs">load 15 kg</strong>' in html
    assert '<strong class="differs">load 0 kg</strong>' in html and "coupling good ·" in html
    same = add_worksheet(client, BOX_LIFT, task="packing", load_kg="15")
    html = client.get("/compare", params={"a": before, "b": same}).text
    assert "The task factors differ" not in html and "load 15 kg ·" in html
    assert "the same assessment" not in html and "One is a picture" not in html
    # An assessment against itself: all zeros, now said (a walkthrough's /compare?a=1&b=1).
    itself = client.get("/compare", params={"a": before, "b": before}).text
    assert "A and B are the same assessment: every difference is 0." in itself
    # Shares as the assessment page writes them (30.4%, not 30.43).
    shares = re.findall(r'<th scope="row">% of time: [^<]+</th><td>([^<]*)</td>', html)
    assert shares and all(re.fullmatch(r"\d+\.\d%|–", v) for v in shares), shares


def test_compare_page_lists_each_assessment_s_warnings(
    client: TestClient, settings: Settings
) -> None:
    """A before/after shown to management read "7 -> 6, better" without the back-view warning
    the first one's page gave (a web walkthrough): each card lists its summary.json's."""
    before = add_worksheet(client, BOX_LIFT, task="packing")
    after = add_worksheet(client, {**BOX_LIFT, "trunk_flexion_deg": 10}, task="packing")
    # A worksheet has none: give the first the warnings a back view's video would have.
    (summary_path,) = settings.data_dir.rglob(f"**/{before}/v*/summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["warnings"] = [
        "the camera sees the person's back in 100% of the frames: angles from behind are the "
        "least reliable; film from the side (or front-side)",
        "the trunk reads twisted (off by 22° on average against four cameras, "
        "docs/accuracy.md); see annotated.mp4",
    ]
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    cmp = client.get("/api/compare", params={"a": before, "b": after}).json()
    assert cmp["warnings"] == {"a": summary["warnings"], "b": []}
    html = client.get("/compare", params={"a": before, "b": after}).text
    card_a, card_b = html.split('id="card-b"')
    assert "Check before relying on these figures" in card_a
    assert "the camera sees the person&#39;s back in 100% of the frames" in card_a
    # in the page's words: no docs/ path, the video by what it is
    assert "(off by 22° on average against four cameras); see the annotated video" in card_a
    # and the camera pitch as the results page words it (card B's read "give
    # camera_pitch_deg if ...", a walkthrough)
    from ergorisk.web.routes.pages import _web_words

    take = _web_words(
        "frame by frame: sync motion aligns them; which video is which camera (cameras); "
        "check in annotated-cam01.mp4 whom that view follows"
    )  # a take's, in the form's words (a walkthrough: the command line's, as they were)
    assert take == (
        'frame by frame: Sync "from the movement (motion)" aligns them; which video is which '
        "camera (the Cameras field); check in the annotated video of cam01 whom that view follows"
    )
    said = _web_words("give camera_pitch_deg if the camera was not level")
    assert said == (
        "give the camera pitch (camera_pitch_deg: degrees, under Advanced options on a new "
        "upload) if the camera was not level"
    )
    assert "Check before relying" not in card_b.split("</section>")[0]


def test_compare_needs_two_assessments(client: TestClient) -> None:
    assert client.get("/compare").status_code == 400
    assert client.get("/compare", params={"a": 1, "b": 2}).status_code == 404


def test_compare_rows_say_which_way_is_better() -> None:
    """Only the ends of the scale are coloured: "high" read green (less risk) where its time
    went to "very high", RULA's "5–6: change soon" red where it came from "7: change now"."""
    rows = compare_rows(
        {
            "a": {
                "peak": 10,
                "time_pct": {"negligible": 5.0, "low": 10.0, "high": 20.0, "very high": 1.0},
            },
            "b": {
                "peak": 8,
                "time_pct": {"negligible": 7.0, "low": 25.0, "high": 19.0, "very high": 3.0},
            },
            "difference": {"peak": -2},
        }
    )
    assert rows == [
        ("peak", 10, 8, -2, "better"),
        ("% of time: negligible", 5.0, 7.0, 2.0, "better"),
        ("% of time: low", 10.0, 25.0, 15.0, ""),  # from negligible or from high?
        ("% of time: high", 20.0, 19.0, -1.0, ""),  # less here: to "very high"
        ("% of time: very high", 1.0, 3.0, 2.0, "worse"),
    ]
    # RULA's levels by the page's labels (they went uncoloured)
    rula = compare_rows(
        {
            "a": {
                "time_pct": {
                    "1–2: acceptable": 5.0,
                    "3–4: investigate further": 5.0,
                    "5–6: change soon": 1.0,
                    "7: change now": 9.0,
                }
            },
            "b": {
                "time_pct": {
                    "1–2: acceptable": 0.0,
                    "3–4: investigate further": 9.0,
                    "5–6: change soon": 4.0,
                    "7: change now": 6.0,
                }
            },
        }
    )
    assert [row[-1] for row in rula] == ["worse", "", "", "better"]


def test_plotly_js_is_served_offline_with_caching(client: TestClient) -> None:
    res = client.get("/assets/plotly.min.js")
    assert res.status_code == 200
    assert "javascript" in res.headers["content-type"]
    assert "max-age" in res.headers["cache-control"]
    assert len(res.content) > 1_000_000 and b"plotly" in res.content[:2000].lower()
    again = client.get("/assets/plotly.min.js", headers={"If-None-Match": res.headers["etag"]})
    assert again.status_code == 304


def test_pages_behind_a_token(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", token="s3cret")
    with TestClient(create_app(settings)) as client:
        assert client.get("/history").status_code == 401
        assert client.get("/history", params={"token": "s3cret"}).status_code == 200
        assert client.get("/").status_code == 200  # the cookie set by the first visit


def test_a_browser_without_the_token_gets_a_form_and_the_token_leaves_the_address(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", token="s3cret")
    html = {"Accept": "text/html,application/xhtml+xml"}
    with TestClient(create_app(settings)) as client:
        page = client.get("/history", params={"task": "lift"}, headers=html)
        assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
        assert 'name="token"' in page.text and 'name="task" value="lift"' in page.text
        assert "not the server's" not in page.text
        wrong = client.get("/history", params={"task": "lift", "token": "guess"}, headers=html)
        assert wrong.status_code == 401 and "not the server's" in wrong.text
        # The right token: the cookie is set and the address keeps everything but the token.
        opened = client.get(
            "/history",
            params={"task": "lift", "token": "s3cret"},
            headers=html,
            follow_redirects=False,
        )
        assert opened.status_code == 303 and opened.headers["location"] == "/history?task=lift"
        assert "ergorisk_token=s3cret" in opened.headers["set-cookie"]
        assert client.get(opened.headers["location"], headers=html).status_code == 200
    with TestClient(create_app(settings)) as other:  # the API answers JSON, as before
        assert (
            other.get("/api/assessments", headers=html)
            .json()["detail"]
            .startswith("this server needs its access token")
        )


def test_a_browser_gets_pages_for_unknown_addresses_the_api_json(client) -> None:
    html = {"Accept": "text/html"}
    for path in ("/assessments/abc", "/no/such/page", "/assessments/999"):
        res = client.get(path, headers=html)
        assert res.status_code == 404 and res.headers["content-type"].startswith("text/html")
        assert "Not found" in res.text and "Back to the history" in res.text, path
    assert client.get("/api/assessments/abc", headers=html).status_code == 400
    assert client.get("/api/nothing", headers=html).json() == {"detail": "Not Found"}


def test_the_form_states_a_limit_under_one_mb(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=0.25)
    with TestClient(create_app(settings)) as client:
        html = client.get("/").text
    assert "At most 0.25 MB." in html  # it said "At most 0 MB"
    assert f'data-max-bytes="{settings.max_upload_bytes}"' in html


def test_a_save_under_way_is_said_on_the_page(client: TestClient, settings: Settings) -> None:
    """Reloaded while "Saving…", the page showed the old factors with no sign of the save."""
    aid = add_worksheet(client, BOX_LIFT)
    assert client.get(f"/api/assessments/{aid}").json()["saving"] is False
    assert re.search(r'<p id="saving-note" class="notice" role="status" hidden>', client.get(
        f"/assessments/{aid}").text)  # fmt: skip
    # a save's staging folder (routes/assessments.py _new_version) while it writes
    under_way = settings.data_dir / "staging" / f"save{aid}-abc"
    under_way.mkdir(parents=True)
    other = settings.data_dir / "staging" / f"save{aid}0-abc"  # another assessment's
    other.mkdir()
    assert client.get(f"/api/assessments/{aid}").json()["saving"] is True
    page = client.get(f"/assessments/{aid}").text
    assert '<p id="saving-note" class="notice" role="status">New task' in page
    under_way.rmdir()
    assert client.get(f"/api/assessments/{aid}").json()["saving"] is False
