"""Where the time of `ergorisk assess` goes, phase by phase, on one clip (one run).

    .venv/bin/python benchmarks/profile_assess.py CLIP [--out FILE.json]

Phases (wall seconds and CPU seconds of this process): imports of the CLI and of the
pipeline, bare MediaPipe on decoded frames (in chunks, so memory stays small), the pose pass,
kinematics and scoring, the annotated-video pass split into decoding, face detection, blurring
and drawing, and encoding, and each report format. Runs the stages one after the other, so
the parts add up; `ergorisk assess` overlaps some of them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(table: dict[str, Any], name: str, run: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    table[name] = {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }
    print(f"  {name:28s} {table[name]['wall_s']:7.2f} s wall {table[name]['cpu_s']:7.2f} s cpu")
    return value


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def bare_mediapipe(clip: Path, chunk: int = 200) -> float:
    """Seconds of MediaPipe alone over every frame, decoded beforehand chunk by chunk."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_video import mediapipe_pose
    from ergorisk.io.video import iter_frames

    total = 0.0
    frames = iter_frames(clip)
    with mediapipe_pose() as pose:
        while True:
            batch = [f.rgb for _, f in zip(range(chunk), frames, strict=False)]
            if not batch:
                return total
            start = time.perf_counter()
            for rgb in batch:
                pose.process(rgb)
            total += time.perf_counter() - start


def second_pass(clip: Path, a: Any, stage: Path, table: dict[str, Any]) -> None:
    """The annotated-video pass, stage by stage, each over all frames."""
    from ergorisk.io.video import iter_frames
    from ergorisk.report.annotate import annotate_frame
    from ergorisk.report.faces import FaceDetector, blur_faces, face_boxes_from_pose
    from ergorisk.report.media import DrawingRows
    from ergorisk.report.video_writer import H264Writer

    media, track = a.config.media, a.track
    rows = DrawingRows(a.frames)

    def frames() -> Any:
        return iter_frames(clip, media.start_s, media.end_s, media.stride, media.annotate_max_side)

    timed(table, "video: decode", lambda: sum(1 for _ in frames()))
    keep = [f.rgb for _, f in zip(range(200), frames(), strict=False)]
    n = len(a.frames)
    scale = n / len(keep)
    boxes: list[Any] = []

    def detect() -> None:
        with FaceDetector() as detector:
            boxes.extend(detector(rgb) for rgb in keep)

    timed(table, "video: face detector x200", detect)
    pose_boxes = [face_boxes_from_pose(track.image[i], keep[i].shape) for i in range(len(keep))]
    blurred: list[Any] = []
    timed(
        table,
        "video: blur x200",
        lambda: blurred.extend(
            blur_faces(rgb, b + p) for rgb, b, p in zip(keep, boxes, pose_boxes, strict=True)
        ),
    )
    drawn: list[Any] = []
    timed(
        table,
        "video: draw x200",
        lambda: drawn.extend(
            annotate_frame(rgb, track.image[i], rows[i], i / a.summary.fps)
            for i, rgb in enumerate(blurred)
        ),
    )

    def encode() -> None:
        with H264Writer(stage / "enc.mp4", a.summary.fps) as writer:
            for rgb in drawn:
                writer.write(rgb)

    timed(table, "video: encode x200", encode)
    for key in ("face detector", "blur", "draw", "encode"):
        entry = table[f"video: {key} x200"]
        table[f"video: {key} (all frames)"] = {k: round(v * scale, 3) for k, v in entry.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    table: dict[str, Any] = {}
    print(f"load average {os.getloadavg()}")
    table["import ergorisk.cli (subprocess)"] = {
        "wall_s": round(import_seconds("import ergorisk.cli"), 3)
    }
    table["import pipeline (subprocess)"] = {
        "wall_s": round(
            import_seconds(
                "import ergorisk.cli, ergorisk.assessment, mediapipe, av, cv2, "
                "ergorisk.report.write, ergorisk.report.document, ergorisk.report.xlsx"
            ),
            3,
        )
    }
    print(table)
    import ergorisk as er
    from ergorisk.assessment import MediaPoses, _assess_track
    from ergorisk.config import Config
    from ergorisk.io.video import probe_video

    info = probe_video(args.clip)
    n = info.n_frames
    bare = timed(table, "bare MediaPipe (decoded)", lambda: bare_mediapipe(args.clip))
    table["bare MediaPipe (decoded)"]["wall_s"] = round(bare, 3)
    cfg = Config()
    media = timed(
        table,
        "pose pass",
        lambda: MediaPoses.estimate(args.clip, "video", cfg, lambda *_: None),
    )
    a = timed(
        table,
        "kinematics + scoring",
        lambda: _assess_track(args.clip, "video", cfg, media, media.track),
    )
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        from ergorisk.io.outputs import write_tables

        timed(
            table,
            "frames.csv/parquet, summary",
            lambda: write_tables(a.frames, a.summary.to_dict(), stage),
        )
        second_pass(args.clip, a, stage, table)
        from ergorisk.report.document import render_html, render_pdf
        from ergorisk.report.model import build_report, picture_rows
        from ergorisk.report.xlsx import write_xlsx

        episodes = timed(table, "report: worst episodes", a.worst_episodes)
        picture_rows(episodes)
        report = timed(
            table,
            "report: model (+recommend)",
            lambda: build_report(a.frames, a.summary.to_dict(), cfg.meta, {}, episodes, 5.0),
        )
        page = timed(table, "report: html", lambda: render_html(report))
        timed(table, "report: pdf", lambda: render_pdf(page))
        timed(table, "report: xlsx", lambda: write_xlsx(report, a.frames))
        wall, cpu = time.perf_counter(), time.process_time()
        er.assess(args.clip).to_dir(stage / "out")
        table["er.assess + to_dir (whole)"] = {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
        }
    print(f"{n} frames; bare MediaPipe {n / bare:.1f} fps")
    for name, entry in table.items():
        print(f"  {name:34s} " + "  ".join(f"{k} {v:7.2f}" for k, v in entry.items()))
    if args.out:
        args.out.write_text(
            json.dumps({"frames": n, "load_avg": os.getloadavg(), "phases": table}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
