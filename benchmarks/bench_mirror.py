"""Mirror invariance through ``er.assess`` (issue 13): defaults, no canonical facing, flip average.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_mirror.py [--start 3] [--end 6]

The example re-encoded (so that both runs share the codec), its mirror image, each assessed
on the cut with each setting: the worst per-angle median |difference| (the
mirrored run's left side against the original's right) and REBA/RULA totals within 1, as
tests/test_video_invariance.py measures them; the camera tilt each run found. Six MediaPipe
runs of the cut, one at a time. Results go to benchmarks/results/bench_mirror.json.
It uses only er.assess and pose/invariance.py, so an older checkout measures the same way
(PYTHONPATH=<its src>).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import ergorisk as er
from ergorisk.pose.invariance import (
    CHECKED_ANGLES,
    _transform_video,
    frame_sides,
    median_abs,
    mirror_video,
    mirrored_angle_differences,
    totals_within_one,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sports2d-demo-720p.mp4"
RESULTS = ROOT / "benchmarks" / "results"
QUIET = {"annotate": False, "report": False}
SETTINGS = {
    "default": {},  # canonical facing (pose/canonical.py)
    "canonical_off": {"canonical_facing": False},
    "flip_average": {"flip_average": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=float, default=3.0)
    parser.add_argument("--end", type=float, default=6.0)
    args = parser.parse_args()
    # Each run's assessment warnings (twist, back view) are not what this measures; they
    # interleaved 24 lines with the results.
    warnings.simplefilter("ignore", er.AssessmentWarning)
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "cut.mp4"
        _transform_video(EXAMPLE, clip, lambda rgb: rgb, None)
        mirrored = mirror_video(clip, Path(tmp) / "mirrored.mp4")
        for name, options in SETTINGS.items():
            runs = [
                er.assess(p, start_s=args.start, end_s=args.end, **options, **QUIET)
                for p in (clip, mirrored)
            ]
            a, b = runs[0].frames, runs[1].frames
            med = median_abs(
                mirrored_angle_differences(frame_sides(a), frame_sides(b), CHECKED_ANGLES)
            )
            worst = max(med, key=med.get)
            out[name] = {
                "worst_median_deg": round(med[worst], 2),
                "worst_angle": worst,
                "median_deg": {k: round(v, 2) for k, v in med.items()},
                "reba_within_1": round(totals_within_one(a, b, "reba"), 3),
                "rula_within_1": round(totals_within_one(a, b, "rula"), 3),
                "camera_tilt": [r.summary.to_dict()["options"]["camera_tilt"] for r in runs],
            }
            print(name, json.dumps(out[name]), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_mirror.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
