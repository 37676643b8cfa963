"""Report stage: what a person looks at after an assessment.

annotate.py      draw a scored pose on a frame (skeleton coloured by part risk, banner)
video_writer.py  H.264 MP4 writing on a background thread (PyAV, libx264)
breakdown.py     worst moments, and each score re-derived step by step with its evidence
html.py          report.html: self-contained, plotly.js inline, opens offline
"""
