"""Static charts for the report (SVG, so the same picture prints in the PDF and the page)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ergorisk.report.episodes import Episode
from ergorisk.scoring.summary import reliable_scores

_BANDS = {
    "reba": ((1, 1), (2, 3), (4, 7), (8, 10), (11, 15)),
    "rula": ((1, 2), (3, 4), (5, 6), (7, 7)),
}
_COLOURS = {
    "reba": ("#2ecc40", "#b8e986", "#ffdc00", "#ff851b", "#e62828"),
    "rula": ("#2ecc40", "#ffdc00", "#ff851b", "#e62828"),
}
_SIDE = {"left": "#1f4e9c", "right": "#b0306a"}
WORST_TINT = "#3d8bfd"


UNRELIABLE = "no person or pose unreliable (left out)"


def unreliable_spans(frames: pd.DataFrame) -> list[tuple[float, float]]:
    """(start, end) times of the runs of frames whose pose is unreliable (``pose_reliable``
    false, no person included), each run drawn to the start of the next frame; none for
    inputs without the column (pose files)."""
    from ergorisk.kinematics.timeseries import runs

    if "pose_reliable" not in frames or frames.empty:
        return []
    t = frames["time_s"].to_numpy(dtype=float)
    step = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    starts, ends = runs(~frames["pose_reliable"].to_numpy(dtype=bool))
    return [(float(t[a]), float(t[b - 1]) + step) for a, b in zip(starts, ends, strict=True)]


def timeline_svg(frames: pd.DataFrame, episodes: list[Episode]) -> str:
    """REBA and RULA per side over time on their risk bands, worst moments numbered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    t = frames["time_s"].to_numpy(dtype=float)
    spans = unreliable_spans(frames)
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 3.2), sharex=True)
    for ax, method in zip(axes, ("reba", "rula"), strict=True):
        for (lo, hi), colour in zip(_BANDS[method], _COLOURS[method], strict=True):
            ax.axhspan(lo - 0.5, hi + 0.5, color=colour, alpha=0.22, lw=0)
        for side in ("left", "right"):
            col = f"{method}_total_{side}"
            # Unreliable frames are left out of every figure: a gap under the hatching.
            y = reliable_scores(frames, col) if col in frames else t * np.nan
            ax.step(t, y, where="post", color=_SIDE[side], lw=1.1, label=f"{side} side")
        for k, (a, b) in enumerate(spans):
            ax.axvspan(
                a,
                b,
                facecolor="#ffffff",
                edgecolor="#6b6b6b",
                hatch="////",
                alpha=0.75,
                lw=0,
                label=UNRELIABLE if k == 0 else None,
            )
        for e in episodes:
            # not grey: the web page shades the frames left out in grey
            ax.axvspan(e.start_s, e.end_s, color=WORST_TINT, alpha=0.16, lw=0)
            if method == "reba":
                ax.text(
                    e.peak_s, 0.7, str(e.rank), ha="center", va="bottom", fontsize=8, weight="bold"
                )
        ax.set_ylim(0.5, _BANDS[method][-1][1] + 0.5)
        ax.set_ylabel(method.upper(), fontsize=9)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        ax.margins(x=0)
    axes[0].legend(loc="lower left", bbox_to_anchor=(0, 1), fontsize=7, ncol=3, frameon=False)
    axes[1].set_xlabel("time (s); blue bands: worst moments, numbered", fontsize=8)
    fig.tight_layout(pad=0.6)
    buf = io.StringIO()
    # The same assessment gives the same page: no date, clip-path ids from a fixed salt.
    with matplotlib.rc_context({"svg.hashsalt": "ergorisk"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]
