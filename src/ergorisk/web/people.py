"""Several people in one uploaded video: the people job and the tracks it keeps for the pick.

    DATA/assessments/<id>/people/people.json     the people found: id, frames, times, main
    DATA/assessments/<id>/people/tracks.npz      every person's track (save_tracks)
    DATA/assessments/<id>/people/person-<k>.jpg  a thumbnail with the box and ID
    DATA/assessments/<id>/track.npz              the one person this assessment is of

An upload with ``people=pick`` runs ``scan``: the multi-person tracker over the video (the
costly part), then one thumbnail per person. With one person found the same job goes on to
assess them; with several it stops at the pick. Each picked person becomes an assessment
with their own ``track.npz``, assessed by ``er.assess_people(..., tracks=[track])`` without
running pose estimation again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ergorisk.config import Config
from ergorisk.errors import InputError
from ergorisk.pose.people import PersonTrack

PEOPLE_DIR, TRACKS, PEOPLE_JSON, TRACK = "people", "tracks.npz", "people.json", "track.npz"
Progress = Callable[[str, int, "int | None"], None]


def thumbnail_name(person_id: int) -> str:
    return f"person-{int(person_id)}.jpg"


def save_tracks(path: Path, people: Sequence[PersonTrack]) -> None:
    """People of one video (same frames) in one .npz, stacked by person, dtypes kept (the
    pick assesses exactly what the tracker gave)."""
    first = people[0]
    np.savez_compressed(
        path,
        person_id=np.array([p.person_id for p in people], dtype=np.int64),
        world=np.stack([p.world for p in people]),
        image=np.stack([p.image for p in people]),
        bbox_px=np.stack([p.bbox_px for p in people]),
        # the torso's colour (pose/appearance.py), NaN where not measured
        chroma=np.stack(
            [np.full((len(p.time_s), 2), np.nan) if p.chroma is None else p.chroma for p in people]
        ),
        frame_index=first.frame_index,
        time_s=first.time_s,
    )


def load_tracks(path: Path, ids: Sequence[int] | None = None) -> list[PersonTrack]:
    """The people ``save_tracks`` wrote (those of ``ids`` only, when given), by ID."""
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    out = []
    for k, pid in enumerate(arrays["person_id"].tolist()):
        if ids is not None and pid not in ids:
            continue
        chroma = arrays["chroma"][k] if "chroma" in arrays else None  # older scans lack it
        out.append(
            PersonTrack(
                arrays["world"][k],
                arrays["image"][k],
                arrays["frame_index"],
                arrays["time_s"],
                person_id=int(pid),
                bbox_px=arrays["bbox_px"][k],
                chroma=chroma if chroma is not None and np.isfinite(chroma).any() else None,
            )
        )
    return out


def scan(video: Path, cfg: Config, out: Path, progress: Progress) -> list[dict[str, Any]]:
    """Follow everyone in ``video`` (the Config's start, end and stride) and write into
    ``out`` (created): tracks.npz, people.json and a thumbnail per person. Returns the
    people.json entries, the main person (as ``people=largest`` would pick) marked."""
    from ergorisk.io.video import probe_video
    from ergorisk.pose.estimate import start_main_box
    from ergorisk.pose.people import track_people
    from ergorisk.pose.people_select import main_person

    media = cfg.media
    info = probe_video(video)
    try:
        people = track_people(
            video,
            info,
            start_s=media.start_s,
            end_s=media.end_s,
            stride=media.stride,
            max_side=media.inference_max_side,
            canonical_facing=media.canonical_facing,
            progress=progress,
        )
    except RuntimeError as err:
        raise InputError(f"{video}: {str(err).splitlines()[0]}") from None
    people = [p for p in people if p.n_detected]
    if not people:
        raise InputError(f"{video}: nobody was found in the video")
    # Ticked in the picker: whom a plain upload (people=largest) assesses.
    start = start_main_box(video, info, media.start_s, media.end_s, media.stride)
    main = main_person(people, start_box=start).person_id
    out.mkdir(parents=True)
    save_tracks(out / TRACKS, people)
    _thumbnails(video, people, cfg, out)
    records = [
        {**p.record(), "main": p.person_id == main, "thumbnail": thumbnail_name(p.person_id)}
        for p in people
    ]
    (out / PEOPLE_JSON).write_text(json.dumps({"people": records}, indent=2) + "\n")
    return records


def _thumbnails(video: Path, people: Sequence[PersonTrack], cfg: Config, out: Path) -> None:
    """person-<id>.jpg: each person where they are seen best (faces blurred as configured)."""
    import cv2

    from ergorisk.io.video import iter_frames
    from ergorisk.report.people_overview import best_frame, draw_thumbnail

    media = cfg.media
    wanted: dict[int, list[PersonTrack]] = {}
    for p in people:
        wanted.setdefault(best_frame(p), []).append(p)
    last = max(wanted)
    for i, frame in enumerate(iter_frames(video, media.start_s, media.end_s, media.stride)):
        if i in wanted:
            rgb = frame.rgb
            if media.blur_faces:
                from ergorisk.report.faces import private_frame

                # as every picture: the detectors for anyone else in the crop, the pose's
                # face for the people followed (only theirs were blurred: a bystander's
                # showed), small people on finer squares too (a few pictures a video)
                rgb = private_frame(rgb, [p.image[i] for p in people], fine=True)
            for p in wanted[i]:
                bgr = cv2.cvtColor(draw_thumbnail(rgb, p, i), cv2.COLOR_RGB2BGR)
                cv2.imwrite(str(out / thumbnail_name(p.person_id)), bgr)
        if i >= last:
            break


def read_people(folder: Path) -> list[dict[str, Any]]:
    return json.loads((folder / PEOPLE_JSON).read_text())["people"]
