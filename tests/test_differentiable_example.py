"""examples/deba_gradient.py, the Python example of docs/differentiable.md: it runs, DEBA
follows the exact REBA across the trunk's 60° edge, and the docs print what it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_deba_example_runs_and_the_docs_show_its_output():
    example = ROOT / "examples" / "deba_gradient.py"
    out = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, check=True
    ).stdout
    rows = re.findall(r"trunk +([\d.]+)°: DEBA ([\d.]+), exact REBA (\d+)", out)
    assert [(float(t), int(e)) for t, _, e in rows] == [(45.0, 5), (59.5, 5), (61.0, 6), (75.0, 6)]
    assert all(abs(float(d) - int(e)) < 0.5 for _, d, e in rows)
    docs = (ROOT / "docs" / "differentiable.md").read_text()
    assert example.read_text() in docs and out in docs
