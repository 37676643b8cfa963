"""The data folder: where uploads and results live, under names the server makes up.

    DATA/ergorisk.db                      SQLite database (unless ERGORISK_DATABASE_URL)
    DATA/assessments/<id>/upload.<ext>    the uploaded file (upload.json: a worksheet)
    DATA/assessments/<id>/mapping.yaml    the joint mapping of a .bvh or .c3d upload
    DATA/assessments/<id>/v<n>/           outputs, version n (the database names the current one)
    DATA/staging/<random>/                work in progress; emptied at every server start

No name a client sends ever reaches a path: folders are integers from the database, the upload
is ``upload`` plus an extension from a fixed list, and downloads are looked up in a fixed list
of output names. Outputs are made in staging and renamed into place in one step, and a new
version becomes current only when the database says so, so no half-written result is visible.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from ergorisk.io.outputs import VIEW_VIDEO

VIDEO_EXTS = (".mp4", ".mov", ".avi", ".mkv", ".webm")
IMAGE_EXTS = (".jpg", ".jpeg", ".png")
POSE_EXTS = (".npy", ".npz", ".csv", ".bvh", ".c3d")
KIND_OF_EXT = {
    **{e: "video" for e in VIDEO_EXTS},
    **{e: "image" for e in IMAGE_EXTS},
    **{e: "pose" for e in POSE_EXTS},
}
# Everything a client may download, and nothing else (also the files of an output version).
DOWNLOADS = (
    "frames.csv",
    "frames.parquet",
    "summary.json",
    "report.html",
    "report.pdf",
    "report.xlsx",
    "annotated.mp4",
    "annotated.png",
)
INTERNAL = ("skeleton.npz", "activity.npz")
# Written again whole whenever the scores or the metadata change.
REPORTS = ("report.html", "report.pdf", "report.xlsx")
# Calibration files that go with several videos of one take (io/calibration.py reads them).
CALIBRATION_EXTS = (".toml", ".qca.txt", ".yml", ".yaml", ".xml")
MAX_CALIBRATION_BYTES = 1 << 20
NEEDS_MAPPING = (".bvh", ".c3d")  # pose files sent with their joint mapping (mapping.yaml)
CHUNK = 1 << 20


class UploadError(ValueError):
    """A refused upload; ``status`` is the HTTP status to answer with (413, 415 or 400)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Storage:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir)
        self.assessments = self.root / "assessments"
        self.staging = self.root / "staging"

    def create(self) -> None:
        for folder in (self.root, self.assessments, self.staging):
            folder.mkdir(parents=True, exist_ok=True)

    def folder(self, assessment_id: int) -> Path:
        return self.assessments / str(int(assessment_id))

    def upload_path(self, assessment_id: int, ext: str) -> Path:
        if ext == ".yaml":  # the joint mapping of a .bvh or .c3d upload
            return self.folder(assessment_id) / "mapping.yaml"
        if ext not in KIND_OF_EXT and ext != ".json":
            raise ValueError(f"not an accepted extension: {ext!r}")
        return self.folder(assessment_id) / f"upload{ext}"

    def output_dir(self, assessment_id: int, version: int) -> Path:
        return self.folder(assessment_id) / f"v{int(version)}"

    def download(self, assessment_id: int, version: int | None, name: str) -> Path | None:
        """The file behind a download name, or None (unknown name, no outputs, not there)."""
        if version is None or not is_download(name):
            return None
        path = self.output_dir(assessment_id, version) / name
        return path if path.is_file() else None

    def new_staging(self, prefix: str) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.staging))

    def saving(self, assessment_id: int) -> bool:
        """Whether new task factors of this assessment are being saved (its reports written
        again, in staging ``save<id>-...``; staging is emptied at every server start)."""
        return any(self.staging.glob(f"save{assessment_id}-*"))

    def save_upload(self, source: BinaryIO, ext: str, max_bytes: int) -> Path:
        """Copy an upload into a staging file in chunks, refusing it past max_bytes or when
        its content does not look like its extension. Returns the staging file."""
        if ext not in KIND_OF_EXT:
            accepted = ", ".join(sorted(KIND_OF_EXT))
            raise UploadError(
                f"unsupported file type {ext or '(no extension)'!r}; accepted: {accepted}", 415
            )
        folder = self.new_staging("upload")
        target = folder / f"upload{ext}"
        size = 0
        try:
            with open(target, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadError(
                            f"the file is larger than the limit of "
                            f"{round(max_bytes / 2**20, 2):g} MB",
                            413,
                        )
                    out.write(chunk)
            if size == 0:
                raise UploadError("the file is empty", 400)
            with open(target, "rb") as f:
                head = f.read(4096)
            if not looks_like(head, ext):
                raise UploadError(f"the content does not look like a {ext} file", 415)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return target

    def adopt_upload(self, staged: Path, assessment_id: int) -> Path:
        """Move a staged upload into the assessment's folder (a rename, same file system)."""
        target = self.upload_path(assessment_id, staged.suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        shutil.rmtree(staged.parent, ignore_errors=True)
        return target

    def adopt_as(self, staged: Path, assessment_id: int, name: str) -> Path:
        """Move a staged file into the assessment's folder under a generated ``name``
        (``view<k>.<ext>``, ``calibration<ext>``, ``track.npz``)."""
        target = self.folder(assessment_id) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        if staged.parent.parent == self.staging:
            with contextlib.suppress(OSError):  # its staging folder, once empty
                staged.parent.rmdir()
        return target

    def view_paths(self, assessment_id: int) -> list[Path]:
        """The videos of a multi-view upload, in the order they were sent."""
        found = [p for p in self.folder(assessment_id).glob("view*") if p.stem[4:].isdigit()]
        return sorted(found, key=lambda p: int(p.stem[4:]))

    def calibration_path(self, assessment_id: int) -> Path | None:
        return next(iter(sorted(self.folder(assessment_id).glob("calibration.*"))), None)

    def people_dir(self, assessment_id: int) -> Path:
        """The people found in a video, waiting for the pick (web/people.py)."""
        return self.folder(assessment_id) / "people"

    def discard(self, staged: Path) -> None:
        """Remove a staged file and its staging folder."""
        if staged.parent.parent == self.staging:
            shutil.rmtree(staged.parent, ignore_errors=True)

    def publish(self, staged_out: Path, assessment_id: int, version: int) -> Path:
        """Rename a finished output folder into place as version ``version``."""
        target = self.output_dir(assessment_id, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # left by a crash before the database recorded it
            shutil.rmtree(target)
        os.rename(staged_out, target)
        return target

    def prune_versions(self, assessment_id: int, keep: int | None, previous: bool = False) -> None:
        """Remove output versions other than ``keep`` (old ones, or unrecorded leftovers);
        ``previous`` also keeps version keep - 1, for a reader that opened it just before."""
        folder = self.folder(assessment_id)
        if not folder.is_dir():
            return
        kept = {f"v{keep}"} | ({f"v{keep - 1}"} if previous and keep else set())
        for child in folder.iterdir():
            if child.is_dir() and child.name.startswith("v") and child.name not in kept:
                shutil.rmtree(child, ignore_errors=True)

    def remove(self, assessment_id: int) -> None:
        shutil.rmtree(self.folder(assessment_id), ignore_errors=True)

    def clear_staging(self) -> int:
        """Empty the staging folder (server start: whatever is there was never finished)."""
        if not self.staging.is_dir():
            return 0
        items = list(self.staging.iterdir())
        for item in items:
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)
        return len(items)


def is_download(name: str) -> bool:
    return name in DOWNLOADS or VIEW_VIDEO.fullmatch(name) is not None


def calibration_ext(name: str) -> str | None:
    """The calibration format a file name says (``.qca.txt`` included), or None."""
    lower = name.lower()
    return next((e for e in CALIBRATION_EXTS if lower.endswith(e)), None)


def looks_like(head: bytes, ext: str) -> bool:
    """A cheap check of a file's first bytes against its extension (magic numbers)."""
    if ext in (".mp4", ".mov"):
        return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
    if ext == ".avi":
        return head[:4] == b"RIFF" and head[8:11] == b"AVI"
    if ext in (".mkv", ".webm"):
        return head[:4] == b"\x1a\x45\xdf\xa3"
    if ext in (".jpg", ".jpeg"):
        return head[:3] == b"\xff\xd8\xff"
    if ext == ".png":
        return head[:8] == b"\x89PNG\r\n\x1a\n"
    if ext == ".npy":
        return head[:6] == b"\x93NUMPY"
    if ext == ".npz":
        return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")
    if ext == ".c3d":
        return len(head) > 1 and head[1] == 0x50
    if ext in (".csv", ".bvh"):
        if b"\x00" in head:
            return False
        try:
            text = head.decode("utf-8", errors="strict" if len(head) < 4096 else "ignore")
        except UnicodeDecodeError:
            return False
        return ext == ".csv" or text.lstrip().upper().startswith("HIERARCHY")
    return False
