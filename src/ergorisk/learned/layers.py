"""Shared building blocks of the learned scorers (torch)."""

from __future__ import annotations

import itertools

import torch
from torch import nn


class Affine(nn.Module):
    """y = (x - shift) / scale, with shift and scale fixed buffers (saved with the weights)."""

    def __init__(self, size: int, inverse: bool = False) -> None:
        super().__init__()
        self.inverse = inverse
        self.register_buffer("shift", torch.zeros(size))
        self.register_buffer("scale", torch.ones(size))

    def fit(self, data: torch.Tensor) -> None:
        self.shift.copy_(data.mean(0))
        self.scale.copy_(data.std(0).clamp_min(1e-3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.inverse:
            return x * self.scale + self.shift
        return (x - self.shift) / self.scale


def mlp(sizes: list[int], dropout: float = 0.0, last_activation: bool = False) -> nn.Sequential:
    """Linear layers of the given sizes with ReLU between (and after the last if asked)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_activation:
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def kl_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag exp(logvar)) || N(0, I)), summed over dimensions, mean over the batch."""
    return 0.5 * (logvar.exp() + mu.pow(2) - logvar - 1.0).sum(dim=1).mean()


def sample(mu: torch.Tensor, logvar: torch.Tensor, training: bool) -> torch.Tensor:
    """Reparameterised sample while training; the mean otherwise."""
    if not training:
        return mu
    return mu + torch.randn_like(mu) * (0.5 * logvar).exp()


class Scorer(nn.Module):
    """Base of every learned scorer: standardised features in, REBA scores (N, 6) out.

    Subclasses implement ``scores(x_std) -> (N, 6) standardised`` and ``losses(x, y)``.
    """

    def __init__(self, n_features: int, n_targets: int = 6) -> None:
        super().__init__()
        self.x_norm = Affine(n_features)
        self.y_norm = Affine(n_targets)
        self.y_out = Affine(n_targets, inverse=True)

    def fit_normalization(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x_norm.fit(x)
        self.y_norm.fit(y)
        self.y_out.shift.copy_(self.y_norm.shift)
        self.y_out.scale.copy_(self.y_norm.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, F) raw features -> (N, 6) REBA scores in TARGETS order."""
        return self.y_out(self.scores(self.x_norm(x)))

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def losses(self, x: torch.Tensor, y: torch.Tensor, phase: int = 1) -> dict[str, torch.Tensor]:
        """Training losses on a batch; ``loss`` is the one to minimise."""
        mse = (self.forward(x) - y).pow(2).mean()
        return {"loss": mse, "mse": mse}
