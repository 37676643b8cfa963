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
