"""Web application: what a job costs beyond the pipeline, and how fast results come back.

In one process, with the app under FastAPI's TestClient (no network) and a temporary data
folder:
- job: upload the example video, poll until done (wall time; the job runs in a child process)
  against ``er.assess(clip).to_dir(...)`` called directly on the same clip (the pipeline alone);
- small job: a hand-entered worksheet (the fixed cost of a job: spawning the child process);
- results: GET frames (every column plus the breakdown), GET skeleton, POST rescore (without
  and with save), median of --repeat calls, with the response sizes.

    .venv/bin/python benchmarks/bench_web.py [--clip FILE] [--repeat 5] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CLIP = ROOT / "examples" / "sports2d-demo-720p.mp4"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_web.json"


def _wait(client, job_id: int) -> dict:
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)


def _timed(call, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=EXAMPLE_CLIP)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")

    from fastapi.testclient import TestClient

    from ergorisk.assessment import assess
    from ergorisk.web.server import create_app
    from ergorisk.web.settings import Settings

    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        direct = assess(args.clip)
        direct.to_dir(Path(tmp) / "direct", report=True)
        rows["pipeline alone (er.assess)"] = {"s": time.perf_counter() - start}
        with TestClient(create_app(Settings(data_dir=Path(tmp) / "data"))) as client:
            start = time.perf_counter()
            with open(args.clip, "rb") as f:
                created = client.post(
                    "/api/assessments", files={"file": (args.clip.name, f)}
                ).json()
            job = _wait(client, created["job_id"])
            rows["video job: upload -> done"] = {
                "s": time.perf_counter() - start,
                "status": job["status"],
            }
            start = time.perf_counter()
            small = client.post(
                "/api/assessments", data={"worksheet": '[{"trunk_flexion_deg": 30}]'}
            ).json()
            _wait(client, small["job_id"])
            rows["worksheet job: upload -> done"] = {"s": time.perf_counter() - start}
            url = f"/api/assessments/{created['assessment_id']}"
            for name, call in (
                ("GET frames", lambda: client.get(f"{url}/frames")),
                ("GET skeleton", lambda: client.get(f"{url}/skeleton")),
                ("POST rescore", lambda: client.post(f"{url}/rescore", json={"load_kg": 12})),
                (
                    "POST rescore, save",
                    lambda: client.post(f"{url}/rescore", json={"load_kg": 12, "save": True}),
                ),
            ):
                seconds, response = _timed(call, args.repeat)
                rows[name] = {
                    "s": seconds,
                    "status": response.status_code,
                    "bytes": len(response.content),
                }
    frames = len(direct.frames)
    print(
        f"{args.clip.name}: {frames} frames; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'step':34} {'seconds':>8} {'KB':>8}")
    for name, row in rows.items():
        kb = f"{row['bytes'] / 1024:.0f}" if "bytes" in row else ""
        print(f"{name:34} {row['s']:8.3f} {kb:>8}")
    overhead = rows["video job: upload -> done"]["s"] - rows["pipeline alone (er.assess)"]["s"]
    print(f"job overhead over the pipeline: {overhead:.2f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"clip": str(args.clip), "frames": frames, "rows": rows, "job_overhead_s": overhead},
            indent=2,
        )
        + "\n"
    )
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
