"""The inference path of the learned scorers equals their reference forward pass: the folded
``FastVAE`` against ``VariationalREBANet.forward`` (eval mode), the one-pass features against
the per-stream definition, worker threads against one thread."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ergorisk.learned import TARGETS
from ergorisk.learned import features as F
from ergorisk.learned.inference import FastVAE, inference_fn
from ergorisk.learned.predict import load_model, predict_features, predict_skeleton
from ergorisk.learned.train import build
from ergorisk.pose import to_canonical

# Float32 rounding through ~20 layers, in REBA units (scores span 1-15).
TOLERANCE = 1e-4


def _reference(model: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def _random_model(seed: int, **kwargs) -> torch.nn.Module:
    """A small untrained network with non-trivial normalisation, LayerNorm affines and
    biases (all zero or one at initialisation, which would hide folding mistakes)."""
    model = build(
        "vae",
        F.stream_sizes(),
        seed=seed,
        block_dims=(16, 8, 8),
        stream_hidden=(16, 16, 16),
        skel_latent=8,
        decoder_hidden=(16, 16, 16, 16, 16),
        reba_hidden=16,
        align_hidden=16,
        **kwargs,
    )
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or name.endswith("bias") or "m_skel.net.2" in name:
                p.add_(0.3 * torch.randn(p.shape, generator=gen))
        model.x_norm.shift.normal_(generator=gen)
        model.x_norm.scale.uniform_(0.5, 2.0, generator=gen)
        model.y_out.shift.uniform_(1.0, 5.0, generator=gen)
        model.y_out.scale.uniform_(0.5, 3.0, generator=gen)
    return model.eval()


def _features(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, sum(F.stream_sizes().values()))).astype(np.float32)


def test_the_shipped_vae_inference_path_equals_the_model():
    model, _ = load_model("vae")
    x = _features(700)
    fast = inference_fn(model)
    assert isinstance(fast, FastVAE)
    np.testing.assert_allclose(
        fast(torch.from_numpy(x)).numpy(), _reference(model, x), atol=TOLERANCE, rtol=0
    )


@pytest.mark.parametrize("layers_per_block", [1, 2])
def test_folding_is_exact_for_other_configurations(layers_per_block):
    model = _random_model(1, layers_per_block=layers_per_block)
    x = _features(300, seed=1)
    np.testing.assert_allclose(
        FastVAE(model)(torch.from_numpy(x)).numpy(), _reference(model, x), atol=TOLERANCE, rtol=0
    )


def test_attention_keeps_the_max_subtraction_when_the_weights_allow_large_logits():
    model = _random_model(2)
    with torch.no_grad():  # queries and keys large enough for exp() to overflow float32
        for layer in (la for block in model.e_skel.blocks for la in block.layers):
            layer.self_attn.in_proj_weight[: 2 * layer.self_attn.embed_dim] *= 40
    fast = FastVAE(model)
    assert not any(layer.stable for layer in fast.layers)
    x = _features(200, seed=2)
    out = fast(torch.from_numpy(x)).numpy()
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, _reference(model, x), atol=TOLERANCE, rtol=1e-5)


def test_the_shipped_weights_bound_every_attention_logit():
    fast = inference_fn(load_model("vae")[0])
    assert all(layer.stable for layer in fast.layers)


def test_other_scorers_run_their_own_forward_pass():
    model, _ = load_model("msdn")
    assert inference_fn(model) is model


@pytest.mark.parametrize("name", ["vae", "msdn"])
def test_worker_threads_give_the_same_scores_and_keep_missing_frames_empty(name):
    model, _ = load_model(name)
    x = _features(9000, seed=3)  # more than two chunks of the pipeline
    x[[5, 4500, 8999], 7] = np.nan
    before = torch.get_num_threads()
    one = predict_features(model, x, threads=1)
    two = predict_features(model, x, threads=2)
    assert torch.get_num_threads() == before  # the caller's setting is restored
    assert np.isnan(one[[5, 4500, 8999]]).all() and np.isnan(two[[5, 4500, 8999]]).all()
    np.testing.assert_allclose(two, one, atol=TOLERANCE, rtol=0)


def test_one_pass_features_equal_the_per_stream_definition():
    rng = np.random.default_rng(4)
    joints = rng.normal(scale=0.4, size=(600, 14, 3)).astype(np.float32)
    joints[10, 3] = np.nan  # a missing joint
    joints[11, 8] = joints[11, 9]  # a degenerate line (coincident hips)
    for heading in (True, False):
        centred = F.neck_centred(joints)
        if heading:
            centred = F.heading_aligned(centred)
        streams = F.stream_features(centred)
        expected = np.concatenate([streams[s] for s in F.STREAMS], axis=1).astype(np.float32)
        got = F.frame_features(joints, heading=heading, chunk=256)
        np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[10]).any() and np.isfinite(got[11]).all()


def test_heading_frame_coordinates_equal_the_dot_products_with_its_axes():
    from ergorisk.kinematics.body_frames import pelvis_heading

    rng = np.random.default_rng(5)
    centred = F.neck_centred(rng.normal(size=(50, 14, 3)).astype(np.float32))
    idx = F.JOINTS.index
    frame = pelvis_heading(centred[:, idx("left_hip")], centred[:, idx("right_hip")])
    axes = [frame.forward, frame.left, frame.up]
    expected = np.stack([(centred * a[:, None]).sum(-1) for a in axes], axis=-1)
    np.testing.assert_allclose(F.heading_aligned(centred), expected, atol=1e-12, rtol=0)


@pytest.mark.data
def test_predict_matches_the_reference_path_on_uwiom_subjects(shared_data):
    from ergorisk.io.poses import read_pose_file
    from ergorisk.learned.targets import LABEL_POLYORDER, rule_labels, smooth_scores

    model, meta = load_model("vae")
    for subject in ("02", "08", "17"):
        skel = read_pose_file(shared_data / "uw-iom" / "poses" / f"{subject}.npy", layout="uw-iom")
        x = F.skeleton_features(skel, meta["distances"], meta["heading"], meta["pose_smoothing_s"])
        ok = np.isfinite(x).all(axis=1)
        raw = np.full((len(x), len(TARGETS)), np.nan)
        raw[ok] = _reference(model, x[ok])
        reference = smooth_scores(raw, meta["smooth_window"], LABEL_POLYORDER)
        fast = predict_skeleton(skel, "vae", threads=2)[list(TARGETS)].to_numpy()
        assert np.nanmax(np.abs(fast - reference)) < TOLERANCE
        truth = rule_labels(skel)
        mse_ref = np.nanmean((reference[:, -1] - truth[:, -1]) ** 2)
        mse_fast = np.nanmean((fast[:, -1] - truth[:, -1]) ** 2)
        assert abs(mse_fast - mse_ref) < 1e-5


def test_predict_skeleton_on_a_short_sequence_with_threads():
    rng = np.random.default_rng(6)
    pts = np.array(
        [
            [0.0, -0.1, 0.05],
            [0.0, 0.1, 0.05],
            [0.0, -0.1, 0.5],
            [0.0, 0.1, 0.5],
            [0.0, -0.1, 0.95],
            [0.0, 0.1, 0.95],
            [0.0, -0.2, 0.95],
            [0.0, 0.2, 0.95],
            [0.0, -0.2, 1.2],
            [0.0, 0.2, 1.2],
            [0.0, -0.18, 1.45],
            [0.0, 0.18, 1.45],
            [0.0, 0.0, 1.45],
            [0.0, 0.0, 1.65],
            [0.0, 0.0, 1.2],
        ]
    )
    skel = to_canonical(pts + rng.normal(scale=0.005, size=(30, 15, 3)), "uw-iom")
    a = predict_skeleton(skel, "vae", threads=1)
    b = predict_skeleton(skel, "vae", threads=2)
    assert list(a.columns) == ["frame", *TARGETS] and len(a) == 30
    np.testing.assert_allclose(a[list(TARGETS)], b[list(TARGETS)], atol=TOLERANCE)


def test_predict_skeleton_says_what_it_takes():
    # A path gave "'str' object has no attribute 'joint'" from deep inside the features.
    from ergorisk.errors import InputError
    from ergorisk.learned.predict import predict_skeleton

    with pytest.raises(InputError, match=r"takes a Skeleton \(ergorisk.io.poses.read_pose_file"):
        predict_skeleton("poses.npy", "vae")
