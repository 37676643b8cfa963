"""/api/assessments (the history: filter, sort, page) and /api/compare (before / after)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter
from sqlalchemy import func, or_, select

from ergorisk.web.deps import Ctx, get_record, http_error, no_nul, no_results
from ergorisk.web.factors import api_factors
from ergorisk.web.schemas import AssessmentList, Comparison, errors
from ergorisk.web.serialize import item_json, read_frames
from ergorisk.web.tables import JOB_STATES, KINDS, AssessmentRecord, Job

router = APIRouter(tags=["history"])
SORTS = (
    "created_at",
    "worker",
    "task",
    "site",
    "reba_peak",
    "rula_peak",
    "reba_median",
    "rula_median",
    "frames",
)


@router.get("/assessments", response_model=AssessmentList, responses=errors(400))
def list_assessments(
    c: Ctx,
    worker: str | None = None,
    task: str | None = None,
    site: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    sort: str = "created_at",
    order: str = "desc",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """History: filters are case-insensitive substrings (status and kind exact); sort by
    created_at, worker, task, site, reba_peak, rula_peak, reba_median, rula_median or frames
    (asc|desc); limit 1-500."""
    if sort not in SORTS:
        raise http_error(400, f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if order not in ("asc", "desc"):
        raise http_error(400, f"order must be asc or desc, got {order!r}")
    if not 1 <= limit <= 500:
        raise http_error(400, f"limit must be between 1 and 500, got {limit}")
    if offset < 0:
        raise http_error(400, f"offset must be >= 0, got {offset}")
    # An unknown kind or status answered "total 0", as if nothing matched.
    for name, value, known in (("kind", kind, KINDS), ("status", status, JOB_STATES)):
        if value and value not in known:
            raise http_error(400, f"{name} must be one of {', '.join(known)}, got {value!r}")
    for name, value in (
        ("worker", worker),
        ("task", task),
        ("site", site),
        ("status", status),
        ("kind", kind),
        ("q", q),
    ):
        no_nul(name, value or "")
    A = AssessmentRecord
    # Each assessment once, with its latest job (the one it shows): a picked person's
    # assessment also has the people job that found them.
    latest = (
        select(Job.assessment_id, func.max(Job.id).label("job_id"))
        .group_by(Job.assessment_id)
        .subquery()
    )
    query = (
        select(A)
        .join(latest, latest.c.assessment_id == A.id, isouter=True)
        .join(Job, Job.id == latest.c.job_id, isouter=True)
    )
    for column, value in ((A.worker, worker), (A.task, task), (A.site, site)):
        if value:
            query = query.where(column.ilike(f"%{_like(value)}%", escape="\\"))
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(A.kind == kind)
    if q:
        pattern = f"%{_like(q)}%"
        columns = (A.worker, A.task, A.site, A.notes, A.input_name)
        query = query.where(or_(*(col.ilike(pattern, escape="\\") for col in columns)))
    column = getattr(A, sort)
    # Unscored rows last either way: SQLite and PostgreSQL place NULLs at opposite ends.
    ordered = (column.asc() if order == "asc" else column.desc()).nulls_last()
    with c.sessions() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (
            session.scalars(query.order_by(ordered, A.id.desc()).limit(limit).offset(offset))
            .unique()
            .all()
        )
        return {"items": [item_json(a) for a in rows], "total": total}


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@router.get("/compare", response_model=Comparison, responses=errors(404, 409))
def compare(a: int, b: int, c: Ctx) -> dict[str, Any]:
    """Two assessments side by side (before/after): peak, median, mean and % time per level."""
    with c.sessions() as session:
        first, second = get_record(session, a), get_record(session, b)
        items = [item_json(first), item_json(second)]
        factors = {k: api_factors(x.config) for k, x in (("a", first), ("b", second))}
        outputs = [(x.id, x.output_version) for x in (first, second)]
    stats, warnings = [], {}
    for key, (assessment_id, version), item in zip("ab", outputs, items, strict=True):
        if version is None:
            raise http_error(409, no_results(assessment_id, item["status"]))
        folder = c.storage.output_dir(assessment_id, version)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        stats.append(method_stats(read_frames(folder), summary))
        warnings[key] = [str(w) for w in summary.get("warnings") or []]
    methods = {}
    for method in ("reba", "rula"):
        sa, sb = stats[0][method], stats[1][method]
        diff: dict[str, Any] = {
            k: (None if sa[k] is None or sb[k] is None else round(sb[k] - sa[k], 4))
            for k in ("peak", "median", "mean")
        }
        levels = sorted(
            set(sa["time_pct"]) | set(sb["time_pct"]),
            key=lambda n: list(sa["time_pct"]).index(n) if n in sa["time_pct"] else 99,
        )
        diff["time_pct"] = {
            n: round(sb["time_pct"].get(n, 0) - sa["time_pct"].get(n, 0), 2) for n in levels
        }
        methods[method] = {"a": sa, "b": sb, "difference": diff}
    same = (
        bool(items[0]["task"])
        and (items[0]["task"] or "").strip().lower() == (items[1]["task"] or "").strip().lower()
    )
    return {
        "a": items[0],
        "b": items[1],
        "same_task": same,
        "methods": methods,
        "factors": factors,
        # A before/after shown to management without them read "7 → 6, better" for a back
        # view whose page warned that its angles are the least reliable (a web walkthrough).
        "warnings": warnings,
    }


def method_stats(frames: pd.DataFrame, summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Peak, median, mean and % of time in each level (contract bands) of both methods, as
    the assessment's page and report give them: the peak held for 0.3 s (summary.json), the
    rest over the reliable frames (an unreliable one counts as not scored)."""
    from ergorisk.report.model import level_shares
    from ergorisk.scoring.summary import reliable_scores, total_median

    out = {}
    for method in ("reba", "rula"):
        total = reliable_scores(frames, f"{method}_total")
        scored = total[np.isfinite(total)]
        peak = summary.get(method, {}).get("total", {}).get("peak")
        # The page's and the report's split (report.model.level_shares): 'pose unreliable'
        # and 'part not seen' apart, not all counted as 'no person'.
        shares = level_shares(frames, method, "both", summary.get("fps"))
        out[method] = {
            "peak": float(peak["score"]) if peak else None,
            "median": total_median(summary, frames, method),
            "mean": round(float(scored.mean()), 4) if scored.size else None,
            # from the frame counts: the shares' 0.01 % rounded again to the page's 0.1 %
            # read 34.4 where the assessment's page, from the frames, read 34.3
            "time_pct": {s.label: 100 * s.frames / max(len(frames), 1) for s in shares},
        }
    return out
