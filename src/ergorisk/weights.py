"""Paths of the model weights shipped inside the package (nothing is downloaded).

Each model package keeps its files in its own ``weights/`` folder:
``ergorisk/learned/weights/{vae,msdn}.pt`` and ``ergorisk/differentiable/weights/{dula,deba}.pt``.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path


def weights_path(package: str, name: str, shipped: Iterable[str]) -> Path:
    """Path of ``<package>/weights/<name>.pt`` (ValueError for a name not in ``shipped``)."""
    shipped = tuple(shipped)
    if name not in shipped:
        raise ValueError(f"unknown model {name!r}; shipped: {', '.join(shipped)}")
    return Path(str(resources.files(package) / "weights" / f"{name}.pt"))
