"""Inference-only forward passes of the learned scorers (CPU speed; same results).

``inference_fn(model)`` gives the function that ``predict_features`` runs on batches of raw
features: for the variational network a ``FastVAE``, a copy of the trained weights folded
for the one path used at inference (E_Skel -> M_Skel -> the mean -> D_Skel); for the other
scorers the model's own forward pass. ``FastVAE`` equals ``VariationalREBANet.forward`` in
eval mode to float32 rounding (tests/test_learned_inference.py); what it changes:

- Algebra folded into the weights: input standardization into the first layer of each
  stream, LayerNorm gains and biases into the next linear layer, log2(e) / sqrt(head dim)
  into the queries (the softmax uses exp2), the reduction after each Transformer block
  into that block's last linear layers, M_Skel's unused log-variance half dropped and its
  bias folded into D_Skel, the output de-standardization into D_Skel's last layer.
- Attention by two batched matrix products and an explicit softmax: PyTorch's fused CPU
  attention and ``softmax`` spend most of their time on per-row overheads for sequences of
  12 tokens (about 6 us per frame and block against 2 here). Each value vector carries an
  extra constant 1, so the second product also yields the softmax denominators, and the
  output projection's bias rides on that 1. The max-subtraction of the softmax is skipped
  only where the weights bound every attention logit below ``SAFE_LOGIT`` for any input
  (a pre-norm layer's queries and keys are linear maps of LayerNorm outputs, whose norm is
  at most sqrt(width)); otherwise it is kept.
- In-place ReLU, bias and residual updates; no dropout, sampling or REBA-to-REBA branch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

# exp(60) * 12 tokens stays far below float32's maximum (3.4e38) and exp(-60) above its
# smallest normal number, so a softmax without max-subtraction is exact to rounding.
SAFE_LOGIT = 60.0


def inference_fn(model: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """The inference-only forward pass of a trained scorer: (N, F) raw features -> (N, 6)."""
    from ergorisk.learned.vae import VariationalREBANet

    model.eval()
    if isinstance(model, VariationalREBANet):
        return FastVAE(model)
    return model


def _linears(seq: nn.Module) -> list[nn.Linear]:
    return [m for m in seq.modules() if isinstance(m, nn.Linear)]


class _Layer:
    """One pre-norm Transformer encoder layer, folded; optionally followed by a linear
    reduction ``reduce`` (folded into the residual and the second FFN layer)."""

    def __init__(self, layer: nn.TransformerEncoderLayer, reduce: nn.Linear | None) -> None:
        attn = layer.self_attn
        d, h = attn.embed_dim, attn.num_heads
        hd = d // h
        self.d, self.heads, self.head_dim = d, h, hd
        self.mean = torch.full((d, 1), 1.0 / d)
        self.eps1, self.eps2 = layer.norm1.eps, layer.norm2.eps
        w_in, b_in = _fold_norm(layer.norm1, attn.in_proj_weight, attn.in_proj_bias)
        # Queries pre-scaled for exp2: exp(q.k / sqrt(hd)) = 2 ** (q.k * log2(e) / sqrt(hd)).
        scale = math.log2(math.e) / math.sqrt(hd)
        self.stable = self._logit_bound(w_in, b_in) / math.sqrt(hd) < SAFE_LOGIT
        # Rows per token: q (heads * hd), k (heads * hd), then v with a constant 1 appended
        # to each head (heads * (hd + 1)).
        w_q, w_k, w_v = w_in.chunk(3)
        b_q, b_k, b_v = b_in.chunk(3)
        w_v1 = torch.cat([w_v.view(h, hd, d), torch.zeros(h, 1, d)], 1).view(-1, d)
        b_v1 = torch.cat([b_v.view(h, hd), torch.ones(h, 1)], 1).view(-1)
        self.w_qkv = torch.cat([w_q * scale, w_k, w_v1]).t().contiguous()
        self.b_qkv = torch.cat([b_q * scale, b_k, b_v1])
        # Output projection over (heads, hd + 1): the bias on head 0's constant 1.
        w_out = torch.zeros(d, h, hd + 1)
        w_out[:, :, :hd] = attn.out_proj.weight.view(d, h, hd)
        w_out[:, 0, hd] = attn.out_proj.bias
        self.w_out = w_out.view(d, -1).t().contiguous()
        w1, self.b1 = _fold_norm(layer.norm2, layer.linear1.weight, layer.linear1.bias)
        self.w1 = w1.t().contiguous()
        w2, bias2 = layer.linear2.weight, layer.linear2.bias
        if reduce is None:
            self.w_res, self.b_res, self.w2 = None, bias2.clone(), w2.t().contiguous()
        else:  # reduce(x + W2 f + b2) = R x + (R W2) f + (R b2 + b_R)
            self.w_res = reduce.weight.t().contiguous()
            self.b_res = reduce.weight @ bias2 + reduce.bias
            self.w2 = (reduce.weight @ w2).t().contiguous()

    def _logit_bound(self, w_in: torch.Tensor, b_in: torch.Tensor) -> float:
        """Largest |q.k| for any input: |LayerNorm output| <= sqrt(d) before its affine
        (folded into w_in, b_in)."""
        d, hd = self.d, self.head_dim
        worst = 0.0
        for head in range(self.heads):
            norms = []
            for part in (0, d):  # queries, keys
                rows = slice(part + head * hd, part + (head + 1) * hd)
                norms.append(
                    float(torch.linalg.matrix_norm(w_in[rows], 2)) * math.sqrt(d)
                    + float(b_in[rows].norm())
                )
            worst = max(worst, norms[0] * norms[1])
        return worst

    def _normalize(self, x: torch.Tensor, eps: float) -> torch.Tensor:
        """LayerNorm without its affine (folded into the next layer); the row means by a
        matrix-vector product, faster than ``layer_norm`` on rows of 16-64."""
        xc = x - x @ self.mean
        return xc.mul_((xc * xc).mm(self.mean).add_(eps).rsqrt_())

    def __call__(self, x: torch.Tensor, batch: int) -> torch.Tensor:
        """x: (batch * tokens, d), consumed (updated in place)."""
        d, h, hd = self.d, self.heads, self.head_dim
        tokens = x.shape[0] // batch
        qkv = torch.addmm(self.b_qkv, self._normalize(x, self.eps1), self.w_qkv)
        qkv = qkv.view(batch, tokens, -1)
        outs = []
        for i in range(h):
            q = qkv[:, :, i * hd : (i + 1) * hd]
            k = qkv[:, :, d + i * hd : d + (i + 1) * hd]
            v = qkv[:, :, 2 * d + i * (hd + 1) : 2 * d + (i + 1) * (hd + 1)]
            s = torch.bmm(q, k.transpose(1, 2))
            if not self.stable:
                s = s.sub_(s.amax(-1, keepdim=True))
            outs.append(torch.bmm(s.exp2_(), v))  # sums of 2^s v, then of 2^s
        o = torch.cat(outs, dim=2).view(batch, tokens, h, hd + 1)
        o = (o / o[..., -1:]).view(batch * tokens, -1)
        x = x.addmm_(o, self.w_out)
        n2 = self._normalize(x, self.eps2)
        f = torch.addmm(self.b1, n2, self.w1).relu_()
        if self.w_res is None:
            return x.addmm_(f, self.w2).add_(self.b_res)
        return torch.addmm(self.b_res, x, self.w_res).addmm_(f, self.w2)


def _fold_norm(
    norm: nn.LayerNorm, weight: torch.Tensor, bias: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """W (g * n + b) + c = (W g) n + (W b + c): a LayerNorm's affine folded into a linear."""
    return weight * norm.weight, bias + weight @ norm.bias


class FastVAE:
    """Inference-only ``VariationalREBANet`` (eval mode, no grad): (N, F) raw features ->
    (N, 6) scores in REBA units, equal to ``model(x)`` to float32 rounding."""

    @torch.no_grad()
    def __init__(self, model: nn.Module) -> None:
        enc = model.e_skel
        self.sizes, self.tokens_per_stream, self.width = list(enc.sizes), enc.t, enc.d0
        shift, scale = model.x_norm.shift, model.x_norm.scale
        self.streams = []
        for stream, cols in zip(
            enc.streams, torch.split(torch.arange(len(shift)), self.sizes), strict=True
        ):
            layers = [(m.weight, m.bias) for m in _linears(stream)]
            w, b = layers[0]
            w = w / scale[cols]  # (x - shift) / scale folded into the first layer
            layers[0] = (w, b - w @ shift[cols])
            self.streams.append([(w.t().contiguous(), b.clone()) for w, b in layers])
        self.position = enc.position.reshape(-1).clone()
        self.layers = []
        for block, reduce in zip(enc.blocks, enc.reduce, strict=True):
            stack = list(block.layers)
            self.layers += [
                _Layer(layer, reduce if i == len(stack) - 1 else None)
                for i, layer in enumerate(stack)
            ]
        latent = model.cfg.skel_latent
        self.w_head, self.b_head = enc.head.weight.t().contiguous(), enc.head.bias.clone()
        (w_a1, b_a1), (w_a2, b_a2) = [(m.weight, m.bias) for m in _linears(model.m_skel)]
        self.w_a1 = w_a1.t().contiguous()
        self.b_a1 = b_a1.clone()
        dec = [(m.weight, m.bias) for m in _linears(model.d_skel)]
        w_d0, b_d0 = dec[0]
        # D_Skel(mu + W_a2 a + b_a2): mu and a enter its first layer separately.
        self.w_mu = w_d0.t().contiguous()
        self.w_a = (w_d0 @ w_a2[:latent]).t().contiguous()
        self.b_d0 = b_d0 + w_d0 @ b_a2[:latent]
        out_shift, out_scale = model.y_out.shift, model.y_out.scale
        w_last, b_last = dec[-1]
        dec[-1] = (w_last * out_scale[:, None], b_last * out_scale + out_shift)
        self.decoder = [(w.t().contiguous(), b.clone()) for w, b in dec[1:]]
        self.latent = latent
        self.clamp = (-12.0, 8.0)

    @torch.inference_mode()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        batch = x.shape[0]
        outs = []
        for cols, layers in zip(torch.split(x, self.sizes, dim=1), self.streams, strict=True):
            h = cols
            for w, b in layers:
                h = torch.addmm(b, h, w).relu_()
            outs.append(h)
        tokens = torch.cat(outs, dim=1).add_(self.position)
        h = tokens.view(-1, self.width)
        for layer in self.layers:
            h = layer(h, batch)
        z = torch.addmm(self.b_head, h.view(batch, -1), self.w_head)
        mu, logvar = z[:, : self.latent], z[:, self.latent :]
        logvar.clamp_(*self.clamp)
        a = torch.addmm(self.b_a1, z, self.w_a1).relu_()
        y = torch.addmm(self.b_d0, mu, self.w_mu).addmm_(a, self.w_a).relu_()
        for i, (w, b) in enumerate(self.decoder):
            y = torch.addmm(b, y, w)
            if i < len(self.decoder) - 1:
                y = y.relu_()
        return y
