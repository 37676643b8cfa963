"""One item, in whichever process runs it: assess into a staging folder, move it into place,
mark it done, and return its row. Any failure becomes a failed row with a one-line reason.

``assess_into`` is the only function that knows how an item is assessed (the seam for
``er.assess(source, config=...).to_dir(out_dir)``); nothing else in the batch does.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ergorisk.batch import store
from ergorisk.batch.inputs import BatchItem

DONE, FAILED, SKIPPED = "done", "failed", "skipped"


@dataclass
class ItemResult:
    """One row of batch.csv (the last two fields go to batch.json only)."""

    index: int
    path: str
    name: str
    status: str  # done | failed | skipped
    reason: str = ""
    worker: str = ""
    task: str = ""
    site: str = ""
    take: str = ""
    frames: int | None = None
    scored_s: float | None = None  # seconds with a person scored (time weight of the summaries)
    reba_peak: int | None = None
    reba_median: float | None = None
    rula_peak: int | None = None
    rula_median: float | None = None
    high_pct: float | None = None  # % of the scored time at REBA high or worse (>= 8)
    reba_mean: float | None = None
    pid: int | None = None
    host: str = ""
    seconds: float | None = None
    reba_time_s_by_level: dict[str, float] = field(default_factory=dict)
    episodes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def for_item(cls, item: BatchItem, status: str, **values: Any) -> ItemResult:
        meta = {k: getattr(item, k) for k in ("worker", "task", "site", "take")}
        return cls(
            index=item.index,
            path=str(item.path),
            name=item.name,
            status=status,
            **{**meta, **values},
        )


def run_item(item: BatchItem, out_dir: Path) -> ItemResult:
    """Assess item into out_dir (built in OUT/.staging, then renamed) and mark it done."""
    started = time.perf_counter()
    where = {"pid": os.getpid(), "host": socket.gethostname()}
    stage = store.new_stage(out_dir.parent, item.name)
    try:
        built = stage / "out"
        assess_into(item, built)
        from ergorisk.batch.metrics import item_metrics

        result = ItemResult.for_item(item, DONE, **item_metrics(built), **where)
        result.seconds = round(time.perf_counter() - started, 3)
        record = {**result.to_dict(), "fingerprint": store.fingerprint(item.path, item.options)}
        store.publish(built, out_dir, record)
        store.forget_failure(out_dir.parent, item.name)
        return result
    except Exception as err:  # one bad item never stops the batch: it becomes a failed row
        result = ItemResult.for_item(
            item,
            FAILED,
            reason=_reason(err, item.path),
            seconds=round(time.perf_counter() - started, 3),
            **where,
        )
        if _is_the_input(err):  # the same file would fail again: remember it (resume)
            record = {**result.to_dict(), "fingerprint": store.fingerprint(item.path, item.options)}
            store.remember_failure(out_dir.parent, item.name, record)
        return result
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _is_the_input(err: Exception) -> bool:
    """A corrupt, unreadable or invalid input, as opposed to a crash or an I/O hiccup that a
    second try may get past."""
    from ergorisk.pose import PoseInputError

    return isinstance(err, PoseInputError | ValueError)


def _reason(err: Exception, path: Path) -> str:
    from ergorisk.errors import first_line
    from ergorisk.pose import PoseInputError

    text = first_line(err)
    if not isinstance(err, PoseInputError | ValueError | OSError):
        text = f"{type(err).__name__}: {text}"  # not an input problem: say what broke
    return text if str(path) in text or path.name in text else f"{path.name}: {text}"


def assess_into(item: BatchItem, out_dir: Path) -> None:
    """THE SEAM: write what `ergorisk assess` writes for item into out_dir (a new folder).

    Today it calls the existing functions; with the public API it becomes:

        import ergorisk as er
        er.assess(item.path, config=er.Config.from_overrides(item.options)).to_dir(out_dir)
    """
    from ergorisk.assess import assess_file
    from ergorisk.assess_media import MediaOptions, assess_media
    from ergorisk.kinematics import TaskFactors
    from ergorisk.media_command import is_media, parse_roi
    from ergorisk.pose.video import MediaInputError
    from ergorisk.scoring.worksheet import COUPLING_NAMES

    o = item.options
    path = item.path
    if not path.is_file():
        raise MediaInputError(
            f"{path}: no such file" if not path.exists() else f"{path}: not a file"
        )
    coupling = str(o.get("coupling", "good")).lower()
    code = (
        COUPLING_NAMES.index(coupling)
        if coupling in COUPLING_NAMES
        else (int(coupling) if coupling.isdigit() else -1)
    )
    task = TaskFactors(
        load_kg=o.get("load_kg", 0.0),
        shock=o.get("shock", False),
        coupling=code,
        static=o.get("static"),
        repeated=o.get("repeated"),
        rapid_change=o.get("rapid_change"),
    )
    options = _kinematics_options(o.get("options"))
    if "smoothing_s" in o:
        options = options.with_(smoothing_s=o["smoothing_s"])
    if o.get("arm_support"):
        options = options.with_(detect_arm_support=True)
    tol = o.get("upright_tol_deg", 5.0)
    learned = tuple(o.get("learned") or ())
    if unknown := [m for m in learned if m not in ("vae", "msdn")]:
        raise ValueError(f"unknown learned model {unknown[0]!r}; shipped: vae, msdn")
    if is_media(path):
        if learned:
            raise ValueError("learned works with pose files, not with a video or image")
        media = MediaOptions(
            start_s=o.get("start", 0.0),
            end_s=o.get("end"),
            stride=o.get("stride", 1),
            camera_pitch_deg=o.get("camera_pitch_deg"),
            roi=parse_roi(o.get("roi")),
            annotate=o.get("video", True),
            report=o.get("report", True),
        )
        assess_media(path, out_dir, media, options, task, tol)
        return
    layout = o.get("layout")
    if layout is None and path.suffix.lower() not in (".bvh", ".c3d"):
        raise ValueError(f"{path}: give layout (a manifest column or --set layout=...)")
    assess_file(
        path,
        out_dir,
        layout,
        fps=o.get("fps"),
        up=o.get("up"),
        units=o.get("units", "auto"),
        mapping=o.get("mapping"),
        options=options,
        task=task,
        upright_tol_deg=tol,
        learned=learned,
    )


def _kinematics_options(path: Path | None):
    import yaml

    from ergorisk.kinematics import KinematicsOptions

    if path is None:
        return KinematicsOptions()
    values = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}  # JSON is YAML too
    if not isinstance(values, dict):
        raise ValueError(f"{path}: expected name: value pairs")
    return KinematicsOptions.from_mapping(values)
