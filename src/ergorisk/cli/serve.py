"""`ergorisk serve`: the web application."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ergorisk.cli.common import Engine, fail
from ergorisk.errors import first_line

KEEP_ALIVE_S = 65  # seconds an idle HTTP connection stays open (see serve's uvicorn.run)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on. Anything but loopback needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path,
        typer.Option(help="Folder of the database (SQLite) and of every upload and result."),
    ] = Path("ergorisk-data"),
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs processed at once (each in its own process).")
    ] = 1,
    queue_size: Annotated[
        int, typer.Option(min=1, help="Jobs allowed to wait; more are refused (HTTP 503).")
    ] = 16,
    max_upload_mb: Annotated[
        float, typer.Option(min=0.001, help="Largest upload accepted, MB (HTTP 413 beyond).")
    ] = 500.0,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="ERGORISK_TOKEN",
            show_envvar=True,
            help="Access token: every page and API call then needs it (open a page "
            "once with ?token=T, or send 'Authorization: Bearer T').",
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            help="Where jobs run: 'local' (a child process of the server each) or 'ray' "
            "(a Ray worker each: a private local Ray, or the cluster at --address).",
        ),
    ] = Engine.local,
    address: Annotated[
        str | None,
        typer.Option(
            help="With --engine ray: the cluster to join, HOST:PORT as `ray start --head` "
            "prints it. Its nodes need ergorisk and --data-dir at the same path (docs/web.md); "
            "a token-authenticated cluster needs RAY_AUTH_MODE=token and its token here.",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            envvar="ERGORISK_DATABASE_URL",
            show_envvar=True,
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
            "(default: SQLite in --data-dir).",
        ),
    ] = None,
) -> None:
    """Run the web application: assess videos in the browser, review every score.

    Upload a video, image, pose file or hand-entered worksheet; follow the job; re-score.
    Then open http://127.0.0.1:8000 (the address printed at start) in a browser. The
    database, uploads and results stay in --data-dir, with a history to filter and sort. At
    start the schema is migrated; a job cut off by a stop is marked interrupted (retry it).

    Examples (on this machine; for other machines; with jobs on a Ray cluster, whose
    machines share --data-dir):

      ergorisk serve --data-dir ~/ergorisk-data --workers 1
      ergorisk serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
      ergorisk serve --engine ray --address HEAD:6379
    """
    from ergorisk.web.settings import Settings, is_loopback

    if not is_loopback(host) and not token:
        fail(
            f"--host {host} would expose the server beyond this machine: give --token "
            "(or ERGORISK_TOKEN), or keep the default --host 127.0.0.1"
        )
    if address and engine is not Engine.ray:
        fail("--address needs --engine ray")
    if data_dir.exists() and not data_dir.is_dir():
        fail(f"--data-dir {data_dir} exists and is not a folder")
    try:
        settings = Settings.from_env(
            data_dir=data_dir,
            database_url=database_url,
            max_upload_mb=max_upload_mb,
            workers=workers,
            queue_size=queue_size,
            token=token,
            engine=engine.value,
            ray_address=address,
            host=host,
            port=port,
        )
    except ValueError as err:
        fail(first_line(err))
    _check_can_listen(host, port)
    import uvicorn

    from ergorisk.web.server import create_app

    try:
        application = create_app(settings)
    except OSError as err:
        fail(f"--data-dir {data_dir}: {first_line(err)}")
    _connect_jobs(application)
    shown = f"[{host}]" if ":" in host else host
    hint = "?token=YOUR_TOKEN (once per browser)" if settings.token else ""
    typer.echo(
        f"ergorisk: open http://{shown}:{port}/{hint}  (data in {settings.data_dir})", err=True
    )
    _log_jobs()
    # Idle connections kept 65 s, past a client's or a proxy's own keep-alive (nginx's 60 s):
    # the client closes first. At uvicorn's 5 s, a request sent on a connection the server
    # was closing got "socket hang up (ECONNRESET)" (seen once in CI, a browser test's API
    # request after a 5 s pause).
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


def _log_jobs() -> None:
    """The server's own lines (where each job runs, how it ended) beside uvicorn's."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    logger = logging.getLogger("ergorisk")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _connect_jobs(application: object) -> None:
    """Start or join Ray now, so that a cluster out of reach exits 2 with what to do, not a
    traceback at the server's start."""
    from ergorisk.batch.inputs import BatchInputError

    try:
        application.state.ctx.pool.launcher.connect()  # type: ignore[attr-defined]
    except BatchInputError as err:
        fail(str(err))


def _check_can_listen(host: str, port: int) -> None:
    """Exit 2 with a clear message when host:port cannot be bound (in use, unknown host)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as err:
        reason = err.strerror or str(err)
        fail(f"cannot listen on {host}:{port}: {reason} (is another server running? try --port)")
