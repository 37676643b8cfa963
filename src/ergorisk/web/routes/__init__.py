"""The routes, one module per resource: assessments (upload, results, re-scoring), people
(the pick among several people in a video), jobs, files (downloads), history (list,
compare) under /api, and the server-rendered pages."""

from __future__ import annotations

from fastapi import APIRouter

from ergorisk.web.routes import assessments, files, history, jobs, pages, people

api = APIRouter(prefix="/api")
# history first: GET /api/assessments lists, GET /api/assessments/{id} is one assessment.
for module in (history, assessments, people, jobs, files):
    api.include_router(module.router)

__all__ = ["api", "pages"]
