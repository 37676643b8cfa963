"""Train DULA or DEBA on this machine's CPU and write the package weights.

    .venv/bin/python scripts/train_surrogates.py --model dula
    .venv/bin/python scripts/train_surrogates.py --model deba

Data: ``--n-train`` postures from ``differentiable.synthetic.generate`` (seeded, labelled
exactly by the project's kinematics and scoring), drawn into batches with
``balancing_weights``. Loss: MSE on the total score. Adam with a cosine learning-rate decay
over a fixed number of epochs, so a run is reproducible from its arguments. Progress goes to
stdout; the weights and the run's metadata go to src/ergorisk/differentiable/weights/NAME.pt.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ergorisk.differentiable.surrogates import Surrogate, load, predict, save
from ergorisk.differentiable.synthetic import (
    N_TASK_FEATURES,
    PROBLEMS,
    Batch,
    balancing_weights,
    generate,
)

WEIGHTS = Path(__file__).resolve().parents[1] / "src/ergorisk/differentiable/weights"
DEFAULTS = {
    "dula": {"n_train": 2_500_000, "epochs": 20},
    "deba": {"n_train": 2_500_000, "epochs": 14},
}


def accuracy(model: Surrogate, data: Batch) -> tuple[float, float]:
    pred = predict(model, data.q, data.task)
    return (float(np.mean(np.rint(pred) == data.score)), float(np.mean(np.abs(pred - data.score))))


def encode(model: Surrogate, data: Batch, chunk: int = 100_000) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat(
            [
                model.encode(
                    torch.from_numpy(data.q[i : i + chunk]),
                    torch.from_numpy(data.task[i : i + chunk]),
                )
                for i in range(0, len(data), chunk)
            ]
        )


def near_edge_weights(
    x: torch.Tensor, n_dofs: int, weights: np.ndarray, factor: float
) -> np.ndarray:
    """Sampling weights times ``factor`` for the postures within a soft step's transition
    (some band-edge or flag step input short of +-0.99, i.e. within about 5 edge widths of
    a threshold), where the rounded output is wrong most often. Labels are unchanged."""
    steps = x[:, n_dofs:-N_TASK_FEATURES].abs()
    near = (steps < 0.99).any(dim=1).numpy()
    w = weights * np.where(near, factor, 1.0)
    print(
        f"near an edge: {100 * near.mean():.1f}% of samples, drawn {factor:g}x as often", flush=True
    )
    return w / w.sum()


def train(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    problem = PROBLEMS[args.model]
    t0 = time.time()
    data = generate(problem, args.n_train, seed=args.seed)
    val = generate(problem, args.n_val, seed=args.seed + 1)
    print(
        f"labelled {len(data)} + {len(val)} samples in {time.time() - t0:.0f} s; scores "
        f"{np.bincount(data.score, minlength=problem.max_score + 1)[1:].tolist()}",
        flush=True,
    )
    weights = balancing_weights(data.score, problem.max_score, args.balance)
    model = load(args.model, args.init) if args.init else Surrogate(problem)
    if args.edge_width is not None:
        # Sharper soft steps at the band edges: fewer samples in a transition (see surrogates).
        model.edge_width_deg = args.edge_width
    # The input encoding is fixed (no weights): compute it once, train the network on it.
    x = encode(model, data)
    if args.near_edge != 1:
        weights = near_edge_weights(x, len(problem.dofs), weights, args.near_edge)
    y = torch.from_numpy(data.score.astype(np.float32))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = len(data) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=args.lr,
        total_steps=args.epochs * steps_per_epoch,
        pct_start=0.05,
        final_div_factor=1e3,
    )
    rng = np.random.default_rng(args.seed + 2)
    for epoch in range(args.epochs):
        model.train()
        idx = torch.from_numpy(rng.choice(len(data), size=steps_per_epoch * args.batch, p=weights))
        total = 0.0
        for step in range(steps_per_epoch):
            b = idx[step * args.batch : (step + 1) * args.batch]
            loss = torch.mean((model.net(x[b])[:, 0] - y[b]) ** 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach())
        model.eval()
        acc, mae = accuracy(model, val)
        print(
            f"epoch {epoch + 1}/{args.epochs}  mse {total / steps_per_epoch:.5f}  "
            f"val accuracy {100 * acc:.3f}%  mae {mae:.4f}  {time.time() - t0:.0f} s",
            flush=True,
        )
    previous = model.meta if args.init else {}
    meta = {
        "n_train": len(data),
        "epochs": args.epochs + int(previous.get("epochs", 0)),
        "batch": args.batch,
        "lr": args.lr,
        "seed": args.seed,
        "balance": args.balance,
        "edge_width_deg": model.edge_width_deg,
        "near_edge": args.near_edge,
        "val_accuracy": acc,
        "val_mae": mae,
        "train_seconds": round(time.time() - t0) + int(previous.get("train_seconds", 0)),
        "torch": str(torch.__version__),
        "command": " && ".join(
            c
            for c in (previous.get("command"), "scripts/train_surrogates.py " + " ".join(args.argv))
            if c
        ),
    }
    out = Path(args.out or WEIGHTS / f"{args.model}.pt")
    out.parent.mkdir(parents=True, exist_ok=True)
    save(model, out, meta)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB) after {time.time() - t0:.0f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=sorted(PROBLEMS), required=True)
    p.add_argument("--n-train", type=int)
    p.add_argument("--n-val", type=int, default=200_000)
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument(
        "--balance",
        type=float,
        default=0.5,
        help="0: natural score frequencies; 1: every score equally often",
    )
    p.add_argument(
        "--near-edge",
        type=float,
        default=1.0,
        help="draw postures near a band edge or flag threshold this many times "
        "as often (1: no emphasis)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (1 is fastest on a shared 2-core machine)",
    )
    p.add_argument("--out")
    p.add_argument("--init", help="continue training from these weights (a fresh schedule)")
    p.add_argument(
        "--edge-width",
        type=float,
        help="width (deg) of the soft band-edge steps; default: the initial "
        "weights' (or surrogates.EDGE_WIDTH_DEG from scratch)",
    )
    args = p.parse_args()
    args.argv = sys.argv[1:]
    for key, value in DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    train(args)


if __name__ == "__main__":
    main()
