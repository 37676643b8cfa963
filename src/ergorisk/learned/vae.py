"""The variational network of Chatzis et al. (2022), sections 3.2-3.3.

- Skel-to-REBA VAE: a multi-stream encoder E_MS (four fully connected layers per stream of
  Table 2) whose concatenated output is cut into tokens for a Transformer encoder E_T of three
  blocks, with a linear dimensionality reduction after each block (as in METRO); E_T gives
  mu and log sigma^2 of the skeletal latent (128). A six-layer decoder D_Skel regresses the
  scores.
- REBA-to-REBA VAE: six-layer encoder E_REBA of the ground-truth scores to a 64-dimensional
  latent, six-layer decoder D_REBA.
- Variational alignment: M_Skel and M_REBA map (mu, sigma) of each latent to a new Gaussian
  in D_Skel's latent space; D_Skel decodes samples of both (phase 2, Eqs. 4-6).

At inference: E_Skel -> M_Skel -> the mean -> D_Skel (no sampling); ``forward`` is that path
and the reference for ``ergorisk.learned.inference.FastVAE``, the same network with its weights
folded for speed, which ``ergorisk predict`` runs. docs/learned-models.md records every choice
the paper leaves open.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ergorisk.learned.layers import Scorer, kl_standard_normal, mlp, sample


@dataclass(frozen=True)
class VAEConfig:
    stream_hidden: tuple[int, ...] = (128, 256, 256)  # E_MS: 3 hidden + 1 output layer
    tokens_per_stream: int = 4
    block_dims: tuple[int, ...] = (128, 64, 32)  # E_T: width of each of the 3 blocks
    layers_per_block: int = 1  # paper: 4
    heads: int = 4
    skel_latent: int = 128
    reba_latent: int = 64
    decoder_hidden: tuple[int, ...] = (256, 256, 128, 64, 32)  # D_Skel: 6 layers
    reba_hidden: int = 128  # E_REBA and D_REBA: 6 layers each
    align_hidden: int = 256
    dropout: float = 0.1
    beta: float = 1e-4
    gamma: float = 1e-2

    def to_dict(self) -> dict:
        return asdict(self)


class SkelEncoder(nn.Module):
    """E_Skel = E_MS (multi-stream) + E_T (Transformer blocks with dimensionality reduction)."""

    def __init__(self, stream_sizes: dict[str, int], cfg: VAEConfig) -> None:
        super().__init__()
        self.sizes = tuple(stream_sizes.values())
        d0, t = cfg.block_dims[0], cfg.tokens_per_stream
        self.t, self.d0 = t, d0
        self.streams = nn.ModuleList(
            [
                mlp([s, *cfg.stream_hidden, t * d0], cfg.dropout, last_activation=True)
                for s in self.sizes
            ]
        )
        n_tokens = t * len(self.sizes)
        self.position = nn.Parameter(torch.zeros(1, n_tokens, d0))
        blocks, reduce = [], []
        dims = [*cfg.block_dims, cfg.block_dims[-1]]
        for d, d_next in itertools.pairwise(dims):
            layer = nn.TransformerEncoderLayer(
                d, cfg.heads, 2 * d, cfg.dropout, batch_first=True, norm_first=True
            )
            blocks.append(
                nn.TransformerEncoder(layer, cfg.layers_per_block, enable_nested_tensor=False)
            )
            reduce.append(nn.Linear(d, d_next))
        self.blocks, self.reduce = nn.ModuleList(blocks), nn.ModuleList(reduce)
        self.head = nn.Linear(n_tokens * cfg.block_dims[-1], 2 * cfg.skel_latent)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        chunks = torch.split(x, list(self.sizes), dim=1)
        tokens = torch.cat(
            [
                s(c).view(x.shape[0], self.t, self.d0)
                for s, c in zip(self.streams, chunks, strict=True)
            ],
            dim=1,
        )
        h = tokens + self.position
        for block, reduce in zip(self.blocks, self.reduce, strict=True):
            if self.training:
                h = block(h)
            else:
                for layer in block.layers:
                    h = _inference_layer(layer, h)
            h = reduce(h)
        mu, logvar = self.head(h.flatten(1)).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 8.0)


def _inference_layer(layer: nn.TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
    """A pre-norm encoder layer without dropout: the same result as ``layer(x)`` in eval
    mode, without the overheads of the generic path on many short sequences (faster CPU
    inference)."""
    attn = layer.self_attn
    batch, tokens, d = x.shape
    qkv = F.linear(layer.norm1(x), attn.in_proj_weight, attn.in_proj_bias)
    q, k, v = qkv.view(batch, tokens, 3, attn.num_heads, d // attn.num_heads).permute(2, 0, 3, 1, 4)
    out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, tokens, d)
    x = x + attn.out_proj(out)
    return x + layer.linear2(F.relu(layer.linear1(layer.norm2(x))))


class Gaussian(nn.Module):
    """A fully connected map to (mu, log sigma^2) of a diagonal Gaussian."""

    def __init__(self, sizes: list[int], latent: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.net = mlp([*sizes, 2 * latent], dropout)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.net(x).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 8.0)


class Align(Gaussian):
    """Variational alignment module M: (mu, log sigma^2) -> a new diagonal Gaussian.

    ``residual``: the output is the input Gaussian plus a learned correction that starts at
    zero, so that the pretrained D_Skel sees its own latent when phase 2 begins.
    """

    def __init__(self, sizes: list[int], latent: int, residual: bool = False) -> None:
        super().__init__(sizes, latent)
        self.residual = residual
        if residual:
            last = self.net[-1]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = super().forward(x)
        if not self.residual:
            return mu, logvar
        mu_in, logvar_in = x.chunk(2, dim=1)
        return mu_in + mu, (logvar_in + logvar).clamp(-12.0, 8.0)


class VariationalREBANet(Scorer):
    def __init__(
        self, stream_sizes: dict[str, int], cfg: VAEConfig | None = None, n_targets: int = 6
    ) -> None:
        super().__init__(sum(stream_sizes.values()), n_targets)
        cfg = cfg or VAEConfig()
        self.cfg = cfg
        r, k = cfg.reba_hidden, n_targets
        self.e_skel = SkelEncoder(stream_sizes, cfg)
        self.d_skel = mlp([cfg.skel_latent, *cfg.decoder_hidden, k])
        self.e_reba = Gaussian([k, r, r, r, r, r], cfg.reba_latent)
        self.d_reba = mlp([cfg.reba_latent, r, r, r, r, r, k])
        z2 = 2 * cfg.skel_latent
        self.m_skel = Align([z2, cfg.align_hidden], cfg.skel_latent, residual=True)
        self.m_reba = Align([2 * cfg.reba_latent, cfg.align_hidden], cfg.skel_latent)

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        mu, logvar = self.e_skel(x)
        mu_a, _ = self.m_skel(torch.cat([mu, logvar], dim=1))
        return self.d_skel(mu_a)

    def phase1_scores(self, x: torch.Tensor) -> torch.Tensor:
        """The Skel-to-REBA VAE alone (before alignment), in REBA units."""
        return self.y_out(self.d_skel(self.e_skel(self.x_norm(x))[0]))

    def losses(self, x: torch.Tensor, y: torch.Tensor, phase: int = 1) -> dict[str, torch.Tensor]:
        """Phase 1: Eqs. 2 + 3 (both VAEs, independent). Phase 2: Eq. 4 (alignment)."""
        beta, gamma = self.cfg.beta, self.cfg.gamma
        xs, ys = self.x_norm(x), self.y_norm(y)
        mu_s, lv_s = self.e_skel(xs)
        mu_r, lv_r = self.e_reba(ys)
        if phase == 1:
            skel = beta * kl_standard_normal(mu_s, lv_s) + _mse(
                self.d_skel(sample(mu_s, lv_s, self.training)), ys, self.y_norm.scale
            )
            reba = beta * kl_standard_normal(mu_r, lv_r) + _mse(
                self.d_reba(sample(mu_r, lv_r, self.training)), ys, self.y_norm.scale
            )
            return {"loss": skel + reba, "skel": skel, "reba": reba}
        mu_as, lv_as = self.m_skel(torch.cat([mu_s, lv_s], dim=1))
        mu_ar, lv_ar = self.m_reba(torch.cat([mu_r, lv_r], dim=1))
        skel = beta * kl_standard_normal(mu_as, lv_as) + _mse(
            self.d_skel(sample(mu_as, lv_as, self.training)), ys, self.y_norm.scale
        )
        reba = beta * kl_standard_normal(mu_ar, lv_ar) + _mse(
            self.d_skel(sample(mu_ar, lv_ar, self.training)), ys, self.y_norm.scale
        )
        return {"loss": skel + gamma * reba, "skel": skel, "reba": reba}


def _mse(pred_std: torch.Tensor, y_std: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """MSE in REBA units (1/K sum over the K scores, as in Eq. 2) from standardised tensors."""
    return ((pred_std - y_std) * scale).pow(2).mean()
