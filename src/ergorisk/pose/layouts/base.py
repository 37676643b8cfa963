"""What a pose layout is: a joint order mapped onto canonical names, and its file defaults."""

from __future__ import annotations

from dataclasses import dataclass

from ergorisk.pose.skeleton import JOINT_INDEX

UP_AXES = ("z", "y", "-y")


@dataclass(frozen=True)
class Layout:
    """A source joint order. ``joints[i]`` is the canonical name of source joint i, or None."""

    name: str
    joints: tuple[str | None, ...]
    default_up: str = "z"
    default_fps: float | None = None
    description: str = ""
    # The source's own joint names (e.g. MediaPipe's landmark names), for CSV headers.
    source_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        unknown = [j for j in self.joints if j is not None and j not in JOINT_INDEX]
        if unknown:
            raise ValueError(f"layout {self.name}: unknown canonical joints {unknown}")
        if self.source_names is not None and len(self.source_names) != len(self.joints):
            raise ValueError(f"layout {self.name}: source_names must name every joint")
        if self.default_up not in UP_AXES:
            raise ValueError(f"layout {self.name}: default_up must be one of {UP_AXES}")

    @property
    def n_joints(self) -> int:
        return len(self.joints)
