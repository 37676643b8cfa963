#!/usr/bin/env python
"""4-fold subject-wise cross-validation of the learned REBA scorers on UW-IOM.

    .venv/bin/python scripts/evaluate_reba_models.py            # everything, writes docs/

For every fold (subject i tests in fold i mod 4) each model is trained on the other subjects
(with their augmented copies) using the default configuration of ergorisk.learned.configs,
then scores the held-out subjects. Writes docs/learned-models-results.md: MSE/MAE/RMSE per
partial and total score (mean ± std over folds) beside the paper's Table 4, the risk-level
distribution (Table 6), the ablation coordinates vs coordinates + joint-line distances, the
MSE against the data set authors' labels, and the training times. Nothing is tuned here.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ergorisk.learned import TARGETS, evaluation, uwiom  # noqa: E402
from ergorisk.learned.configs import SPECS, ModelSpec  # noqa: E402
from ergorisk.learned.features import STREAMS, stream_sizes  # noqa: E402
from ergorisk.learned.targets import LABEL_POLYORDER, smooth_scores  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "uw-iom"


def variants() -> dict[str, ModelSpec]:
    """Every evaluated configuration by display name."""
    out = dict(SPECS)
    out["mlp-plain"] = SPECS["mlp"].with_(augment_copies=0)
    for name, spec in SPECS.items():
        other = "coords" if spec.distances else "coords+distances"
        out[f"{name} ({other})"] = spec.with_(distances=not spec.distances)
    return out


def select(x: np.ndarray, distances: bool) -> np.ndarray:
    return x if distances else x[:, uwiom.coordinate_columns()]


def sizes_for(distances: bool) -> dict[str, int]:
    return stream_sizes(True) if distances else {k: 3 * len(v) for k, v in STREAMS.items()}


def run_fold(
    spec: ModelSpec,
    train_subjects: list,
    test_subjects: list,
    seed: int,
    threads: int,
    epochs_scale: float,
) -> dict:
    """Train on train_subjects, predict test_subjects; raw and smoothed predictions."""
    from dataclasses import replace

    from ergorisk.learned.predict import predict_features
    from ergorisk.learned.train import build, fit

    cfg = replace(
        spec.train,
        threads=threads,
        epochs=max(1, round(spec.train.epochs * epochs_scale)),
        align_epochs=max(1, round(spec.train.align_epochs * epochs_scale)),
    )
    x = np.concatenate([select(s.features, spec.distances) for s in train_subjects])
    y = np.concatenate(
        [s.labels_raw if spec.targets == "raw" else s.labels for s in train_subjects]
    ).astype(np.float32)
    model = build(spec.name, sizes_for(spec.distances), seed=seed, **spec.model_kwargs)
    start = time.perf_counter()
    history = fit(model, x, y, cfg, seed=seed)
    seconds = time.perf_counter() - start
    raw = [
        predict_features(model, select(s.features, spec.distances)).astype(float)
        for s in test_subjects
    ]
    smooth = [smooth_scores(r, spec.smooth_window, LABEL_POLYORDER) for r in raw]
    return {
        "raw": raw,
        "smooth": smooth,
        "seconds": seconds,
        "n_train": len(x),
        "final_loss": history[-1]["loss"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--models",
        default="vae,msdn,mlp,mlp-plain",
        help="comma-separated variants (see variants())",
    )
    parser.add_argument(
        "--ablation",
        default="vae,msdn,mlp",
        help="models also evaluated with the other feature set",
    )
    parser.add_argument("--folds", default="0,1,2,3")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--epochs-scale",
        type=float,
        default=1.0,
        help="multiply every epoch count (quick checks only)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learned-models-results.md")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "reba_cv.json"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "reba_cv_cache",
        help="per model and fold predictions; reused when present (delete it "
        "after changing code or configs)",
    )
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="only fill the cache (to run models in parallel processes)",
    )
    args = parser.parse_args(argv)
    if not (args.data / "poses").is_dir():
        print(f"error: UW-IOM not found at {args.data}", file=sys.stderr)
        return 2

    table = variants()
    names = [m for m in args.models.split(",") if m]
    for base in [m for m in args.ablation.split(",") if m]:
        other = "coords" if SPECS[base].distances else "coords+distances"
        names.append(f"{base} ({other})")
    unknown = [n for n in names if n not in table]
    if unknown:
        print(f"error: unknown variants {unknown}; known: {list(table)}", file=sys.stderr)
        return 2
    folds = [uwiom.subject_folds()[int(k)] for k in args.folds.split(",")]

    started = time.perf_counter()
    subjects = {s.name: s for s in uwiom.load_uwiom(args.data)}
    n_aug = max(table[n].augment_copies for n in names)
    if all(_all_cached(args, n) for n in names):
        n_aug = 0
    augmented: dict[str, list] = {n: [] for n in subjects}
    if n_aug:
        for a in uwiom.augmented_subjects(args.data, tuple(subjects), n_aug, args.seed):
            augmented[a.name.split("+")[0]].append(a)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)

    results: dict[str, dict] = {}
    for name in names:
        spec = table[name]
        per_fold = []
        for k, (train_names, test_names) in zip(args.folds.split(","), folds, strict=True):
            cached = args.cache / f"{name}-fold{k}-seed{args.seed}-x{args.epochs_scale}.pkl"
            if cached.is_file():
                out = pickle.loads(cached.read_bytes())
            else:
                train = [subjects[n] for n in train_names]
                train += [a for n in train_names for a in augmented[n][: spec.augment_copies]]
                test = [subjects[n] for n in test_names]
                out = run_fold(spec, train, test, args.seed, args.threads, args.epochs_scale)
                out["test"] = list(test_names)
                args.cache.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(pickle.dumps(out))
            per_fold.append(out)
            test = [subjects[n] for n in test_names]
            truth = np.concatenate([s.labels for s in test])
            mse = evaluation.errors(np.concatenate(out["smooth"]), truth)["mse"]
            print(f"{name} fold {k}: {out['seconds']:.0f} s, MSE {np.round(mse, 3)}", flush=True)
        results[name] = per_fold

    if args.no_report:
        return 0
    report = build_report(results, subjects, args, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary_json(results, subjects), indent=1))
    print(f"wrote {args.out} and {args.json}")
    return 0


def _all_cached(args, name: str) -> bool:
    return all(
        (args.cache / f"{name}-fold{k}-seed{args.seed}-x{args.epochs_scale}.pkl").is_file()
        for k in args.folds.split(",")
    )


def fold_metrics(per_fold: list[dict], subjects: dict, key: str = "smooth") -> list[dict]:
    out = []
    for fold in per_fold:
        truth = np.concatenate([subjects[n].labels for n in fold["test"]])
        out.append(evaluation.errors(np.concatenate(fold[key]), truth))
    return out


def authors_metrics(per_fold: list[dict], subjects: dict, rule: bool = False) -> list[dict]:
    """Errors of the predicted total (or of the rule labels) against the authors' labels,
    per fold."""
    out = []
    for fold in per_fold:
        truth = np.concatenate([subjects[n].authors_total for n in fold["test"]])[:, None]
        if rule:
            pred = np.concatenate([subjects[n].labels[:, -1] for n in fold["test"]])[:, None]
        else:
            pred = np.concatenate(fold["smooth"])[:, [TARGETS.index("total")]]
        out.append({k: v[0] for k, v in evaluation.errors(pred, truth).items()})
    return out


def summary_json(results: dict, subjects: dict) -> dict:
    out = {}
    for name, per_fold in results.items():
        s = evaluation.summarize_folds(fold_metrics(per_fold, subjects))
        out[name] = {
            m: {
                "mean": dict(zip(TARGETS, v[0].tolist(), strict=True)),
                "std": dict(zip(TARGETS, v[1].tolist(), strict=True)),
            }
            for m, v in s.items()
        }
        out[name]["fold_seconds"] = [f["seconds"] for f in per_fold]
    return out


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build_report(results: dict, subjects: dict, args, seconds: float) -> str:
    smooth = {n: evaluation.summarize_folds(fold_metrics(r, subjects)) for n, r in results.items()}
    raw = {
        n: evaluation.summarize_folds(fold_metrics(r, subjects, "raw")) for n, r in results.items()
    }
    main_names = [n for n in results if "(" not in n]
    ablation = [n for n in results if "(" in n]
    lines = [
        "# Learned REBA scorers: cross-validated results on UW-IOM",
        "",
        "Generated by `scripts/evaluate_reba_models.py` "
        f"(report written at commit {_git_commit()}; seed {args.seed}, folds {args.folds}, "
        f"epochs x{args.epochs_scale}; training times in the last table). "
        "Do not edit by hand; docs/learned-models.md explains the setting and every choice.",
        "",
        "Targets: ergorisk's own rule scores (kinematics + exact REBA, posture only, the side "
        "with the higher total), Savitzky-Golay smoothed (13 frames). Subject-wise 4-fold "
        "cross-validation over the 15 subjects (subject i tests in fold i mod 4); mean ± std "
        "over the 4 folds of the per-fold error over all test frames. Predictions are "
        "smoothed with the targets' filter unless marked *raw*.",
        "",
        "The paper's rows are on *its own* labels (VIBE poses and its angle rules), so they "
        "are a reference, not a like-for-like comparison.",
        "",
        "## MSE per score (mean ± std over folds)",
        "",
        evaluation.compact_markdown({n: smooth[n] for n in main_names}),
        "",
        "Paper (Table 4, UW-IOM), MSE: "
        + "; ".join(
            f"{name}: " + ", ".join(f"{t} {v[t][0][0]}" for t in TARGETS)
            for name, v in evaluation.PAPER_TABLE4.items()
        ),
        "",
        "## Gain of the variational network over the MLP baseline",
        "",
        gain_markdown(results, subjects),
        "",
        "## MSE, MAE and RMSE per score, beside the paper's Table 4",
        "",
        evaluation.table4_markdown({n: smooth[n] for n in main_names}),
        "",
        "## Raw per-frame predictions (no smoothing of the predictions), MSE",
        "",
        evaluation.compact_markdown({f"{n} (raw)": raw[n] for n in main_names}),
        "",
        "## Ablation: coordinates only against coordinates + joint-line distances, MSE",
        "",
        evaluation.compact_markdown(
            {
                n: smooth[n]
                for n in sorted(
                    [
                        *ablation,
                        *[m for m in main_names if any(a.startswith(m + " ") for a in ablation)],
                    ]
                )
            }
        ),
        "",
        "## REBA risk-level distribution of all test frames (Table 6)",
        "",
        risk_table(results, subjects),
        "",
        "## Against the data set authors' labels (total REBA, 1-7), MSE",
        "",
        authors_table(results, subjects),
        "",
        "## Training time per fold (s, this machine, shared CPU)",
        "",
        "| Model | "
        + " | ".join(f"fold {k}" for k in range(len(next(iter(results.values())))))
        + " | training frames |",
        "|---|" + "---|" * (len(next(iter(results.values()))) + 1),
        *[
            f"| {n} | " + " | ".join(f"{f['seconds']:.0f}" for f in r) + f" | {r[0]['n_train']} |"
            for n, r in results.items()
        ],
        "",
    ]
    return "\n".join(lines)


def gain_markdown(results: dict, subjects: dict) -> str:
    if "vae" not in results or "mlp" not in results:
        return "(needs both vae and mlp)"
    rows = [
        "| Baseline | Δ MSE total (baseline − vae), mean ± std over folds | "
        "folds where vae is better |",
        "|---|---|---|",
    ]
    k = TARGETS.index("total")
    vae = [f["mse"][k] for f in fold_metrics(results["vae"], subjects)]
    for base in [b for b in ("mlp", "mlp-plain", "msdn") if b in results]:
        other = [f["mse"][k] for f in fold_metrics(results[base], subjects)]
        gain = np.array(other) - np.array(vae)
        rows.append(
            f"| {base} | {gain.mean():+.3f} ± {gain.std():.3f} | "
            f"{int((gain > 0).sum())} of {len(gain)} |"
        )
    return "\n".join(rows)


def risk_table(results: dict, subjects: dict) -> str:
    first = next(iter(results.values()))
    truth = np.concatenate([subjects[n].labels[:, -1] for f in first for n in f["test"]])
    cols = {"Ground truth (rule labels)": evaluation.risk_distribution(truth)}
    for name, per_fold in results.items():
        if "(" in name:
            continue
        pred = np.concatenate([p[:, -1] for f in per_fold for p in f["smooth"]])
        cols[name] = evaluation.risk_distribution(pred)
    authors = np.concatenate([subjects[n].authors_total for f in first for n in f["test"]])
    cols["Authors' labels"] = evaluation.risk_distribution(authors)
    return evaluation.risk_markdown(cols)


def authors_table(results: dict, subjects: dict) -> str:
    first = next(iter(results.values()))
    rows = ["| Source | MSE | MAE | RMSE |", "|---|---|---|---|"]
    sources = {"rule labels (smoothed)": authors_metrics(first, subjects, rule=True)}
    sources.update({n: authors_metrics(r, subjects) for n, r in results.items() if "(" not in n})
    for name, per_fold in sources.items():
        cells = []
        for m in ("mse", "mae", "rmse"):
            v = np.array([f[m] for f in per_fold])
            cells.append(f"{v.mean():.3f} ± {v.std():.3f}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
