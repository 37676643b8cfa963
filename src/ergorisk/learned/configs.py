"""The default, CPU-feasible configuration of every learned scorer, in one place.

Both scripts (train_reba_models.py, evaluate_reba_models.py) read these; docs/learned-models.md
explains each value and the paper's where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ergorisk.learned.train import TrainConfig
from ergorisk.learned.uwiom import POSE_SMOOTHING_S


@dataclass(frozen=True)
class ModelSpec:
    name: str
    train: TrainConfig
    model_kwargs: dict = field(default_factory=dict)
    distances: bool = True  # joint-line distances beside the coordinates
    heading: bool = True  # coordinates in the pelvis heading frame
    augment_copies: int = 3  # augmented sequences per training subject
    # Training targets: "raw" per-frame rule scores (the filter below then makes the
    # predictions comparable with the smoothed labels) or the "smooth" labels (paper).
    targets: str = "raw"
    smooth_window: int = 13  # Savitzky-Golay over predictions (the targets' filter)

    def with_(self, **changes) -> ModelSpec:
        return replace(self, **changes)

    def meta(self) -> dict:
        """What a weights file needs to rebuild and apply the model."""
        return {
            "model": self.name,
            "model_kwargs": dict(self.model_kwargs),
            "distances": self.distances,
            "heading": self.heading,
            "pose_smoothing_s": POSE_SMOOTHING_S,
            "smooth_window": self.smooth_window,
            "train": self.train.to_dict(),
            "augment_copies": self.augment_copies,
            "targets": self.targets,
        }


SPECS: dict[str, ModelSpec] = {
    "mlp": ModelSpec(
        "mlp", TrainConfig(epochs=8, lr=1e-3), {"hidden": (256, 256)}, distances=False
    ),
    "msdn": ModelSpec("msdn", TrainConfig(epochs=8, lr=1e-3)),
    "vae": ModelSpec(
        "vae",
        TrainConfig(epochs=6, align_epochs=2, lr=1e-3),
        {
            "block_dims": (64, 32, 16),
            "stream_hidden": (64, 128, 128),
            "decoder_hidden": (128, 128, 64, 32, 16),
            "reba_hidden": 64,
            "align_hidden": 128,
        },
    ),
}
