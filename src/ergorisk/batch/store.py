"""The output folder's bookkeeping: staging, the atomic move into place, the done markers.

    OUT/.staging/<name>.<random>/   an item being built (removed at the start of every run)
    OUT/<name>/                     appears whole, by one rename, only when complete
    OUT/<name>/.batch-done.json     written last (after the rename): the item's batch.csv row
    OUT/.failed/<name>.json         an input that failed (corrupt, invalid): not retried while
                                    the file and its options stay the same

A batch killed at any moment therefore leaves finished items with their marker, and at most
a staging folder (cleaned by the next run) or a complete item folder without a marker (redone).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STAGING = ".staging"
FAILED = ".failed"
MARKER = ".batch-done.json"
LOCK = ".batch.lock"


def fingerprint(
    path: Path,
    options: dict[str, Any],
    meta: dict[str, str] | None = None,
    views: tuple[Path, ...] = (),
) -> str:
    """What decides an item's outputs: an item is redone when its options, its file (size,
    modification time; a take's: each view's) or what its reports say of it (``meta``:
    worker, task, site, notes) change; a changed worker was "skipped" onto a report naming
    the old one."""

    def stat(p: Path) -> list[int] | None:
        try:
            st = p.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    record: dict[str, Any] = {
        "path": str(path),
        "file": stat(path),
        "options": json.loads(json.dumps(options, sort_keys=True, default=str)),
        "meta": dict(sorted((meta or {}).items())),
    }
    if views:  # (absent otherwise: an earlier batch's single items stay done)
        record["views"] = [[str(v), stat(v)] for v in views]
    text = json.dumps(record)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def new_stage(out_root: Path, name: str) -> Path:
    staging = out_root / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}.", dir=staging))


def publish(built: Path, target: Path, record: dict[str, Any]) -> None:
    """Move a complete item folder into place (replacing an older one), then mark it done."""
    old = _move_aside(target) if target.exists() else None
    os.rename(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    write_json_atomic(target / MARKER, record)


def retire(target: Path) -> None:
    """Remove an item folder as publish replaces one: moved aside, then deleted."""
    shutil.rmtree(_move_aside(target), ignore_errors=True)


def _move_aside(target: Path) -> Path:
    """An item folder out of the way by one rename, into staging (a kill before it is
    deleted leaves nothing a later run could take for a result); returns where it went."""
    old = Path(tempfile.mkdtemp(prefix=f"{target.name}.old.", dir=target.parent / STAGING))
    os.rename(target, old / "out")
    return old


def write_json_atomic(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp makes it 0600; the folder may be shared (NFS): as readable as batch.csv
        os.chmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, default=str)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_umask() -> int:
    mask = os.umask(0)  # the only way to read it; set back at once, at import (one thread)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def read_done(target: Path, expected: str) -> dict[str, Any] | None:
    """The marker's record when target is done with these options, else None."""
    return _read_record(target / MARKER, expected)


def read_failure(out_root: Path, name: str, expected: str) -> dict[str, Any] | None:
    return _read_record(out_root / FAILED / f"{name}.json", expected)


def _read_record(path: Path, expected: str) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("fingerprint") == expected else None


def remember_failure(out_root: Path, name: str, record: dict[str, Any]) -> None:
    (out_root / FAILED).mkdir(exist_ok=True)
    write_json_atomic(out_root / FAILED / f"{name}.json", record)


def forget_failure(out_root: Path, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (out_root / FAILED / f"{name}.json").unlink()


def other_items(out_root: Path, names: set[str]) -> list[str]:
    """Items of earlier runs in OUT (a done item's folder, a failed input's record) that are
    not in ``names``: a run of some inputs writes batch.csv and the summaries for those."""
    done = {p.parent.name for p in out_root.glob(f"*/{MARKER}")}
    failed = {p.stem for p in (out_root / FAILED).glob("*.json")}
    return sorted((done | failed) - names)


def clean_staging(out_root: Path) -> None:
    """Leftovers of a killed run: never a result, always safe to drop (the lock is held)."""
    shutil.rmtree(out_root / STAGING, ignore_errors=True)


def remove_if_unused(out_root: Path) -> None:
    """Remove an output folder that holds nothing but the lock (a batch that failed to start
    leaves no folder behind)."""
    if out_root.is_dir() and [p.name for p in out_root.iterdir()] == [LOCK]:
        (out_root / LOCK).unlink()
        out_root.rmdir()


@contextlib.contextmanager
def locked(out_root: Path) -> Iterator[None]:
    """One batch at a time per output folder; raises BlockingIOError when another holds it."""
    import fcntl

    out_root.mkdir(parents=True, exist_ok=True)
    with open(out_root / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
