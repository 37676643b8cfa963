#!/usr/bin/env python
"""Train the shipped learned REBA scorers (vae, msdn) on all 15 UW-IOM subjects.

    .venv/bin/python scripts/train_reba_models.py                 # both, default configs
    .venv/bin/python scripts/train_reba_models.py --models vae

Uses the default configuration of ergorisk.learned.configs (the one cross-validated by
scripts/evaluate_reba_models.py) and writes src/ergorisk/learned/weights/<name>.pt.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ergorisk.learned import uwiom  # noqa: E402
from ergorisk.learned.configs import SPECS  # noqa: E402
from ergorisk.learned.features import STREAMS, stream_sizes  # noqa: E402
from ergorisk.learned.predict import save_model  # noqa: E402
from ergorisk.learned.train import build, fit  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "uw-iom"
WEIGHTS = ROOT / "src" / "ergorisk" / "learned" / "weights"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--models", default="vae,msdn")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if not (args.data / "poses").is_dir():
        print(f"error: UW-IOM not found at {args.data}", file=sys.stderr)
        return 2
    names = [m for m in args.models.split(",") if m]
    if unknown := [m for m in names if m not in SPECS]:
        print(f"error: unknown models {unknown}; known: {list(SPECS)}", file=sys.stderr)
        return 2
    subjects = uwiom.load_uwiom(args.data)
    n_aug = max(SPECS[m].augment_copies for m in names)
    augmented = uwiom.augmented_subjects(args.data, uwiom.SUBJECTS, n_aug, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = SPECS[name]
        chosen = subjects + [
            a for a in augmented if int(a.name.rsplit("aug", 1)[1]) < spec.augment_copies
        ]
        x = np.concatenate([s.features for s in chosen])
        if not spec.distances:
            x = x[:, uwiom.coordinate_columns()]
        y = np.concatenate(
            [s.labels_raw if spec.targets == "raw" else s.labels for s in chosen]
        ).astype(np.float32)
        sizes = (
            stream_sizes(True) if spec.distances else {k: 3 * len(v) for k, v in STREAMS.items()}
        )
        model = build(name, sizes, seed=args.seed, **spec.model_kwargs)
        start = time.perf_counter()
        history = fit(
            model,
            x,
            y,
            replace(spec.train, threads=args.threads),
            seed=args.seed,
            log=lambda r, n=name: print(
                n,
                json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}),
                flush=True,
            ),
        )
        seconds = time.perf_counter() - start
        meta = {
            **spec.meta(),
            "seed": args.seed,
            "training_frames": len(x),
            "training_subjects": list(uwiom.SUBJECTS),
            "training_seconds": round(seconds),
            "final_loss": round(history[-1]["loss"], 5),
            # How these weights were made, as the surrogates' weights record it.
            "command": " ".join(["scripts/train_reba_models.py", *argv]),
        }
        path = args.out / f"{name}.pt"
        save_model(model, meta, path)
        print(
            f"{name}: {len(x)} frames, {seconds:.0f} s -> {path} "
            f"({path.stat().st_size / 1e6:.1f} MB)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
