"""A plain multilayer perceptron baseline: all features -> the six REBA scores."""

from __future__ import annotations

import torch

from ergorisk.learned.layers import Scorer, mlp


class MLPScorer(Scorer):
    def __init__(
        self,
        n_features: int,
        hidden: tuple[int, ...] = (256, 256),
        dropout: float = 0.1,
        n_targets: int = 6,
    ) -> None:
        super().__init__(n_features, n_targets)
        self.net = mlp([n_features, *hidden, n_targets], dropout)

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
