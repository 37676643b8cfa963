"""Shipped learned scorers: load weights, predict per-frame REBA for a skeleton.

    from ergorisk.io.poses import read_pose_file
    skeleton = read_pose_file("poses.npy", "uw-iom")   # any layout; a head or ears needed
    frames = predict_skeleton(skeleton, "vae")        # DataFrame: frame, neck, ..., total

Weights live in ``ergorisk/learned/weights/<name>.pt``, written by
``scripts/train_reba_models.py``; nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.errors import InputError
from ergorisk.learned import TARGETS
from ergorisk.learned.features import frame_features, pose_joints, stream_sizes
from ergorisk.learned.targets import LABEL_POLYORDER, smooth_scores
from ergorisk.pose import Skeleton
from ergorisk.weights import weights_path as shipped_weights

SHIPPED: tuple[str, ...] = ("vae", "msdn")


def weights_path(name: str) -> Path:
    """Path of a shipped model's weights (ValueError for an unknown name)."""
    return shipped_weights("ergorisk.learned", name, SHIPPED)


def save_model(model, meta: dict[str, Any], path: str | Path) -> None:
    """Weights (stored as float16 to keep the files small) and the metadata needed to
    rebuild the model."""
    import torch

    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    torch.save({"meta": meta, "state_dict": state}, Path(path))


def load_model_file(path: str | Path):
    """(model in eval mode, metadata) from a weights file written by ``save_model``."""
    import torch

    from ergorisk.learned.train import build

    blob = torch.load(Path(path), map_location="cpu", weights_only=True)
    meta = blob["meta"]
    model = build(meta["model"], stream_sizes(meta["distances"]), **meta["model_kwargs"])
    model.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in blob["state_dict"].items()}
    )
    model.eval()
    return model, meta


@lru_cache(maxsize=4)
def load_model(name: str):
    """A shipped model by name, cached: (model, metadata)."""
    path = weights_path(name)
    if not path.is_file():
        raise FileNotFoundError(
            f"weights for {name!r} are missing at {path}; run scripts/train_reba_models.py"
        )
    return load_model_file(path)


BATCH_SIZE = 512  # rows per network call: fastest on the 2-core CPU (benchmarks/)
CHUNK = 4096  # frames per task of the pipeline (features then network)


def predict_features(
    model, features: np.ndarray, batch_size: int = BATCH_SIZE, threads: int = 1
) -> np.ndarray:
    """(T, 6) raw per-frame scores; rows with a non-finite feature give NaN.

    The network runs through ``inference.inference_fn`` (for ``vae`` a folded, inference-only
    copy equal to the model to float32 rounding); ``threads`` > 1 splits the frames among
    that many worker threads, each running its own batches on one core.
    """
    x = np.asarray(features, dtype=np.float32)
    return _predict(model, len(x), lambda a, b: x[a:b], threads, batch_size)


def _predict(
    model, n_frames: int, features_of, threads: int, batch_size: int = BATCH_SIZE
) -> np.ndarray:
    """(n_frames, 6) scores: ``features_of(a, b)`` gives the features of frames a..b-1,
    computed and scored CHUNK frames at a time (on worker threads when ``threads`` > 1)."""
    from ergorisk.learned.inference import inference_fn

    fn = inference_fn(model)
    out = np.empty((n_frames, len(TARGETS)), dtype=np.float32)

    def task(start: int) -> None:
        stop = min(start + CHUNK, n_frames)
        out[start:stop] = _network(fn, features_of(start, stop), batch_size)

    _run(task, range(0, n_frames, CHUNK), threads)
    return out


def _network(fn, x: np.ndarray, batch_size: int) -> np.ndarray:
    import torch

    ok = np.isfinite(x).all(axis=1)
    out = np.full((len(x), len(TARGETS)), np.nan, dtype=np.float32)
    if ok.any():
        xt = torch.from_numpy(np.ascontiguousarray(x[ok]))
        with torch.inference_mode():
            out[ok] = torch.cat(
                [fn(xt[i : i + batch_size]) for i in range(0, len(xt), batch_size)]
            ).numpy()
    return out


def _run(task, starts: range, threads: int) -> None:
    """task(start) for every start: in order on this thread when ``threads`` is 1, else on
    that many worker threads. Torch runs each operation on one core meanwhile (the workers
    are the parallelism: per-operation threads cost more than they gain on batches of
    small matrices); its setting is restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        if threads <= 1 or len(starts) <= 1:
            for start in starts:
                task(start)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            for _ in pool.map(task, starts):
                pass
    finally:
        torch.set_num_threads(before)


def predict_skeleton(
    skel: Skeleton,
    name: str = "vae",
    smooth: bool = True,
    model=None,
    meta: dict | None = None,
    threads: int = 1,
) -> pd.DataFrame:
    """One row per frame: ``frame`` and the continuous scores in ``TARGETS`` order.

    ``smooth``: the Savitzky-Golay filter of the training targets (window from the weights'
    metadata) over the predictions; frames without a complete skeleton are NaN.
    ``threads``: worker threads for the features and the network (``predict_features``).
    """
    if not isinstance(skel, Skeleton):  # a path read "'str' object has no attribute 'joint'"
        raise InputError(
            f"predict_skeleton takes a Skeleton (ergorisk.io.poses.read_pose_file(path, layout)), "
            f"got {type(skel).__name__}"
        )
    if model is None:
        model, meta = load_model(name)
    meta = meta or {}
    joints = pose_joints(skel, meta.get("pose_smoothing_s", 0.0))
    distances, heading = meta.get("distances", True), meta.get("heading", True)
    scores = _predict(
        model, len(joints), lambda a, b: frame_features(joints[a:b], distances, heading), threads
    )
    scores = scores.astype(float)
    if smooth:
        window = meta.get("smooth_window", 13)
        scores = smooth_scores(scores, window, LABEL_POLYORDER)
    frame = pd.DataFrame(scores, columns=list(TARGETS))
    frame.insert(0, "frame", np.arange(len(frame)))
    return frame


def learned_columns(skel: Skeleton, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """``learned_<model>_<score>`` columns (smoothed predictions) for ``ergorisk assess``."""
    unknown = [n for n in names if n not in SHIPPED]
    if unknown:
        raise ValueError(f"unknown learned model {unknown[0]!r}; shipped: {', '.join(SHIPPED)}")
    out = {}
    for name in names:
        table = predict_skeleton(skel, name)
        out.update({f"learned_{name}_{t}": table[t].to_numpy().round(3) for t in TARGETS})
    return out
