"""The batch's own outputs at the top of OUT.

- ``batch.csv``: one row per input, in input order: path, name, status (done, failed,
  skipped = done by an earlier run), reason, worker, task, site, take, kind (a failed row's
  as far as known: BatchItem.kind, or its assessment's), frames, scored_s,
  REBA and RULA peak and median, high_or_worse_pct (% of the scored time at REBA >= 8, as
  in the summaries), reba_mean, warnings, the pid and host that assessed it, its seconds.
- ``batch.json``: the same rows plus each item's time per REBA level and its worst episodes;
  the takes (views grouped by the manifest's take column); and both summaries below.
- ``summary_by_task.csv`` and ``summary_by_worker.csv``: one row per task (worker) over its
  done items (``failed`` counts its failed ones; a group whose items all failed keeps a
  row with 0 items), weighted by scored time (seconds with a person scored; the views of a take
  assessed one by one share their take's weight). A photo is a moment, not time: beside
  videos or pose files it weighs nothing in the time shares (a photo counted 1 s of
  exposure, and one at REBA 9 beside a 7 s clip moved its high-or-worse share), but its
  score counts in the peak and the worst episodes; a group of photos alone weighs each
  equally. Columns: items, pictures, scored_s, reba_mean, the share of time in each REBA
  level, high_or_worse_pct, the REBA peak, and the three worst episodes (runs of frames at
  REBA >= 8 held 0.3 s, as every peak: batch/metrics.high_episodes; highest peak first, then
  longest; a photo's is "name (photo) REBA 9"), each with the item it came from.
- ``batch.xlsx``: the same three tables for a spreadsheet (sheets Items, By task, By
  worker): the CSVs are UTF-8 without a BOM and comma-separated, which Excel in a locale
  whose list separator is ';' (German, French) opens as one column with its umlauts
  garbled; they stay as they are for the scripts that read them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ergorisk.batch.item import FAILED, ItemResult
from ergorisk.batch.store import write_json_atomic

REBA_LEVELS = ("negligible", "low", "medium", "high", "very high")
DETAIL = ("reba_time_s_by_level", "episodes")
INTEGERS = ("frames", "reba_peak", "rula_peak", "pid")


def write_reports(results: list[ItemResult], out_root: Path, run: dict[str, Any]) -> None:
    rows = [r.to_dict() for r in results]
    table = pd.DataFrame([{k: v for k, v in r.items() if k not in DETAIL} for r in rows])
    for column in INTEGERS:  # stay integers where a failed row leaves them empty
        table[column] = table[column].astype("Int64")
    _write_csv(table, out_root / "batch.csv")
    by = {key: group_summaries(results, key) for key in ("task", "worker")}
    summaries = {}
    for key, groups in by.items():
        flat = [{**g, "worst_episodes": _episodes_text(g["worst_episodes"])} for g in groups]
        # With no item finished yet, the header alone (the file was one empty line).
        summaries[key] = pd.DataFrame(flat, columns=group_columns(key))
        _write_csv(summaries[key], out_root / f"summary_by_{key}.csv")
    takes: dict[str, list[str]] = defaultdict(list)
    for r in results:
        if r.take:
            takes[r.take].append(r.name)
    write_json_atomic(
        out_root / "batch.json",
        {
            "run": run,
            "items": rows,
            "takes": dict(takes),
            "by_task": by["task"],
            "by_worker": by["worker"],
        },
    )
    # Last, after the files scripts read. Written only here, at the batch's end or
    # interrupt (runner._write), never per item: 500 rows add about 0.1 s (0.09 s here).
    from ergorisk.report.xlsx import tables_xlsx

    sheets = {"Items": table, "By task": summaries["task"], "By worker": summaries["worker"]}
    _write_atomic(out_root / "batch.xlsx", lambda tmp: tmp.write_bytes(tables_xlsx(sheets)))


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    _write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """path written whole or not at all: write() fills a hidden file beside it, renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def group_summaries(results: list[ItemResult], key: str) -> list[dict[str, Any]]:
    """Time-weighted exposure per value of key (task or worker) over the items with results;
    ``failed`` counts the group's failed items, and a group whose items all failed has a row
    of its own (a worker whose one video failed was in no summary: not assessed, unsaid)."""
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    for r in results:
        group = getattr(r, key) or "(none)"
        if r.status == FAILED:
            failed[group] += 1
            groups.setdefault(group, [])
        elif r.scored_s is not None:
            groups[group].append(r)
    out = []
    for value, members in sorted(groups.items()):
        if not members:
            row = dict.fromkeys(group_columns(key))
            out.append(row | {key: value, "items": 0, "failed": failed[value], "pictures": 0,
                              "scored_s": 0.0, "worst_episodes": []})  # fmt: skip
            continue
        share = view_shares(members)
        if any(r.kind != "image" for r in members):  # photos are moments beside footage
            share.update({r.index: 0.0 for r in members if r.kind == "image"})
        scored = sum(share[r.index] * (r.scored_s or 0.0) for r in members)
        by_level = {
            lvl: sum(share[r.index] * r.reba_time_s_by_level.get(lvl, 0.0) for r in members)
            for lvl in REBA_LEVELS
        }
        weighted = [
            (r.reba_mean, share[r.index] * (r.scored_s or 0.0))
            for r in members
            if r.reba_mean is not None
        ]
        episodes = worst_of_takes(
            [
                (
                    r.take,
                    {
                        **e,
                        "item": r.name,
                        "path": r.path,
                        **({"photo": True} if r.kind == "image" else {}),
                    },
                )
                for r in members
                for e in r.episodes
            ]
        )
        peaks = [r.reba_peak for r in members if r.reba_peak is not None]
        out.append(
            {
                key: value,
                "items": len(members),
                "failed": failed[value],
                "pictures": sum(r.kind == "image" for r in members),
                "scored_s": round(scored, 3),
                "reba_mean": round(sum(m * s for m, s in weighted) / scored, 3) if scored else None,
                **{
                    f"{lvl.replace(' ', '_')}_pct": _pct(by_level[lvl], scored)
                    for lvl in REBA_LEVELS
                },
                "high_or_worse_pct": _pct(by_level["high"] + by_level["very high"], scored),
                "reba_peak": max(peaks) if peaks else None,
                "worst_episodes": episodes[:3],
            }
        )
    return out


def worst_of_takes(episodes: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """(take, episode) pairs -> the episodes worst first (peak, then length), each moment of a
    take once: the views of a take assessed one by one film the same seconds, and each view's
    episode of one moment took a place in the worst three ("cut2s 0.73-0.77 s REBA 9;
    cut2s-copy 0.73-0.77 s REBA 9")."""
    ranked = sorted(
        episodes,
        key=lambda te: (-te[1]["peak"], -(te[1]["end_s"] - te[1]["start_s"]), te[1]["item"]),
    )
    kept: list[tuple[str, dict[str, Any]]] = []
    for take, e in ranked:
        if take and any(
            t == take and k["start_s"] < e["end_s"] and e["start_s"] < k["end_s"] for t, k in kept
        ):
            continue  # a worse or equal view of this moment is listed already
        kept.append((take, e))
    return [e for _, e in kept]


def view_shares(members: list[ItemResult]) -> dict[int, float]:
    """Each item's share of its time weight: the views of one take assessed one by one (no
    calibration) film the same seconds, so each counts 1 / its take's views there (a
    2-camera take of 1.7 s counted 3.3 s of exposure); a triangulated take is one item."""
    views: dict[str, int] = defaultdict(int)
    for r in members:
        if r.take:
            views[r.take] += 1
    return {r.index: 1.0 / views[r.take] if r.take else 1.0 for r in members}


def group_columns(key: str) -> list[str]:
    """The columns of summary_by_<key>.csv, in group_summaries' order."""
    return [
        key,
        *("items", "failed", "pictures", "scored_s", "reba_mean"),
        *(f"{lvl.replace(' ', '_')}_pct" for lvl in REBA_LEVELS),
        *("high_or_worse_pct", "reba_peak", "worst_episodes"),
    ]


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _episodes_text(episodes: list[dict[str, Any]]) -> str:
    """'clip-2 3.20-4.10 s REBA 11; ...' for a CSV cell."""
    return "; ".join(
        f"{e['item']} (photo) REBA {e['peak']}"
        if e.get("photo")
        else f"{e['item']} {e['start_s']:.2f}-{e['end_s']:.2f} s REBA {e['peak']}"
        for e in episodes
    )
