"""Sample: the new reports of an assessment folder (pictures from its annotated video).

PYTHONPATH=src .venv/bin/python scripts/sample_report.py ASSESSMENT_DIR OUT_DIR
"""

import json
import sys
import time
from pathlib import Path

import av
import pandas as pd

from ergorisk.config import Metadata
from ergorisk.report.episodes import worst_episodes
from ergorisk.report.faces import FaceDetector, blur_faces
from ergorisk.report.model import picture_rows
from ergorisk.report.write import write_reports

src, out = Path(sys.argv[1]), Path(sys.argv[2])
frames = pd.read_parquet(src / "frames.parquet")
summary = json.loads((src / "summary.json").read_text())
eps = worst_episodes(frames, fps=summary["fps"])
want = set(picture_rows(eps))
pics = {}
with av.open(str(src / "annotated.mp4")) as c, FaceDetector() as fd:
    for i, f in enumerate(c.decode(video=0)):
        if i in want:
            rgb = f.to_ndarray(format="rgb24")
            pics[i] = blur_faces(rgb, fd(rgb))
t = time.time()
meta = Metadata(
    worker="A. Martin",
    task="Sports2D demo: walking and turning",
    site="Example site",
    assessor="J. Doe",
    notes="Sample run.",
    date="2025-12-03",
)
print(write_reports(frames, summary, meta, pics, out, episodes=eps), time.time() - t)
