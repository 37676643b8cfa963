"""Training of the learned scorers: one loop for every model, seeds explicit.

    model = build("vae", stream_sizes(distances=True))
    history = fit(model, x, y, TrainConfig(epochs=40), seed=0)

The variational network trains in two phases (paper, section 4.2): both VAEs independently,
then the variational alignment with the encoders fine-tuned. The baselines train in one.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ergorisk.learned.layers import Scorer


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 40  # phase 1 (the only phase for mlp and msdn)
    align_epochs: int = 20  # phase 2 of the variational network
    batch_size: int = 128
    lr: float = 1e-4
    weight_decay: float = 0.0
    lr_schedule: str = "cosine"  # "cosine" (to 0 within each phase) or "constant" (paper)
    threads: int = 1
    model_kwargs: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def build(name: str, stream_sizes: dict[str, int], seed: int | None = None, **kwargs) -> Scorer:
    """A fresh, untrained model by name: 'mlp', 'msdn' or 'vae' (weights drawn from
    ``seed`` when given)."""
    if seed is not None:
        torch.manual_seed(seed)
    if name == "mlp":
        from ergorisk.learned.mlp import MLPScorer

        return MLPScorer(sum(stream_sizes.values()), **kwargs)
    if name == "msdn":
        from ergorisk.learned.msdn import MSDNScorer

        return MSDNScorer(stream_sizes, **kwargs)
    if name == "vae":
        from ergorisk.learned.vae import VAEConfig, VariationalREBANet

        return VariationalREBANet(stream_sizes, VAEConfig(**kwargs))
    raise ValueError(f"unknown model {name!r}; known: mlp, msdn, vae")


def phases(model: Scorer, cfg: TrainConfig) -> list[tuple[int, int]]:
    """(phase, epochs) pairs for a model."""
    from ergorisk.learned.vae import VariationalREBANet

    if isinstance(model, VariationalREBANet):
        return [(1, cfg.epochs), (2, cfg.align_epochs)]
    return [(1, cfg.epochs)]


def fit(
    model: Scorer, x: np.ndarray, y: np.ndarray, cfg: TrainConfig, seed: int = 0, log=None
) -> list[dict]:
    """Train ``model`` in place on features x (N, F) and targets y (N, 6); returns the mean
    training losses of every epoch. Deterministic for a given seed and thread count.

    Rows with a non-finite feature or target are left out: a frame the rules could not
    score (UW-IOM subject 14's frame 1188, a trunk twisted past any body's reach, has no
    label since 2026-12-05) turned every weight of the folds that trained on it to NaN."""
    usable = np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1)
    x, y = np.asarray(x)[usable], np.asarray(y)[usable]
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    xt, yt = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
    model.fit_normalization(xt, yt)
    history = []
    for phase, epochs in phases(model, cfg):
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        steps = epochs * -(-len(xt) // cfg.batch_size)
        sched = (
            torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(steps, 1))
            if cfg.lr_schedule == "cosine"
            else None
        )
        for epoch in range(epochs):
            start = time.perf_counter()
            record = train_epoch(model, opt, xt, yt, cfg.batch_size, rng, phase, sched)
            record.update(phase=phase, epoch=epoch, seconds=time.perf_counter() - start)
            history.append(record)
            if log is not None:
                log(record)
    model.eval()
    return history


def train_epoch(
    model: Scorer,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    rng: np.random.Generator,
    phase: int = 1,
    sched: torch.optim.lr_scheduler.LRScheduler | None = None,
) -> dict:
    """One pass over shuffled batches; the mean of each loss term."""
    model.train()
    order = torch.as_tensor(rng.permutation(len(x)))
    sums: dict[str, float] = {}
    n_batches = 0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        if len(idx) < 2:
            continue
        losses = model.losses(x[idx], y[idx], phase)
        opt.zero_grad(set_to_none=True)
        losses["loss"].backward()
        opt.step()
        if sched is not None:
            sched.step()
        for k, v in losses.items():
            sums[k] = sums.get(k, 0.0) + float(v.detach())
        n_batches += 1
    return {k: v / max(n_batches, 1) for k, v in sums.items()}


@torch.no_grad()
def predict_array(model: Scorer, x: np.ndarray, batch_size: int = 8192) -> np.ndarray:
    """(N, 6) scores for features x (N, F), in batches, eval mode."""
    model.eval()
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32))
    return torch.cat([model(xt[i : i + batch_size]) for i in range(0, len(xt), batch_size)]).numpy()
