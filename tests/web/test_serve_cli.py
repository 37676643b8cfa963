"""`ergorisk serve` refuses what it cannot do safely or at all, with exit code 2."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from ergorisk.cli import app

runner = CliRunner()


def test_a_public_address_needs_a_token(tmp_path, monkeypatch):
    monkeypatch.delenv("ERGORISK_TOKEN", raising=False)
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--token" in result.output and "127.0.0.1" in result.output


def test_a_port_in_use_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ERGORISK_TOKEN", raising=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_a_data_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path / "file")])
    assert result.exit_code == 2 and "is not a folder" in result.output


def test_help_teaches(tmp_path):
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for words in ("--data-dir", "--workers", "--max-upload-mb", "--token", "ERGORISK_DATABASE_URL"):
        assert words in result.output


def test_an_idle_connection_stays_open_past_uvicorns_five_seconds(tmp_path):
    """A browser test's API request after a 5 s pause got "socket hang up (ECONNRESET)" in
    CI: uvicorn closes idle connections after 5 s by default, and a request sent as it did
    was lost. The server keeps them 65 s, so the client closes first."""
    import http.client
    import time

    from ergorisk.cli.serve import KEEP_ALIVE_S
    from serve_fixtures import Server

    server = Server(tmp_path / "data", tmp_path / "server.log")
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/assessments")
        first = conn.getresponse()
        assert first.status == 200 and first.read()
        sock = conn.sock
        time.sleep(6)  # past uvicorn's 5 s
        conn.request("GET", "/api/assessments")
        again = conn.getresponse()
        assert again.status == 200 and again.read()
        assert conn.sock is sock  # the same connection, not a new one
        assert KEEP_ALIVE_S > 60  # past nginx's keep-alive to its upstreams
    finally:
        server.stop()
