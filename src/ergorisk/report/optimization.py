"""Figures of the online postural-correction demo: exact RULA and REBA over time for each
method, the median risk and the task time. PNG (matplotlib) and a self-contained HTML page
(plotly with its JavaScript inlined, so it opens offline)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLOURS = {"none": "#d95f02", "cem": "#7570b3", "gradient": "#1b9e77"}
LABELS = {"none": "no correction", "cem": "CEM on exact RULA", "gradient": "gradient on DULA"}


def summary(frames: pd.DataFrame) -> pd.DataFrame:
    """Per method: median exact RULA and REBA of the person's postures, and task time."""
    g = frames.groupby("method", sort=False)
    return pd.DataFrame(
        {
            "median_rula": g["rula"].median(),
            "median_reba": g["reba"].median(),
            "median_rula_suggested": g["rula_suggested"].median(),
            "task_time_s": g["time_s"].max(),
        }
    )


def timeline_png(frames: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4), gridspec_kw={"width_ratios": [3, 3, 2]})
    for method, df in frames.groupby("method", sort=False):
        for ax, col in zip(axes[:2], ("rula", "reba"), strict=True):
            ax.step(
                df["time_s"],
                df[col],
                where="post",
                color=COLOURS[method],
                label=LABELS[method],
                lw=2,
            )
        axes[0].step(
            df["time_s"], df["rula_suggested"], where="post", color=COLOURS[method], ls=":", lw=1
        )
    for ax, name in zip(axes[:2], ("RULA", "REBA"), strict=True):
        ax.set_xlabel("time (s)")
        ax.set_ylabel(f"exact {name} of the operator")
        ax.grid(alpha=0.3)
    axes[0].set_title("RULA (dotted: suggested posture)")
    axes[1].set_title("REBA")
    axes[0].legend(loc="upper right", fontsize=8)
    s = summary(frames)
    x = range(len(s))
    axes[2].bar(
        [i - 0.2 for i in x],
        s["median_rula"],
        0.4,
        label="median RULA",
        color=[COLOURS[m] for m in s.index],
    )
    ax2 = axes[2].twinx()
    ax2.plot(list(x), s["task_time_s"], "ko-", label="task time (s)")
    axes[2].set_xticks(list(x), [LABELS[m] for m in s.index], rotation=15, fontsize=8)
    axes[2].set_ylabel("median exact RULA")
    ax2.set_ylabel("task time (s)")
    axes[2].set_title("median risk and task time")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def timeline_html(frames: pd.DataFrame, path: Path) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("exact RULA", "exact REBA"))
    for method, df in frames.groupby("method", sort=False):
        for col, c in (("rula", 1), ("reba", 2)):
            fig.add_trace(
                go.Scatter(
                    x=df["time_s"],
                    y=df[col],
                    mode="lines",
                    line={"shape": "hv", "color": COLOURS[method]},
                    name=f"{LABELS[method]} ({col.upper()})",
                ),
                row=1,
                col=c,
            )
        fig.add_trace(
            go.Scatter(
                x=df["time_s"],
                y=df["rula_suggested"],
                mode="lines",
                line={"shape": "hv", "color": COLOURS[method], "dash": "dot"},
                name=f"{LABELS[method]} (suggested RULA)",
            ),
            row=1,
            col=1,
        )
    fig.update_xaxes(title_text="time (s)")
    fig.update_layout(title="Simulated online postural correction (pick and place)", height=500)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
