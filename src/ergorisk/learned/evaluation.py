"""Cross-validation metrics and Markdown tables for the learned scorers (pure functions).

The paper's reference numbers (Chatzis et al. 2022, Tables 4 and 6, UW-IOM) are kept here
so that every generated table can show them beside ours.
"""

from __future__ import annotations

import numpy as np

from ergorisk.contract import reba_risk_codes
from ergorisk.learned import TARGETS

RISK_LEVELS = ("Negligible", "Low", "Medium", "High", "Very High")
# Table 4, UW-IOM: (MSE, MAE, RMSE) mean and std per score.
PAPER_TABLE4 = {
    "Proposed": {
        "neck": ((0.024, 0.002), (0.113, 0.02), (0.168, 0.04)),
        "trunk": ((0.075, 0.061), (0.211, 0.03), (0.278, 0.03)),
        "legs": ((0.071, 0.082), (0.186, 0.03), (0.261, 0.05)),
        "upper_arm": ((0.095, 0.029), (0.221, 0.04), (0.301, 0.04)),
        "lower_arm": ((0.015, 0.002), (0.076, 0.03), (0.119, 0.03)),
        "total": ((0.297, 0.032), (0.377, 0.04), (0.531, 0.06)),
    },
    "MSDN": {
        "neck": ((0.03, 0.003), (0.117, 0.03), (0.171, 0.03)),
        "trunk": ((0.079, 0.065), (0.217, 0.02), (0.281, 0.04)),
        "legs": ((0.075, 0.077), (0.192, 0.04), (0.265, 0.05)),
        "upper_arm": ((0.098, 0.023), (0.226, 0.05), (0.306, 0.03)),
        "lower_arm": ((0.017, 0.001), (0.079, 0.03), (0.121, 0.04)),
        "total": ((0.31, 0.04), (0.395, 0.05), (0.557, 0.07)),
    },
}
# Table 6, UW-IOM: percentage of frames per risk level.
PAPER_TABLE6 = {
    "Ground truth": (0.0, 12.32, 79.34, 8.32, 0.02),
    "Predicted": (0.0, 3.84, 89.23, 6.91, 0.02),
}


def errors(pred: np.ndarray, truth: np.ndarray) -> dict[str, np.ndarray]:
    """MSE, MAE and RMSE per column of (N, K) arrays, over the rows where both are finite."""
    ok = np.isfinite(pred).all(axis=1) & np.isfinite(truth).all(axis=1)
    diff = pred[ok] - truth[ok]
    mse = (diff**2).mean(axis=0)
    return {"mse": mse, "mae": np.abs(diff).mean(axis=0), "rmse": np.sqrt(mse)}


def risk_level(total: np.ndarray) -> np.ndarray:
    """REBA risk level index 0-4 of continuous totals: <2, <4, <8, <11, >=11 (paper, 4.3)."""
    return reba_risk_codes(np.asarray(total, dtype=float))


def risk_distribution(total: np.ndarray) -> np.ndarray:
    """Percentage of the finite frames in each of the five risk levels."""
    t = np.asarray(total, dtype=float)
    t = t[np.isfinite(t)]
    return 100.0 * np.bincount(risk_level(t), minlength=5)[:5] / max(len(t), 1)


def summarize_folds(per_fold: list[dict[str, np.ndarray]]) -> dict[str, tuple]:
    """metric -> (mean (K,), std (K,)) over folds (population std, ddof=0)."""
    return {
        m: (np.mean([f[m] for f in per_fold], axis=0), np.std([f[m] for f in per_fold], axis=0))
        for m in per_fold[0]
    }


def _pm(mean: float, std: float, digits: int = 3) -> str:
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def table4_markdown(results: dict[str, dict[str, tuple]], paper: bool = True) -> str:
    """Per score and model: MSE, MAE, RMSE (mean ± std over folds), paper's rows beside."""
    lines = ["| Score | Model | MSE | MAE | RMSE |", "|---|---|---|---|---|"]
    for k, target in enumerate(TARGETS):
        for name, summary in results.items():
            cells = [_pm(summary[m][0][k], summary[m][1][k]) for m in ("mse", "mae", "rmse")]
            lines.append(f"| {target} | {name} | " + " | ".join(cells) + " |")
        if paper:
            for name, table in PAPER_TABLE4.items():
                cells = [_pm(*table[target][i]) for i in range(3)]
                lines.append(f"| {target} | *paper: {name}* | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def risk_markdown(columns: dict[str, np.ndarray], paper: bool = True) -> str:
    """Risk-level distribution (percent of frames), one column per source (Table 6)."""
    cols = dict(columns)
    if paper:
        cols.update({f"*paper: {k}*": np.array(v) for k, v in PAPER_TABLE6.items()})
    lines = ["| REBA risk level | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for i, level in enumerate(RISK_LEVELS):
        lines.append(f"| {level} | " + " | ".join(f"{v[i]:.2f}%" for v in cols.values()) + " |")
    return "\n".join(lines)


def compact_markdown(results: dict[str, dict[str, tuple]], metric: str = "mse") -> str:
    """One row per model, one column per score: the metric as mean ± std over folds."""
    lines = ["| Model | " + " | ".join(TARGETS) + " |", "|---|" + "---|" * len(TARGETS)]
    for name, summary in results.items():
        mean, std = summary[metric]
        lines.append(
            f"| {name} | " + " | ".join(_pm(m, s) for m, s in zip(mean, std, strict=True)) + " |"
        )
    return "\n".join(lines)
