"""Report stage: what a person looks at after an assessment.

annotate.py      draw a scored pose on a frame (skeleton coloured by part risk, banner)
video_writer.py  H.264 MP4 writing on a background thread (PyAV, libx264)
breakdown.py     each score re-derived step by step with its evidence
episodes.py      worst moments as sustained episodes: the one list every output shows
bands.py         the worksheet's angle bands, read off the exact scorer
explain.py       each part score in an ergonomist's words
recommend.py     posture changes ranked by DEBA/DULA, verified by the exact scorer
faces.py         face detection (MediaPipe, offline) and blurring
model.py         the report model (Metadata, build_report); charts.py: static SVG timeline
document.py      report.html and report.pdf from one template (templates/)
xlsx.py          report.xlsx
write.py         write_reports(frames, summary, meta, pictures, out_dir): the one call
worker.py        the reports written in a child process, beside the video being drawn
media.py         the annotated video or image, and the worst moments' pictures
"""
