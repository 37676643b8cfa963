"""/api/assessments/{id}/files/{name}: the downloads, from a fixed list of names."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ergorisk.web.deps import Ctx, get_record, http_error
from ergorisk.web.schemas import errors
from ergorisk.web.storage import DOWNLOADS, is_download

router = APIRouter(tags=["files"])
MEDIA_TYPES = {
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/assessments/{assessment_id}/files/{name}",
    response_class=FileResponse,
    responses={
        200: {
            "description": f"The file; names: {', '.join(DOWNLOADS)}, and "
            "annotated-<camera>.mp4 for each camera of a multi-view take.",
            "content": {t: {} for t in MEDIA_TYPES.values()},
        },
        **errors(404),
    },
)
def get_file(assessment_id: int, name: str, c: Ctx) -> FileResponse:
    """A download from the fixed list (HTTP Range works: the video seeks)."""
    if not is_download(name):
        raise http_error(404, f"no file {name!r}; available names: {', '.join(DOWNLOADS)}")
    with c.sessions() as session:
        a = get_record(session, assessment_id)
        path = c.storage.download(a.id, a.output_version, name)
    if path is None:
        raise http_error(404, f"assessment {assessment_id} has no {name}")
    suffix = Path(name).suffix
    attachment = suffix in (".csv", ".parquet", ".json", ".xlsx")
    headers = {"X-Content-Type-Options": "nosniff"}
    if suffix == ".html":  # its scripts run in an opaque origin: no access to this site
        headers["Content-Security-Policy"] = "sandbox allow-scripts"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[suffix],
        headers=headers,
        # Named inline too: the PDF opens in the browser, and saving it gave "report.pdf",
        # then "report (1).pdf", for every assessment.
        filename=f"assessment-{assessment_id}-{name}",
        content_disposition_type="attachment" if attachment else "inline",
    )
