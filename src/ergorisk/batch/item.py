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
    # What was assessed: video, image, pose, ... (summary.json's options.kind); where an
    # item failed before its assessment said, what its name says or empty (BatchItem.kind).
    kind: str = ""
    frames: int | None = None
    scored_s: float | None = None  # seconds with a person scored (time weight of the summaries)
    reba_peak: int | None = None
    reba_median: float | None = None
    rula_peak: int | None = None
    rula_median: float | None = None
    # % of the scored time at REBA high or worse (>= 8); the summaries' high_pct is high alone.
    high_or_worse_pct: float | None = None
    reba_mean: float | None = None
    warnings: str = ""  # summary.json's, " | " between them: what assess would have printed
    pid: int | None = None
    host: str = ""
    seconds: float | None = None
    reba_time_s_by_level: dict[str, float] = field(default_factory=dict)
    episodes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def for_item(cls, item: BatchItem, status: str, **values: Any) -> ItemResult:
        """The item's row: its kind as its name says (BatchItem.kind) unless values give the
        one its assessment reported."""
        meta = {k: getattr(item, k) for k in ("worker", "task", "site", "take", "kind")}
        return cls(
            index=item.index,
            path=item.shown,
            name=item.name,
            status=status,
            **{**meta, **values},
        )


def run_item(item: BatchItem, out_dir: Path) -> ItemResult:
    """Assess item into out_dir (built in OUT/.staging, then renamed) and mark it done."""
    started = time.perf_counter()
    where = {"pid": os.getpid(), "host": socket.gethostname()}
    stage = store.new_stage(out_dir.parent, item.name)
    measured: dict[str, Any] = {}  # what the assessment found, for a failed row too
    try:
        built = stage / "out"
        assess_into(item, built)
        from ergorisk.batch.metrics import item_metrics

        measured = item_metrics(built)
        result = ItemResult.for_item(item, DONE, **measured, **where)
        if not result.scored_s:
            raise NothingScored(f"nothing scored: {result.warnings or 'no frame was reliable'}")
        result.seconds = _seconds(started)
        record = {
            **result.to_dict(),
            "fingerprint": item.fingerprint(),
        }
        store.publish(built, out_dir, record)
        store.forget_failure(out_dir.parent, item.name)
        return result
    except Exception as err:  # one bad item never stops the batch: it becomes a failed row
        result = ItemResult.for_item(
            item,
            FAILED,
            **{k: measured[k] for k in KEPT_WHEN_FAILED if k in measured},
            reason=_reason(err, item) + _earlier_result(out_dir, item),
            seconds=_seconds(started),
            **where,
        )
        if _is_the_input(err):  # the same file would fail again: remember it (resume)
            record = {
                **result.to_dict(),
                "fingerprint": item.fingerprint(),
            }
            store.remember_failure(out_dir.parent, item.name, record)
        return result
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# What a failed row keeps of an assessment that ran (nothing scored: the row said neither
# its kind nor its frames): what the input is and how much of it was scored, not scores of
# a result whose folder is not kept.
KEPT_WHEN_FAILED = ("kind", "frames", "scored_s")


def _earlier_result(out_dir: Path, item: BatchItem) -> str:
    """What becomes of an earlier result in the folder of an item that failed now: kept
    where it is of this very input and options (a --force redo that failed) or where the
    input is missing now (an archived video or a share not mounted: nothing says it was
    replaced), removed where it is not (the file was replaced: its old report.pdf, marked
    done, outlived a redo that failed). The reason's ending, saying which."""
    if not out_dir.exists():
        return ""
    if store.read_done(out_dir, item.fingerprint()) is not None:
        return f"; {out_dir.name}/ keeps the earlier result of this same input and options"
    if (out_dir / store.MARKER).is_file() and not all(
        p.exists() for p in (item.views or (item.path,))
    ):
        return f"; {out_dir.name}/ keeps its earlier result (made when the input was there)"
    store.retire(out_dir)
    return f"; {out_dir.name}/ held an earlier result of another file or options: removed"


class NothingScored(ValueError):
    """An input assessed without error, but with no frame scored (nobody in the video, or
    never reliably): a failed row, not a done one with every score empty."""


def _is_the_input(err: Exception) -> bool:
    """A corrupt, unreadable or invalid input, as opposed to a crash or an I/O hiccup that a
    second try may get past."""
    from ergorisk.io.poses import PoseInputError

    return isinstance(err, PoseInputError | ValueError)


def _reason(err: Exception, item: BatchItem) -> str:
    """The failure in one line, naming the input unless it does already (a take by its
    name: its first video's name blamed it for another view's or the calibration's fault)."""
    from ergorisk.batch.inputs import manifest_words
    from ergorisk.errors import first_line
    from ergorisk.io.poses import PoseInputError

    text = manifest_words(first_line(err), item.options)
    if not isinstance(err, PoseInputError | ValueError | OSError):
        text = f"{type(err).__name__}: {text}"  # not an input problem: say what broke
    if item.views:
        return f"take {item.take}: {text}"
    path = item.path
    return text if str(path) in text or path.name in text else f"{path.name}: {text}"


def assess_into(item: BatchItem, out_dir: Path) -> None:
    """Write what `ergorisk assess` writes for item into out_dir (a new folder): the item's
    options are `assess` flags (manifest columns, --set), its worker/task/site/notes the
    report's metadata."""
    from ergorisk.assessment import assess  # errors in the CLI's words (--layout), as assess'
    from ergorisk.batch.inputs import manifest_words, people_in_batch
    from ergorisk.errors import keyword_warnings

    result = assess(item.source, config=item_config(item))
    # Its warnings name the manifest's columns, not flags batch does not have (--start),
    # and where people = all is done: not in a batch.
    keyword_warnings(result, lambda text: people_in_batch(manifest_words(text, item.options)))
    result.to_dir(out_dir)


def item_config(item: BatchItem) -> Any:
    """The item's Config: its options as `assess` flags over its --config file, its
    worker/task/site/notes as the report's metadata. Raises ValueError (ConfigError) on a
    bad value or combination."""
    from ergorisk.cli.assess import config_from_flags

    options = dict(item.options)
    config_file = options.pop("config", None)
    meta = {"worker": item.worker, "task": item.task, "site": item.site, "notes": item.notes}
    return config_from_flags({**options, **{k: v for k, v in meta.items() if v}}, config_file)


def _seconds(started: float) -> float:
    """Seconds since ``started`` to the microsecond: a corrupt file fails in under half a
    millisecond, which milliseconds rounded to 0.000 (as if it had not been timed)."""
    return round(time.perf_counter() - started, 6)
