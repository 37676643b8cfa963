"""The web application: ``create_app(settings)`` wires storage, database, jobs and routes.

At start (FastAPI lifespan) the schema is migrated to the newest revision, jobs left by a
previous server process are marked interrupted (queued ones queued again), and the worker
pool starts.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ergorisk import __version__
from ergorisk.web.db import make_engine, session_factory, upgrade
from ergorisk.web.deps import Context
from ergorisk.web.jobs import JobPool
from ergorisk.web.routes import api, pages
from ergorisk.web.settings import Settings
from ergorisk.web.storage import Storage, UploadError

STATIC = Path(__file__).with_name("static")
TOKEN_COOKIE = "ergorisk_token"
FORM_OVERHEAD = 1 << 20  # multipart boundaries and the small fields beside the file
log = logging.getLogger("ergorisk.server")


def create_app(settings: Settings) -> FastAPI:
    storage = Storage(settings.data_dir)
    storage.create()
    engine = make_engine(settings.db_url)
    sessions = session_factory(engine)
    launcher = None
    if settings.engine == "ray":
        from ergorisk.web.ray_jobs import RayLauncher

        launcher = RayLauncher(settings.ray_address, settings.workers)
    pool = JobPool(sessions, storage, settings.workers, settings.queue_size, launcher)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(engine)
        if marked := pool.recover():
            log.warning("%d job(s) of a previous server process marked interrupted", marked)
        if pool.requeued:
            log.warning(
                "%d job(s) a previous server process left queued are queued again",
                len(pool.requeued),
            )
        pool.start()
        try:
            yield
        finally:
            pool.stop()
            engine.dispose()

    # No Swagger page: it loads its scripts from a CDN, and this server works offline.
    app = FastAPI(
        title="ergorisk",
        version=__version__,
        description="REBA and RULA assessments of videos, photos, pose files and worksheets: "
        "upload, follow the job, review every score, re-score, compare (docs/web.md).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.ctx = Context(settings, storage, sessions, pool, threading.Lock())
    app.state.settings = settings

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _wants_page(request):
            return pages.error_page(request, pages.ApiError(404, "there is no such page"))
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_page(request):  # e.g. /assessments/abc
            return pages.error_page(request, pages.ApiError(404, "there is no such page"))
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ())]
        where = (
            "request body"
            if loc[:1] == ["body"] and (len(loc) == 1 or first.get("type") == "json_invalid")
            else ".".join(p for p in loc if p not in ("body", "query", "path"))
        )
        return JSONResponse(
            status_code=400, content={"detail": f"{where}: {first.get('msg', 'invalid')}"}
        )

    app.include_router(api)
    app.include_router(pages.router)
    STATIC.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(UploadLimit, max_bytes=settings.max_upload_bytes)
    if settings.token:
        app.add_middleware(TokenGate, token=settings.token)
    return app


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API): errors come back as a page too."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


class UploadLimit:
    """Refuses a request body past the upload limit while it streams in (413), before the
    form parser spools it to disk; a declared Content-Length over it is refused at once."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.limit = app, max_bytes + FORM_OVERHEAD
        self.max_mb = max_bytes / 2**20

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        message = f"the upload is larger than the limit of {round(self.max_mb, 2):g} MB"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await JSONResponse(status_code=413, content={"detail": message})(scope, receive, send)
            return
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            event = await receive()
            seen += len(event.get("body", b""))
            if seen > self.limit:
                raise UploadError(message, 413)
            return event

        await self.app(scope, limited, send)


class TokenGate:
    """With ``--token``: every route but /static needs ``Authorization: Bearer T`` or the
    cookie that opening any page once with ``?token=T`` sets."""

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.token = app, token.encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        header = request.headers.get("authorization", "")
        candidates = [
            header[7:] if header.lower().startswith("bearer ") else "",
            request.cookies.get(TOKEN_COOKIE, ""),
        ]
        query = request.query_params.get("token", "")
        if any(self._ok(c) for c in candidates):
            await self.app(scope, receive, send)
            return
        cookie = f"{TOKEN_COOKIE}={query}; Path=/; HttpOnly; SameSite=Strict".encode()
        page = scope["method"] == "GET" and not scope["path"].startswith("/api/")
        if self._ok(query) and page:
            # A page: set the cookie and drop the token from the address bar (and so from the
            # browser's history, bookmarks and screenshots).
            rest = urlencode(
                [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            )
            response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), 303)
            response.raw_headers.append((b"set-cookie", cookie))
            await response(scope, receive, send)
            return
        if self._ok(query):

            async def with_cookie(message: dict) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append((b"set-cookie", cookie))
                await send(message)

            await self.app(scope, receive, with_cookie)
            return
        if page and "text/html" in request.headers.get("accept", ""):
            # A person in a browser: a form to enter the token, not a JSON message.
            keep = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            await pages.templates.TemplateResponse(
                request,
                "token.html",
                {
                    "title": "Access token",
                    "version": __version__,
                    "keep": keep,
                    "wrong": bool(query),
                },
                status_code=401,
            )(scope, receive, send)
            return
        response = JSONResponse(
            status_code=401,
            content={
                "detail": "this server needs its access token: open a page once with ?token=T, "
                "or send 'Authorization: Bearer T'"
            },
        )
        await response(scope, receive, send)

    def _ok(self, value: str) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.token)
