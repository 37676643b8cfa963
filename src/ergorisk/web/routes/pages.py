"""Server-rendered pages of `ergorisk serve` (Jinja2 templates in web/templates).

The pages read their data through the JSON API of web/routes (one source of truth for what a
user may see, with the same checks), called in-process; the scripts in web/static draw the
charts and keep the results page live (progress, video sync, re-scoring).

    /                      upload: a file or a hand-entered worksheet, metadata, task factors
    /assessments/{id}      progress while the job runs, then every score, synced with the video
    /assessments/{id}/people  several people in a video: pick whom to assess, name each one
    /history               every assessment, filtered and sorted; pick two to compare
    /compare?a=&b=         before / after
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ergorisk import __version__
from ergorisk.contract import MAX_LOAD_KG, REBA_BANDS, RULA_ACTION_WORDS, RULA_BANDS
from ergorisk.kinematics.posture import IMPOSSIBLE_DEG
from ergorisk.pose.layouts import LAYOUTS, get_layout
from ergorisk.report.bands import load_edges_kg
from ergorisk.report.explain import kg_text
from ergorisk.scoring.validate import MAX_ANGLE_DEG
from ergorisk.web.forms import TEXT_LIMITS
from ergorisk.web.storage import CALIBRATION_EXTS, KIND_OF_EXT, NEEDS_MAPPING
from ergorisk.web.views import MAX_VIEWS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parents[1] / "templates")


def _number(value: Any) -> str:
    """A measure as people write it: 4 not 4.0, 12.35 not 12.3456."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–" if value is None else str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _web_words(warning: str) -> str:
    """A stored warning as the compare page shows it: the reports' words (no docs/ path),
    "the annotated video" for the file it names and the camera pitch where the form sets it,
    as assessment.js's WEB_WORDS does (the compare page's "give camera_pitch_deg if ..."
    stood beside the results page's words for the same photo)."""
    import re

    from ergorisk.report.model import reader_words

    # The pitch first: the reports' words drop its hint (their reader cannot act on it); a
    # web user can, on a new upload.
    text = re.sub(
        r"(give )?(?:--camera-pitch-deg|\bcamera_pitch_deg\b)",
        lambda m: (
            "give the camera pitch (camera_pitch_deg: degrees, under Advanced options on "
            "a new upload)"
            if m[1]
            else "the camera pitch (camera_pitch_deg, under Advanced options)"
        ),
        warning,
    )
    text = re.sub(r"annotated-(\w+)\.mp4", r"the annotated video of \1", text)
    text = re.sub(r"(?:--)?sync motion", 'Sync "from the movement (motion)"', text)
    text = re.sub(r"\((?:--)?cameras\)", "(the Cameras field)", text)
    return reader_words(text).replace("annotated.mp4", "the annotated video")


templates.env.filters["number"] = _number
templates.env.filters["web_words"] = _web_words
templates.env.globals["max_load_kg"] = MAX_LOAD_KG  # the factor forms' bound, as the API's
templates.env.globals["max_angle_deg"] = MAX_ANGLE_DEG  # the worksheet's, as the API's


def risk_bands() -> dict[str, list[Any]]:
    """The REBA risk and RULA action bands, (lowest, highest total, name), from the contract,
    and the loads where a load score steps up (kg_text's edges): the page scripts read them
    (common.js) rather than repeating them."""
    # the words the compare page and the reports use ("investigate" here read as another
    # level than compare's "3–4: investigate further")
    rula = [(lo, hi, word) for (lo, hi, _), word in zip(RULA_BANDS, RULA_ACTION_WORDS, strict=True)]
    return {
        "reba": [tuple(b) for b in REBA_BANDS],
        "rula": rula,
        "load_edges_kg": list(load_edges_kg()),
    }


templates.env.globals["risk_bands"] = risk_bands()


def body_limits() -> dict[str, list[tuple[str, str, float]]]:
    """Per body part, its readings no body reaches, (column, name, limit in degrees): the
    assessment page says which one left a part out (frames.csv ``beyond_range_parts``)."""
    out: dict[str, list[tuple[str, str, float]]] = {}
    for column, (part, limit) in IMPOSSIBLE_DEG.items():
        name = column.removesuffix("_deg").replace("_", " ")
        out.setdefault(part, []).append((column, name, limit))
    return out


templates.env.globals["body_limits"] = body_limits()

# The upload form mirrors the server's checks (forms.py, storage.py) to spare a user an upload
# that would be refused; the server still decides.
SORT_KEYS = (
    "created_at",
    "worker",
    "task",
    "site",
    "reba_peak",
    "reba_median",
    "rula_peak",
    "rula_median",
)
STATUSES = ("queued", "running", "done", "failed", "interrupted", "cancelled", "pick")
DOWNLOAD_LABELS = {
    "frames.csv": "Frames table (CSV)",
    "frames.parquet": "Frames table (Parquet)",
    "summary.json": "Summary (JSON)",
    "report.pdf": "Report (PDF)",
    "report.xlsx": "Report (Excel workbook)",
    "report.html": "Report (HTML, offline)",
    "annotated.mp4": "Annotated video (MP4)",
    "annotated.png": "Annotated image (PNG)",
}


class ApiError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def api_get(request: Request, path: str, params: dict[str, Any] | None = None) -> Any:
    """GET one route of this app's JSON API in-process, as the user (token header/cookie)."""
    headers = {k: v for k, v in request.headers.items() if k in ("authorization", "cookie")}
    if "token" in request.query_params:  # first visit with ?token=T: no cookie yet
        headers["authorization"] = f"Bearer {request.query_params['token']}"
    transport = httpx.ASGITransport(app=request.app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://pages") as client:
        res = await client.get(path, params=params, headers=headers)
    if res.status_code != 200:
        try:
            detail = res.json().get("detail", res.text)
        except ValueError:
            detail = res.text
        raise ApiError(res.status_code, str(detail))
    return res.json()


def upload_limits(request: Request) -> dict[str, Any]:
    """The server's limits as the upload form mirrors them."""
    settings = request.app.state.settings
    by_kind: dict[str, list[str]] = {"video": [], "image": [], "pose": []}
    for ext, kind in KIND_OF_EXT.items():
        by_kind.setdefault(kind, []).append(ext)
    return {
        "max_upload_bytes": settings.max_upload_bytes,
        "text_max": TEXT_LIMITS["worker"],
        "notes_max": TEXT_LIMITS["notes"],
        "needs_mapping": NEEDS_MAPPING,
        "calibration": CALIBRATION_EXTS,
        "max_views": MAX_VIEWS,
        **by_kind,
    }


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"version": __version__, **context}, status_code=status_code
    )


def error_page(request: Request, err: ApiError) -> HTMLResponse:
    title = "Not found" if err.status == 404 else f"Error {err.status}"
    return _render(request, "error.html", status_code=err.status, title=title, message=err.detail)


@router.get("/", response_class=HTMLResponse)
async def upload_page(request: Request) -> HTMLResponse:
    try:
        recent = await api_get(
            request, "/api/assessments", {"limit": 8, "sort": "created_at", "order": "desc"}
        )
    except ApiError as err:
        return error_page(request, err)
    return _render(
        request,
        "index.html",
        title="New assessment",
        limits=upload_limits(request),
        layouts=[get_layout(name) for name in LAYOUTS],
        recent=recent["items"],
    )


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
async def assessment_page(request: Request, assessment_id: int) -> HTMLResponse:
    try:
        item = await api_get(request, f"/api/assessments/{assessment_id}")
    except ApiError as err:
        return error_page(request, err)
    if item.get("status") == "pick":  # several people found: the pick comes first
        return RedirectResponse(f"/assessments/{assessment_id}/people", status_code=303)
    files = item.get("files") or []  # the reports first, then the rest as the API lists them
    downloads = [(name, label) for name, label in DOWNLOAD_LABELS.items() if name in files]
    downloads += [(name, name) for name in files if name not in DOWNLOAD_LABELS]
    return _render(
        request,
        "assessment.html",
        title=_title(item),
        item=item,
        downloads=downloads,
        factors=item.get("factors") or {},
        text_max=TEXT_LIMITS["worker"],
        notes_max=TEXT_LIMITS["notes"],
    )


@router.get("/assessments/{assessment_id}/people", response_class=HTMLResponse)
async def people_page(request: Request, assessment_id: int) -> HTMLResponse:
    """Progress while everyone in the video is followed, then the people found to pick."""
    try:
        item = await api_get(request, f"/api/assessments/{assessment_id}")
    except ApiError as err:
        return error_page(request, err)
    return _render(
        request,
        "people.html",
        title=f"Who to assess · {_title(item)}",
        item=item,
        text_max=TEXT_LIMITS["worker"],
    )


@router.get("/history", response_class=HTMLResponse)
async def history_page(request: Request) -> HTMLResponse:
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in ("worker", "task", "site", "q", "status")}
    sort = q.get("sort") if q.get("sort") in SORT_KEYS else "created_at"
    order = "asc" if q.get("order") == "asc" else "desc"
    offset = max(_int(q.get("offset"), 0), 0)
    limit = 50
    params = {k: v for k, v in filters.items() if v}
    try:
        page = await api_get(
            request,
            "/api/assessments",
            {**params, "sort": sort, "order": order, "limit": limit, "offset": offset},
        )
    except ApiError as err:
        return error_page(request, err)
    return _render(
        request,
        "history.html",
        title="History",
        items=page["items"],
        total=page["total"],
        filters=filters,
        sort=sort,
        order=order,
        offset=offset,
        limit=limit,
        statuses=STATUSES,
        params=params,
    )


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request) -> HTMLResponse:
    picks = request.query_params.getlist("pick")
    a = request.query_params.get("a") or (picks[0] if picks else None)
    b = request.query_params.get("b") or (picks[1] if len(picks) > 1 else None)
    if _int(a, None) is None or _int(b, None) is None:
        return error_page(
            request,
            ApiError(400, "pick two assessments to compare (in the history, tick two rows)"),
        )
    try:
        cmp = await api_get(request, "/api/compare", {"a": a, "b": b})
    except ApiError as err:
        return error_page(request, err)
    return _render(
        request,
        "compare.html",
        title="Compare",
        cmp=cmp,
        rows={m: compare_rows(cmp["methods"].get(m, {})) for m in ("reba", "rula")},
        factor_cards=factor_cards(cmp.get("factors") or {}),
    )


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[bytes, bytes, str]:
    from plotly.offline import get_plotlyjs

    body = get_plotlyjs().encode()
    return body, gzip.compress(body, 6), hashlib.sha256(body).hexdigest()[:16]


@router.get("/assets/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """plotly.js from the installed plotly package: offline, no copy in the repository."""
    body, gz, etag = _plotly_js()
    headers = {
        "Cache-Control": "public, max-age=604800",
        "ETag": f'"{etag}"',
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            gz, media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"}
        )
    return Response(body, media_type="text/javascript", headers=headers)


LABELS = {"time_pct": "% of time"}
# The task factors on the compare page's cards, as the assessment page labels them.
FACTOR_LABELS = (
    ("load_kg", "load"),
    ("coupling", "coupling"),
    ("shock", "shock"),
    ("static", "static"),
    ("repeated", "repeated"),
    ("rapid_change", "rapid change"),
)
# Which way a difference goes for the worker: more of these is worse; of the time shares,
# only the top level's is (more time "high" may have come from "very high") and the bottom
# level's better.
_WORSE_WHEN_HIGHER = ("peak", "median", "mean")


@lru_cache(maxsize=1)
def _level_ends() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The top and the bottom level of each method as the page labels them (REBA "very high"
    and "negligible", RULA "7: change now" and "1–2: acceptable"): a share of the time there
    moves one way only. The middle levels went coloured: "high" green where its time went
    to "very high", RULA's "5–6: change soon" red where it came from "7: change now"."""
    from ergorisk.contract import REBA_RISK_LEVELS
    from ergorisk.report.model import RULA_LEVELS

    rula = [name for name, _, _ in RULA_LEVELS]
    return (REBA_RISK_LEVELS[-1], rula[-1]), (REBA_RISK_LEVELS[0], rula[0])


def factor_cards(factors: dict[str, Any]) -> dict[str, Any]:
    """Each card's task factors as (label, text, differs from the other's), and whether any
    differ: the page hid that A was 0 kg and B 12 kg, which explained the whole change."""
    if set(factors) != {"a", "b"}:
        return {}

    def text(name: str, value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return f"{kg_text(value)} kg" if name == "load_kg" else str(value)

    a, b = factors["a"], factors["b"]
    cards: dict[str, Any] = {
        key: [
            (label, text(name, f.get(name)), a.get(name) != b.get(name))
            for name, label in FACTOR_LABELS
        ]
        for key, f in factors.items()
    }
    cards["differ"] = any(a.get(n) != b.get(n) for n, _ in FACTOR_LABELS)
    return cards


def compare_rows(method: dict[str, Any]) -> list[tuple[str, Any, Any, Any, str]]:
    """(label, a, b, b - a, "worse"|"better"|"") rows of one method's comparison, nested keys
    flattened ("time pct: high")."""
    a = _flatten(method.get("a") or {})
    b = _flatten(method.get("b") or {})
    diff = _flatten(method.get("difference") or {})
    rows = []
    for key in dict.fromkeys([*a, *b]):
        d = diff.get(key)
        if d is None and all(isinstance(x.get(key), int | float) for x in (a, b)):
            d = round(b[key] - a[key], 4)
        rows.append((key, a.get(key), b.get(key), d, _verdict(key, d)))
    return rows


def _verdict(label: str, diff: Any) -> str:
    if not isinstance(diff, int | float) or diff == 0:
        return ""
    top, bottom = _level_ends()
    sign = (
        1
        if label.endswith(_WORSE_WHEN_HIGHER) or label.endswith(tuple(f": {t}" for t in top))
        else -1
        if label.endswith(tuple(f": {b}" for b in bottom))
        else 0
    )
    return {1: "worse", -1: "better"}.get(sign * (1 if diff > 0 else -1), "")


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        name = f"{prefix}{LABELS.get(key, key)}".replace("_", " ")
        if isinstance(value, dict):
            out.update(_flatten(value, name + ": "))
        else:
            out[name] = value
    return out


def _title(item: dict[str, Any]) -> str:
    parts = [p for p in (item.get("task"), item.get("worker")) if p]
    return " · ".join(parts) or item.get("input_name") or f"Assessment {item['id']}"


def _int(value: Any, default: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
