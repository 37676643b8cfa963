"""Request and response models of the JSON API: what /api/openapi.json documents.

Times are ISO 8601 UTC strings. Large answers (frames, skeleton, an assessment with its
summary) are written directly as JSON with NaN as null; their models document them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from ergorisk.config import BOUNDS
from ergorisk.scoring.summary import Summary
from ergorisk.web.forms import TEXT_LIMITS

Flag = Literal["auto", "yes", "no"]
Coupling = Literal["good", "fair", "poor", "unacceptable"]
JobStatus = Literal["queued", "running", "done", "failed", "interrupted", "cancelled", "pick"]
Kind = Literal["video", "image", "pose", "worksheet", "views"]
LOAD_MAX = BOUNDS["load_kg"][1]


class Problem(BaseModel):
    """Every error: 400, 404, 409, 413, 415 or 503 with a message naming the problem."""

    detail: str


class Factors(BaseModel):
    """The task factors (what a camera cannot see), as the API spells them."""

    load_kg: float = Field(ge=0, le=LOAD_MAX, description="Load handled, kg.")
    coupling: Coupling
    shock: bool
    static: Flag = Field(description="Held static > 1 min (auto: detected).")
    repeated: Flag = Field(description="Repeated > 4 times/min (auto: detected).")
    rapid_change: Flag = Field(description="Rapid large changes or unstable base.")


class RescoreRequest(BaseModel):
    """New task factors (absent ones keep their stored value); ``save`` keeps the result as
    the assessment's new output version."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})

    load_kg: StrictFloat | StrictInt | None = Field(None, description=f"0 to {LOAD_MAX:g} kg.")
    coupling: Coupling | None = None
    shock: StrictBool | None = None
    static: Flag | None = None
    repeated: Flag | None = None
    rapid_change: Flag | None = None
    save: StrictBool = False

    def factors(self) -> dict[str, Any]:
        """The factors given (not save), extra keys included: the route names an unknown one."""
        given = self.model_dump(exclude_unset=True, exclude={"save"})
        return {**given, **(self.model_extra or {})}


class MetadataRequest(BaseModel):
    """Who and what was assessed: a field left out stays as it is, an empty one is cleared.
    The reports are written again with them."""

    model_config = ConfigDict(extra="forbid")

    worker: str | None = Field(None, max_length=TEXT_LIMITS["worker"])
    task: str | None = Field(None, max_length=TEXT_LIMITS["task"])
    site: str | None = Field(None, max_length=TEXT_LIMITS["site"])
    assessor: str | None = Field(None, max_length=TEXT_LIMITS["assessor"])
    notes: str | None = Field(None, max_length=TEXT_LIMITS["notes"])


class WorstMoment(BaseModel):
    """One worst moment: a posture held (report/episodes.py), the same list as the reports.
    start, end (inclusive) and peak are row positions in the frames table; peak is the frame
    pictured (at the held score), max_reba the highest single frame of the moment."""

    rank: int
    start: int
    end: int
    peak: int
    score: int = Field(description="REBA total sustained over the whole moment.")
    peak_reba: int
    peak_rula: int | None = Field(description="RULA total of rula_side at the picture.")
    side: str
    rula_side: str = Field(description="RULA's higher side at the picture.")
    start_s: float
    end_s: float
    duration_s: float
    peak_s: float
    peak_frame: int
    max_reba: int
    max_s: float


class ActivityEpisodeOut(BaseModel):
    """One detected episode of an activity flag, in words (report/activity.py)."""

    part: str = Field(description="The body part, e.g. 'Legs' or 'Left upper arm'.")
    when: str = Field(description="From–to in seconds, e.g. '6.4–7.6 s'.")
    evidence: str = Field(description="How many times and over what range.")
    start_s: float
    end_s: float


class ActivityOut(BaseModel):
    """One of REBA's activity flags (step 13): its episodes, or why it is not set, and what it
    adds to REBA; the same rows as the reports' activity table."""

    kind: Literal["static", "repeated", "rapid_change"]
    label: str
    rule: str = Field(description="What sets the flag, with the thresholds used.")
    state: Literal[
        "detected", "none", "not judged", "set by assessor", "off by assessor", "entered"
    ]
    finding: str = Field(description="Why no episode is listed ('' when episodes are).")
    adds: str
    episodes: list[ActivityEpisodeOut]
    more: int = Field(description="Episodes not listed (shorter than the five listed).")
    more_text: str


class Created(BaseModel):
    assessment_id: int
    job_id: int
    status_url: str
    page_url: str


class JobOut(BaseModel):
    """A job; ``queue_position`` (1-based place in the line) only while it is queued."""

    id: int
    assessment_id: int
    status: JobStatus
    progress: float
    phase: str | None
    message: str | None
    queue_position: int | None
    attempts: int
    created_at: str | None
    updated_at: str | None
    started_at: str | None
    finished_at: str | None


class AssessmentItem(BaseModel):
    """One row of the history."""

    id: int
    created_at: str | None
    updated_at: str | None
    worker: str | None
    task: str | None
    site: str | None
    assessor: str | None
    notes: str | None
    kind: Kind
    input_name: str | None
    # One of several people in the video (picked with people=pick): their ID in it.
    person: int | None = None
    status: JobStatus | None
    job_id: int | None
    frames: int | None
    duration_s: float | None
    reba_peak: int | None
    rula_peak: int | None
    reba_median: float | None
    rula_median: float | None


class AssessmentList(BaseModel):
    items: list[AssessmentItem]
    total: int


class AssessmentDetail(AssessmentItem):
    """An assessment with its factors, options, the whole Config it ran with, its summary
    (summary.json, None until the job is done) and the files there are to download."""

    factors: Factors
    options: dict[str, Any] = Field(description="The options its kind of upload sets.")
    config: dict[str, dict[str, Any]] = Field(
        description="The whole Config the job runs with, by section (Config.to_dict())."
    )
    summary: Summary | None
    activity: list[ActivityOut] = Field(
        default_factory=list, description="REBA's activity flags with their evidence (done only)."
    )
    files: list[str]
    media: str | None
    fps: float | None
    views: list[str] = Field(
        default_factory=list,
        description="A multi-view take: each camera's annotated video (annotated-<camera>.mp4).",
    )
    saving: bool = Field(
        False,
        description="New task factors are being saved (the reports written again): the "
        "factors, scores and files are the last saved ones until it is done.",
    )


class Columns(BaseModel):
    """A table by column: ``data[name]`` lists the values of column ``name`` (null: none)."""

    columns: list[str]
    data: dict[str, list[Any]]


class Skeleton3D(BaseModel):
    """The canonical skeleton, z up, metres: frames x joints x [x, y, z] (null: not seen)."""

    joints: list[str]
    edges: list[list[int]]
    frames: list[list[list[float] | None]]


class Rescored(BaseModel):
    frames: Columns
    summary: Summary
    activity: list[ActivityOut]
    factors: Factors
    saved: bool
    worst_moments: list[WorstMoment]


class MethodStats(BaseModel):
    peak: float | None
    median: float | None
    mean: float | None
    time_pct: dict[str, float]


class MethodCompare(BaseModel):
    a: MethodStats
    b: MethodStats
    difference: dict[str, Any] = Field(description="b - a of peak, median, mean and time_pct.")


class Comparison(BaseModel):
    a: AssessmentItem
    b: AssessmentItem
    same_task: bool
    methods: dict[str, MethodCompare]
    factors: dict[str, Factors] = Field(
        default_factory=dict,
        description="Each one's task factors (a, b): a heavier load explains a higher score.",
    )
    warnings: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Each one's summary.json warnings (a, b): what to check before relying on "
        "its figures, as its page and reports list them.",
    )


class PersonFound(BaseModel):
    """One person the tracker followed in an uploaded video."""

    id: int = Field(description="The tracker's ID, as drawn on the thumbnail.")
    frames_detected: int
    first_s: float | None
    last_s: float | None
    main: bool = Field(description="The person `people=largest` would assess.")
    thumbnail_url: str


class PeopleFound(BaseModel):
    """The people found in an upload with ``people=pick``; ``status`` is its job's (``pick``:
    waiting for the pick)."""

    assessment_id: int
    status: JobStatus | None
    people: list[PersonFound]


class PersonPick(BaseModel):
    id: int = Field(ge=0)
    worker: str | None = Field(
        None, max_length=200, description="This person's worker name (default: the upload's)."
    )


class PeoplePick(BaseModel):
    """Whom to assess: one or more of the people found, each with a worker name. The first
    becomes this assessment; each other one a new assessment in the history."""

    model_config = ConfigDict(extra="forbid")

    people: list[PersonPick] = Field(min_length=1, max_length=100)


class Picked(BaseModel):
    assessments: list[Created]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route answers."""
    return {status: {"model": Problem} for status in statuses}
