"""report.html: one self-contained page (plotly.js inline, images as data URIs) that opens
offline. It holds the REBA/RULA timeline per side with risk bands, the share of time in each
risk level, a strip per body part, the worst moments with their full breakdown, and the
options and task factors used.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np
import pandas as pd

from ergorisk.contract import REBA_BANDS, RULA_ACTION_WORDS
from ergorisk.contract import RULA_BANDS as CONTRACT_RULA_BANDS
from ergorisk.report.annotate import LEVEL_COLOURS, PART_LEVELS, UNSCORED_COLOUR
from ergorisk.report.breakdown import REBA_STEPS, RULA_STEPS, breakdown

# RULA bands in the page's short words.
RULA_BANDS = tuple(
    (lo, hi, word.removesuffix(" further"))
    for (lo, hi, _), word in zip(CONTRACT_RULA_BANDS, RULA_ACTION_WORDS, strict=True)
)
_BAND_COLOURS = ("#2ecc40", "#b8e986", "#ffdc00", "#ff851b", "#e62828")
_RULA_COLOURS = ("#2ecc40", "#ffdc00", "#ff851b", "#e62828")
_SIDE_COLOURS = {"left": "#1f4e9c", "right": "#b0306a"}
_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222}
h1{font-size:1.5em} h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.4em 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.moment{display:flex;gap:1em;margin:1em 0;padding:.6em;border:1px solid #ccc;border-radius:6px}
.moment img{max-width:420px;height:auto} .ev{color:#555} .warn{color:#b00}
.cols{display:flex;gap:1em;flex-wrap:wrap}
"""


def _rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _int_col(frames: pd.DataFrame, col: str) -> np.ndarray:
    return frames[col].to_numpy(dtype=float, na_value=np.nan)


def timeline_figure(frames: pd.DataFrame):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("REBA total per side", "RULA grand score per side"),
    )
    t = frames["time_s"].to_numpy()
    mode = "lines+markers" if len(frames) < 50 else "lines"
    for row, method, bands, colours in (
        (1, "reba", REBA_BANDS, _BAND_COLOURS),
        (2, "rula", RULA_BANDS, _RULA_COLOURS),
    ):
        for (lo, hi, name), colour in zip(bands, colours, strict=True):
            fig.add_hrect(
                y0=lo - 0.5,
                y1=hi + 0.5,
                fillcolor=colour,
                opacity=0.18,
                line_width=0,
                row=row,
                col=1,
                annotation_text=name,
                annotation_position="right",
                annotation_font_size=10,
            )
        for side in ("left", "right"):
            fig.add_trace(
                go.Scatter(
                    x=t,
                    y=_int_col(frames, f"{method}_total_{side}"),
                    mode=mode,
                    line={"shape": "hv", "color": _SIDE_COLOURS[side], "width": 1.5},
                    name=f"{method.upper()} {side}",
                    legendgroup=side,
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(range=[0.5, bands[-1][1] + 0.5], row=row, col=1)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_layout(height=560, margin={"l": 50, "r": 110, "t": 40, "b": 40})
    return fig


def risk_share(frames: pd.DataFrame, method: str, side: str) -> dict[str, float]:
    """% of frames in each risk band (and without a person) for one method and side."""
    bands = REBA_BANDS if method == "reba" else RULA_BANDS
    total = _int_col(frames, f"{method}_total_{side}")
    n = max(len(total), 1)
    share = {
        name: 100.0 * float(np.sum((total >= lo) & (total <= hi))) / n for lo, hi, name in bands
    }
    share["no person"] = 100.0 * float(np.sum(~np.isfinite(total))) / n
    return share


def share_figure(frames: pd.DataFrame):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("REBA: % of time", "RULA: % of time"))
    for col, method, colours in ((1, "reba", _BAND_COLOURS), (2, "rula", _RULA_COLOURS)):
        shares = {side: risk_share(frames, method, side) for side in ("left", "right")}
        names = list(shares["left"])
        for name, colour in zip(names, [*colours, "#aaaaaa"], strict=True):
            fig.add_trace(
                go.Bar(
                    y=["left", "right"],
                    x=[shares[s][name] for s in ("left", "right")],
                    orientation="h",
                    name=name,
                    marker_color=colour,
                    showlegend=True,
                    hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_layout(barmode="stack", height=260, margin={"l": 50, "r": 20, "t": 40, "b": 30})
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    return fig


def strips_figure(frames: pd.DataFrame):
    """One strip per body part and side, coloured by the part's REBA score level."""
    import plotly.graph_objects as go

    rows, levels, scores = [], [], []
    for part, table in PART_LEVELS.items():
        for side in ("left", "right"):
            s = _int_col(frames, f"reba_{part}_{side}")
            lut = np.asarray(table, dtype=float)
            lvl = np.full(s.shape, np.nan)
            ok = np.isfinite(s)
            lvl[ok] = lut[np.clip(s[ok], 0, len(lut) - 1).astype(int)]
            rows.append(f"{part.replace('_', ' ')} {side[0].upper()}")
            levels.append(lvl)
            scores.append(s)
    colours = [_rgb_hex(c) for c in LEVEL_COLOURS]
    scale = [
        [0.0, colours[0]],
        [0.25, colours[0]],
        [0.25, colours[1]],
        [0.5, colours[1]],
        [0.5, colours[2]],
        [0.75, colours[2]],
        [0.75, colours[3]],
        [1.0, colours[3]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=np.array(levels),
            x=frames["time_s"].to_numpy(),
            y=rows,
            customdata=np.array(scores),
            zmin=-0.5,
            zmax=3.5,
            colorscale=scale,
            showscale=False,
            hovertemplate="%{y} at %{x:.2f} s: REBA part score %{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        height=40 + 24 * len(rows),
        margin={"l": 90, "r": 20, "t": 20, "b": 40},
        plot_bgcolor=_rgb_hex(UNSCORED_COLOUR),
        xaxis_title="time (s)",
    )
    return fig


def jpeg_data_uri(rgb: np.ndarray, max_side: int = 480) -> str:
    scale = min(1.0, max_side / max(rgb.shape[:2]))
    if scale < 1:
        rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]
    )
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


def _evidence_text(values: Mapping[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.replace("_deg", " °").replace("_m", " m").replace("_", " ")
        parts.append(name if value is True else f"{name} {value}")
    return ", ".join(parts) or "-"


def _method_table(result: Mapping[str, Any], steps, title: str) -> str:
    if not result:
        return f"<p>{title}: no person</p>"
    scores, evidence = result["scores"], result["evidence"]
    rows = []
    for step, parts, subtotal in steps:
        for part in parts:
            score = scores.get(part, "")
            ev = _evidence_text(evidence.get(part, {})) if part in evidence else ""
            rows.append(
                f"<tr><td>{step}</td><td>{part.replace('_', ' ')}</td>"
                f"<td>{'' if score is None else score}</td>"
                f"<td class=ev>{html.escape(ev)}</td></tr>"
            )
        rows.append(
            f"<tr><th colspan=2>{step} → {subtotal.replace('_', ' ')}</th>"
            f"<th>{scores.get(subtotal)}</th><td></td></tr>"
        )
    rows.append(f"<tr><th colspan=2>total</th><th>{scores.get('total')}</th><td></td></tr>")
    return (
        f"<table><tr><th colspan=4>{title}</th></tr><tr><th>step</th><th>part</th>"
        f"<th>score</th><th>from</th></tr>{''.join(rows)}</table>"
    )


def moments_html(
    frames: pd.DataFrame,
    moments: Sequence[int],
    thumbnails: Mapping[int, str],
    upright_tol_deg: float,
) -> str:
    if not moments:
        return "<p>No scored frame: nobody was detected.</p>"
    out = []
    for i in moments:
        row = frames.iloc[i]
        tables = "".join(
            _method_table(
                breakdown(row, side, upright_tol_deg)[method], steps, f"{method.upper()} {side}"
            )
            for method, steps in (("reba", REBA_STEPS), ("rula", RULA_STEPS))
            for side in ("left", "right")
        )
        img = thumbnails.get(i, "")
        out.append(
            f"<div class=moment><div><img src='{img}' alt='frame {row['frame']}'>"
            f"<p>frame {row['frame']}, {row['time_s']:.2f} s<br>REBA {row['reba_total']} "
            f"({row['reba_risk_level']}), RULA {row['rula_total']}</p></div>"
            f"<div class=cols>{tables}</div></div>"
        )
    return "\n".join(out)


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            items.extend(_flatten(value, name + "."))
        else:
            items.append((name, value))
    return items


def options_html(options: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(json.dumps(v))}</td></tr>"
        for k, v in _flatten(options)
    )
    return f"<table>{rows}</table>"


def render_report(
    frames: pd.DataFrame,
    summary: Mapping[str, Any],
    moments: Sequence[int],
    thumbnails: Mapping[int, str],
    title: str,
    upright_tol_deg: float = 5.0,
) -> str:
    """The whole report page as one HTML string (plotly.js included once, inline)."""
    figures = [timeline_figure(frames), share_figure(frames), strips_figure(frames)]
    divs = [
        fig.to_html(full_html=False, include_plotlyjs=(i == 0), config={"responsive": True})
        for i, fig in enumerate(figures)
    ]
    n = len(frames)
    detected = int(frames["person_detected"].sum())
    warnings = "".join(f"<p class=warn>{html.escape(w)}</p>" for w in summary.get("warnings", []))
    reba_peak = summary.get("reba", {}).get("total", {}).get("peak", {})
    rula_peak = summary.get("rula", {}).get("total", {}).get("peak", {})
    head = (
        f"<p>{n} frames, {summary.get('duration_s', 0)} s at {summary.get('fps', 0):g} "
        f"fps; person detected in {detected} ({100 * detected / max(n, 1):.1f}%). "
        f"Peak REBA {reba_peak.get('score', '-')} at {reba_peak.get('time_s', '-')} s; "
        f"peak RULA {rula_peak.get('score', '-')} at {rula_peak.get('time_s', '-')} s.</p>"
    )
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body>
<h1>Ergonomic risk: {html.escape(title)}</h1>{head}{warnings}
<h2>REBA and RULA over time</h2>{divs[0]}
<h2>Time in each risk level</h2>{divs[1]}
<h2>Body parts (REBA part score: green lowest, red highest)</h2>{divs[2]}
<h2>Worst moments</h2>
<p>Each score with the angles (degrees) and flags that produced it; "from" lists the inputs
that are set.</p>
{moments_html(frames, moments, thumbnails, upright_tol_deg)}
<h2>Options and task factors</h2>{options_html(summary.get("options", {}))}
<p>ergorisk {html.escape(str(summary.get("ergorisk_version", "")))}</p>
</body></html>
"""
