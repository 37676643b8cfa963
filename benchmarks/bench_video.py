"""Video pipeline throughput and memory: the main job against bare MediaPipe.

The headline (issue 15): ``ergorisk assess CLIP --out DIR`` as its own process (process start,
imports, pose, scoring, annotated.mp4, report.html/.pdf/.xlsx: everything) in frames per
second, divided by bare MediaPipe's fps on the same frames already decoded. Default clip: the
example clip muxed 4 times (920 frames, 1280x720), as ``repeated_clip`` makes it. Goal >= 0.9.

Also measured, each best of --repeat runs:
- decode: PyAV decoding alone (frames to RGB arrays, nothing else);
- bare MediaPipe: ``Pose.process`` on frames already decoded into memory (the reference);
  also on two threads, each with its own graph on half the frames (both cores);
- sequential: decode then MediaPipe, one after the other on one thread (the naive loop);
- assess: ``er.assess`` + ``to_dir`` without video or report writing (decoding on a
  thread, MediaPipe, kinematics, scoring, frames.csv/.parquet, summary.json);
- assess + writing: the same with annotated.mp4 and report.html.
The CPU seconds of the CLI job (all threads) against bare MediaPipe's give the best ratio
possible on this machine's cores, however well the work overlaps. Then peak memory (max RSS)
of ``ergorisk assess`` as a separate process, on the clip and on the clip repeated
--long-repeat times, to show that it does not grow with the video's length.

    .venv/bin/python benchmarks/bench_video.py [--clip FILE] [--repeat 2] [--out FILE.json]
        [--by-output]   # the CLI job also without face blurring, reports, video: their cost

Goals: the CLI job >= 0.9 x bare MediaPipe (issue 15); >= 30 fps on 720p; bounded memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CLIP = ROOT / "examples" / "sports2d-demo-720p.mp4"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_video.json"
GOAL_RATIO = 0.9
GOAL_720P_FPS = 30.0


def best_fps(run, n_frames: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return n_frames / min(times)


def decode_all(clip: Path) -> list:
    from ergorisk.io.video import iter_frames

    return [f.rgb for f in iter_frames(clip)]


def mediapipe_pose():
    """MediaPipe's Pose as the pipeline configures it (same model and thresholds)."""
    import inspect

    import mediapipe as mp

    from ergorisk.pose.mediapipe_pose import MODEL_COMPLEXITY, MediaPipePose

    defaults = inspect.signature(MediaPipePose).parameters
    return mp.solutions.pose.Pose(
        model_complexity=MODEL_COMPLEXITY,
        min_detection_confidence=defaults["min_detection_confidence"].default,
        min_tracking_confidence=defaults["min_tracking_confidence"].default,
    )


def bare_mediapipe(frames: list) -> None:
    with mediapipe_pose() as pose:
        for rgb in frames:
            pose.process(rgb)


def bare_mediapipe_threads(frames: list, threads: int = 2) -> None:
    """Bare MediaPipe on both cores: the frames cut into ``threads`` runs, one graph each."""
    from concurrent.futures import ThreadPoolExecutor

    k = -(-len(frames) // threads)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(bare_mediapipe, [frames[i : i + k] for i in range(0, len(frames), k)]))


def cpu_seconds(run) -> float:
    """CPU seconds (all threads) of run() in this process."""
    start = time.process_time()
    run()
    return time.process_time() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# The CLI job without one output or another (--by-output): what each costs, in one run.
WITHOUT = {
    "no_blur_faces": ["--no-blur-faces"],
    "no_report": ["--no-report"],
    "no_video": ["--no-video"],
    "no_video_no_report": ["--no-video", "--no-report"],
}


def cli_job(clip: Path, flags: list[str] | None = None) -> tuple[float, float, float]:
    """(seconds, peak RSS MB, CPU seconds) of `ergorisk assess clip --out DIR` as its own
    process: process start and imports included, the annotated video and the three reports
    written (unless ``flags`` turn them off)."""
    flags = flags or []
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["ergorisk", "assess", str(clip), "--out", tmp + "/out", *flags]
        code = (
            f"import resource, sys\n{PEAK_KB}\nfrom ergorisk.cli import main\n"
            f"sys.argv = {argv!r}\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('RSS', peak_kb())"
        )
        start, cpu = time.perf_counter(), children_cpu()
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
        video = [] if "--no-video" in flags else ["annotated.mp4"]
        reports = [] if "--no-report" in flags else ["report.html", "report.pdf", "report.xlsx"]
        for name in ["summary.json", *video, *reports]:
            assert (Path(tmp) / "out" / name).is_file(), name
    return seconds, int(done.stdout.split("RSS")[-1]) / 1024, cpu


def sequential(clip: Path) -> None:
    from ergorisk.io.video import iter_frames

    with mediapipe_pose() as pose:
        for frame in iter_frames(clip):
            pose.process(frame.rgb)


def assess(clip: Path, write: bool) -> None:
    import ergorisk as er

    with tempfile.TemporaryDirectory() as tmp:
        er.assess(clip, annotate=write, report=write).to_dir(Path(tmp) / "out")


def repeated_clip(clip: Path, times: int, dest: Path) -> Path:
    """The clip's packets muxed `times` times in a row (no re-encoding): a longer video."""
    from ergorisk.report.video_writer import join_parts

    join_parts([clip] * times, dest)
    return dest


# The job's peak: its own plus its report child's (report/worker.py), each process's high
# water mark; their sum bounds what both held at once.
PEAK_KB = """def vm_hwm(pid='self'):
    try:
        for line in open(f'/proc/{pid}/status'):
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
def peak_kb():
    from ergorisk.report import worker
    child = worker._shared._process.pid if worker._shared is not None else None
    own = vm_hwm() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own + (vm_hwm(child) if child else 0)"""


def peak_rss_mb(clip: Path) -> tuple[float, float]:
    """(peak RSS MB, seconds) of `ergorisk assess clip` run as its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
        code = (
            f"import resource, sys; from ergorisk.cli import main\n{PEAK_KB}\nsys.argv = "
            f"['ergorisk', 'assess', {str(clip)!r}, '--out', {tmp + '/out'!r}];\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('RSS', peak_kb())"
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        seconds = time.perf_counter() - start
    rss_kb = int(done.stdout.split("RSS")[-1])
    return rss_kb / 1024, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--long-repeat", type=int, default=8)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--by-output",
        action="store_true",
        help="also run the CLI job without face blurring, the reports, the video, both",
    )
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory()
    clip = args.clip or repeated_clip(EXAMPLE_CLIP, 4, Path(workdir.name) / "example-x4.mp4")

    from ergorisk.io.video import probe_video

    info = probe_video(clip)
    print(
        f"clip {clip.name}: {info.width}x{info.height}, {info.n_frames} frames, "
        f"{info.fps:g} fps, {info.codec}; {os.cpu_count()} cores"
    )
    frames = decode_all(clip)
    n = len(frames)
    fps: dict[str, float] = {}
    fps["decode"] = best_fps(lambda: decode_all(clip), n, args.repeat)
    fps["bare_mediapipe"] = best_fps(lambda: bare_mediapipe(frames), n, args.repeat)
    fps["bare_mediapipe_2_threads"] = best_fps(
        lambda: bare_mediapipe_threads(frames), n, args.repeat
    )
    bare_cpu = cpu_seconds(lambda: bare_mediapipe(frames))
    frames.clear()
    fps["sequential_decode_then_mediapipe"] = best_fps(lambda: sequential(clip), n, args.repeat)
    fps["assess_no_writing"] = best_fps(lambda: assess(clip, False), n, args.repeat)
    fps["assess_with_video_and_report"] = best_fps(lambda: assess(clip, True), n, args.repeat)
    jobs = [cli_job(clip) for _ in range(args.repeat)]
    fps["ergorisk_assess_cli"] = n / min(seconds for seconds, _, _ in jobs)
    job_cpu = min(cpu for _, _, cpu in jobs)
    cpu_by_output = {"ergorisk_assess_cli": job_cpu}
    for name, flags in WITHOUT.items() if args.by_output else ():
        runs = [cli_job(clip, flags) for _ in range(args.repeat)]
        fps[f"ergorisk_assess_cli_{name}"] = n / min(seconds for seconds, _, _ in runs)
        cpu_by_output[f"ergorisk_assess_cli_{name}"] = min(cpu for _, _, cpu in runs)
    ratios = {k: v / fps["bare_mediapipe"] for k, v in fps.items()}
    for name, value in fps.items():
        used = f"   {cpu_by_output[name]:5.1f} CPU s" if name in cpu_by_output else ""
        print(f"  {name:44s} {value:7.1f} fps   {ratios[name]:5.2f} x bare MediaPipe{used}")

    with tempfile.TemporaryDirectory() as tmp:
        long_clip = repeated_clip(clip, args.long_repeat, Path(tmp) / "long.mp4")
        memory = {"clip": peak_rss_mb(clip), "long": peak_rss_mb(long_clip)}
    print(
        f"  peak RSS, ergorisk assess: {memory['clip'][0]:.0f} MB on {n} frames; "
        f"{memory['long'][0]:.0f} MB on {n * args.long_repeat} frames "
        f"({memory['long'][1]:.0f} s)"
    )

    ratio = ratios["ergorisk_assess_cli"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # The job's CPU work over bare MediaPipe's: on `cores` cores, the ratio cannot exceed
    # cores / work, however well the work overlaps.
    work = job_cpu / bare_cpu
    print(
        f"  CPU seconds: ergorisk assess {job_cpu:.1f}, bare MediaPipe {bare_cpu:.1f} "
        f"({work:.2f} x); best possible ratio on {cores} cores: {(cores or 1) / work:.2f}"
    )
    print(
        f"  ergorisk assess (process, video and reports) / bare MediaPipe: {ratio:.3f} "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    goals = {
        "cli_job_vs_bare_ratio": {
            "value": round(ratio, 3),
            "goal": GOAL_RATIO,
            "met": ratio >= GOAL_RATIO,
        },
        "peak_rss_growth_mb": {
            "value": round(memory["long"][0] - memory["clip"][0], 1),
            "goal": "< 100",
            "met": memory["long"][0] - memory["clip"][0] < 100,
        },
    }
    if max(info.width, info.height) <= 1280:
        goals["fps_720p"] = {
            "value": round(fps["ergorisk_assess_cli"], 1),
            "goal": GOAL_720P_FPS,
            "met": fps["ergorisk_assess_cli"] >= GOAL_720P_FPS,
        }
    for name, goal in goals.items():
        print(
            f"  goal {name}: {goal['value']} (goal {goal['goal']}): "
            f"{'met' if goal['met'] else 'NOT met'}"
        )
    result: dict[str, Any] = {
        "clip": str(clip.name),
        "width": info.width,
        "height": info.height,
        "frames": n,
        "fps": {k: round(v, 2) for k, v in fps.items()},
        "ratio_to_bare_mediapipe": {k: round(v, 3) for k, v in ratios.items()},
        "peak_rss_mb": {
            **{k: round(v[0], 1) for k, v in memory.items()},
            "cli_job": round(max(rss for _, rss, _ in jobs), 1),
        },
        "cpu_seconds": {
            **{k: round(v, 2) for k, v in cpu_by_output.items()},
            "bare_mediapipe": round(bare_cpu, 2),
            "work_ratio": round(work, 3),
            "best_possible_ratio": round((cores or 1) / work, 3),
        },
        "long_frames": n * args.long_repeat,
        "goals": goals,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_1min": round(os.getloadavg()[0], 2),
        },
        "self_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    workdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
