"""MSDN (Konstantinidis et al. 2021): a multi-stream network with intermediate supervision.

Each stream of Table 2 is encoded by its own layers and regresses the partial scores of its
body parts (trunk stream: neck, trunk; arms: upper and lower arm; legs: legs). The streams'
features and partial predictions are fused to regress the total. Every output is supervised.
"""

from __future__ import annotations

import torch
from torch import nn

from ergorisk.learned import TARGETS
from ergorisk.learned.layers import Scorer, mlp

STREAM_TARGETS: dict[str, tuple[str, ...]] = {
    "trunk": ("neck", "trunk"),
    "arms": ("upper_arm", "lower_arm"),
    "legs": ("legs",),
}


class MSDNScorer(Scorer):
    def __init__(
        self,
        stream_sizes: dict[str, int],
        hidden: tuple[int, ...] = (256, 128),
        fusion: tuple[int, ...] = (256, 128),
        dropout: float = 0.1,
    ) -> None:
        super().__init__(sum(stream_sizes.values()), len(TARGETS))
        self.names = tuple(stream_sizes)
        self.sizes = tuple(stream_sizes.values())
        self.streams = nn.ModuleDict(
            {n: mlp([s, *hidden], dropout, last_activation=True) for n, s in stream_sizes.items()}
        )
        self.heads = nn.ModuleDict(
            {n: nn.Linear(hidden[-1], len(STREAM_TARGETS[n])) for n in self.names}
        )
        n_partial = sum(len(STREAM_TARGETS[n]) for n in self.names)
        self.fusion = mlp([hidden[-1] * len(self.names) + n_partial, *fusion, 1], dropout)
        order = [t for n in self.names for t in STREAM_TARGETS[n]]
        self.register_buffer("order", torch.tensor([order.index(t) for t in TARGETS[:-1]]))

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        chunks = torch.split(x, list(self.sizes), dim=1)
        feats = [self.streams[n](c) for n, c in zip(self.names, chunks, strict=True)]
        partial = torch.cat([self.heads[n](f) for n, f in zip(self.names, feats, strict=True)], 1)
        total = self.fusion(torch.cat([*feats, partial], dim=1))
        return torch.cat([partial[:, self.order], total], dim=1)
